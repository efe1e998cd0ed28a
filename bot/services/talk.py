""" "I need to talk": the member picks their sponsor or counsellor, who gets a button to start an
anonymous relayed chat. A sponsor who does not answer in time (30 minutes by default) has the
request offered to the counsellor as well.

Over-reliance on peers is a known risk: after a few sponsor-only requests in a week the member
is gently offered a session with their counsellor too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.callbacks import encode
from bot.domain.gaps import release_at, suggest_counsellor
from bot.domain.outgoing import Priority
from bot.i18n import t
from bot.services import views
from bot.services.access import person_language
from bot.services.context import Person, ServiceContext
from bot.services.sponsors.common import (
    SETTLED,
    SponsorSide,
    centre_timezone,
    counsellor_for,
    local_hhmm,
    policy,
    quiet_hours,
    reply,
    sponsor_of_person,
    sponsor_side,
    to_member,
    to_sponsor,
    to_staff,
)
from storage.people import queries as people_db
from storage.people.tables import Center, Member, Staff
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import LinkState, Sponsor, SponsorLink, TalkRequest, TalkState

WEEK = timedelta(days=7)
# A second request for the same person within this time is "still waiting", not a new ping.
STILL_WAITING = timedelta(hours=2)


def _member(session: Session, person: Person) -> Member | None:
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    return member if member is not None and member.status in SETTLED else None


def _sponsor_of(session: Session, member: Member) -> tuple[SponsorLink, SponsorSide] | None:
    link = sponsors_db.active_link_of_mentee(session, member.id or 0)
    sponsor = session.get(Sponsor, link.sponsor_id) if link else None
    side = sponsor_side(session, sponsor) if sponsor else None
    if link is None or side is None or not side.reachable:
        return None
    return link, side


def open_talk(ctx: ServiceContext, person: Person) -> None:
    """The menu button and /talk: whom would you like to talk to?"""
    now = ctx.clock.now()
    with ctx.uow() as session:
        offer_choices(session, person, now)
        session.commit()


def offer_choices(session: Session, person: Person, now: datetime) -> None:
    member = _member(session, person)
    if member is None:
        staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
        reply(
            session,
            person,
            person_language(session, person),
            "staff-not-member" if staff is not None else "onboard-finish-first",
            now,
        )
        return
    lang = member.language
    buttons = []
    sponsor = _sponsor_of(session, member)
    if sponsor is not None:
        buttons.append([(t(lang, "btn-sp-talk-sponsor", sponsor=sponsor[1].pseudonym), encode("sp", "talk", "s"))])
    buttons.append([(t(lang, "btn-sp-talk-counsellor"), encode("sp", "talk", "c"))])
    center = session.get(Center, member.center_id)
    reply(
        session,
        person,
        lang,
        "sp-talk-choose",
        now,
        member_id=member.id,
        buttons=buttons,
        helplines=views.helplines(center, lang),
    )


def choose(ctx: ServiceContext, person: Person, target: str) -> str | None:
    """The member picked "s" (sponsor) or "c" (counsellor)."""
    if target not in ("s", "c"):
        return "button-expired"
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = _member(session, person)
        if member is None:
            return "button-expired"
        waiting = sponsors_db.waiting_talk_of_member(session, member.id or 0)
        if (
            waiting is not None
            and waiting.target == ("sponsor" if target == "s" else "counsellor")
            and now - waiting.created_at < STILL_WAITING
        ):
            reply(session, person, member.language, "sp-talk-already", now, member_id=member.id)
            session.commit()
            return None
        if target == "s":
            toast = _ask_sponsor(session, person, member, now)
        else:
            toast = _ask_counsellor(session, person, member, now)
        session.commit()
    return toast


def _ask_sponsor(session: Session, person: Person, member: Member, now: datetime) -> str | None:
    found = _sponsor_of(session, member)
    if found is None:
        return "sp-link-gone"
    link, side = found
    pol = policy(session, member.center_id)
    ping_at = release_at(now, side.timezone, quiet_hours(pol))
    talk = TalkRequest(
        member_id=member.id or 0,
        center_id=member.center_id,
        target="sponsor",
        link_id=link.id,
        ping_due_at=ping_at,
        respond_by=ping_at + timedelta(minutes=pol.talk_wait_minutes),
        created_at=now,
    )
    session.add(talk)
    session.flush()
    to_sponsor(
        session,
        side,
        t(side.language, "sp-talk-ping-sponsor", pseudonym=member.pseudonym),
        now,
        pol=pol,
        purpose="sp_talk",
        thread=f"link:{link.id}",
        priority=Priority.REPLY,
        buttons=[[(t(side.language, "btn-sp-start-chat"), encode("sp", "start", talk.id or 0))]],
    )
    lang = member.language
    if ping_at > now:
        reply(
            session,
            person,
            lang,
            "sp-talk-sent-sponsor-night",
            now,
            member_id=member.id,
            sponsor=side.pseudonym,
            time=local_hhmm(ping_at, side.timezone),
            buttons=[[(t(lang, "btn-sp-talk-counsellor"), encode("sp", "talk", "c"))]],
        )
    else:
        reply(
            session,
            person,
            lang,
            "sp-talk-sent-sponsor",
            now,
            member_id=member.id,
            sponsor=side.pseudonym,
            minutes=pol.talk_wait_minutes,
        )
    _maybe_suggest_counsellor(session, person, member, talk, now)
    return None


def _maybe_suggest_counsellor(
    session: Session, person: Person, member: Member, talk: TalkRequest, now: datetime
) -> None:
    week = sponsors_db.talk_requests_since(session, member.id or 0, now - WEEK)
    sponsor_requests = sum(1 for r in week if r.target == "sponsor")
    counsellor_requests = sum(1 for r in week if r.target == "counsellor")
    suggested = any(r.suggested_counsellor for r in week)
    if suggest_counsellor(sponsor_requests, counsellor_requests, suggested):
        talk.suggested_counsellor = True
        lang = member.language
        reply(
            session,
            person,
            lang,
            "sp-talk-suggest-counsellor",
            now,
            member_id=member.id,
            buttons=[[(t(lang, "btn-sp-ask-session"), encode("sp", "sess"))]],
        )


def _ask_counsellor(session: Session, person: Person, member: Member, now: datetime) -> str | None:
    lang = member.language
    staff = counsellor_for(session, member)
    center = session.get(Center, member.center_id)
    if staff is None:
        reply(
            session,
            person,
            lang,
            "craving-reach-out-none",
            now,
            member_id=member.id,
            helplines=views.helplines(center, lang),
        )
        return None
    talk = TalkRequest(
        member_id=member.id or 0, center_id=member.center_id, target="counsellor", ping_due_at=now, created_at=now
    )
    session.add(talk)
    session.flush()
    _ping_counsellor(session, staff, member, talk, now, "sp-talk-ping-staff")
    reply(
        session,
        person,
        lang,
        "sp-talk-sent-counsellor",
        now,
        member_id=member.id,
        name=staff.name,
        helplines=views.helplines(center, lang),
    )
    return None


def _ping_counsellor(
    session: Session, staff: Staff, member: Member, talk: TalkRequest, now: datetime, key: str
) -> None:
    """A member asking for a person is never held for the morning."""
    lang = staff.language
    to_staff(
        session,
        staff,
        t(lang, key, pseudonym=member.pseudonym, name=member.display_name or "-"),
        now,
        tz=centre_timezone(session, member.center_id),
        pol=policy(session, member.center_id),
        defer=False,
        priority=Priority.URGENT,
        purpose="sp_talk",
        buttons=[[(t(lang, "btn-sp-start-chat"), encode("sp", "start", talk.id or 0))]],
    )


def run_timeouts(ctx: ServiceContext, limit: int = 200) -> int:
    """Sponsor requests nobody answered in time: offer them to the counsellor as well."""
    now = ctx.clock.now()
    offered = 0
    with ctx.uow() as session:
        for talk in sponsors_db.talks_past_wait(session, now, limit):
            talk.counsellor_offered_at = now
            member = session.get(Member, talk.member_id)
            if member is None or member.status not in SETTLED:
                continue
            staff = counsellor_for(session, member)
            pol = policy(session, member.center_id)
            if staff is None:
                continue
            _ping_counsellor(session, staff, member, talk, now, "sp-talk-offer-staff")
            link = session.get(SponsorLink, talk.link_id) if talk.link_id else None
            sponsor = session.get(Sponsor, link.sponsor_id) if link else None
            side = sponsor_side(session, sponsor) if sponsor else None
            to_member(
                session,
                member,
                t(
                    member.language,
                    "sp-talk-offered-counsellor",
                    sponsor=side.pseudonym if side else "-",
                    name=staff.name,
                ),
                now,
                pol=pol,
                defer=False,
                priority=Priority.REPLY,
            )
            offered += 1
        session.commit()
    return offered


def start_chat(ctx: ServiceContext, person: Person, talk_id: int) -> str | None:
    """The sponsor or counsellor pressed "Start chat": first to press opens the relayed chat."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        talk = session.get(TalkRequest, talk_id)
        member = session.get(Member, talk.member_id) if talk else None
        if talk is None or member is None:
            return "button-expired"
        staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
        sponsor = sponsor_of_person(session, person.telegram_user_id)
        link = session.get(SponsorLink, talk.link_id) if talk.link_id else None
        is_sponsor = (
            sponsor is not None
            and link is not None
            and link.sponsor_id == sponsor.id
            and link.state == LinkState.ACTIVE
        )
        is_staff = (
            staff is not None
            and staff.active
            and staff.center_id == member.center_id
            and (talk.target == "counsellor" or talk.counsellor_offered_at is not None)
        )
        if not (is_sponsor or is_staff):
            return "button-expired"
        if talk.state != TalkState.WAITING or member.status not in SETTLED:
            return "sp-talk-taken"
        talk.state, talk.accepted_at = TalkState.ACCEPTED, now
        pol = policy(session, member.center_id)
        if is_sponsor and link is not None and sponsor is not None:
            side = sponsor_side(session, sponsor)
            assert side is not None
            talk.accepted_by = "sponsor"
            thread = f"link:{link.id}"
            link.sponsor_last_at = now
            to_member(
                session,
                member,
                t(member.language, "sp-talk-connected-member", sponsor=side.pseudonym),
                now,
                pol=pol,
                defer=False,
                priority=Priority.REPLY,
                purpose="sp_talk",
                thread=thread,
            )
            to_sponsor(
                session,
                side,
                t(side.language, "sp-talk-connected-sponsor", pseudonym=member.pseudonym),
                now,
                pol=pol,
                defer=False,
                priority=Priority.REPLY,
                purpose="sp_talk",
                thread=thread,
            )
        elif staff is not None:
            talk.accepted_by, talk.staff_id = "staff", staff.id
            thread = f"talk:{talk.id}"
            end = [[(t(member.language, "btn-sp-end-chat"), encode("sp", "tend", talk.id or 0))]]
            to_member(
                session,
                member,
                t(member.language, "sp-talk-connected-member-staff", name=staff.name),
                now,
                pol=pol,
                defer=False,
                priority=Priority.REPLY,
                purpose="sp_talk",
                thread=thread,
                buttons=end,
            )
            to_staff(
                session,
                staff,
                t(staff.language, "sp-talk-connected-staff", pseudonym=member.pseudonym),
                now,
                tz=centre_timezone(session, member.center_id),
                pol=pol,
                defer=False,
                priority=Priority.REPLY,
                purpose="sp_talk",
                thread=thread,
                buttons=[[(t(staff.language, "btn-sp-end-chat"), encode("sp", "tend", talk.id or 0))]],
            )
        session.commit()
    return None


def end_chat(ctx: ServiceContext, person: Person, talk_id: int) -> str | None:
    """Either side ends a counsellor chat."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        talk = session.get(TalkRequest, talk_id)
        member = session.get(Member, talk.member_id) if talk else None
        staff = session.get(Staff, talk.staff_id) if talk and talk.staff_id else None
        if talk is None or member is None or staff is None:
            return "button-expired"
        if person.telegram_user_id not in (member.telegram_user_id, staff.telegram_user_id):
            return "button-expired"
        if talk.state != TalkState.ACCEPTED:
            return "sp-thread-gone"
        talk.state, talk.ended_at = TalkState.ENDED, now
        pol = policy(session, member.center_id)
        to_member(
            session,
            member,
            t(member.language, "sp-talk-ended-member", name=staff.name),
            now,
            pol=pol,
            defer=False,
            priority=Priority.REPLY,
        )
        to_staff(
            session,
            staff,
            t(staff.language, "sp-talk-ended-staff", pseudonym=member.pseudonym),
            now,
            tz=centre_timezone(session, member.center_id),
            pol=pol,
            defer=False,
            priority=Priority.REPLY,
        )
        session.commit()
    return None


def ask_session(ctx: ServiceContext, person: Person) -> str | None:
    """The member took up the suggestion: their counsellor is asked to offer a session."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = _member(session, person)
        if member is None:
            return "button-expired"
        staff = counsellor_for(session, member)
        center = session.get(Center, member.center_id)
        if staff is None:
            reply(
                session,
                person,
                member.language,
                "craving-reach-out-none",
                now,
                member_id=member.id,
                helplines=views.helplines(center, member.language),
            )
        else:
            to_staff(
                session,
                staff,
                t(staff.language, "sp-session-request", pseudonym=member.pseudonym, name=member.display_name or "-"),
                now,
                tz=centre_timezone(session, member.center_id),
                pol=policy(session, member.center_id),
            )
            reply(session, person, member.language, "sp-session-asked", now, member_id=member.id, name=staff.name)
        session.commit()
    return None
