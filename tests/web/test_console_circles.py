"""The console's circles page: health, held messages released or kept back through the Telegram
buttons' use case, and who may see which circle."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bot.i18n import t
from bot.services import admin, inbound
from storage.circles.tables import CircleMessage, CircleMessageStatus
from storage.safety.tables import AuditEntry
from tests.storage.helpers import member, outbox
from tests.web.conftest import CENTRE, OTHER_CENTRE, ConsoleWorld, csrf_of

FACILITATOR = "Facilitator Kiran"


@pytest.fixture
def circles(console: ConsoleWorld) -> ConsoleWorld:
    """Evening Circle holds Asha Kendra's three members; Morning Circle (empty) is Facilitator Kiran's;
    Disha Kendra has its own circle. The first member's hurtful words wait for review."""
    admin.add_counsellor(console.ctx, CENTRE, FACILITATOR, telegram_id=9004, role="facilitator")
    admin.add_circle(console.ctx, CENTRE, "Evening Circle", schedule="weekly sat 11:00 90")
    admin.add_circle(console.ctx, CENTRE, "Morning Circle", facilitator=FACILITATOR)
    admin.add_circle(console.ctx, OTHER_CENTRE, "Disha Circle")
    for person in console.members:
        admin.assign_to_circle(
            console.ctx, CENTRE, member(console.ctx, person.telegram_user_id).pseudonym, "Evening Circle"
        )
    for person in console.other_members:
        pseudonym = member(console.ctx, person.telegram_user_id).pseudonym
        admin.assign_to_circle(console.ctx, OTHER_CENTRE, pseudonym, "Disha Circle")
    inbound.handle_text(console.ctx, console.members[0], "you are such a moron", 501)
    return console


def _held(world: ConsoleWorld) -> CircleMessage:
    with world.ctx.uow() as session:
        return session.exec(
            select(CircleMessage).where(
                CircleMessage.member_id == world.member_id(world.members[0]), CircleMessage.kind == "text"
            )
        ).one()


def _audit_actions(world: ConsoleWorld) -> list[str]:
    with world.ctx.uow() as session:
        return [a.action for a in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]


def test_a_counsellor_sees_the_health_and_the_held_message(circles: ConsoleWorld, counsellor: TestClient) -> None:
    page = counsellor.get("/circles")
    assert page.status_code == 200
    evening = re.search(r'id="circle-\d+".*?Evening Circle.*?</li>', page.text, re.S)
    assert evening is not None
    assert '<td class="members">3 / 8</td>' in evening.group(0)
    assert "Every Saturday at 11:00, 90 minutes" in evening.group(0)  # "weekly sat 11:00 90" in words
    assert "Morning Circle" in page.text
    assert "Disha Circle" not in page.text
    assert "you are such a moron" in page.text and 'class="held-text"' in page.text
    assert "console:view_held" in _audit_actions(circles)


def test_releasing_a_held_message_relays_it_and_tells_the_author(circles: ConsoleWorld, counsellor: TestClient) -> None:
    held = _held(circles)
    assert held.status == CircleMessageStatus.HELD
    others_before = len(outbox(circles.ctx, circles.members[1].chat_id))
    response = counsellor.post(
        f"/circles/held/{held.id}/release", data={"csrf": csrf_of(counsellor, "/circles")}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/circles"
    assert _held(circles).status == CircleMessageStatus.RELAYED
    relayed = outbox(circles.ctx, circles.members[1].chat_id)[others_before:]
    assert any("moron" in row.payload["text"] for row in relayed)  # the circle got it
    author = outbox(circles.ctx, circles.members[0].chat_id)
    assert author[-1].payload["text"] == t("en", "circle-released")  # the author is told
    assert "console:circle_release" in _audit_actions(circles)
    assert circles.kicks  # the sender was kicked
    # twice: already reviewed, said so, nothing sent again
    again = counsellor.post(
        f"/circles/held/{held.id}/discard", data={"csrf": csrf_of(counsellor, "/circles")}, follow_redirects=False
    )
    assert again.headers["location"] == "/circles?refused=1"
    assert _held(circles).status == CircleMessageStatus.RELAYED


def test_keeping_a_message_back_declines_it(circles: ConsoleWorld, counsellor: TestClient) -> None:
    held = _held(circles)
    counsellor.post(f"/circles/held/{held.id}/discard", data={"csrf": csrf_of(counsellor, "/circles")})
    assert _held(circles).status == CircleMessageStatus.DECLINED
    assert "console:circle_keep_held" in _audit_actions(circles)


def test_a_post_without_the_csrf_token_is_refused(circles: ConsoleWorld, counsellor: TestClient) -> None:
    held = _held(circles)
    assert counsellor.post(f"/circles/held/{held.id}/release", data={"csrf": "forged"}).status_code == 403
    assert _held(circles).status == CircleMessageStatus.HELD


def test_another_centre_sees_none_of_it_and_cannot_release(circles: ConsoleWorld, other_centre: TestClient) -> None:
    page = other_centre.get("/circles")
    assert page.status_code == 200
    assert "Disha Circle" in page.text
    assert "Evening Circle" not in page.text and "moron" not in page.text
    held = _held(circles)
    response = other_centre.post(f"/circles/held/{held.id}/release", data={"csrf": csrf_of(other_centre, "/circles")})
    assert response.status_code == 404
    assert _held(circles).status == CircleMessageStatus.HELD


def test_a_facilitator_sees_only_their_circles(circles: ConsoleWorld) -> None:
    client = circles.client_for(FACILITATOR)
    page = client.get("/circles")
    assert page.status_code == 200
    assert "Morning Circle" in page.text
    assert "Evening Circle" not in page.text and "moron" not in page.text
    held = _held(circles)
    response = client.post(f"/circles/held/{held.id}/release", data={"csrf": csrf_of(client, "/circles")})
    assert response.status_code == 404
    assert _held(circles).status == CircleMessageStatus.HELD
    assert client.get("/setup").status_code == 403


def test_without_a_session_the_circles_page_asks_to_sign_in(circles: ConsoleWorld) -> None:
    response = TestClient(circles.app).get("/circles", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin"
