"""Sponsors and mentees: linking with the mentee's consent, what a sponsor sees, relayed messages.

The privacy promise: a sponsor sees a mentee's pseudonym, whether they checked in each day,
the streak, and what the mentee chooses to send (or share). Never answers, notes, cravings or
escalations. Every message between the two is built by :func:`relay_text` from a pseudonym
(or a counsellor's name) and the words typed, so no Telegram id, name or username can cross
until both sides opted in to swap contacts.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.callbacks import encode
from bot.domain.gaps import QuietHours, next_weekly, release_at
from bot.domain.outgoing import Priority
from bot.domain.pseudonyms import generate_pseudonym
from bot.domain.relay import contains_contact_details
from bot.domain.scheduling import local_clock_time, local_date
from bot.domain.sponsorship import (
    MAX_RELAY_CHARS,
    SponsorPolicy,
    parse_pseudonym,
    parse_two_pseudonyms,
    sponsor_eligible,
    week_row,
)
from bot.domain.streaks import checkin_streak, sober_days
from bot.i18n import t
from bot.services import safety
from bot.services.access import person_language
from bot.services.context import Person, ServiceContext
from bot.services.outbox import Buttons, enqueue
from storage import repositories as repo
from storage import sponsor_repositories as spr
from storage.models import AuditEntry, Center, Checkin, Member, Staff
from storage.sponsor_models import Sponsor, SponsorLink, TalkRequest

log = logging.getLogger(__name__)

SETTLED = ("active", "paused")
STREAK_LOOKBACK_DAYS = 400
# A relayed message waits for the recipient's morning, unless they wrote in this thread lately.
LIVE_THREAD = timedelta(minutes=60)


# --- settings and the people involved ------------------------------------------------------------

def policy(session: Session, center_id: int) -> SponsorPolicy:
    row = spr.settings_for(session, center_id)
    if row is None:
        return SponsorPolicy()
    return SponsorPolicy(
        min_sponsor_days=row.min_sponsor_days, max_mentees=row.max_mentees,
        sponsor_after_missed=row.sponsor_after_missed, counsellor_after_missed=row.counsellor_after_missed,
        summary_weekday=row.summary_weekday, quiet_start=row.quiet_start, quiet_end=row.quiet_end,
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
        return SponsorSide(sponsor, member.pseudonym, member.chat_id if reachable else None, member.language,
                           member.timezone, member.id, member.telegram_user_id)
    center = session.get(Center, sponsor.center_id)
    return SponsorSide(sponsor, sponsor.pseudonym or "-", sponsor.chat_id, sponsor.language,
                       center.timezone if center else "Asia/Kolkata", None, sponsor.telegram_user_id)


def sponsor_of_person(session: Session, telegram_user_id: int) -> Sponsor | None:
    """The sponsor row of whoever pressed or typed: a member who sponsors, or a volunteer."""
    member = repo.member_by_telegram_id(session, telegram_user_id)
    if member is not None:
        return spr.sponsor_of_member(session, member.id or 0)
    return spr.volunteer_by_telegram_id(session, telegram_user_id)


def sponsor_pseudonym_for(session: Session, member_id: int) -> str | None:
    """The pseudonym of the member's active sponsor, or None (for the counsellor's alert)."""
    return spr.sponsor_pseudonym(session, member_id)


def counsellor_for(session: Session, member: Member) -> Staff | None:
    """The member's named counsellor when reachable, else another reachable counsellor of the centre."""
    staff = [s for s in repo.centre_counsellors(session, member.center_id) if s.chat_id and s.reachable]
    named = [s for s in staff if s.id == member.counsellor_id]
    return (named or [s for s in staff if not s.is_backup] or staff or [None])[0]


def centre_timezone(session: Session, center_id: int) -> str:
    center = session.get(Center, center_id)
    return center.timezone if center else "Asia/Kolkata"


def days_in_recovery(member: Member, today: date) -> int | None:
    return sober_days(member.sobriety_start, member.last_use_date, today)


# --- sending ----------------------------------------------------------------------------------------

def to_sponsor(session: Session, side: SponsorSide, text: str, now: datetime, *, pol: SponsorPolicy,
               buttons: Buttons | None = None, purpose: str = "sp_notice", thread: str | None = None,
               priority: Priority = Priority.SCHEDULED, defer: bool = True) -> datetime | None:
    """A message to a sponsor, held until morning during their quiet hours. Returns when it goes."""
    if side.chat_id is None:
        return None
    due = release_at(now, side.timezone, quiet_hours(pol)) if defer else now
    enqueue(session, chat_id=side.chat_id, member_id=side.member_id, text=text, buttons=buttons, now=now,
            due_at=due, priority=priority, purpose=purpose, extra={"sp_thread": thread} if thread else None)
    return due


def to_member(session: Session, member: Member, text: str, now: datetime, *, pol: SponsorPolicy,
              buttons: Buttons | None = None, purpose: str = "sp_notice", thread: str | None = None,
              priority: Priority = Priority.SCHEDULED, defer: bool = True) -> datetime | None:
    """A ping to a member (not an answer to their own action): quiet hours apply."""
    if member.status not in SETTLED:
        return None
    due = release_at(now, member.timezone, quiet_hours(pol)) if defer else now
    enqueue(session, chat_id=member.chat_id, member_id=member.id, text=text, buttons=buttons, now=now,
            due_at=due, priority=priority, purpose=purpose, extra={"sp_thread": thread} if thread else None)
    return due


def to_staff(session: Session, staff: Staff, text: str, now: datetime, *, tz: str, pol: SponsorPolicy,
             buttons: Buttons | None = None, purpose: str = "sp_staff", defer: bool = True,
             priority: Priority = Priority.SCHEDULED, thread: str | None = None) -> None:
    due = release_at(now, tz, quiet_hours(pol)) if defer else now
    enqueue(session, chat_id=staff.chat_id or 0, staff_id=staff.id, text=text, buttons=buttons, now=now,
            due_at=due, priority=priority, purpose=purpose, extra={"sp_thread": thread} if thread else None)


def reply(session: Session, person: Person, lang: str, key: str, now: datetime, *,
          buttons: Buttons | None = None, member_id: int | None = None, **args: object) -> None:
    """An answer to the person's own action: at once, whatever the hour."""
    enqueue(session, chat_id=person.chat_id, member_id=member_id, text=t(lang, key, **args), buttons=buttons,
            now=now, priority=Priority.REPLY)


def local_hhmm(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M")


# --- linking ------------------------------------------------------------------------------------------

class LinkRefused(Exception):
    """Why a link cannot be made, as a catalog id and its arguments."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args

    def text(self, lang: str) -> str:
        return t(lang, self.key, **self.args_)


def resolve_sponsor(session: Session, center: Center, pseudonym: str, mentee: Member, now: datetime,
                    pol: SponsorPolicy) -> Sponsor:
    """The sponsor row for a pseudonym: an eligible member (created on first use) or a volunteer."""
    member = repo.member_by_pseudonym(session, center.id or 0, pseudonym)
    if member is None:
        volunteer = spr.volunteer_by_pseudonym(session, center.id or 0, pseudonym)
        if volunteer is None or not volunteer.active:
            raise LinkRefused("sp-err-no-sponsor", pseudonym=pseudonym)
        return volunteer
    if member.id == mentee.id:
        raise LinkRefused("sp-err-self")
    if member.status != "active":
        raise LinkRefused("sp-err-sponsor-inactive", pseudonym=member.pseudonym)
    today = local_date(now, member.timezone)
    in_programme = (today - local_date(member.created_at, member.timezone)).days
    if not sponsor_eligible(days_in_recovery(member, today), in_programme, pol.min_sponsor_days):
        raise LinkRefused("sp-err-too-soon", pseudonym=member.pseudonym, days=pol.min_sponsor_days)
    sponsor = spr.sponsor_of_member(session, member.id or 0)
    if sponsor is None:  # stored only once the link is made
        sponsor = Sponsor(center_id=center.id or 0, kind="member", member_id=member.id, language=member.language,
                          created_at=now)
    return sponsor


def propose_link(session: Session, center: Center, sponsor_pseudonym: str, mentee_pseudonym: str, now: datetime,
                 *, staff: Staff | None = None) -> tuple[SponsorLink, datetime]:
    """Propose a sponsor to a mentee; the mentee is asked to agree before anything is shared.
    Returns the link and when the question goes out (after the mentee's quiet hours, or now)."""
    pol = policy(session, center.id or 0)
    mentee = repo.member_by_pseudonym(session, center.id or 0, mentee_pseudonym)
    if mentee is None:
        raise LinkRefused("sp-err-no-member", pseudonym=mentee_pseudonym)
    if mentee.status not in SETTLED:
        raise LinkRefused("sp-err-mentee-inactive", pseudonym=mentee.pseudonym)
    sponsor = resolve_sponsor(session, center, sponsor_pseudonym, mentee, now, pol)
    side = sponsor_side(session, sponsor)
    assert side is not None
    current = spr.live_link_of_mentee(session, mentee.id or 0)
    if current is not None:
        current_sponsor = session.get(Sponsor, current.sponsor_id)
        current_side = sponsor_side(session, current_sponsor) if current_sponsor else None
        raise LinkRefused("sp-err-has-sponsor", pseudonym=mentee.pseudonym,
                          sponsor=current_side.pseudonym if current_side else "-")
    if sponsor.id is not None and spr.count_live_links(session, sponsor.id) >= pol.max_mentees:
        raise LinkRefused("sp-err-full", pseudonym=side.pseudonym, count=pol.max_mentees)
    if sponsor.member_id is not None:
        reverse = spr.active_link_of_mentee(session, sponsor.member_id)
        mentee_as_sponsor = spr.sponsor_of_member(session, mentee.id or 0)
        if reverse is not None and mentee_as_sponsor is not None and reverse.sponsor_id == mentee_as_sponsor.id:
            raise LinkRefused("sp-err-cycle")
    sponsor.active = True
    if sponsor.id is None:
        session.add(sponsor)
        session.flush()
    link = SponsorLink(center_id=center.id or 0, sponsor_id=sponsor.id or 0, mentee_id=mentee.id or 0,
                       state="proposed", proposed_by=staff.id if staff else None, created_at=now)
    session.add(link)
    session.flush()
    asked_at = ask_mentee(session, mentee, link, side.pseudonym, now, pol)
    return link, asked_at or now


def member_timezone(session: Session, member_id: int, center: Center) -> str:
    member = session.get(Member, member_id)
    return member.timezone if member is not None else center.timezone


def ask_mentee(session: Session, mentee: Member, link: SponsorLink, sponsor_pseudonym: str, now: datetime,
               pol: SponsorPolicy, *, defer: bool = True) -> datetime | None:
    lang = mentee.language
    return to_member(session, mentee, t(lang, "sp-ask-mentee", sponsor=sponsor_pseudonym), now, pol=pol, defer=defer,
              buttons=[[(t(lang, "btn-sp-agree"), encode("sp", "ok", link.id or 0)),
                        (t(lang, "btn-sp-decline"), encode("sp", "no", link.id or 0))]],
              purpose="sp_consent")


def answer_proposal(ctx: ServiceContext, person: Person, link_id: int, agree: bool) -> str | None:
    """The mentee's answer to a proposed sponsor. Returns a toast id when the button is stale."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = repo.member_by_telegram_id(session, person.telegram_user_id)
        link = session.get(SponsorLink, link_id)
        if member is None or link is None or link.mentee_id != member.id or member.status not in SETTLED:
            return "button-expired"
        if link.state != "proposed":
            return "sp-already-answered"
        sponsor = session.get(Sponsor, link.sponsor_id)
        side = sponsor_side(session, sponsor) if sponsor else None
        if side is None:
            return "button-expired"
        pol = policy(session, member.center_id)
        if agree:
            link.state, link.accepted_at = "active", now
            reply(session, person, member.language, "sp-agreed-mentee", now, member_id=member.id,
                  sponsor=side.pseudonym)
            thread = f"link:{link.id}"
            to_sponsor(session, side, t(side.language, "sp-linked-sponsor", pseudonym=member.pseudonym), now,
                       pol=pol, purpose="sp_linked", thread=thread)
            if side.sponsor.next_summary_at is None:
                side.sponsor.next_summary_at = next_weekly(now, side.timezone, pol.summary_weekday)
        else:
            link.state, link.ended_at, link.ended_by = "declined", now, "mentee"
            reply(session, person, member.language, "sp-declined-mentee", now, member_id=member.id)
            staff = session.get(Staff, link.proposed_by) if link.proposed_by else counsellor_for(session, member)
            if staff is not None and staff.chat_id:
                to_staff(session, staff, t(staff.language, "sp-declined-staff", pseudonym=member.pseudonym,
                                           sponsor=side.pseudonym), now,
                         tz=centre_timezone(session, member.center_id), pol=pol)
        session.commit()
    return None


def end_link(session: Session, link: SponsorLink, by: str, now: datetime) -> None:
    """End a link (by the mentee, the sponsor or staff) and tell everyone concerned, kindly."""
    mentee = session.get(Member, link.mentee_id)
    sponsor = session.get(Sponsor, link.sponsor_id)
    side = sponsor_side(session, sponsor) if sponsor else None
    was_active = link.state == "active"
    link.state = "ended" if was_active else "declined"
    link.ended_at, link.ended_by = now, by
    link.mentee_username = link.sponsor_username = None
    for talk in spr.talk_requests_since(session, link.mentee_id, now - timedelta(days=30)):
        if talk.link_id == link.id and talk.state in ("waiting", "accepted") and talk.accepted_by != "staff":
            talk.state, talk.ended_at = "ended", now
    if mentee is None or side is None:
        return
    pol = policy(session, mentee.center_id)
    if was_active and by != "sponsor":
        key = "sp-ended-by-mentee" if by == "mentee" else "sp-ended-by-staff-sponsor"
        to_sponsor(session, side, t(side.language, key, pseudonym=mentee.pseudonym), now, pol=pol)
    if by != "mentee" and was_active:
        key = "sp-ended-by-sponsor" if by == "sponsor" else "sp-ended-by-staff-mentee"
        to_member(session, mentee, t(mentee.language, key, sponsor=side.pseudonym), now, pol=pol)
    staff = counsellor_for(session, mentee)
    if staff is not None and was_active and by != "staff":
        to_staff(session, staff, t(staff.language, "sp-ended-staff", pseudonym=mentee.pseudonym,
                                   sponsor=side.pseudonym), now, tz=centre_timezone(session, mentee.center_id), pol=pol)


def _link_party(session: Session, person: Person, link: SponsorLink) -> str | None:
    """"mentee" or "sponsor" when the person is on this link, else None."""
    member = repo.member_by_telegram_id(session, person.telegram_user_id)
    if member is not None and member.id == link.mentee_id:
        return "mentee"
    sponsor = sponsor_of_person(session, person.telegram_user_id)
    if sponsor is not None and sponsor.id == link.sponsor_id:
        return "sponsor"
    return None


def ask_end(ctx: ServiceContext, person: Person, link_id: int, confirmed: bool) -> str | None:
    """Either side may end the link: first a confirmation, then the end."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        link = session.get(SponsorLink, link_id)
        party = _link_party(session, person, link) if link else None
        if link is None or party is None:
            return "button-expired"
        if link.state not in spr.LIVE_LINK:
            return "sp-link-gone"
        lang = person_language(session, person)
        other = _other_label(session, link, party)
        if not confirmed:
            reply(session, person, lang, "sp-end-confirm", now, pseudonym=other,
                  buttons=[[(t(lang, "btn-sp-end-yes"), encode("sp", "endok", link.id or 0))]])
        else:
            end_link(session, link, party, now)
            reply(session, person, lang, "sp-ended-you", now, pseudonym=other)
        session.commit()
    return None


def _other_label(session: Session, link: SponsorLink, party: str) -> str:
    if party == "sponsor":
        mentee = session.get(Member, link.mentee_id)
        return mentee.pseudonym if mentee else "-"
    sponsor = session.get(Sponsor, link.sponsor_id)
    side = sponsor_side(session, sponsor) if sponsor else None
    return side.pseudonym if side else "-"


# --- what a sponsor sees ---------------------------------------------------------------------------

def mentee_line(session: Session, mentee: Member, lang: str, now: datetime) -> str:
    """Pseudonym, the week as ✅/⬜ and the streak. Built from check-in *days* only."""
    today = local_date(now, mentee.timezone)
    since = today - timedelta(days=STREAK_LOOKBACK_DAYS)
    days = repo.completed_checkin_days(session, mentee.id or 0, since)
    return t(lang, "sp-mentee-line", pseudonym=mentee.pseudonym, week=week_row(days, today),
             days=checkin_streak(days, today))


def mentees_text(session: Session, sponsor: Sponsor, lang: str, now: datetime) -> tuple[str, list[SponsorLink]]:
    links = list(spr.links_of_sponsor(session, sponsor.id or 0))
    active = [link for link in links if link.state == "active"]
    lines = []
    for link in active:
        mentee = session.get(Member, link.mentee_id)
        if mentee is not None:
            lines.append(mentee_line(session, mentee, lang, now))
    for link in links:
        if link.state == "proposed":
            mentee = session.get(Member, link.mentee_id)
            lines.append(t(lang, "sp-mentee-waiting", pseudonym=mentee.pseudonym if mentee else "-"))
    return "\n".join(lines), active


def show_mentees(ctx: ServiceContext, person: Person) -> None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        lang = person_language(session, person)
        sponsor = sponsor_of_person(session, person.telegram_user_id)
        body, active = mentees_text(session, sponsor, lang, now) if sponsor else ("", [])
        if sponsor is None:
            reply(session, person, lang, "sp-not-sponsor", now)
        elif not body:
            reply(session, person, lang, "sp-no-mentees", now)
        else:
            buttons = []
            for link in active:
                mentee = session.get(Member, link.mentee_id)
                label = mentee.pseudonym if mentee else "-"
                buttons.append([(t(lang, "btn-sp-swap-with", pseudonym=label), encode("sp", "swap", link.id or 0)),
                                (t(lang, "btn-sp-end-with", pseudonym=label), encode("sp", "end", link.id or 0))])
            reply(session, person, lang, "sp-mentees", now, lines=body, buttons=buttons or None)
        session.commit()


def show_my_sponsor(ctx: ServiceContext, person: Person) -> None:
    """/sponsor for a mentee: who, what they see, swap contacts, end."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = repo.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status not in SETTLED:
            reply(session, person, person_language(session, person), "sp-no-sponsor", now)
            session.commit()
            return
        lang = member.language
        link = spr.live_link_of_mentee(session, member.id or 0)
        sponsor = session.get(Sponsor, link.sponsor_id) if link else None
        side = sponsor_side(session, sponsor) if sponsor else None
        if link is None or side is None:
            reply(session, person, lang, "sp-no-sponsor", now, member_id=member.id)
        elif link.state == "proposed":
            ask_mentee(session, member, link, side.pseudonym, now, policy(session, member.center_id), defer=False)
        else:
            reply(session, person, lang, "sp-your-sponsor", now, member_id=member.id, sponsor=side.pseudonym,
                  buttons=[[(t(lang, "btn-sp-swap"), encode("sp", "swap", link.id or 0))],
                           [(t(lang, "btn-sp-end"), encode("sp", "end", link.id or 0))]])
        session.commit()


# --- relayed messages -------------------------------------------------------------------------------

def relay_text(lang: str, role: str, speaker: str, body: str) -> str:
    """The ONE builder of a relayed message: a role line with a pseudonym (or a counsellor's
    name) and the words typed. Nothing else about the sender can reach the recipient."""
    return t(lang, f"sp-relay-from-{role}", pseudonym=" ".join(speaker.split()), text=body.strip())


@dataclass(frozen=True)
class Relay:
    """Who is writing in a thread, and to whom."""

    thread: str
    sender_role: str  # sponsor | mentee | counsellor | member
    sender_label: str
    sender_member: Member | None  # screened for risk when a member writes
    recipient_chat: int
    recipient_lang: str
    recipient_tz: str
    recipient_member_id: int | None
    recipient_staff_id: int | None
    recipient_label: str
    link: SponsorLink | None
    talk: TalkRequest | None


def resolve_thread(session: Session, thread: str, telegram_user_id: int) -> Relay | str:
    """The sender's place in ``thread`` ("link:<id>" / "talk:<id>"), or a catalog id saying why not."""
    kind, _, raw = thread.partition(":")
    if not raw.isdigit():
        return "sp-thread-gone"
    if kind == "link":
        return _link_relay(session, session.get(SponsorLink, int(raw)), telegram_user_id, thread)
    if kind == "talk":
        return _talk_relay(session, session.get(TalkRequest, int(raw)), telegram_user_id, thread)
    return "sp-thread-gone"


def _link_relay(session: Session, link: SponsorLink | None, telegram_user_id: int, thread: str) -> Relay | str:
    if link is None or link.state != "active":
        return "sp-thread-gone"
    mentee = session.get(Member, link.mentee_id)
    sponsor = session.get(Sponsor, link.sponsor_id)
    side = sponsor_side(session, sponsor) if sponsor else None
    if mentee is None or side is None:
        return "sp-thread-gone"
    if mentee.telegram_user_id == telegram_user_id:
        if side.chat_id is None:
            return "sp-recipient-away"
        return Relay(thread, "mentee", mentee.pseudonym, mentee, side.chat_id, side.language, side.timezone,
                     side.member_id, None, side.pseudonym, link, None)
    if side.telegram_user_id == telegram_user_id:
        if mentee.status not in SETTLED:
            return "sp-recipient-away"
        sponsor_member = session.get(Member, side.member_id) if side.member_id else None
        return Relay(thread, "sponsor", side.pseudonym, sponsor_member, mentee.chat_id, mentee.language,
                     mentee.timezone, mentee.id, None, mentee.pseudonym, link, None)
    return "sp-thread-gone"


def _talk_relay(session: Session, talk: TalkRequest | None, telegram_user_id: int, thread: str) -> Relay | str:
    if talk is None or talk.state != "accepted" or talk.staff_id is None:
        return "sp-thread-gone"
    member = session.get(Member, talk.member_id)
    staff = session.get(Staff, talk.staff_id)
    if member is None or staff is None:
        return "sp-thread-gone"
    tz = centre_timezone(session, member.center_id)
    if member.telegram_user_id == telegram_user_id:
        if not staff.chat_id or not staff.reachable:
            return "sp-recipient-away"
        return Relay(thread, "member", member.pseudonym, member, staff.chat_id, staff.language, tz, None,
                     staff.id, staff.name, None, talk)
    if staff.telegram_user_id == telegram_user_id and staff.active:
        if member.status not in SETTLED:
            return "sp-recipient-away"
        return Relay(thread, "counsellor", staff.name, None, member.chat_id, member.language, member.timezone,
                     member.id, None, member.pseudonym, None, talk)
    return "sp-thread-gone"


def send_in_thread(session: Session, relay: Relay, body: str, now: datetime, lang: str, person: Person,
                   *, message_id: int | None = None, catalog_key: str | None = None) -> None:
    """Screen, relay and confirm one message. ``catalog_key``: a suggested message, in the recipient's language."""
    text = t(relay.recipient_lang, catalog_key) if catalog_key else body.strip()
    if not text:
        reply(session, person, lang, "sp-relay-empty", now)
        return
    if len(text) > MAX_RELAY_CHARS:
        reply(session, person, lang, "fallback-too-long", now)
        return
    swapped = relay.link is not None and relay.link.mentee_swap_at and relay.link.sponsor_swap_at
    if not swapped and relay.talk is None and contains_contact_details(text):
        reply(session, person, lang, "sp-relay-no-contacts", now)
        return
    if relay.sender_member is not None and catalog_key is None:
        result = safety.screen(session, relay.sender_member, now, text=text, source="sponsor_chat",
                               source_message_id=message_id)
        # Worrying words go to the counsellor (screen() escalated and answered kindly), never
        # on to a peer; a counsellor in a /talk thread still sees them.
        if relay.recipient_staff_id is None and safety.withheld(result):
            return
    pol = policy(session, relay.sender_member.center_id if relay.sender_member else _centre_of(session, relay))
    due = now if relay.talk is not None or _live(relay, now) else release_at(now, relay.recipient_tz,
                                                                              quiet_hours(pol))
    enqueue(session, chat_id=relay.recipient_chat, member_id=relay.recipient_member_id,
            staff_id=relay.recipient_staff_id, now=now, due_at=due, priority=Priority.REPLY, purpose="sp_relay",
            protect=relay.recipient_staff_id is None,  # a peer cannot forward or save it
            text=relay_text(relay.recipient_lang, relay.sender_role, relay.sender_label, text),
            extra={"sp_thread": relay.thread})
    if relay.link is not None:
        if relay.sender_role == "mentee":
            relay.link.mentee_last_at = now
        else:
            relay.link.sponsor_last_at = now
    if due > now:
        reply(session, person, lang, "sp-relay-sent-later", now, pseudonym=relay.recipient_label,
              time=local_hhmm(due, relay.recipient_tz))
    else:
        reply(session, person, lang, "sp-relay-sent", now, pseudonym=relay.recipient_label)


def _centre_of(session: Session, relay: Relay) -> int:
    if relay.link is not None:
        return relay.link.center_id
    return relay.talk.center_id if relay.talk is not None else 0


def _live(relay: Relay, now: datetime) -> bool:
    """The recipient wrote in this thread within the hour: they are awake and talking."""
    link = relay.link
    if link is None:
        return True
    last = link.sponsor_last_at if relay.sender_role == "mentee" else link.mentee_last_at
    return last is not None and now - last <= LIVE_THREAD


def encourage(ctx: ServiceContext, person: Person, args: str) -> None:
    """/encourage PSEUDONYM TEXT: a sponsor writes to one of their mentees."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        lang = person_language(session, person)
        sponsor = sponsor_of_person(session, person.telegram_user_id)
        parsed = parse_pseudonym(args)
        if sponsor is None:
            reply(session, person, lang, "sp-not-sponsor", now)
        elif parsed is None or not parsed[1]:
            reply(session, person, lang, "sp-encourage-how", now)
        else:
            link = _link_to_mentee(session, sponsor, parsed[0])
            relay = resolve_thread(session, f"link:{link.id}", person.telegram_user_id) if link else "sp-not-your-mentee"
            if isinstance(relay, str):
                reply(session, person, lang, relay, now, pseudonym=parsed[0])
            else:
                send_in_thread(session, relay, parsed[1], now, lang, person)
        session.commit()


def _link_to_mentee(session: Session, sponsor: Sponsor, pseudonym: str) -> SponsorLink | None:
    for link in spr.links_of_sponsor(session, sponsor.id or 0, ("active",)):
        mentee = session.get(Member, link.mentee_id)
        if mentee is not None and mentee.pseudonym.casefold() == pseudonym.casefold():
            return link
    return None


def reply_command(ctx: ServiceContext, person: Person, text: str) -> None:
    """/reply TEXT: answers the newest relayed message this person received (or their one thread)."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        lang = person_language(session, person)
        row = spr.latest_thread_row(session, person.chat_id)
        thread = (row.payload.get("sp_thread") if row else None) or _default_thread(session, person)
        if not text.strip():
            reply(session, person, lang, "sp-reply-how", now)
        elif thread is None:
            reply(session, person, lang, "sp-reply-nobody", now)
        else:
            relay = resolve_thread(session, thread, person.telegram_user_id)
            if isinstance(relay, str):
                reply(session, person, lang, relay, now, pseudonym="-")
            else:
                send_in_thread(session, relay, text, now, lang, person)
        session.commit()


def _default_thread(session: Session, person: Person) -> str | None:
    member = repo.member_by_telegram_id(session, person.telegram_user_id)
    link = spr.active_link_of_mentee(session, member.id or 0) if member else None
    if link is not None:
        return f"link:{link.id}"
    sponsor = sponsor_of_person(session, person.telegram_user_id)
    links = spr.links_of_sponsor(session, sponsor.id or 0, ("active",)) if sponsor else []
    return f"link:{links[0].id}" if len(links) == 1 else None


def thread_replied_to(session: Session, chat_id: int, reply_to_message_id: int) -> str | None:
    """The sponsor or talk thread of the relayed message a swipe-reply answers, or None (reads only)."""
    row = spr.thread_row(session, chat_id, reply_to_message_id)
    thread = row.payload.get("sp_thread") if row else None
    return thread if isinstance(thread, str) else None


def reply_in_thread(session: Session, person: Person, thread: str, text: str, now: datetime,
                    message_id: int | None) -> None:
    """A swipe-reply to one of our relayed messages goes back into its thread."""
    lang = person_language(session, person)
    relay = resolve_thread(session, thread, person.telegram_user_id)
    if isinstance(relay, str):
        reply(session, person, lang, relay, now, pseudonym="-")
    else:
        send_in_thread(session, relay, text, now, lang, person, message_id=message_id)


def send_suggestion(ctx: ServiceContext, person: Person, link_id: int, number: int) -> str | None:
    """The button under a missed-check-in ping: send the suggested words, in the mentee's language."""
    if number not in SUGGESTIONS:
        return "button-expired"
    now = ctx.clock.now()
    with ctx.uow() as session:
        relay = resolve_thread(session, f"link:{link_id}", person.telegram_user_id)
        if isinstance(relay, str) or relay.sender_role != "sponsor":
            return "button-expired"
        send_in_thread(session, relay, "", now, person_language(session, person), person,
                       catalog_key=f"sp-suggest-{number}")
        session.commit()
    return None


SUGGESTIONS = (1, 2, 3)


# --- swapping contacts ------------------------------------------------------------------------------

def swap_contacts(ctx: ServiceContext, person: Person, link_id: int, username: str | None) -> str | None:
    """One side opts in to swapping Telegram usernames; when both have, each gets the other's."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        link = session.get(SponsorLink, link_id)
        party = _link_party(session, person, link) if link else None
        if link is None or party is None:
            return "button-expired"
        if link.state != "active":
            return "sp-link-gone"
        lang = person_language(session, person)
        if not username:
            reply(session, person, lang, "sp-swap-no-username", now)
            session.commit()
            return None
        if party == "mentee":
            link.mentee_swap_at, link.mentee_username = now, username[:64]
        else:
            link.sponsor_swap_at, link.sponsor_username = now, username[:64]
        mentee = session.get(Member, link.mentee_id)
        sponsor = session.get(Sponsor, link.sponsor_id)
        side = sponsor_side(session, sponsor) if sponsor else None
        if mentee is None or side is None:
            return "button-expired"
        pol = policy(session, mentee.center_id)
        if link.mentee_swap_at and link.sponsor_swap_at:
            to_member(session, mentee, t(mentee.language, "sp-swap-done", pseudonym=side.pseudonym,
                                         username="@" + (link.sponsor_username or "")), now, pol=pol,
                      defer=party != "mentee", priority=Priority.REPLY)
            to_sponsor(session, side, t(side.language, "sp-swap-done", pseudonym=mentee.pseudonym,
                                        username="@" + (link.mentee_username or "")), now, pol=pol,
                       defer=party != "sponsor", priority=Priority.REPLY)
        else:
            other_lang = mentee.language if party == "sponsor" else side.language
            asker = side.pseudonym if party == "sponsor" else mentee.pseudonym
            text = t(other_lang, "sp-swap-asked", pseudonym=asker)
            buttons = [[(t(other_lang, "btn-sp-swap-yes"), encode("sp", "swap", link.id or 0))]]
            if party == "sponsor":
                to_member(session, mentee, text, now, pol=pol, buttons=buttons)
            else:
                to_sponsor(session, side, text, now, pol=pol, buttons=buttons)
            reply(session, person, lang, "sp-swap-waiting", now, pseudonym=_other_label(session, link, party))
        session.commit()
    return None


# --- sharing a check-in, by the mentee's explicit choice ----------------------------------------

def offer_share(ctx: ServiceContext, person: Person) -> None:
    """/share: show exactly what the sponsor would see, with a button to send it."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = repo.member_by_telegram_id(session, person.telegram_user_id)
        lang = person_language(session, person)
        link = spr.active_link_of_mentee(session, member.id or 0) if member else None
        checkin = _latest_completed(session, member, now) if member else None
        if member is None or link is None:
            reply(session, person, lang, "sp-no-sponsor", now)
        elif checkin is None:
            reply(session, person, lang, "sp-share-nothing", now, member_id=member.id)
        else:
            sponsor = session.get(Sponsor, link.sponsor_id)
            side = sponsor_side(session, sponsor) if sponsor else None
            preview = _shared_text(lang, member, checkin)
            reply(session, person, lang, "sp-share-preview", now, member_id=member.id,
                  sponsor=side.pseudonym if side else "-", preview=preview,
                  buttons=[[(t(lang, "btn-sp-share"), encode("sp", "share", checkin.id or 0))]])
        session.commit()


def _latest_completed(session: Session, member: Member, now: datetime) -> Checkin | None:
    today = local_date(now, member.timezone)
    rows = [c for c in repo.recent_checkins(session, member.id or 0, today, days=7) if c.status == "completed"]
    return rows[-1] if rows else None


def _shared_text(lang: str, member: Member, checkin: Checkin) -> str:
    used = t(lang, f"btn-use-{checkin.used}") if checkin.used in ("no", "yes", "undisclosed") else "-"
    return t(lang, "sp-shared-checkin", pseudonym=member.pseudonym, date=checkin.local_date.strftime("%d/%m"),
             mood=checkin.mood if checkin.mood is not None else "-",
             craving=checkin.craving if checkin.craving is not None else "-", used=used, note=checkin.note or "-")


def share_checkin(ctx: ServiceContext, person: Person, checkin_id: int) -> str | None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = repo.member_by_telegram_id(session, person.telegram_user_id)
        checkin = session.get(Checkin, checkin_id)
        if member is None or checkin is None or checkin.member_id != member.id or checkin.status != "completed":
            return "button-expired"
        link = spr.active_link_of_mentee(session, member.id or 0)
        relay = resolve_thread(session, f"link:{link.id}", person.telegram_user_id) if link else "sp-link-gone"
        if isinstance(relay, str):
            return "sp-link-gone"
        text = _shared_text(relay.recipient_lang, member, checkin)
        pol = policy(session, member.center_id)
        due = now if _live(relay, now) else release_at(now, relay.recipient_tz, quiet_hours(pol))
        enqueue(session, chat_id=relay.recipient_chat, member_id=relay.recipient_member_id, now=now, due_at=due,
                priority=Priority.REPLY, purpose="sp_relay", text=text, extra={"sp_thread": relay.thread})
        reply(session, person, member.language, "sp-share-sent", now, member_id=member.id,
              pseudonym=relay.recipient_label)
        session.commit()
    return None


# --- volunteers and the counsellor's commands -------------------------------------------------------

def new_volunteer_pseudonym(ctx: ServiceContext, session: Session, center_id: int) -> str:
    taken = repo.taken_pseudonyms(session, center_id) | spr.volunteer_pseudonyms(session, center_id)
    return generate_pseudonym(ctx.rng, taken)


def new_volunteer_code() -> str:
    return "vol-" + secrets.token_urlsafe(9).replace("_", "x").replace("-", "x")


def bind_volunteer(ctx: ServiceContext, person: Person, code: str) -> None:
    """/volunteer CODE: a centre volunteer connects their Telegram account."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        lang = person_language(session, person)
        volunteer = spr.volunteer_by_code(session, code.strip()) if code.strip() else None
        if volunteer is None:
            reply(session, person, lang, "sp-volunteer-bad-code", now)
        elif repo.member_by_telegram_id(session, person.telegram_user_id) is not None \
                or repo.staff_by_telegram_id(session, person.telegram_user_id) is not None \
                or spr.volunteer_by_telegram_id(session, person.telegram_user_id) is not None:
            reply(session, person, lang, "sp-volunteer-taken", now)
        else:
            volunteer.telegram_user_id, volunteer.chat_id, volunteer.link_code = (
                person.telegram_user_id, person.chat_id, None)
            reply(session, person, volunteer.language, "sp-volunteer-welcome", now,
                  pseudonym=volunteer.pseudonym or "-")
        session.commit()


def _audit(session: Session, person: Person, staff: Staff | None, action: str, now: datetime,
           member_id: int | None = None) -> None:
    session.add(AuditEntry(actor_telegram_id=person.telegram_user_id, staff_id=staff.id if staff else None,
                           member_id=member_id, action=action, created_at=now))


def staff_link(ctx: ServiceContext, person: Person, args: str) -> None:
    """/sponsorlink SPONSOR MENTEE (counsellors): propose a sponsor; the mentee is asked to agree."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = safety.staff_of(session, person.telegram_user_id)
        lang = person_language(session, person)
        if staff is None:
            _audit(session, person, None, "refused:sponsor_link", now)
            reply(session, person, lang, "staff-only", now)
            session.commit()
            return
        parsed = parse_two_pseudonyms(args)
        center = session.get(Center, staff.center_id)
        if parsed is None or center is None:
            reply(session, person, lang, "sp-staff-link-how", now)
            session.commit()
            return
        try:
            link, asked_at = propose_link(session, center, parsed[0], parsed[1], now, staff=staff)
        except LinkRefused as refused:
            reply(session, person, lang, "sp-staff-refused", now, reason=refused.text(lang))
        else:
            _audit(session, person, staff, "sponsor_link", now, member_id=link.mentee_id)
            if asked_at > now:  # the mentee's quiet hours: the question waits for the morning
                reply(session, person, lang, "sp-staff-proposed-later", now, sponsor=parsed[0], pseudonym=parsed[1],
                      time=local_clock_time(asked_at, member_timezone(session, link.mentee_id, center)))
            else:
                reply(session, person, lang, "sp-staff-proposed", now, sponsor=parsed[0], pseudonym=parsed[1])
        session.commit()


def staff_unlink(ctx: ServiceContext, person: Person, args: str) -> None:
    """/sponsorunlink MENTEE (counsellors): end the mentee's sponsorship."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = safety.staff_of(session, person.telegram_user_id)
        lang = person_language(session, person)
        parsed = parse_pseudonym(args)
        mentee = repo.member_by_pseudonym(session, staff.center_id, parsed[0]) if staff and parsed else None
        link = spr.live_link_of_mentee(session, mentee.id or 0) if mentee else None
        if staff is None:
            _audit(session, person, None, "refused:sponsor_unlink", now)
            reply(session, person, lang, "staff-only", now)
        elif link is None:
            reply(session, person, lang, "sp-staff-no-link", now, pseudonym=parsed[0] if parsed else "-")
        else:
            end_link(session, link, "staff", now)
            _audit(session, person, staff, "sponsor_unlink", now, member_id=link.mentee_id)
            reply(session, person, lang, "sp-staff-unlinked", now, pseudonym=parsed[0] if parsed else "-")
        session.commit()
