"""The console end to end: the bot and the console in one event loop against the emulator, and a
real browser (Debian's chromium, driven by Playwright) signing in with the link the bot sent.

``./scripts/test`` installs chromium when it is missing and it can (as root with apt-get); the
browser test skips, saying why, when /usr/bin/chromium is not there.
"""

from __future__ import annotations

import re

import aiohttp
import pytest
from playwright.async_api import async_playwright

from tests.e2e.conftest import CHROMIUM, COUNSELLOR_ID, Harness

MEMBER = 1001
LINK = re.compile(r"http://127\.0\.0\.1:\d+/signin/[\w-]+")


async def _centre_with_an_alert(harness: Harness) -> str:
    """A centre, a member who wrote something urgent, and the counsellor's sign-in link from /console."""
    harness.seed_centre()
    await harness.onboard(MEMBER)
    harness.send(MEMBER, "I want to end my life tonight")
    await harness.expect(COUNSELLOR_ID, "#")  # the alert reached the counsellor's phone
    harness.send(COUNSELLOR_ID, "/console")
    message = await harness.expect(COUNSELLOR_ID, "sign-in link")
    found = LINK.search(message.text or "")
    assert found is not None, message.text
    return found.group(0)


async def test_console_command_is_staff_only_and_its_link_signs_in_once(harness: Harness, console_url: str) -> None:
    link = await _centre_with_an_alert(harness)
    harness.send(MEMBER, "/console")
    await harness.expect(MEMBER, "not available")
    assert link.startswith(console_url)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # unsafe: an IP address
        async with http.get(link, allow_redirects=False) as first:
            assert first.status == 303 and "HttpOnly" in first.headers["set-cookie"]
        async with http.get(f"{console_url}/alerts") as alerts:
            assert alerts.status == 200 and "Urgent" in await alerts.text()
    async with aiohttp.ClientSession() as again, again.get(link, allow_redirects=False) as second:
        assert second.status == 400  # single use


@pytest.mark.usefixtures("chromium")  # skips, or fails in CI, without it
async def test_a_counsellor_acknowledges_in_the_browser_and_the_member_hears(
    harness: Harness, console_url: str
) -> None:
    link = await _centre_with_an_alert(harness)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            await page.goto(link)
            assert page.url == f"{console_url}/alerts"
            card = page.locator(".card.urgent")
            await card.wait_for()
            assert "Urgent" in await card.inner_text()
            await card.get_by_role("button", name="Acknowledge").click()
            await page.get_by_text("The member has been told").wait_for()
            assert not errors, errors  # no CSP violation, htmx loaded
        finally:
            await browser.close()
    await harness.expect(MEMBER, "Your counsellor has seen your message")
