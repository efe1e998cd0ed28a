"""Characters the database refuses (a NUL byte) are answered kindly before the database, in every
command and text path (issue 14); on PostgreSQL they used to end in a traceback and "something went
wrong". A name with a NUL byte is stored without it."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot.i18n import t
from bot.services import admin
from sandbox.phones import wait_until
from storage.people.tables import Member
from tests.e2e.conftest import COUNSELLOR_ID, Harness

NEWCOMER, MEMBER, NAMED = 961, 962, 963


async def test_a_nul_byte_gets_a_kind_answer_in_every_path(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.seed_centre()
    admin.add_circle(harness.services, "Asha Kendra", "Evening Circle", facilitator="Counsellor Meera")
    await harness.onboard(MEMBER)
    admin.assign_to_circle(harness.services, "Asha Kendra", _pseudonym(harness, MEMBER), "Evening Circle")
    harness.phone(NEWCOMER, "Guest")
    caplog.set_level(logging.ERROR)
    tries = [
        (NEWCOMER, "/start \x00"),
        (NEWCOMER, f"/start {harness.invite()}\x00"),
        (NEWCOMER, "/volunteer vol-\x00abc"),
        (NEWCOMER, "hello\x00"),
        (MEMBER, "a day\x00 in the circle"),
        (MEMBER, "/reply thanks\x00"),
        (MEMBER, "/craving\x00"),
        (COUNSELLOR_ID, "/member Lotus\x00 27"),
        (COUNSELLOR_ID, "/pin \x00Be kind"),
        (COUNSELLOR_ID, "/say hello\x00 all"),
        (MEMBER, "bad half \ud83d surrogate"),
    ]
    kind = t("en", "input-unstorable")
    for number, (user_id, text) in enumerate(tries):
        harness.send(user_id, text)
        expected = sum(u == user_id for u, _ in tries[: number + 1])  # decided by what arrived, not a delay
        await wait_until(
            lambda user_id=user_id, expected=expected: sum(kind == m for m in harness.texts(user_id)) == expected,
            timeout=30,
        )
    await harness.settle()
    for user_id in (NEWCOMER, MEMBER, COUNSELLOR_ID):
        texts = harness.texts(user_id)
        assert sum(kind == text for text in texts) == sum(u == user_id for u, _ in tries), user_id
        assert not any(t("en", "error-generic") in text for text in texts)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    harness.emu.add_user(NAMED, "Ra\x00vi", last_name="K\x00")  # Telegram gives us the name: keep it, cleaned
    harness.send(NAMED, f"/start {harness.invite()}")
    await harness.expect(NAMED, "Which language")
    with harness.services.uow() as session:
        assert session.exec(select(Member.display_name).where(Member.telegram_user_id == NAMED)).one() == "Ravi K"


def _pseudonym(harness: Harness, user_id: int) -> str:
    with harness.services.uow() as session:
        return session.exec(select(Member.pseudonym).where(Member.telegram_user_id == user_id)).one()
