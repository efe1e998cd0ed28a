"""Relayed messages between a sponsor and a mentee (or a member and counsellor in a /talk chat).

Every message is built by :func:`relay_text` from a pseudonym (or a counsellor's name) and the
words typed, so no Telegram id, name or username can cross until both sides opted in to swap
contacts. A thread is ``link:<id>`` or ``talk:<id>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.gaps import release_at
from bot.domain.outgoing import Priority
from bot.domain.relay import contains_contact_details
from bot.domain.sponsorship import (
    MAX_RELAY_CHARS,
    parse_pseudonym,
)
from bot.i18n import t
from bot.services import safety
from bot.services.access import person_language
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from bot.services.sponsors.common import (
    SETTLED,
    centre_timezone,
    local_hhmm,
    policy,
    quiet_hours,
    reply,
    sponsor_of_person,
    sponsor_side,
)
from storage.people import queries as people_db
from storage.people.tables import Member, Staff
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import LinkState, Sponsor, SponsorLink, TalkRequest, TalkState

# A relayed message waits for the recipient's morning, unless they wrote in this thread lately.
LIVE_THREAD = timedelta(minutes=60)


SUGGESTIONS = (1, 2, 3)


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
    if link is None or link.state != LinkState.ACTIVE:
        return "sp-thread-gone"
    mentee = session.get(Member, link.mentee_id)
    sponsor = session.get(Sponsor, link.sponsor_id)
    side = sponsor_side(session, sponsor) if sponsor else None
    if mentee is None or side is None:
        return "sp-thread-gone"
    if mentee.telegram_user_id == telegram_user_id:
        if side.chat_id is None:
            return "sp-recipient-away"
        return Relay(
            thread,
            "mentee",
            mentee.pseudonym,
            mentee,
            side.chat_id,
            side.language,
            side.timezone,
            side.member_id,
            None,
            side.pseudonym,
            link,
            None,
        )
    if side.telegram_user_id == telegram_user_id:
        if mentee.status not in SETTLED:
            return "sp-recipient-away"
        sponsor_member = session.get(Member, side.member_id) if side.member_id else None
        return Relay(
            thread,
            "sponsor",
            side.pseudonym,
            sponsor_member,
            mentee.chat_id,
            mentee.language,
            mentee.timezone,
            mentee.id,
            None,
            mentee.pseudonym,
            link,
            None,
        )
    return "sp-thread-gone"


def _talk_relay(session: Session, talk: TalkRequest | None, telegram_user_id: int, thread: str) -> Relay | str:
    if talk is None or talk.state != TalkState.ACCEPTED or talk.staff_id is None:
        return "sp-thread-gone"
    member = session.get(Member, talk.member_id)
    staff = session.get(Staff, talk.staff_id)
    if member is None or staff is None:
        return "sp-thread-gone"
    tz = centre_timezone(session, member.center_id)
    if member.telegram_user_id == telegram_user_id:
        if not staff.chat_id or not staff.reachable:
            return "sp-recipient-away"
        return Relay(
            thread,
            "member",
            member.pseudonym,
            member,
            staff.chat_id,
            staff.language,
            tz,
            None,
            staff.id,
            staff.name,
            None,
            talk,
        )
    if staff.telegram_user_id == telegram_user_id and staff.active:
        if member.status not in SETTLED:
            return "sp-recipient-away"
        return Relay(
            thread,
            "counsellor",
            staff.name,
            None,
            member.chat_id,
            member.language,
            member.timezone,
            member.id,
            None,
            member.pseudonym,
            None,
            talk,
        )
    return "sp-thread-gone"


def send_in_thread(
    session: Session,
    relay: Relay,
    body: str,
    now: datetime,
    lang: str,
    person: Person,
    *,
    message_id: int | None = None,
    catalog_key: str | None = None,
) -> None:
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
        result = safety.screen(
            session, relay.sender_member, now, text=text, source="sponsor_chat", source_message_id=message_id
        )
        # Worrying words go to the counsellor (screen() escalated and answered kindly), never
        # on to a peer; a counsellor in a /talk thread still sees them.
        if relay.recipient_staff_id is None and safety.withheld(result):
            return
    pol = policy(session, relay.sender_member.center_id if relay.sender_member else _centre_of(session, relay))
    due = (
        now if relay.talk is not None or is_live(relay, now) else release_at(now, relay.recipient_tz, quiet_hours(pol))
    )
    enqueue(
        session,
        chat_id=relay.recipient_chat,
        member_id=relay.recipient_member_id,
        staff_id=relay.recipient_staff_id,
        now=now,
        due_at=due,
        priority=Priority.REPLY,
        purpose="sp_relay",
        protect=relay.recipient_staff_id is None,  # a peer cannot forward or save it
        text=relay_text(relay.recipient_lang, relay.sender_role, relay.sender_label, text),
        sponsor_thread=relay.thread,
    )
    if relay.link is not None:
        if relay.sender_role == "mentee":
            relay.link.mentee_last_at = now
        else:
            relay.link.sponsor_last_at = now
    if due > now:
        reply(
            session,
            person,
            lang,
            "sp-relay-sent-later",
            now,
            pseudonym=relay.recipient_label,
            time=local_hhmm(due, relay.recipient_tz),
        )
    else:
        reply(session, person, lang, "sp-relay-sent", now, pseudonym=relay.recipient_label)


def _centre_of(session: Session, relay: Relay) -> int:
    if relay.link is not None:
        return relay.link.center_id
    return relay.talk.center_id if relay.talk is not None else 0


def is_live(relay: Relay, now: datetime) -> bool:
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
            relay = (
                resolve_thread(session, f"link:{link.id}", person.telegram_user_id) if link else "sp-not-your-mentee"
            )
            if isinstance(relay, str):
                reply(session, person, lang, relay, now, pseudonym=parsed[0])
            else:
                send_in_thread(session, relay, parsed[1], now, lang, person)
        session.commit()


def _link_to_mentee(session: Session, sponsor: Sponsor, pseudonym: str) -> SponsorLink | None:
    for link in sponsors_db.links_of_sponsor(session, sponsor.id or 0, (LinkState.ACTIVE,)):
        mentee = session.get(Member, link.mentee_id)
        if mentee is not None and mentee.pseudonym.casefold() == pseudonym.casefold():
            return link
    return None


def reply_command(ctx: ServiceContext, person: Person, text: str) -> None:
    """/reply TEXT: answers the newest relayed message this person received (or their one thread)."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        lang = person_language(session, person)
        thread = sponsors_db.latest_thread(session, person.chat_id) or _default_thread(session, person)
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
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    link = sponsors_db.active_link_of_mentee(session, member.id or 0) if member else None
    if link is not None:
        return f"link:{link.id}"
    sponsor = sponsor_of_person(session, person.telegram_user_id)
    links = sponsors_db.links_of_sponsor(session, sponsor.id or 0, (LinkState.ACTIVE,)) if sponsor else []
    return f"link:{links[0].id}" if len(links) == 1 else None


def thread_replied_to(session: Session, chat_id: int, reply_to_message_id: int) -> str | None:
    """The sponsor or talk thread of the relayed message a swipe-reply answers, or None (reads only)."""
    return sponsors_db.thread_replied_to(session, chat_id, reply_to_message_id)


def reply_in_thread(
    session: Session, person: Person, thread: str, text: str, now: datetime, message_id: int | None
) -> None:
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
        send_in_thread(
            session, relay, "", now, person_language(session, person), person, catalog_key=f"sp-suggest-{number}"
        )
        session.commit()
    return None
