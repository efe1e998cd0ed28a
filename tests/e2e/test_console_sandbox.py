"""``saathi sandbox`` opens the demo centre's console after the day, with a sign-in link."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from sandbox.demo import play_demo_day


async def test_the_sandbox_prints_a_link_that_opens_the_demo_centres_console(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("WEB_LISTEN", f"127.0.0.1:{port}")
    monkeypatch.setenv("WEB_BASE_URL", f"http://127.0.0.1:{port}")
    lines: list[str] = []
    seen: dict[str, int | str] = {}

    async def visit(link: str) -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(link) as signed_in:
                seen["alerts"] = signed_in.status
            async with http.get(f"http://127.0.0.1:{port}/audit") as audit:
                seen["audit"] = await audit.text()

    assert await play_demo_day(quiet=True, out=lines.append, console=True, console_open=visit) == 0
    assert any(f"http://127.0.0.1:{port}/signin/" in line for line in lines)
    assert seen["alerts"] == 200
    assert "console:signin" in str(seen["audit"]) and "Counsellor Meera" in str(seen["audit"])
