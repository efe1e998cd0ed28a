"""Proposing a sponsor (``saathi sponsor link`` and /sponsorlink) says when the mentee is asked."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import sponsor_admin, sponsors
from bot.services.context import Person, ServiceContext
from tests.storage.helpers import member, onboard, outbox, seed_centre

COUNSELLOR = Person(telegram_user_id=9001, chat_id=9001, display_name="Counsellor Meera", language_code="en")


def _volunteer_and_mentee(services: ServiceContext) -> tuple[str, str]:
    seed_centre(services)
    volunteer = sponsor_admin.add_volunteer(services, "Asha Kendra", "Asha Deshpande", telegram_id=801)
    onboard(services, 811)
    return volunteer.pseudonym, member(services, 811).pseudonym


def test_during_quiet_hours_the_command_says_when_the_mentee_will_be_asked(services: ServiceContext, clock) -> None:
    sponsor, mentee = _volunteer_and_mentee(services)
    clock.set(datetime(2026, 11, 25, 17, 30, tzinfo=UTC))  # 23:00 in India: quiet hours until 07:00
    said = sponsor_admin.link(services, sponsor, mentee)
    assert said == (
        f"{mentee} will be asked at 07:00 on 2026-11-26 (Asia/Kolkata), when their quiet hours end, "
        f"to agree to {sponsor} as their sponsor"
    )
    (ask,) = outbox(services, chat_id=811, purpose="sp_consent")
    assert ask.due_at == datetime(2026, 11, 26, 1, 30, tzinfo=UTC)  # what it says is when it goes


def test_outside_quiet_hours_the_mentee_has_been_asked(services: ServiceContext, clock) -> None:
    sponsor, mentee = _volunteer_and_mentee(services)
    clock.set(datetime(2026, 11, 25, 6, 30, tzinfo=UTC))  # noon in India
    assert (
        sponsor_admin.link(services, sponsor, mentee)
        == f"{mentee} has been asked to agree to {sponsor} as their sponsor"
    )


def test_a_counsellors_sponsorlink_during_quiet_hours_names_the_morning(services: ServiceContext, clock) -> None:
    sponsor, mentee = _volunteer_and_mentee(services)
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))  # 01:30 in India
    before = len(outbox(services, chat_id=COUNSELLOR.chat_id))
    sponsors.staff_link(services, COUNSELLOR, f"{sponsor} {mentee}")
    (reply,) = [row.payload["text"] for row in outbox(services, chat_id=COUNSELLOR.chat_id)[before:]]
    assert "I'll ask them at 07:00" in reply and "has been asked" not in reply
