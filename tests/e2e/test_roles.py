"""Roles end to end: every command passes the role gate, a refusal is kind and audited, a
counsellor reaches only their own centre's members, and staff accounts come only from the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlmodel import select
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.config import parse_settings
from bot.services import access, admin
from bot.services.access import COMMAND_ROLES, STAFF, Role
from sandbox.phones import wait_until
from storage.circles.tables import CircleMembership, CircleParticipant
from storage.people.tables import Member, Staff
from storage.safety.tables import AuditEntry, Escalation, EscalationEvent
from tests.e2e.conftest import COUNSELLOR_ID, TOKEN, Harness

OTHER = "Sahara Kendra"
OTHER_COUNSELLOR, OTHER_MEMBER = 9101, 9111
STAFF_COMMANDS = sorted(name for name, roles in COMMAND_ROLES.items() if roles <= STAFF)


def _audit(harness: Harness) -> list[AuditEntry]:
    with harness.services.uow() as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())


def _member(harness: Harness, user_id: int) -> Member:
    with harness.services.uow() as session:
        return session.exec(select(Member).where(Member.telegram_user_id == user_id)).one()


async def _forge(harness: Harness, user_id: int, data: str) -> str:
    """Press a button that was never shown (forged or from another chat) on the newest message."""
    message_id = harness.emu.messages(user_id)[-1].message_id
    before = len(harness.emu.callback_answers)
    query_id = harness.emu.press_button(user_id, message_id, data, strict=False)

    def answered() -> bool:
        return any(a.get("callback_query_id") == query_id for a in harness.emu.callback_answers[before:])

    await wait_until(answered)
    answer = next(a for a in harness.emu.callback_answers[before:] if a.get("callback_query_id") == query_id)
    return answer.get("text") or ""


async def _other_centre_with_escalation(harness: Harness) -> tuple[str, int]:
    """A second centre, its counsellor, and one of its members whose urgent message opened an escalation."""
    admin.add_center(harness.services, OTHER, "Asia/Kolkata")
    harness.phone(OTHER_COUNSELLOR, "Nisha")
    admin.add_counsellor(harness.services, OTHER, "Counsellor Nisha", telegram_id=OTHER_COUNSELLOR)
    harness.phone(OTHER_MEMBER, "Sameer")
    harness.send(OTHER_MEMBER, f"/start {harness.invite(OTHER)}")
    await harness.press(OTHER_MEMBER, "English")
    await harness.press(OTHER_MEMBER, "I agree")
    await harness.press(OTHER_MEMBER, "Evening")
    await harness.press(OTHER_MEMBER, "Skip")
    await harness.expect(OTHER_MEMBER, "All set")
    harness.send(OTHER_MEMBER, "I want to kill myself tonight")
    await harness.expect(OTHER_COUNSELLOR, "URGENT")
    with harness.services.uow() as session:
        (escalation,) = session.exec(select(Escalation)).all()
    return _member(harness, OTHER_MEMBER).pseudonym, escalation.id or 0


def _escalation(harness: Harness, escalation_id: int) -> Escalation:
    with harness.services.uow() as session:
        return session.get(Escalation, escalation_id)  # type: ignore[return-value]


def _escalations(harness: Harness) -> list[Escalation]:
    with harness.services.uow() as session:
        return list(session.exec(select(Escalation)).all())


# --- the table --------------------------------------------------------------------------------


def test_every_registered_command_is_in_the_role_table_and_behind_the_gate() -> None:
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "sqlite://"})
    application = build_application(settings, with_jobs=False)
    registered: set[str] = set()
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                registered |= set(handler.commands)
                assert getattr(handler.callback, "role_guarded", False), handler.commands
    assert registered == set(COMMAND_ROLES)


def test_roles_are_checked_by_the_table() -> None:
    assert access.may_run(frozenset({Role.COUNSELLOR}), "queue")
    assert access.may_run(frozenset({Role.ADMIN}), "member")
    assert not access.may_run(frozenset({Role.MEMBER}), "queue")
    assert not access.may_run(frozenset({Role.MEMBER, Role.SPONSOR}), "sponsorlink")
    assert access.may_run(frozenset({Role.MEMBER, Role.SPONSOR}), "mentees")
    assert not access.may_run(frozenset({Role.MEMBER}), "mentees")
    assert not access.may_run(frozenset({Role.COUNSELLOR}), "craving")
    assert not access.may_run(frozenset(Role), "no-such-command")


def test_no_telegram_path_creates_or_promotes_staff() -> None:
    """Staff rows are made only by the admin CLI's service; nothing else builds one or sets a role."""
    root = Path(__file__).resolve().parents[2]
    makers, role_writes = [], []
    for path in [*root.joinpath("bot").rglob("*.py"), *root.joinpath("handlers").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Staff":
                makers.append(path.relative_to(root).as_posix())
            if isinstance(node, ast.Attribute) and node.attr == "role" and isinstance(node.ctx, ast.Store):
                role_writes.append(path.relative_to(root).as_posix())
    assert makers == ["bot/services/admin.py"]
    assert role_writes == []


# --- refusals ---------------------------------------------------------------------------------


async def test_a_member_gets_not_available_for_every_staff_command_and_each_is_audited(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(9201)
    for name in STAFF_COMMANDS:
        harness.send(9201, f"/{name} Lotus 27 my private words")
        await harness.expect(9201, "not available")
    entries = _audit(harness)
    assert [e.action for e in entries] == [f"refused:{name}" for name in STAFF_COMMANDS]
    assert all(e.actor_telegram_id == 9201 and e.staff_id is None and e.member_id is None for e in entries)
    assert not [e for e in entries if "private" in e.action or "Lotus" in e.action]
    assert not harness.texts(COUNSELLOR_ID)


async def test_the_refusal_is_in_the_persons_language(harness: Harness) -> None:
    harness.seed_centre()
    harness.phone(9202, "Asha", language_code="hi")
    harness.send(9202, "/queue")
    await harness.expect(9202, "उपलब्ध नहीं")
    harness.phone(9203, "Vinay", language_code="mr")
    harness.send(9203, "/ack 1")
    await harness.expect(9203, "उपलब्ध नाही")
    assert [e.action for e in _audit(harness)] == ["refused:queue", "refused:ack"]


async def test_sponsor_commands_are_for_sponsors_and_member_commands_for_members(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(9204)
    harness.send(9204, "/mentees")
    await harness.expect(9204, "not available")
    harness.send(COUNSELLOR_ID, "/craving")
    await harness.expect(COUNSELLOR_ID, "not available")
    harness.send(COUNSELLOR_ID, "/mydata")
    await harness.expect(COUNSELLOR_ID, "not available")
    entries = _audit(harness)
    assert [e.action for e in entries] == ["refused:mentees", "refused:craving", "refused:mydata"]
    assert entries[1].staff_id is not None  # a refused counsellor is named in the audit
    harness.send(COUNSELLOR_ID, "/help")  # open to everyone
    harness.send(COUNSELLOR_ID, "/queue")
    await harness.expect(COUNSELLOR_ID, "No open escalations")


async def test_a_deactivated_counsellor_is_refused(harness: Harness) -> None:
    harness.seed_centre()
    with harness.services.uow() as session:
        staff = session.exec(select(Staff).where(Staff.telegram_user_id == COUNSELLOR_ID)).one()
        staff.active = False
        session.commit()
    harness.send(COUNSELLOR_ID, "/queue")
    await harness.expect(COUNSELLOR_ID, "not available")


async def test_a_member_pressing_a_forged_staff_button_is_refused_and_audited(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(9205)
    harness.send(9205, "I want to end my life")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    (escalation,) = _escalations(harness)
    toast = await _forge(harness, 9205, f"esc:v1:{escalation.id}:ack")
    assert "not available" in toast
    assert _escalation(harness, escalation.id or 0).state == "open"
    toast = await _forge(harness, 9205, "cir:v1:mute:1:30")
    assert "not available" in toast
    actions = [e.action for e in _audit(harness)]
    assert actions == ["refused:ack", "refused:circle_mute_button"]


# --- one centre cannot reach another's members ------------------------------------------------


async def test_a_counsellor_cannot_reach_another_centres_member_or_escalation(harness: Harness) -> None:
    harness.seed_centre()
    pseudonym, escalation_id = await _other_centre_with_escalation(harness)

    harness.send(COUNSELLOR_ID, "/queue")
    await harness.expect(COUNSELLOR_ID, "No open escalations")
    harness.send(COUNSELLOR_ID, f"/member {pseudonym}")
    await harness.expect(COUNSELLOR_ID, "No member with that pseudonym at your centre")
    harness.send(COUNSELLOR_ID, f"/ack {escalation_id}")
    await harness.expect(COUNSELLOR_ID, f"There is no escalation #{escalation_id} at your centre")
    harness.send(COUNSELLOR_ID, f"/resolve {escalation_id} closing someone else's")
    await harness.expect(COUNSELLOR_ID, f"There is no escalation #{escalation_id} at your centre")
    for action in ("ack", "hist", "res"):
        await _forge(harness, COUNSELLOR_ID, f"esc:v1:{escalation_id}:{action}")
    await harness.settle()

    escalation = _escalation(harness, escalation_id)
    assert escalation.state == "open" and escalation.acknowledged_by is None
    with harness.services.uow() as session:
        events = [e.kind for e in session.exec(select(EscalationEvent))]
    assert "acknowledged" not in events and "resolved" not in events
    # nothing of the other centre's member reached this counsellor, and no view of them was audited
    assert not [t for t in harness.texts(COUNSELLOR_ID) if pseudonym in t or "Sameer" in t]
    other_member_id = _member(harness, OTHER_MEMBER).id
    assert not [e for e in _audit(harness) if e.member_id == other_member_id]
    # their own counsellor still can
    harness.send(OTHER_COUNSELLOR, f"/member {pseudonym}")
    await harness.expect(OTHER_COUNSELLOR, "Sameer")


async def test_a_counsellor_cannot_act_on_another_centres_circle_or_sponsor_links(harness: Harness) -> None:
    harness.seed_centre()
    pseudonym, _ = await _other_centre_with_escalation(harness)
    admin.add_circle(harness.services, OTHER, "Sahara Circle")
    admin.assign_to_circle(harness.services, OTHER, pseudonym, "Sahara Circle")
    with harness.services.uow() as session:
        membership = session.exec(select(CircleMembership)).one()
    harness.send(COUNSELLOR_ID, f"/mute {pseudonym} 60")
    await harness.expect(COUNSELLOR_ID, "To mute someone")
    harness.send(COUNSELLOR_ID, f"/remove {pseudonym}")
    await harness.expect(COUNSELLOR_ID, "/remove")
    harness.send(COUNSELLOR_ID, f"/sponsorunlink {pseudonym}")
    await harness.expect(COUNSELLOR_ID, "has no sponsor")
    assert await _forge(harness, COUNSELLOR_ID, f"cir:v1:mute:{membership.id}:30") == "This button is no longer active."
    assert await _forge(harness, COUNSELLOR_ID, f"cir:v1:rv:{membership.id}:x") == "This button is no longer active."
    await harness.settle()
    with harness.services.uow() as session:
        membership = session.get(CircleMembership, membership.id)
        assert membership is not None and membership.left_at is None
        seat = session.get(CircleParticipant, membership.id)
        assert seat is None or seat.muted_until is None
    assert not [t for t in harness.texts(OTHER_MEMBER) if "muted" in t.lower()]


# --- staff accounts come only from the CLI's one-time link ---------------------------------------


async def test_a_forged_or_used_staff_link_is_refused(harness: Harness) -> None:
    harness.seed_centre()
    _, link = admin.add_counsellor(harness.services, "Asha Kendra", "Counsellor Ira")
    assert link is not None
    code = link.rsplit("start=", 1)[1]
    harness.phone(9301, "Ira")
    harness.send(9301, "/start staff-notARealCode123")
    await harness.expect(9301, "not valid or was already used")
    harness.send(9301, f"/start {code}")
    await harness.expect(9301, "linked as counsellor")
    harness.phone(9302, "Intruder")
    harness.send(9302, f"/start {code}")
    await harness.expect(9302, "not valid or was already used")
    harness.send(9302, "/queue")
    await harness.expect(9302, "not available")
    with harness.services.uow() as session:
        ira = session.exec(select(Staff).where(Staff.name == "Counsellor Ira")).one()
    assert ira.telegram_user_id == 9301 and ira.link_code is None


async def test_a_members_account_cannot_also_take_a_staff_link(harness: Harness) -> None:
    harness.seed_centre()
    await harness.onboard(9303)
    _, link = admin.add_counsellor(harness.services, "Asha Kendra", "Counsellor Joy")
    assert link is not None
    code = link.rsplit("start=", 1)[1]
    harness.send(9303, f"/start {code}")
    await harness.expect(9303, "already linked to Saathi in another way")
    harness.send(9303, "/queue")
    await harness.expect(9303, "not available")
    with harness.services.uow() as session:
        joy = session.exec(select(Staff).where(Staff.name == "Counsellor Joy")).one()
    assert joy.telegram_user_id is None and joy.link_code == code  # still there for Joy
    # a counsellor's account cannot take a second staff link either
    harness.send(COUNSELLOR_ID, f"/start {code}")
    await harness.expect(COUNSELLOR_ID, "already linked to Saathi in another way")


# --- sponsors: volunteers are people with a role and a name of their own ------------------------


async def test_a_volunteer_who_blocked_the_bot_is_marked_unreachable(harness: Harness) -> None:
    from bot.services import sponsor_admin
    from storage.sponsors.tables import Sponsor

    harness.seed_centre()
    harness.phone(9401, "Asha")
    volunteer = sponsor_admin.add_volunteer(harness.services, "Asha Kendra", "Asha Deshpande", telegram_id=9401)
    await harness.onboard(9402)
    sponsor_admin.link(harness.services, volunteer.pseudonym, _member(harness, 9402).pseudonym)
    await harness.press(9402, "Yes, I'd like that")
    await harness.expect(9401, "You are now sponsoring")
    harness.emu.set_blocked(9401)
    harness.send(9402, "/reply thank you for today")
    await harness.expect(9402, "Sent to")
    await harness.settle()
    with harness.services.uow() as session:
        row = session.exec(select(Sponsor).where(Sponsor.kind == "volunteer")).one()
    assert row.chat_id is None and row.telegram_user_id == 9401 and row.active  # unreachable, not deleted
    harness.send(9402, "/reply are you there?")
    await harness.expect(9402, "can't receive messages right now")


async def test_a_new_members_pseudonym_never_repeats_a_volunteers(harness: Harness) -> None:
    import random

    from bot.services import sponsor_admin
    from storage.people import queries as people_db

    harness.seed_centre()
    harness.services.rng = random.Random(42)
    volunteer = sponsor_admin.add_volunteer(harness.services, "Asha Kendra", "Asha Deshpande")
    harness.services.rng = random.Random(42)  # the same draw again: without the check, the same name
    await harness.onboard(9403)
    assert _member(harness, 9403).pseudonym != volunteer.pseudonym
    with harness.services.uow() as session:
        assert volunteer.pseudonym in people_db.taken_pseudonyms(session, _member(harness, 9403).center_id)


async def test_a_centre_admin_has_the_staff_commands_but_is_not_on_the_alert_ladder(harness: Harness) -> None:
    harness.seed_centre()
    harness.phone(9501, "Director")
    admin.add_counsellor(harness.services, "Asha Kendra", "Director Rao", telegram_id=9501, role="admin")
    await harness.onboard(9502)
    assert _member(harness, 9502).counsellor_id is not None
    harness.send(9502, "I want to end my life")
    await harness.expect(COUNSELLOR_ID, "URGENT")
    harness.send(9501, "/queue")
    await harness.expect(9501, "Open escalations: 1")
    assert not [text for text in harness.texts(9501) if "URGENT" in text and "Open escalations" not in text]
    harness.send(9501, "/craving")
    await harness.expect(9501, "not available")
