"""The queries sponsors and the attendance watch need. Services ask these; nothing else writes SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.people.tables import Member, MemberStatus
from storage.sponsors.tables import (
    AttendanceWatch,
    LinkState,
    Sponsor,
    SponsorLink,
    SponsorSettings,
    TalkRequest,
    TalkState,
)

LIVE_LINK = (LinkState.PROPOSED, LinkState.ACTIVE)
WATCHED_STATUSES = (MemberStatus.ACTIVE, MemberStatus.PAUSED, MemberStatus.UNREACHABLE)
# Outbox purposes whose rows carry a relay thread (``sponsor_thread_id``): replying to one answers it.
THREAD_PURPOSES = ("sp_relay", "sp_gap", "sp_linked", "sp_talk")


def settings_for(session: Session, center_id: int) -> SponsorSettings | None:
    return session.get(SponsorSettings, center_id)


# --- sponsors -------------------------------------------------------------------------------------


def sponsor_of_member(session: Session, member_id: int) -> Sponsor | None:
    return session.exec(select(Sponsor).where(Sponsor.member_id == member_id)).first()


def volunteer_by_telegram_id(session: Session, telegram_user_id: int) -> Sponsor | None:
    return session.exec(select(Sponsor).where(Sponsor.telegram_user_id == telegram_user_id)).first()


def volunteer_by_code(session: Session, code: str) -> Sponsor | None:
    return session.exec(select(Sponsor).where(Sponsor.link_code == code)).first()


def volunteer_by_pseudonym(session: Session, center_id: int, pseudonym: str) -> Sponsor | None:
    return session.exec(
        select(Sponsor).where(
            Sponsor.center_id == center_id,
            Sponsor.kind == "volunteer",
            func.lower(Sponsor.pseudonym) == pseudonym.strip().lower(),
        )
    ).first()


def mark_volunteer_unreachable(session: Session, row: OutboxMessage) -> bool:
    """A message to a volunteer sponsor came back 403 (they blocked the bot): forget their chat, so
    they count as unreachable (``SponsorSide.reachable``) — relays say they are away and missed
    check-ins go to the counsellor. The row itself is kept. True when one was marked."""
    if row.member_id is not None or row.staff_id is not None:
        return False  # members and staff are marked by the sender itself
    volunteers = session.exec(select(Sponsor).where(Sponsor.kind == "volunteer", Sponsor.chat_id == row.chat_id)).all()
    for volunteer in volunteers:
        volunteer.chat_id = None
    return bool(volunteers)


def volunteer_pseudonyms(session: Session, center_id: int) -> set[str]:
    rows = session.exec(
        select(Sponsor.pseudonym).where(Sponsor.center_id == center_id, col(Sponsor.pseudonym).is_not(None))
    ).all()
    return {p for p in rows if p}


def sponsors_of_centre(session: Session, center_id: int) -> Sequence[Sponsor]:
    return session.exec(select(Sponsor).where(Sponsor.center_id == center_id).order_by(col(Sponsor.id))).all()


def sponsors_due_summary(session: Session, now: datetime, limit: int) -> Sequence[Sponsor]:
    return session.exec(
        select(Sponsor)
        .where(Sponsor.active, col(Sponsor.next_summary_at) <= now)
        .order_by(col(Sponsor.next_summary_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


# --- links ---------------------------------------------------------------------------------------


def sponsor_pseudonym(session: Session, member_id: int) -> str | None:
    """What the member's active sponsor is called (a member's pseudonym or a volunteer's), or None.

    A plain query so that bot.services.safety can show it in alerts without importing the sponsor services.
    """
    link = active_link_of_mentee(session, member_id)
    sponsor = session.get(Sponsor, link.sponsor_id) if link else None
    if sponsor is None:
        return None
    if sponsor.member_id is not None:
        member = session.get(Member, sponsor.member_id)
        return member.pseudonym if member else None
    return sponsor.pseudonym


def live_link_of_mentee(session: Session, mentee_id: int) -> SponsorLink | None:
    """The mentee's proposed or active link (at most one)."""
    return session.exec(
        select(SponsorLink)
        .where(SponsorLink.mentee_id == mentee_id, col(SponsorLink.state).in_(LIVE_LINK))
        .order_by(col(SponsorLink.id).desc())
    ).first()


def active_link_of_mentee(session: Session, mentee_id: int) -> SponsorLink | None:
    return session.exec(
        select(SponsorLink).where(SponsorLink.mentee_id == mentee_id, SponsorLink.state == LinkState.ACTIVE)
    ).first()


def links_of_sponsor(session: Session, sponsor_id: int, states: Sequence[str] = LIVE_LINK) -> Sequence[SponsorLink]:
    return session.exec(
        select(SponsorLink)
        .where(SponsorLink.sponsor_id == sponsor_id, col(SponsorLink.state).in_(states))
        .order_by(col(SponsorLink.id))
    ).all()


def count_live_links(session: Session, sponsor_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(SponsorLink)
            .where(SponsorLink.sponsor_id == sponsor_id, col(SponsorLink.state).in_(LIVE_LINK))
        ).one()
    )


# --- the attendance watch ------------------------------------------------------------------------


def claim_due_watches(session: Session, now: datetime, limit: int) -> Sequence[AttendanceWatch]:
    return session.exec(
        select(AttendanceWatch)
        .where(col(AttendanceWatch.next_scan_at) <= now)
        .order_by(col(AttendanceWatch.next_scan_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def start_watch(session: Session, member_id: int, now: datetime) -> None:
    """A member who has just finished onboarding: their calendar is looked at from now on."""
    if session.get(AttendanceWatch, member_id) is None:
        session.add(AttendanceWatch(member_id=member_id, next_scan_at=now))


def claim_unwatched_members(session: Session, limit: int) -> Sequence[Member]:
    """Members who finished onboarding and have no watch row yet (after an upgrade, or a path that did not
    start one). An anti-join over every watched member: hourly, not in the per-minute scan."""
    watched = exists().where(col(AttendanceWatch.member_id) == col(Member.id))
    return session.exec(
        select(Member)
        .where(col(Member.status).in_(WATCHED_STATUSES), ~watched)
        .order_by(col(Member.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def checkin_deliveries(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """Outbox status of scheduled check-ins by their dedupe key (``checkin:<member>:<local date>``).

    Looked up through the unique dedupe-key index, so a big outbox costs nothing here.
    """
    if not keys:
        return {}
    rows = session.exec(
        select(OutboxMessage.dedupe_key, OutboxMessage.status).where(col(OutboxMessage.dedupe_key).in_(list(keys)))
    ).all()
    return {key: status for key, status in rows if key}


# --- relayed chats and talk requests ---------------------------------------------------------------


def thread_replied_to(session: Session, chat_id: int, telegram_message_id: int) -> str | None:
    """The thread of the relayed message a person replied to (Telegram's reply-to), if it was one of ours."""
    return session.exec(
        select(OutboxMessage.sponsor_thread_id).where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.telegram_message_id == telegram_message_id,
            col(OutboxMessage.purpose).in_(THREAD_PURPOSES),
        )
    ).first()


def latest_thread(session: Session, chat_id: int) -> str | None:
    """The thread of the newest relayed message this chat received (``/reply`` answers it); None when
    that message has none."""
    return session.exec(
        select(OutboxMessage.sponsor_thread_id)
        .where(
            OutboxMessage.chat_id == chat_id,
            col(OutboxMessage.purpose).in_(THREAD_PURPOSES),
            col(OutboxMessage.status).in_((OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.SENDING)),
        )
        .order_by(col(OutboxMessage.id).desc())
    ).first()


def talk_requests_since(session: Session, member_id: int, since: datetime) -> Sequence[TalkRequest]:
    return session.exec(
        select(TalkRequest).where(TalkRequest.member_id == member_id, col(TalkRequest.created_at) >= since)
    ).all()


def waiting_talk_of_member(session: Session, member_id: int) -> TalkRequest | None:
    return session.exec(
        select(TalkRequest)
        .where(TalkRequest.member_id == member_id, TalkRequest.state == TalkState.WAITING)
        .order_by(col(TalkRequest.id).desc())
    ).first()


def talks_past_wait(session: Session, now: datetime, limit: int) -> Sequence[TalkRequest]:
    """Sponsor requests nobody answered in time, not yet offered to the counsellor."""
    return session.exec(
        select(TalkRequest)
        .where(
            TalkRequest.state == TalkState.WAITING,
            col(TalkRequest.respond_by) <= now,
            col(TalkRequest.counsellor_offered_at).is_(None),
        )
        .order_by(col(TalkRequest.respond_by))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
