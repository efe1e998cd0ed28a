"""The queries behind a member's data rights: everything about one member (/mydata) and
the rows an erasure (/forget) must touch.

Services ask these; nothing else writes SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.checkins.tables import Checkin, CravingEvent
from storage.circles.tables import Circle, CircleMembership, CircleMessage, RelayCopy, RelayPace
from storage.outbox.tables import OutboxMessage
from storage.people.tables import ConsentRecord, Staff
from storage.safety.tables import AuditEntry, Escalation, EscalationEvent, ScreeningFollowup
from storage.sponsors.tables import AttendanceWatch, Sponsor, SponsorLink, TalkRequest


def consents_of(session: Session, member_id: int) -> Sequence[ConsentRecord]:
    return session.exec(
        select(ConsentRecord).where(ConsentRecord.member_id == member_id).order_by(col(ConsentRecord.id))
    ).all()


def checkins_of(session: Session, member_id: int) -> Sequence[Checkin]:
    return session.exec(select(Checkin).where(Checkin.member_id == member_id).order_by(col(Checkin.local_date))).all()


def cravings_of(session: Session, member_id: int) -> Sequence[CravingEvent]:
    return session.exec(
        select(CravingEvent).where(CravingEvent.member_id == member_id).order_by(col(CravingEvent.id))
    ).all()


def circle_messages_by(session: Session, member_id: int) -> list[tuple[CircleMessage, str | None]]:
    """What the member wrote in circles, with the circle's name."""
    rows = session.exec(
        select(CircleMessage, Circle.name)
        .join(Circle, col(Circle.id) == CircleMessage.circle_id)
        .where(CircleMessage.member_id == member_id)
        .order_by(col(CircleMessage.id))
    ).all()
    return [(message, name) for message, name in rows]


def memberships_of(session: Session, member_id: int) -> list[tuple[CircleMembership, str | None]]:
    rows = session.exec(
        select(CircleMembership, Circle.name)
        .join(Circle, col(Circle.id) == CircleMembership.circle_id)
        .where(CircleMembership.member_id == member_id)
        .order_by(col(CircleMembership.id))
    ).all()
    return [(membership, name) for membership, name in rows]


def escalations_of(session: Session, member_id: int) -> Sequence[Escalation]:
    return session.exec(select(Escalation).where(Escalation.member_id == member_id).order_by(col(Escalation.id))).all()


def events_of(session: Session, escalation_ids: Iterable[int]) -> Sequence[EscalationEvent]:
    ids = list(escalation_ids)
    if not ids:
        return []
    return session.exec(
        select(EscalationEvent).where(col(EscalationEvent.escalation_id).in_(ids)).order_by(col(EscalationEvent.id))
    ).all()


def followups_of(session: Session, member_id: int) -> Sequence[ScreeningFollowup]:
    return session.exec(
        select(ScreeningFollowup).where(ScreeningFollowup.member_id == member_id).order_by(col(ScreeningFollowup.id))
    ).all()


def links_as_mentee(session: Session, member_id: int) -> Sequence[SponsorLink]:
    return session.exec(
        select(SponsorLink).where(SponsorLink.mentee_id == member_id).order_by(col(SponsorLink.id))
    ).all()


def sponsor_row_of(session: Session, member_id: int) -> Sponsor | None:
    """The member's own sponsor record, when they sponsor others."""
    return session.exec(select(Sponsor).where(Sponsor.member_id == member_id)).first()


def links_as_sponsor(session: Session, sponsor_id: int) -> Sequence[SponsorLink]:
    return session.exec(
        select(SponsorLink).where(SponsorLink.sponsor_id == sponsor_id).order_by(col(SponsorLink.id))
    ).all()


def talk_requests_of(session: Session, member_id: int) -> Sequence[TalkRequest]:
    return session.exec(
        select(TalkRequest).where(TalkRequest.member_id == member_id).order_by(col(TalkRequest.id))
    ).all()


def audit_about(session: Session, member_id: int) -> list[tuple[AuditEntry, Staff | None]]:
    """Every audit entry about the member, with the staff member who acted (if any)."""
    rows = session.exec(
        select(AuditEntry, Staff)
        .join(Staff, col(Staff.id) == AuditEntry.staff_id, isouter=True)
        .where(AuditEntry.member_id == member_id)
        .order_by(col(AuditEntry.id))
    ).all()
    return [(entry, staff) for entry, staff in rows]


def copies_of_messages(session: Session, message_ids: Sequence[int]) -> list[tuple[RelayCopy, OutboxMessage]]:
    if not message_ids:
        return []
    rows = session.exec(
        select(RelayCopy, OutboxMessage)
        .join(OutboxMessage, col(OutboxMessage.id) == RelayCopy.outbox_id)
        .where(col(RelayCopy.circle_message_id).in_(list(message_ids)))
    ).all()
    return [(copy, row) for copy, row in rows]


# --- erasure ---------------------------------------------------------------------------------------


def outbox_to_member(session: Session, member_id: int, chat_id: int) -> Sequence[OutboxMessage]:
    """Every outbox row addressed to the member (by member id or by their chat)."""
    return session.exec(
        select(OutboxMessage).where((OutboxMessage.member_id == member_id) | (OutboxMessage.chat_id == chat_id))
    ).all()


def outbox_mentioning(session: Session, needles: Iterable[str], since: datetime) -> Sequence[OutboxMessage]:
    """Outbox rows since ``since`` whose payload contains any of ``needles``.

    Payloads are encrypted at rest (a different token each time), so SQL cannot search them:
    the rows not yet purged by retention are read and matched here, in their decrypted form.
    """
    wanted = [json.dumps(needle, ensure_ascii=False)[1:-1] for needle in needles if needle]
    if not wanted:
        return []
    rows = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.created_at) >= since, col(OutboxMessage.purged_at).is_(None))
        .order_by(col(OutboxMessage.id))
    ).all()
    found = []
    for row in rows:
        flat = json.dumps(row.payload, ensure_ascii=False)
        if any(needle in flat for needle in wanted):
            found.append(row)
    return found


def replace_chat_id(session: Session, old_chat_id: int, new_chat_id: int) -> None:
    """Relay copies and the pace row no longer name the member's Telegram chat."""
    session.exec(update(RelayCopy).where(col(RelayCopy.chat_id) == old_chat_id).values(chat_id=new_chat_id))
    session.exec(delete(RelayPace).where(col(RelayPace.chat_id) == old_chat_id))


def replace_actor(session: Session, old_telegram_id: int, new_telegram_id: int) -> None:
    session.exec(
        update(AuditEntry)
        .where(col(AuditEntry.actor_telegram_id) == old_telegram_id)
        .values(actor_telegram_id=new_telegram_id)
    )


def drop_attendance_watch(session: Session, member_id: int) -> None:
    session.exec(delete(AttendanceWatch).where(col(AttendanceWatch.member_id) == member_id))
