"""Signing in to the console: one-time links, sessions, sign-out, rate limits, headers."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from starlette.testclient import TestClient

from bot.config import parse_settings
from bot.services import console as console_service
from bot.web.app import build_web_app
from storage.people.tables import Staff
from storage.safety.tables import AuditEntry
from tests.web.conftest import ADMIN, COUNSELLOR, ConsoleWorld, csrf_of


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


def test_sign_out_ends_this_session_only(console: ConsoleWorld) -> None:
    phone, laptop = console.client_for(COUNSELLOR), console.client_for(COUNSELLOR)
    response = phone.post("/signout", data={"csrf": csrf_of(phone)}, follow_redirects=False)
    assert response.status_code == 303
    assert phone.get("/alerts", follow_redirects=False).status_code == 303
    assert laptop.get("/alerts", follow_redirects=False).status_code == 200


def test_sign_out_everywhere_ends_every_session_of_that_staff_member(console: ConsoleWorld) -> None:
    phone, laptop = console.client_for(COUNSELLOR), console.client_for(COUNSELLOR)
    director = console.client_for(ADMIN)
    phone.post("/signout/everywhere", data={"csrf": csrf_of(phone)})
    assert laptop.get("/alerts", follow_redirects=False).status_code == 303
    assert director.get("/alerts", follow_redirects=False).status_code == 200


def test_a_post_without_the_sessions_csrf_token_is_refused(counsellor: TestClient) -> None:
    assert counsellor.post("/signout", data={"csrf": "forged"}).status_code == 403
    assert counsellor.post("/signout").status_code == 403
    assert counsellor.get("/alerts", follow_redirects=False).status_code == 200  # still signed in


def test_sign_in_attempts_are_limited_per_address(console: ConsoleWorld) -> None:
    client = TestClient(console.app)
    answers = [client.get(f"/signin/guess{i}", follow_redirects=False).status_code for i in range(11)]
    assert answers == [400] * 10 + [429]
    path = console_service.link_for(console.ctx, COUNSELLOR).removeprefix("http://127.0.0.1:8080")
    assert client.get(path, follow_redirects=False).status_code == 429  # even a good link, until the minute passes
    console.clock.advance(timedelta(minutes=1))
    assert client.get(path, follow_redirects=False).status_code == 303


def test_a_deactivated_staff_member_is_signed_out_at_once(console: ConsoleWorld, counsellor: TestClient) -> None:
    with console.ctx.uow() as session:
        staff = session.exec(select(Staff).where(Staff.name == COUNSELLOR)).one()
        staff.active = False
        session.commit()
    assert counsellor.get("/alerts", follow_redirects=False).status_code == 303


def test_an_https_base_url_marks_the_cookie_secure(console: ConsoleWorld) -> None:
    app = build_web_app(console.ctx, parse_settings({"WEB_BASE_URL": "https://console.example.org"}), console.clock)
    path = console_service.link_for(console.ctx, COUNSELLOR).removeprefix("http://127.0.0.1:8080")
    response = TestClient(app, base_url="https://console.example.org").get(path, follow_redirects=False)
    assert "secure" in response.headers["set-cookie"].lower()


def test_signing_in_and_out_is_audited(console: ConsoleWorld, counsellor: TestClient) -> None:
    counsellor.post("/signout", data={"csrf": csrf_of(counsellor)})
    with console.ctx.uow() as session:
        actions = [entry.action for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()]
    assert actions[-3:] == ["console:link", "console:signin", "console:signout"]
