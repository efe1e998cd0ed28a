"""Signing in to the console: one-time links, sessions, sign-out, rate limits, headers."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from bot.services import console as console_service
from tests.web.conftest import COUNSELLOR, ConsoleWorld


def test_a_signed_in_counsellor_sees_the_alerts_page_with_csp(counsellor: TestClient) -> None:
    response = counsellor.get("/alerts")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "<script>" not in response.text  # only <script src=…>


def test_without_a_session_pages_redirect_to_sign_in(console: ConsoleWorld) -> None:
    client = TestClient(console.app)
    response = client.get("/alerts", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin"


def test_a_link_works_once_and_sets_a_strict_http_only_cookie(console: ConsoleWorld) -> None:
    path = console_service.link_for(console.ctx, COUNSELLOR).removeprefix("http://127.0.0.1:8080")
    first = TestClient(console.app).get(path, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/alerts"
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    again = TestClient(console.app).get(path, follow_redirects=False)
    assert again.status_code == 400 and "saathi_console" not in again.headers.get("set-cookie", "")


def test_a_link_expires_after_ten_minutes(console: ConsoleWorld) -> None:
    path = console_service.link_for(console.ctx, COUNSELLOR).removeprefix("http://127.0.0.1:8080")
    console.clock.advance(timedelta(minutes=10, seconds=1))
    assert TestClient(console.app).get(path, follow_redirects=False).status_code == 400
