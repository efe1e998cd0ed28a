"""Queries about people: members, staff, centres, pauses, invites, consent. Services ask these;
nothing else writes SQL.

Claims use ``FOR UPDATE SKIP LOCKED`` so several workers on PostgreSQL never take the same row;
SQLite has one writer at a time and ignores the clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, bindparam, false, func, literal, union_all
from sqlmodel import Session, col, select

from storage.people.tables import Center, ConsentRecord, InviteCode, Member, MemberStatus, PausePeriod, Staff
from storage.sponsors.tables import Sponsor


def member_by_telegram_id(session: Session, telegram_user_id: int) -> Member | None:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_user_id)).first()


def member_by_pseudonym(session: Session, center_id: int, pseudonym: str) -> Member | None:
    return session.exec(
        select(Member).where(Member.center_id == center_id, func.lower(Member.pseudonym) == pseudonym.strip().lower())
    ).first()


def staff_by_telegram_id(session: Session, telegram_user_id: int) -> Staff | None:
    return session.exec(select(Staff).where(Staff.telegram_user_id == telegram_user_id)).first()


def staff_by_link_code(session: Session, code: str) -> Staff | None:
    return session.exec(select(Staff).where(Staff.link_code == code)).first()


def invite_by_code(session: Session, code: str) -> InviteCode | None:
    return session.exec(select(InviteCode).where(InviteCode.code == code)).first()


def open_invites_for_circle(session: Session, circle_id: int, now: datetime) -> int:
    """Invites to a circle neither used nor expired: seats promised but not taken yet."""
    return int(
        session.exec(
            select(func.count())
            .select_from(InviteCode)
            .where(
                InviteCode.circle_id == circle_id,
                col(InviteCode.used_at).is_(None),
                (col(InviteCode.expires_at).is_(None)) | (col(InviteCode.expires_at) > now),
            )
        ).one()
    )


def open_invites(
    session: Session, center_id: int, now: datetime, codes: Sequence[str] | None = None, limit: int = 500
) -> Sequence[InviteCode]:
    """A centre's invites neither used nor expired, oldest first; only ``codes`` when given."""
    query = select(InviteCode).where(
        InviteCode.center_id == center_id,
        col(InviteCode.used_at).is_(None),
        (col(InviteCode.expires_at).is_(None)) | (col(InviteCode.expires_at) > now),
    )
    if codes is not None:
        query = query.where(col(InviteCode.code).in_(codes))
    return session.exec(query.order_by(col(InviteCode.id)).limit(limit)).all()


def center_by_name(session: Session, name: str) -> Center | None:
    return session.exec(select(Center).where(func.lower(Center.name) == name.strip().lower())).first()


def taken_pseudonyms(session: Session, center_id: int) -> set[str]:
    """Members' and volunteer sponsors' pseudonyms: one name never means two people at a centre."""
    members = session.exec(select(Member.pseudonym).where(Member.center_id == center_id)).all()
    volunteers = session.exec(
        select(Sponsor.pseudonym).where(Sponsor.center_id == center_id, col(Sponsor.pseudonym).is_not(None))
    ).all()
    return {p for p in (*members, *volunteers) if p}


def default_counsellor(session: Session, center_id: int) -> Staff | None:
    """The centre's first active, non-backup counsellor: who a new member is assigned to."""
    return session.exec(
        select(Staff)
        .where(Staff.center_id == center_id, Staff.active, Staff.role == "counsellor")
        .order_by(col(Staff.is_backup), col(Staff.id))
    ).first()


def centre_counsellors(session: Session, center_id: int) -> Sequence[Staff]:
    return session.exec(select(Staff).where(Staff.center_id == center_id, Staff.active).order_by(col(Staff.id))).all()


def paused_members_until(session: Session, day: date, limit: int) -> Sequence[Member]:
    return session.exec(
        select(Member)
        .where(Member.status == MemberStatus.PAUSED, col(Member.paused_until) <= day)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def start_pause(session: Session, member_id: int, day: date, now: datetime) -> None:
    """A pause from ``day`` on, unless one is already open (a pause made longer is the same pause)."""
    if open_pause(session, member_id) is None:
        session.add(PausePeriod(member_id=member_id, starts_on=day, created_at=now))


def open_pause(session: Session, member_id: int) -> PausePeriod | None:
    return session.exec(
        select(PausePeriod).where(PausePeriod.member_id == member_id, col(PausePeriod.ends_on).is_(None))
    ).first()


def end_pause(session: Session, member_id: int, day: date) -> None:
    """The pause is over: ``day`` is the first day the member is active again."""
    pause = open_pause(session, member_id)
    if pause is not None:
        pause.ends_on = max(day, pause.starts_on)


def paused_days(session: Session, member_id: int, since: date, until: date) -> set[date]:
    """The local days in ``since``..``until`` (inclusive) inside one of the member's pauses."""
    days: set[date] = set()
    for pause in session.exec(
        select(PausePeriod).where(
            PausePeriod.member_id == member_id,
            PausePeriod.starts_on <= until,
            col(PausePeriod.ends_on).is_(None) | (col(PausePeriod.ends_on) > since),
        )
    ).all():
        day, end = (
            max(pause.starts_on, since),
            min(pause.ends_on or until + timedelta(days=1), until + timedelta(days=1)),
        )
        while day < end:
            days.add(day)
            day += timedelta(days=1)
    return days


@cache
def _unreachable_statement() -> Any:
    uid: BindParameter[int] = bindparam("uid")
    return union_all(
        select(literal("member"), Member.id).where(
            Member.telegram_user_id == uid, Member.status == MemberStatus.UNREACHABLE
        ),
        select(literal("staff"), Staff.id).where(Staff.telegram_user_id == uid, Staff.reachable == false()),
        select(literal("volunteer"), Sponsor.id).where(
            Sponsor.telegram_user_id == uid, Sponsor.kind == "volunteer", col(Sponsor.chat_id).is_(None)
        ),
    )


def unreachable_accounts(session: Session, telegram_user_id: int) -> list[tuple[str, int]]:
    """The member, staff and volunteer rows of this Telegram account that a 403 marked unreachable, as
    (kind, id); one statement on the unique ``telegram_user_id`` keys, nearly always empty."""
    return [(kind, row_id) for kind, row_id in session.execute(_unreachable_statement(), {"uid": telegram_user_id})]


def latest_consent(session: Session, member_id: int) -> ConsentRecord | None:
    return session.exec(
        select(ConsentRecord).where(ConsentRecord.member_id == member_id).order_by(col(ConsentRecord.id).desc())
    ).first()


def latest_consents(session: Session, member_ids: Sequence[int]) -> dict[int, ConsentRecord]:
    """Each member's most recent consent record, for a batch of members in one query (the due scan)."""
    if not member_ids:
        return {}
    latest: dict[int, ConsentRecord] = {}
    for record in session.exec(
        select(ConsentRecord)
        .where(col(ConsentRecord.member_id).in_(list(member_ids)))
        .order_by(col(ConsentRecord.member_id), col(ConsentRecord.id).desc())
    ).all():
        latest.setdefault(record.member_id, record)
    return latest


def staff_by_name(session: Session, center_id: int, name: str) -> Staff | None:
    return session.exec(
        select(Staff).where(Staff.center_id == center_id, func.lower(Staff.name) == name.strip().lower())
    ).first()
