"""Queries about check-ins and cravings: due members, open check-ins, reminders and closes, a button
press's one-statement read and write. Services ask these; nothing else writes SQL.

Claims use ``FOR UPDATE SKIP LOCKED`` so several workers on PostgreSQL never take the same row;
SQLite has one writer at a time and ignores the clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.checkins.tables import Checkin, CheckinStatus, CravingEvent
from storage.people.tables import Member, MemberStatus
from storage.types import rowcount, table_of

OPEN_CHECKIN = (CheckinStatus.PENDING, CheckinStatus.IN_PROGRESS)


def claim_due_members(session: Session, now: datetime, limit: int) -> Sequence[Member]:
    """Active members whose check-in is due; touches only due rows (ix_member_due)."""
    return session.exec(
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE, col(Member.next_checkin_due_at) <= now)
        .order_by(col(Member.next_checkin_due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def claim_due_craving_prompts(session: Session, now: datetime, limit: int) -> Sequence[Member]:
    return session.exec(
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE, col(Member.next_craving_prompt_at) <= now)
        .order_by(col(Member.next_craving_prompt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def checkin_for_day(session: Session, member_id: int, day: date) -> Checkin | None:
    return session.exec(select(Checkin).where(Checkin.member_id == member_id, Checkin.local_date == day)).first()


@dataclass
class PressedCheckin:
    """The columns of a check-in that a press on one of its buttons reads, and may write back with
    ``store_pressed``: a plain row, not an ORM object. Loading two ORM objects (the check-in and its
    member) and flushing the change was a large share of a press's database CPU on PostgreSQL
    (docs/performance.md)."""

    id: int
    member_id: int
    local_date: date
    status: str
    step: str | None
    mood: int | None
    craving: int | None
    triggers: str | None
    used: str | None
    note: str | None


@dataclass(frozen=True)
class PressedMember:
    """Who pressed, as far as the replies to a check-in step need: where, in which language, by which name."""

    id: int
    chat_id: int
    language: str
    pseudonym: str
    status: str


@cache
def _pressed_statement() -> Any:
    checkin_table, member_table = table_of(Checkin), table_of(Member)
    checkin, member = checkin_table.c, member_table.c
    return (
        sa_select(
            checkin.id,
            checkin.member_id,
            checkin.local_date,
            checkin.status,
            checkin.step,
            checkin.mood,
            checkin.craving,
            checkin.triggers,
            checkin.used,
            checkin.note,
            member.chat_id,
            member.language,
            member.pseudonym,
            member.status,
        )
        .join_from(checkin_table, member_table, member.id == checkin.member_id)
        .where(checkin.id == bindparam("checkin_id"), member.telegram_user_id == bindparam("telegram_user_id"))
    )


def pressed_checkin(
    session: Session, checkin_id: int, telegram_user_id: int
) -> tuple[PressedCheckin, PressedMember] | None:
    """A check-in and its member as plain rows, if that check-in is this person's: one query for each button press."""
    row = session.execute(
        _pressed_statement(), {"checkin_id": checkin_id, "telegram_user_id": telegram_user_id}
    ).first()
    if row is None:
        return None
    return PressedCheckin(*row[:10]), PressedMember(row[1], *row[10:])


@cache
def _store_pressed_statement() -> Any:
    table = table_of(Checkin)
    checkin = table.c
    return (
        update(table)
        .where(
            checkin.id == bindparam("checkin_id"),
            checkin.status.in_(OPEN_CHECKIN),
            checkin.step.is_not_distinct_from(bindparam("was_step")),
            checkin.triggers.is_not_distinct_from(bindparam("was_triggers")),
        )
        .values(
            status=bindparam("status"),
            step=bindparam("step"),
            mood=bindparam("mood"),
            craving=bindparam("craving"),
            triggers=bindparam("new_triggers"),
            used=bindparam("used"),
        )
    )


def store_pressed(session: Session, checkin: PressedCheckin, *, was_step: str | None, was_triggers: str | None) -> bool:
    """Write a press's answer back (the note is not among them: it is the last step's, which goes the
    ORM way). False when the check-in moved on since it was read (another worker handled a press on it)."""
    result = session.execute(
        _store_pressed_statement(),
        {
            "checkin_id": checkin.id,
            "was_step": was_step,
            "was_triggers": was_triggers,
            "status": checkin.status,
            "step": checkin.step,
            "mood": checkin.mood,
            "craving": checkin.craving,
            "new_triggers": checkin.triggers,
            "used": checkin.used,
        },
    )
    return rowcount(result) == 1


def open_checkin(session: Session, member_id: int) -> Checkin | None:
    return session.exec(
        select(Checkin)
        .where(Checkin.member_id == member_id, col(Checkin.status).in_(OPEN_CHECKIN))
        .order_by(col(Checkin.local_date).desc())
    ).first()


def checkins_to_remind(session: Session, now: datetime, limit: int) -> Sequence[Checkin]:
    return session.exec(
        select(Checkin)
        .where(
            Checkin.status == CheckinStatus.PENDING,
            col(Checkin.reminder_due_at) <= now,
            col(Checkin.reminded_at).is_(None),
            col(Checkin.closes_at) > now,  # never yesterday's reminder after a pause in the scans
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def checkins_to_close(session: Session, now: datetime, limit: int) -> Sequence[Checkin]:
    return session.exec(
        select(Checkin)
        .where(col(Checkin.status).in_(OPEN_CHECKIN), col(Checkin.closes_at) <= now)
        # the order lets PostgreSQL read ix_checkin_open_close's due range instead of scanning the table
        .order_by(col(Checkin.closes_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def completed_checkin_days(session: Session, member_id: int, since: date) -> list[date]:
    return list(
        session.exec(
            select(col(Checkin.local_date)).where(
                Checkin.member_id == member_id,
                Checkin.status == CheckinStatus.COMPLETED,
                col(Checkin.local_date) >= since,
            )
        ).all()
    )


def recent_checkins(session: Session, member_id: int, today: date, days: int = 14) -> Sequence[Checkin]:
    """The last ``days`` local days of check-ins (mood, craving, use) in one query, oldest first."""
    since = date.fromordinal(today.toordinal() - days + 1)
    return session.exec(
        select(Checkin)
        .where(Checkin.member_id == member_id, col(Checkin.local_date) >= since)
        .order_by(col(Checkin.local_date))
    ).all()


def checkin_days(session: Session, member_ids: Sequence[int], since: date) -> set[tuple[int, date]]:
    """(member, local date) of the batch's check-ins since ``since``, in one query (the due scan)."""
    if not member_ids:
        return set()
    return {
        (member_id, day)
        for member_id, day in session.exec(
            select(col(Checkin.member_id), col(Checkin.local_date)).where(
                col(Checkin.member_id).in_(list(member_ids)), col(Checkin.local_date) >= since
            )
        ).all()
    }


def latest_craving(session: Session, member_id: int) -> CravingEvent | None:
    """The member's most recent logged craving (to tell the counsellor its strength)."""
    return session.exec(
        select(CravingEvent)
        .where(CravingEvent.member_id == member_id)
        .order_by(col(CravingEvent.created_at).desc(), col(CravingEvent.id).desc())
    ).first()
