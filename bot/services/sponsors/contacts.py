"""What crosses to the other side only by choice: swapped usernames, and a check-in the mentee shares."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.callbacks import encode
from bot.domain.gaps import release_at
from bot.domain.outgoing import Priority
from bot.domain.scheduling import local_date
from bot.i18n import t
from bot.services.access import person_language
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from bot.services.sponsors.common import (
    link_party,
    other_label,
    policy,
    quiet_hours,
    reply,
    sponsor_side,
    to_member,
    to_sponsor,
)
from bot.services.sponsors.threads import is_live, resolve_thread
from storage.checkins import queries as checkins_db
from storage.checkins.tables import Checkin, CheckinStatus
from storage.people import queries as people_db
from storage.people.tables import Member
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import LinkState, Sponsor, SponsorLink


def swap_contacts(ctx: ServiceContext, person: Person, link_id: int, username: str | None) -> str | None:
    """One side opts in to swapping Telegram usernames; when both have, each gets the other's."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        link = session.get(SponsorLink, link_id)
        party = link_party(session, person, link) if link else None
        if link is None or party is None:
            return "button-expired"
        if link.state != LinkState.ACTIVE:
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
            to_member(
                session,
                mentee,
                t(
                    mentee.language,
                    "sp-swap-done",
                    pseudonym=side.pseudonym,
                    username="@" + (link.sponsor_username or ""),
                ),
                now,
                pol=pol,
                defer=party != "mentee",
                priority=Priority.REPLY,
            )
            to_sponsor(
                session,
                side,
                t(
                    side.language,
                    "sp-swap-done",
                    pseudonym=mentee.pseudonym,
                    username="@" + (link.mentee_username or ""),
                ),
                now,
                pol=pol,
                defer=party != "sponsor",
                priority=Priority.REPLY,
            )
        else:
            other_lang = mentee.language if party == "sponsor" else side.language
            asker = side.pseudonym if party == "sponsor" else mentee.pseudonym
            text = t(other_lang, "sp-swap-asked", pseudonym=asker)
            buttons = [[(t(other_lang, "btn-sp-swap-yes"), encode("sp", "swap", link.id or 0))]]
            if party == "sponsor":
                to_member(session, mentee, text, now, pol=pol, buttons=buttons)
            else:
                to_sponsor(session, side, text, now, pol=pol, buttons=buttons)
            reply(session, person, lang, "sp-swap-waiting", now, pseudonym=other_label(session, link, party))
        session.commit()
    return None


def offer_share(ctx: ServiceContext, person: Person) -> None:
    """/share: show exactly what the sponsor would see, with a button to send it."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        lang = person_language(session, person)
        link = sponsors_db.active_link_of_mentee(session, member.id or 0) if member else None
        checkin = _latest_completed(session, member, now) if member else None
        if member is None or link is None:
            reply(session, person, lang, "sp-no-sponsor", now)
        elif checkin is None:
            reply(session, person, lang, "sp-share-nothing", now, member_id=member.id)
        else:
            sponsor = session.get(Sponsor, link.sponsor_id)
            side = sponsor_side(session, sponsor) if sponsor else None
            preview = _shared_text(lang, member, checkin)
            reply(
                session,
                person,
                lang,
                "sp-share-preview",
                now,
                member_id=member.id,
                sponsor=side.pseudonym if side else "-",
                preview=preview,
                buttons=[[(t(lang, "btn-sp-share"), encode("sp", "share", checkin.id or 0))]],
            )
        session.commit()


def _latest_completed(session: Session, member: Member, now: datetime) -> Checkin | None:
    today = local_date(now, member.timezone)
    rows = [
        c
        for c in checkins_db.recent_checkins(session, member.id or 0, today, days=7)
        if c.status == CheckinStatus.COMPLETED
    ]
    return rows[-1] if rows else None


def _shared_text(lang: str, member: Member, checkin: Checkin) -> str:
    used = t(lang, f"btn-use-{checkin.used}") if checkin.used in ("no", "yes", "undisclosed") else "-"
    return t(
        lang,
        "sp-shared-checkin",
        pseudonym=member.pseudonym,
        date=checkin.local_date.strftime("%d/%m"),
        mood=checkin.mood if checkin.mood is not None else "-",
        craving=checkin.craving if checkin.craving is not None else "-",
        used=used,
        note=checkin.note or "-",
    )


def share_checkin(ctx: ServiceContext, person: Person, checkin_id: int) -> str | None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        checkin = session.get(Checkin, checkin_id)
        if (
            member is None
            or checkin is None
            or checkin.member_id != member.id
            or checkin.status != CheckinStatus.COMPLETED
        ):
            return "button-expired"
        link = sponsors_db.active_link_of_mentee(session, member.id or 0)
        relay = resolve_thread(session, f"link:{link.id}", person.telegram_user_id) if link else "sp-link-gone"
        if isinstance(relay, str):
            return "sp-link-gone"
        text = _shared_text(relay.recipient_lang, member, checkin)
        pol = policy(session, member.center_id)
        due = now if is_live(relay, now) else release_at(now, relay.recipient_tz, quiet_hours(pol))
        enqueue(
            session,
            chat_id=relay.recipient_chat,
            member_id=relay.recipient_member_id,
            now=now,
            due_at=due,
            priority=Priority.REPLY,
            purpose="sp_relay",
            text=text,
            sponsor_thread=relay.thread,
        )
        reply(
            session, person, member.language, "sp-share-sent", now, member_id=member.id, pseudonym=relay.recipient_label
        )
        session.commit()
    return None
