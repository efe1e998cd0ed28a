"""What every part of the sponsors shares: the centre's policy, the people on a link, and sending
(held until morning in the recipient's quiet hours, unless it answers their own action).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.gaps import QuietHours, release_at
from bot.domain.outgoing import Priority
from bot.domain.sponsorship import SponsorPolicy
from bot.domain.streaks import sober_days
from bot.i18n import t
from bot.services.context import Person
from bot.services.outbox import Buttons, enqueue
from storage.people import queries as people_db
from storage.people.tables import Center, Member, MemberStatus, Staff
from storage.safety.tables import AuditEntry
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import Sponsor, SponsorLink

SETTLED = (MemberStatus.ACTIVE, MemberStatus.PAUSED)


def policy(session: Session, center_id: int) -> SponsorPolicy:
    row = sponsors_db.settings_for(session, center_id)
    if row is None:
        return SponsorPolicy()
    return SponsorPolicy(
        min_sponsor_days=row.min_sponsor_days,
        max_mentees=row.max_mentees,
        sponsor_after_missed=row.sponsor_after_missed,
        counsellor_after_missed=row.counsellor_after_missed,
        summary_weekday=row.summary_weekday,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        talk_wait_minutes=row.talk_wait_minutes,
    )


def quiet_hours(pol: SponsorPolicy) -> QuietHours:
    return QuietHours(time.fromisoformat(pol.quiet_start), time.fromisoformat(pol.quiet_end))


@dataclass(frozen=True)
class SponsorSide:
    """How to reach a sponsor and what a mentee calls them."""

    sponsor: Sponsor
    pseudonym: str
    chat_id: int | None
    language: str
    timezone: str
    member_id: int | None  # the sponsor's own member row (outbox rows name their recipient)
    telegram_user_id: int | None

    @property
    def reachable(self) -> bool:
        return self.chat_id is not None and self.sponsor.active


def sponsor_side(session: Session, sponsor: Sponsor) -> SponsorSide | None:
    if sponsor.member_id is not None:
        member = session.get(Member, sponsor.member_id)
        if member is None:
            return None
        reachable = member.status in SETTLED
        return SponsorSide(
            sponsor,
            member.pseudonym,
            member.chat_id if reachable else None,
            member.language,
            member.timezone,
            member.id,
            member.telegram_user_id,
        )
    center = session.get(Center, sponsor.center_id)
    return SponsorSide(
        sponsor,
        sponsor.pseudonym or "-",
        sponsor.chat_id,
        sponsor.language,
        center.timezone if center else "Asia/Kolkata",
        None,
        sponsor.telegram_user_id,
    )


def sponsor_of_person(session: Session, telegram_user_id: int) -> Sponsor | None:
    """The sponsor row of whoever pressed or typed: a member who sponsors, or a volunteer."""
    member = people_db.member_by_telegram_id(session, telegram_user_id)
    if member is not None:
        return sponsors_db.sponsor_of_member(session, member.id or 0)
    return sponsors_db.volunteer_by_telegram_id(session, telegram_user_id)


def sponsor_pseudonym_for(session: Session, member_id: int) -> str | None:
    """The pseudonym of the member's active sponsor, or None (for the counsellor's alert)."""
    return sponsors_db.sponsor_pseudonym(session, member_id)


def counsellor_for(session: Session, member: Member) -> Staff | None:
    """The member's named counsellor when reachable, else another reachable counsellor of the centre."""
    staff = [s for s in people_db.centre_counsellors(session, member.center_id) if s.chat_id and s.reachable]
    named = [s for s in staff if s.id == member.counsellor_id]
    candidates = named or [s for s in staff if not s.is_backup] or staff
    return candidates[0] if candidates else None


def centre_timezone(session: Session, center_id: int) -> str:
    center = session.get(Center, center_id)
    return center.timezone if center else "Asia/Kolkata"


def days_in_recovery(member: Member, today: date) -> int | None:
    return sober_days(member.sobriety_start, member.last_use_date, today)


def to_sponsor(
    session: Session,
    side: SponsorSide,
    text: str,
    now: datetime,
    *,
    pol: SponsorPolicy,
    buttons: Buttons | None = None,
    purpose: str = "sp_notice",
    thread: str | None = None,
    priority: Priority = Priority.SCHEDULED,
    defer: bool = True,
) -> datetime | None:
    """A message to a sponsor, held until morning during their quiet hours. Returns when it goes."""
    if side.chat_id is None:
        return None
    due = release_at(now, side.timezone, quiet_hours(pol)) if defer else now
    enqueue(
        session,
        chat_id=side.chat_id,
        member_id=side.member_id,
        text=text,
        buttons=buttons,
        now=now,
        due_at=due,
        priority=priority,
        purpose=purpose,
        sponsor_thread=thread,
    )
    return due


def to_member(
    session: Session,
    member: Member,
    text: str,
    now: datetime,
    *,
    pol: SponsorPolicy,
    buttons: Buttons | None = None,
    purpose: str = "sp_notice",
    thread: str | None = None,
    priority: Priority = Priority.SCHEDULED,
    defer: bool = True,
) -> datetime | None:
    """A ping to a member (not an answer to their own action): quiet hours apply."""
    if member.status not in SETTLED:
        return None
    due = release_at(now, member.timezone, quiet_hours(pol)) if defer else now
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        text=text,
        buttons=buttons,
        now=now,
        due_at=due,
        priority=priority,
        purpose=purpose,
        sponsor_thread=thread,
    )
    return due


def to_staff(
    session: Session,
    staff: Staff,
    text: str,
    now: datetime,
    *,
    tz: str,
    pol: SponsorPolicy,
    buttons: Buttons | None = None,
    purpose: str = "sp_staff",
    defer: bool = True,
    priority: Priority = Priority.SCHEDULED,
    thread: str | None = None,
) -> None:
    due = release_at(now, tz, quiet_hours(pol)) if defer else now
    enqueue(
        session,
        chat_id=staff.chat_id or 0,
        staff_id=staff.id,
        text=text,
        buttons=buttons,
        now=now,
        due_at=due,
        priority=priority,
        purpose=purpose,
        sponsor_thread=thread,
    )


def reply(
    session: Session,
    person: Person,
    lang: str,
    key: str,
    now: datetime,
    *,
    buttons: Buttons | None = None,
    member_id: int | None = None,
    **args: object,
) -> None:
    """An answer to the person's own action: at once, whatever the hour."""
    enqueue(
        session,
        chat_id=person.chat_id,
        member_id=member_id,
        text=t(lang, key, **args),
        buttons=buttons,
        now=now,
        priority=Priority.REPLY,
    )


def local_hhmm(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def member_timezone(session: Session, member_id: int, center: Center) -> str:
    member = session.get(Member, member_id)
    return member.timezone if member is not None else center.timezone


def link_party(session: Session, person: Person, link: SponsorLink) -> str | None:
    """ "mentee" or "sponsor" when the person is on this link, else None."""
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    if member is not None and member.id == link.mentee_id:
        return "mentee"
    sponsor = sponsor_of_person(session, person.telegram_user_id)
    if sponsor is not None and sponsor.id == link.sponsor_id:
        return "sponsor"
    return None


def other_label(session: Session, link: SponsorLink, party: str) -> str:
    if party == "sponsor":
        mentee = session.get(Member, link.mentee_id)
        return mentee.pseudonym if mentee else "-"
    sponsor = session.get(Sponsor, link.sponsor_id)
    side = sponsor_side(session, sponsor) if sponsor else None
    return side.pseudonym if side else "-"


def audit(
    session: Session, person: Person, staff: Staff | None, action: str, now: datetime, member_id: int | None = None
) -> None:
    session.add(
        AuditEntry(
            actor_telegram_id=person.telegram_user_id,
            staff_id=staff.id if staff else None,
            member_id=member_id,
            action=action,
            created_at=now,
        )
    )
