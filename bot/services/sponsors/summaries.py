"""What a sponsor sees of their mentees (pseudonym, the week's check-in days, the streak), and /sponsor."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.callbacks import encode
from bot.domain.scheduling import local_date
from bot.domain.sponsorship import week_row
from bot.domain.streaks import checkin_streak
from bot.i18n import t
from bot.services.access import person_language
from bot.services.context import Person, ServiceContext
from bot.services.sponsors.common import (
    SETTLED,
    policy,
    reply,
    sponsor_of_person,
    sponsor_side,
)
from bot.services.sponsors.links import ask_mentee
from storage.checkins import queries as checkins_db
from storage.people import queries as people_db
from storage.people.tables import Member
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import LinkState, Sponsor, SponsorLink

STREAK_LOOKBACK_DAYS = 400


def mentee_line(session: Session, mentee: Member, lang: str, now: datetime) -> str:
    """Pseudonym, the week as ✅/⬜ and the streak. Built from check-in *days* only."""
    today = local_date(now, mentee.timezone)
    since = today - timedelta(days=STREAK_LOOKBACK_DAYS)
    days = checkins_db.completed_checkin_days(session, mentee.id or 0, since)
    return t(
        lang, "sp-mentee-line", pseudonym=mentee.pseudonym, week=week_row(days, today), days=checkin_streak(days, today)
    )


def mentees_text(session: Session, sponsor: Sponsor, lang: str, now: datetime) -> tuple[str, list[SponsorLink]]:
    links = list(sponsors_db.links_of_sponsor(session, sponsor.id or 0))
    active = [link for link in links if link.state == LinkState.ACTIVE]
    lines = []
    for link in active:
        mentee = session.get(Member, link.mentee_id)
        if mentee is not None:
            lines.append(mentee_line(session, mentee, lang, now))
    for link in links:
        if link.state == LinkState.PROPOSED:
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
                buttons.append(
                    [
                        (t(lang, "btn-sp-swap-with", pseudonym=label), encode("sp", "swap", link.id or 0)),
                        (t(lang, "btn-sp-end-with", pseudonym=label), encode("sp", "end", link.id or 0)),
                    ]
                )
            reply(session, person, lang, "sp-mentees", now, lines=body, buttons=buttons or None)
        session.commit()


def show_my_sponsor(ctx: ServiceContext, person: Person) -> None:
    """/sponsor for a mentee: who, what they see, swap contacts, end."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status not in SETTLED:
            reply(session, person, person_language(session, person), "sp-no-sponsor", now)
            session.commit()
            return
        lang = member.language
        link = sponsors_db.live_link_of_mentee(session, member.id or 0)
        sponsor = session.get(Sponsor, link.sponsor_id) if link else None
        side = sponsor_side(session, sponsor) if sponsor else None
        if link is None or side is None:
            reply(session, person, lang, "sp-no-sponsor", now, member_id=member.id)
        elif link.state == LinkState.PROPOSED:
            ask_mentee(session, member, link, side.pseudonym, now, policy(session, member.center_id), defer=False)
        else:
            reply(
                session,
                person,
                lang,
                "sp-your-sponsor",
                now,
                member_id=member.id,
                sponsor=side.pseudonym,
                buttons=[
                    [(t(lang, "btn-sp-swap"), encode("sp", "swap", link.id or 0))],
                    [(t(lang, "btn-sp-end"), encode("sp", "end", link.id or 0))],
                ],
            )
        session.commit()
