"""Centre setup in a real browser (Debian's chromium, driven by Playwright): the director signs in,
creates invites for a circle on the invites page, and every QR code on the printed sheet the page
links to decodes to the invite link of a code the page showed."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.async_api import async_playwright

from bot.services import admin
from bot.services import console as console_service
from tests.e2e.conftest import CHROMIUM, Harness

CENTRE, DIRECTOR = "Asha Kendra", "Director Asha"

pytestmark = pytest.mark.usefixtures("chromium")  # skips, or fails in CI, without it


async def test_the_director_prints_invites_whose_qr_codes_decode_to_their_links(
    harness: Harness, console_url: str
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (a dev dependency) decodes the QR codes")
    harness.seed_centre(CENTRE)
    admin.add_counsellor(harness.services, CENTRE, DIRECTOR, telegram_id=9002, role="admin")
    admin.add_circle(harness.services, CENTRE, "Evening Circle", capacity=10)
    path = re.sub(r"^https?://[^/]+", "", console_service.link_for(harness.services, DIRECTOR))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            await page.goto(console_url + path)
            await page.get_by_role("link", name="Invites").first.click()
            await page.get_by_label("Circle").select_option(label="Evening Circle (0/10)")
            await page.get_by_label("How many").fill("3")
            await page.get_by_label("Language of the cards").select_option("mr")
            await page.get_by_role("button", name="Create invites").click()
            created = page.locator("#created")
            await created.wait_for()
            codes = re.findall(r"\b[A-Z2-9]{8}\b", " ".join(await created.locator("code").all_inner_texts()))
            assert len(codes) == 3
            png_href = await created.get_by_role("link", name="Page 1 as PNG").get_attribute("href")
            assert png_href is not None and "lang=mr" in png_href
            png = await page.request.get(console_url + png_href)  # the browser's own session
            assert png.ok and png.headers["content-type"] == "image/png"
            pdf_href = await created.get_by_role("link", name="Sheet as PDF").get_attribute("href")
            pdf = await page.request.get(console_url + (pdf_href or ""))
            assert pdf.ok and (await pdf.body()).startswith(b"%PDF-")
            assert not errors, errors  # no CSP violation
            body = await png.body()
        finally:
            await browser.close()
    decoded = sorted(result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(body))))
    assert decoded == sorted(f"https://t.me/{harness.services.bot_username}?start={code}" for code in codes)
