"""The peer circles' queries. Services ask these; nothing else writes SQL for circles.

Claims use ``FOR UPDATE SKIP LOCKED`` so several workers on PostgreSQL never take the
same meeting or notice; SQLite has one writer at a time and ignores the clause.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.circles.tables import (
    Circle,
    CircleMeeting,
    CircleMembership,
    CircleMessage,
    CircleMessageStatus,
    CircleParticipant,
    CircleReport,
    CircleSettings,
    RelayCopy,
    RelayPace,
    UnreachableNotice,
)
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member, MemberStatus

# Who receives circle messages: not those still joining, who blocked the bot or left.
RECEIVING = (MemberStatus.ACTIVE, MemberStatus.PAUSED)


# --- circles and memberships ----------------------------------------------------------------


def circle_by_name(session: Session, center_id: int, name: str) -> Circle | None:
    return session.exec(
        select(Circle).where(Circle.center_id == center_id, func.lower(Circle.name) == name.strip().lower())
    ).first()


def circles_of_center(session: Session, center_id: int) -> Sequence[Circle]:
    return session.exec(select(Circle).where(Circle.center_id == center_id).order_by(col(Circle.name))).all()


def circles_facilitated_by(session: Session, staff_id: int) -> Sequence[Circle]:
    return session.exec(select(Circle).where(Circle.facilitator_id == staff_id).order_by(col(Circle.name))).all()


def settings_of(session: Session, circle_id: int) -> CircleSettings | None:
    return session.get(CircleSettings, circle_id)


def active_membership(session: Session, member_id: int) -> CircleMembership | None:
    """The member's current circle membership (a member is in at most one active circle)."""
    return session.exec(
        select(CircleMembership)
        .where(CircleMembership.member_id == member_id, col(CircleMembership.left_at).is_(None))
        .order_by(col(CircleMembership.id).desc())
    ).first()


def member_count(session: Session, circle_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(CircleMembership)
            .where(CircleMembership.circle_id == circle_id, col(CircleMembership.left_at).is_(None))
        ).one()
    )


def circle_members(
    session: Session, circle_id: int, *, receiving_only: bool = True
) -> list[tuple[CircleMembership, Member]]:
    """Current members of a circle (by default only those who can receive messages), oldest first."""
    query = (
        select(CircleMembership, Member)
        .join(Member, col(Member.id) == CircleMembership.member_id)
        .where(CircleMembership.circle_id == circle_id, col(CircleMembership.left_at).is_(None))
        .order_by(col(CircleMembership.id))
    )
    if receiving_only:
        query = query.where(col(Member.status).in_(RECEIVING))
    return [(membership, member) for membership, member in session.exec(query).all()]


def participant(session: Session, membership: CircleMembership) -> CircleParticipant:
    """The member's state in the circle, created on first need."""
    found = session.get(CircleParticipant, membership.id)
    if found is None:
        found = CircleParticipant(
            membership_id=membership.id or 0, circle_id=membership.circle_id, member_id=membership.member_id
        )
        session.add(found)
    return found


def participants(session: Session, membership_ids: Iterable[int]) -> dict[int, CircleParticipant]:
    ids = list(membership_ids)
    if not ids:
        return {}
    rows = session.exec(select(CircleParticipant).where(col(CircleParticipant.membership_id).in_(ids))).all()
    return {row.membership_id: row for row in rows}


# --- messages and copies --------------------------------------------------------------------


def recent_message_times(session: Session, member_id: int, since: datetime) -> list[datetime]:
    """When the member wrote in their circle since ``since`` (for the flood limit)."""
    return list(
        session.exec(
            select(CircleMessage.created_at).where(
                CircleMessage.member_id == member_id,
                col(CircleMessage.created_at) > since,
                col(CircleMessage.kind).in_(("text", "sticker")),
            )
        ).all()
    )


def message_by_source(session: Session, member_id: int, source_message_id: int) -> CircleMessage | None:
    """The circle message a member sent as message ``source_message_id`` in their own chat."""
    return session.exec(
        select(CircleMessage)
        .where(CircleMessage.member_id == member_id, CircleMessage.source_message_id == source_message_id)
        .order_by(col(CircleMessage.id).desc())
    ).first()


def staff_message_by_source(session: Session, staff_id: int, source_message_id: int) -> CircleMessage | None:
    return session.exec(
        select(CircleMessage)
        .where(CircleMessage.staff_id == staff_id, CircleMessage.source_message_id == source_message_id)
        .order_by(col(CircleMessage.id).desc())
    ).first()


def copy_by_delivered_id(session: Session, chat_id: int, telegram_message_id: int) -> RelayCopy | None:
    """Which relayed copy is message ``telegram_message_id`` in ``chat_id`` (a reply or /report points at it)."""
    return session.exec(
        select(RelayCopy)
        .join(OutboxMessage, col(OutboxMessage.id) == RelayCopy.outbox_id)
        .where(
            RelayCopy.chat_id == chat_id,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.telegram_message_id == telegram_message_id,
        )
    ).first()


def copies_of(session: Session, circle_message_id: int) -> list[tuple[RelayCopy, OutboxMessage]]:
    rows = session.exec(
        select(RelayCopy, OutboxMessage)
        .join(OutboxMessage, col(OutboxMessage.id) == RelayCopy.outbox_id)
        .where(RelayCopy.circle_message_id == circle_message_id)
    ).all()
    return [(copy, row) for copy, row in rows]


def last_relayed(session: Session, member_id: int) -> CircleMessage | None:
    """The member's newest message that reached the circle (for /unsend)."""
    return session.exec(
        select(CircleMessage)
        .where(
            CircleMessage.member_id == member_id,
            CircleMessage.status == CircleMessageStatus.RELAYED,
            col(CircleMessage.kind).in_(("text", "sticker")),
        )
        .order_by(col(CircleMessage.id).desc())
    ).first()


def encouragement_sent(session: Session, milestone_id: int, member_id: int) -> bool:
    return (
        session.exec(
            select(CircleMessage.id).where(
                CircleMessage.reply_to_id == milestone_id,
                CircleMessage.member_id == member_id,
                CircleMessage.kind == "encourage",
            )
        ).first()
        is not None
    )


def milestone_shared(session: Session, member_id: int, days: int) -> bool:
    # The text is encrypted (a different token each time): compare in Python, not in SQL.
    shared = session.exec(
        select(CircleMessage.text).where(CircleMessage.member_id == member_id, CircleMessage.kind == "milestone")
    ).all()
    return str(days) in shared


def paces(session: Session, chat_ids: Iterable[int], now: datetime) -> dict[int, RelayPace]:
    """The relay pace rows of these chats (created when missing), locked in id order so two
    fan-outs into the same chats wait for each other instead of deadlocking."""
    ids = sorted(set(chat_ids))
    if not ids:
        return {}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(RelayPace)
        .values([{"chat_id": chat_id, "next_free_at": now} for chat_id in ids])
        .on_conflict_do_nothing(index_elements=["chat_id"])
    )
    rows = session.exec(
        select(RelayPace).where(col(RelayPace.chat_id).in_(ids)).order_by(col(RelayPace.chat_id)).with_for_update()
    ).all()
    return {row.chat_id: row for row in rows}


# --- reports --------------------------------------------------------------------------------


def report_exists(session: Session, circle_message_id: int, reporter_member_id: int) -> bool:
    return (
        session.exec(
            select(CircleReport.id).where(
                CircleReport.circle_message_id == circle_message_id,
                CircleReport.reporter_member_id == reporter_member_id,
            )
        ).first()
        is not None
    )


def distinct_reporters(session: Session, reported_member_id: int, since: datetime) -> int:
    return int(
        session.exec(
            select(func.count(func.distinct(CircleReport.reporter_member_id))).where(
                CircleReport.reported_member_id == reported_member_id, col(CircleReport.created_at) >= since
            )
        ).one()
    )


# --- meetings -------------------------------------------------------------------------------


def next_meeting(session: Session, circle_id: int) -> CircleMeeting | None:
    """The circle's next meeting that has not started."""
    return session.exec(
        select(CircleMeeting)
        .where(CircleMeeting.circle_id == circle_id, col(CircleMeeting.started_at).is_(None))
        .order_by(col(CircleMeeting.starts_at))
    ).first()


def last_meeting_sequence(session: Session, circle_id: int) -> int | None:
    value = session.exec(select(func.max(CircleMeeting.sequence)).where(CircleMeeting.circle_id == circle_id)).one()
    return None if value is None else int(value)


def claim_meetings_to_remind(session: Session, now: datetime, limit: int) -> Sequence[CircleMeeting]:
    return session.exec(
        select(CircleMeeting)
        .where(col(CircleMeeting.reminded_at).is_(None), col(CircleMeeting.remind_at) <= now)
        .order_by(col(CircleMeeting.remind_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def claim_meetings_to_start(session: Session, now: datetime, limit: int) -> Sequence[CircleMeeting]:
    return session.exec(
        select(CircleMeeting)
        .where(col(CircleMeeting.started_at).is_(None), col(CircleMeeting.starts_at) <= now)
        .order_by(col(CircleMeeting.starts_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


# --- quiet members and people who blocked the bot --------------------------------------------


def quiet_memberships(session: Session, quiet_since: datetime, limit: int) -> list[tuple[CircleMembership, Member]]:
    """Members who have not written in their circle since ``quiet_since`` and were not yet invited back
    for this quiet spell."""
    last_seen = func.coalesce(CircleParticipant.last_posted_at, CircleMembership.joined_at)
    query = (
        select(CircleMembership, Member)
        .join(Member, col(Member.id) == CircleMembership.member_id)
        .outerjoin(CircleParticipant, col(CircleParticipant.membership_id) == CircleMembership.id)
        .where(
            col(CircleMembership.left_at).is_(None),
            Member.status == MemberStatus.ACTIVE,
            CircleMembership.joined_at <= quiet_since,
            last_seen <= quiet_since,
            or_(col(CircleParticipant.invited_at).is_(None), CircleParticipant.invited_at < last_seen),
        )
        .order_by(col(CircleMembership.id))
        .limit(limit)
        .with_for_update(of=CircleMembership, skip_locked=True)  # several workers: one takes each
    )
    return [(membership, member) for membership, member in session.exec(query).all()]


def unwelcomed_memberships(session: Session, limit: int) -> list[tuple[CircleMembership, Member]]:
    """Active members in a circle who have not had its welcome yet (they joined by invite while onboarding)."""
    query = (
        select(CircleMembership, Member)
        .join(Member, col(Member.id) == CircleMembership.member_id)
        .outerjoin(CircleParticipant, col(CircleParticipant.membership_id) == CircleMembership.id)
        .where(
            col(CircleMembership.left_at).is_(None),
            Member.status == MemberStatus.ACTIVE,
            col(CircleParticipant.welcomed_at).is_(None),
        )
        .order_by(col(CircleMembership.id))
        .limit(limit)
        .with_for_update(of=CircleMembership, skip_locked=True)  # several workers: one takes each
    )
    return [(membership, member) for membership, member in session.exec(query).all()]


def unreachable_without_notice(session: Session, limit: int) -> Sequence[Member]:
    """Unreachable members of a circle whose counsellor has not been told (members outside circles are
    reported by the attendance scan's watch notice)."""
    return session.exec(
        select(Member)
        .join(
            CircleMembership,
            and_(col(CircleMembership.member_id) == Member.id, col(CircleMembership.left_at).is_(None)),
        )
        .outerjoin(UnreachableNotice, col(UnreachableNotice.member_id) == Member.id)
        .where(Member.status == MemberStatus.UNREACHABLE, col(UnreachableNotice.member_id).is_(None))
        .order_by(col(Member.id))
        .limit(limit)
        .with_for_update(of=Member, skip_locked=True)  # several workers: one takes each
    ).all()


def forget_unreachable_notice(session: Session, member_id: int) -> None:
    notice = session.get(UnreachableNotice, member_id)
    if notice is not None:
        session.delete(notice)


# --- circle health --------------------------------------------------------------------------


def circle_health(session: Session, circle_id: int, since: datetime) -> dict[str, int]:
    """Counts for the facilitator: members, who wrote, messages, reports and held messages since ``since``."""
    written = and_(
        col(CircleMessage.circle_id) == circle_id,
        col(CircleMessage.created_at) >= since,
        col(CircleMessage.kind).in_(("text", "sticker")),
        col(CircleMessage.member_id).is_not(None),
    )
    messages = session.exec(
        select(func.count())
        .select_from(CircleMessage)
        .where(written, CircleMessage.status == CircleMessageStatus.RELAYED)
    ).one()
    writers = session.exec(select(func.count(func.distinct(CircleMessage.member_id))).where(written)).one()
    reports = session.exec(
        select(func.count())
        .select_from(CircleReport)
        .where(CircleReport.circle_id == circle_id, col(CircleReport.created_at) >= since)
    ).one()
    held = session.exec(
        select(func.count())
        .select_from(CircleMessage)
        .where(CircleMessage.circle_id == circle_id, CircleMessage.status == CircleMessageStatus.HELD)
    ).one()
    return {
        "members": member_count(session, circle_id),
        "active": int(writers),
        "messages": int(messages),
        "reports": int(reports),
        "held": int(held),
    }
