"""The alerts and audit pages: what each staff member sees, acknowledging and resolving, centres apart."""

from __future__ import annotations

from sqlmodel import select
from starlette.testclient import TestClient

from bot.i18n import t
from bot.services import admin
from bot.services import counsellor as counsellor_service
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, Member
from storage.safety.tables import AuditEntry, Escalation, EscalationState
from tests.web.conftest import ConsoleWorld, csrf_of


def _escalation(console: ConsoleWorld, member_id: int) -> Escalation:
    with console.ctx.uow() as session:
        return session.exec(select(Escalation).where(Escalation.member_id == member_id)).one()


def _member_messages(console: ConsoleWorld, chat_id: int, purpose: str) -> list[OutboxMessage]:
    with console.ctx.uow() as session:
        query = select(OutboxMessage).where(OutboxMessage.chat_id == chat_id, OutboxMessage.purpose == purpose)
        return list(session.exec(query).all())


def test_an_alert_a_member_raised_is_listed_urgent_first_with_time_and_step(
    console: ConsoleWorld, counsellor: TestClient
) -> None:
    first, second = console.members[0], console.members[1]
    console.raise_alert(first, "I had a drink yesterday and feel bad")
    console.clock.advance(minutes=3)
    console.raise_alert(second)
    console.clock.advance(minutes=2)
    page = counsellor.get("/alerts").text
    assert f"Test User {first.telegram_user_id}" not in page  # pseudonyms only on the alerts page
    concern = _escalation(console, console.member_id(first))
    urgent = _escalation(console, console.member_id(second))
    assert (concern.level, urgent.level) == (2, 3)
    assert page.index(f'id="alert-{urgent.id}"') < page.index(f'id="alert-{concern.id}"')  # urgent first, though newer
    assert "raised 2 min ago" in page and "raised 5 min ago" in page and "alerted: their counsellor" in page
    assert counsellor.get("/alerts/list").text.count('class="card urgent"') == 1


def test_acknowledging_from_the_console_tells_the_member_and_stops_the_ladder(
    console: ConsoleWorld, counsellor: TestClient
) -> None:
    member = console.members[0]
    console.raise_alert(member)
    escalation = _escalation(console, console.member_id(member))
    assert escalation.ack_deadline_at is not None
    response = counsellor.post(f"/alerts/{escalation.id}/ack", data={"csrf": csrf_of(counsellor)})
    assert response.status_code == 200 and "The member has been told" in response.text
    after = _escalation(console, console.member_id(member))
    assert after.state == EscalationState.ACKNOWLEDGED and after.ack_deadline_at is None
    assert len(_member_messages(console, member.chat_id, "safety_ack")) == 1
    assert console.kicks  # the sender is kicked, so the member hears now
    # a second press (another counsellor a moment later) changes nothing and tells the member nothing more
    counsellor.post(f"/alerts/{escalation.id}/ack", data={"csrf": csrf_of(counsellor)})
    assert len(_member_messages(console, member.chat_id, "safety_ack")) == 1
    with console.ctx.uow() as session:
        actions = session.exec(select(AuditEntry.action).where(AuditEntry.member_id == console.member_id(member))).all()
    assert "console:ack" in actions


def test_resolving_needs_a_note_and_closes_the_alert(console: ConsoleWorld, counsellor: TestClient) -> None:
    member = console.members[1]
    console.raise_alert(member)
    escalation_id = _escalation(console, console.member_id(member)).id
    counsellor.post(f"/alerts/{escalation_id}/resolve", data={"csrf": csrf_of(counsellor), "note": "  "})
    assert _escalation(console, console.member_id(member)).state == EscalationState.OPEN
    counsellor.post(f"/alerts/{escalation_id}/resolve", data={"csrf": csrf_of(counsellor), "note": "Called, safe"})
    resolved = _escalation(console, console.member_id(member))
    assert resolved.state == EscalationState.RESOLVED and resolved.resolution_note == "Called, safe"
    assert f'id="alert-{escalation_id}"' not in counsellor.get("/alerts").text


def test_the_same_use_case_as_telegram(console: ConsoleWorld) -> None:
    """What the page calls: an unknown or other centre's escalation is "not-found", never changed."""
    console.raise_alert(console.other_members[0])
    other = _escalation(console, console.member_id(console.other_members[0]))
    assert counsellor_service.console_act(console.ctx, 1, other.id or 0, "ack") == "not-found"
    assert _escalation(console, console.member_id(console.other_members[0])).state == EscalationState.OPEN


def test_another_centres_alerts_are_not_shown_and_cannot_be_acted_on(
    console: ConsoleWorld, counsellor: TestClient, other_centre: TestClient
) -> None:
    member = console.members[0]
    console.raise_alert(member)
    escalation_id = _escalation(console, console.member_id(member)).id
    member_pseudonym = _pseudonym(console, console.member_id(member))
    assert member_pseudonym not in other_centre.get("/alerts").text
    assert member_pseudonym not in other_centre.get("/alerts/list").text
    for action in ("ack", "resolve"):
        response = other_centre.post(
            f"/alerts/{escalation_id}/{action}", data={"csrf": csrf_of(other_centre), "note": "x"}
        )
        assert response.status_code == 404
    assert _escalation(console, console.member_id(member)).state == EscalationState.OPEN
    assert member_pseudonym in counsellor.get("/alerts").text


def test_own_members_only_hides_other_counsellors_members(console: ConsoleWorld, admin_client: TestClient) -> None:
    member = console.members[0]
    console.raise_alert(member)
    pseudonym = _pseudonym(console, console.member_id(member))
    colleague = _second_counsellor(console)
    assert pseudonym in colleague.get("/alerts").text  # the setting is off: the whole centre
    with console.ctx.uow() as session:
        center = session.exec(select(Center).where(Center.name == "Asha Kendra")).one()
        center.console_own_members_only = True
        session.commit()
    assert pseudonym not in colleague.get("/alerts").text
    escalation_id = _escalation(console, console.member_id(member)).id
    assert colleague.post(f"/alerts/{escalation_id}/ack", data={"csrf": csrf_of(colleague)}).status_code == 404
    assert pseudonym in admin_client.get("/alerts").text  # admins see every member


def test_the_audit_page_is_for_admins_and_filters(
    console: ConsoleWorld, counsellor: TestClient, admin_client: TestClient, other_centre: TestClient
) -> None:
    assert counsellor.get("/audit").status_code == 403
    member = console.members[0]
    console.raise_alert(member)
    escalation_id = _escalation(console, console.member_id(member)).id
    counsellor.post(f"/alerts/{escalation_id}/ack", data={"csrf": csrf_of(counsellor)})
    pseudonym = _pseudonym(console, console.member_id(member))
    page = admin_client.get("/audit", params={"action": "console:ack"}).text
    table = page.split("<table>")[-1]
    assert "Counsellor Meera" in table and pseudonym in table and t("en", "console-audit-ack") in table
    assert t("en", "console-audit-signin") not in table
    # the actions are named, not shown by their stored ids
    by_member = admin_client.get("/audit", params={"member": pseudonym}).text.split("<table>")[-1]
    assert t("en", "console-audit-ack") in by_member and "console:ack" not in by_member
    assert "<table>" not in admin_client.get("/audit", params={"member": "Nobody 99"}).text
    assert "<table>" not in admin_client.get("/audit", params={"since": "2030-01-01"}).text
    other_admin = console.client_for("Counsellor Ravi")  # a counsellor there: refused; no admin sees across
    assert other_admin.get("/audit").status_code == 403
    assert pseudonym not in other_centre.get("/audit").text


def _pseudonym(console: ConsoleWorld, member_id: int) -> str:
    with console.ctx.uow() as session:
        found = session.get(Member, member_id)
        assert found is not None
        return found.pseudonym


def _second_counsellor(console: ConsoleWorld) -> TestClient:
    admin.add_counsellor(console.ctx, "Asha Kendra", "Counsellor Kiran", telegram_id=9004)
    return console.client_for("Counsellor Kiran")
