"""Linking a sponsor and a mentee with the mentee's consent, and ending a link (either side or staff)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.callbacks import encode
from bot.domain.gaps import next_weekly
from bot.domain.scheduling import local_clock_time, local_date
from bot.domain.sponsorship import (
    SponsorPolicy,
    parse_pseudonym,
    parse_two_pseudonyms,
    sponsor_eligible,
)
from bot.i18n import t
from bot.services import safety
from bot.services.access import person_language
from bot.services.context import Person, ServiceContext
from bot.services.sponsors.common import (
    SETTLED,
    audit,
    centre_timezone,
    counsellor_for,
    days_in_recovery,
    link_party,
    member_timezone,
    other_label,
    policy,
    reply,
    sponsor_side,
    to_member,
    to_sponsor,
    to_staff,
)
from storage.people import queries as people_db
from storage.people.tables import Center, Member, MemberStatus, Staff
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import LinkState, Sponsor, SponsorLink, TalkState


class LinkRefused(Exception):
    """Why a link cannot be made, as a catalog id and its arguments."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args

    def text(self, lang: str) -> str:
        return t(lang, self.key, **self.args_)


def resolve_sponsor(
    session: Session, center: Center, pseudonym: str, mentee: Member, now: datetime, pol: SponsorPolicy
) -> Sponsor:
    """The sponsor row for a pseudonym: an eligible member (created on first use) or a volunteer."""
    member = people_db.member_by_pseudonym(session, center.id or 0, pseudonym)
    if member is None:
        volunteer = sponsors_db.volunteer_by_pseudonym(session, center.id or 0, pseudonym)
        if volunteer is None or not volunteer.active:
            raise LinkRefused("sp-err-no-sponsor", pseudonym=pseudonym)
        return volunteer
    if member.id == mentee.id:
        raise LinkRefused("sp-err-self")
    if member.status != MemberStatus.ACTIVE:
        raise LinkRefused("sp-err-sponsor-inactive", pseudonym=member.pseudonym)
    today = local_date(now, member.timezone)
    in_programme = (today - local_date(member.created_at, member.timezone)).days
    if not sponsor_eligible(days_in_recovery(member, today), in_programme, pol.min_sponsor_days):
        raise LinkRefused("sp-err-too-soon", pseudonym=member.pseudonym, days=pol.min_sponsor_days)
    sponsor = sponsors_db.sponsor_of_member(session, member.id or 0)
    if sponsor is None:  # stored only once the link is made
        sponsor = Sponsor(
            center_id=center.id or 0, kind="member", member_id=member.id, language=member.language, created_at=now
        )
    return sponsor


def propose_link(
    session: Session,
    center: Center,
    sponsor_pseudonym: str,
    mentee_pseudonym: str,
    now: datetime,
    *,
    staff: Staff | None = None,
) -> tuple[SponsorLink, datetime]:
    """Propose a sponsor to a mentee; the mentee is asked to agree before anything is shared.
    Returns the link and when the question goes out (after the mentee's quiet hours, or now)."""
    pol = policy(session, center.id or 0)
    mentee = people_db.member_by_pseudonym(session, center.id or 0, mentee_pseudonym)
    if mentee is None:
        raise LinkRefused("sp-err-no-member", pseudonym=mentee_pseudonym)
    if mentee.status not in SETTLED:
        raise LinkRefused("sp-err-mentee-inactive", pseudonym=mentee.pseudonym)
    sponsor = resolve_sponsor(session, center, sponsor_pseudonym, mentee, now, pol)
    side = sponsor_side(session, sponsor)
    assert side is not None
    current = sponsors_db.live_link_of_mentee(session, mentee.id or 0)
    if current is not None:
        current_sponsor = session.get(Sponsor, current.sponsor_id)
        current_side = sponsor_side(session, current_sponsor) if current_sponsor else None
        raise LinkRefused(
            "sp-err-has-sponsor", pseudonym=mentee.pseudonym, sponsor=current_side.pseudonym if current_side else "-"
        )
    if sponsor.id is not None and sponsors_db.count_live_links(session, sponsor.id) >= pol.max_mentees:
        raise LinkRefused("sp-err-full", pseudonym=side.pseudonym, count=pol.max_mentees)
    if sponsor.member_id is not None:
        reverse = sponsors_db.active_link_of_mentee(session, sponsor.member_id)
        mentee_as_sponsor = sponsors_db.sponsor_of_member(session, mentee.id or 0)
        if reverse is not None and mentee_as_sponsor is not None and reverse.sponsor_id == mentee_as_sponsor.id:
            raise LinkRefused("sp-err-cycle")
    sponsor.active = True
    if sponsor.id is None:
        session.add(sponsor)
        session.flush()
    link = SponsorLink(
        center_id=center.id or 0,
        sponsor_id=sponsor.id or 0,
        mentee_id=mentee.id or 0,
        state=LinkState.PROPOSED,
        proposed_by=staff.id if staff else None,
        created_at=now,
    )
    session.add(link)
    session.flush()
    asked_at = ask_mentee(session, mentee, link, side.pseudonym, now, pol)
    return link, asked_at or now


def ask_mentee(
    session: Session,
    mentee: Member,
    link: SponsorLink,
    sponsor_pseudonym: str,
    now: datetime,
    pol: SponsorPolicy,
    *,
    defer: bool = True,
) -> datetime | None:
    lang = mentee.language
    return to_member(
        session,
        mentee,
        t(lang, "sp-ask-mentee", sponsor=sponsor_pseudonym),
        now,
        pol=pol,
        defer=defer,
        buttons=[
            [
                (t(lang, "btn-sp-agree"), encode("sp", "ok", link.id or 0)),
                (t(lang, "btn-sp-decline"), encode("sp", "no", link.id or 0)),
            ]
        ],
        purpose="sp_consent",
    )


def answer_proposal(ctx: ServiceContext, person: Person, link_id: int, agree: bool) -> str | None:
    """The mentee's answer to a proposed sponsor. Returns a toast id when the button is stale."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        link = session.get(SponsorLink, link_id)
        if member is None or link is None or link.mentee_id != member.id or member.status not in SETTLED:
            return "button-expired"
        if link.state != LinkState.PROPOSED:
            return "sp-already-answered"
        sponsor = session.get(Sponsor, link.sponsor_id)
        side = sponsor_side(session, sponsor) if sponsor else None
        if side is None:
            return "button-expired"
        pol = policy(session, member.center_id)
        if agree:
            link.state, link.accepted_at = LinkState.ACTIVE, now
            reply(
                session, person, member.language, "sp-agreed-mentee", now, member_id=member.id, sponsor=side.pseudonym
            )
            thread = f"link:{link.id}"
            to_sponsor(
                session,
                side,
                t(side.language, "sp-linked-sponsor", pseudonym=member.pseudonym),
                now,
                pol=pol,
                purpose="sp_linked",
                thread=thread,
            )
            if side.sponsor.next_summary_at is None:
                side.sponsor.next_summary_at = next_weekly(now, side.timezone, pol.summary_weekday)
        else:
            link.state, link.ended_at, link.ended_by = LinkState.DECLINED, now, "mentee"
            reply(session, person, member.language, "sp-declined-mentee", now, member_id=member.id)
            staff = session.get(Staff, link.proposed_by) if link.proposed_by else counsellor_for(session, member)
            if staff is not None and staff.chat_id:
                to_staff(
                    session,
                    staff,
                    t(staff.language, "sp-declined-staff", pseudonym=member.pseudonym, sponsor=side.pseudonym),
                    now,
                    tz=centre_timezone(session, member.center_id),
                    pol=pol,
                )
        session.commit()
    return None


def end_link(session: Session, link: SponsorLink, by: str, now: datetime) -> None:
    """End a link (by the mentee, the sponsor or staff) and tell everyone concerned, kindly."""
    mentee = session.get(Member, link.mentee_id)
    sponsor = session.get(Sponsor, link.sponsor_id)
    side = sponsor_side(session, sponsor) if sponsor else None
    was_active = link.state == LinkState.ACTIVE
    link.state = LinkState.ENDED if was_active else LinkState.DECLINED
    link.ended_at, link.ended_by = now, by
    link.mentee_username = link.sponsor_username = None
    for talk in sponsors_db.talk_requests_since(session, link.mentee_id, now - timedelta(days=30)):
        if (
            talk.link_id == link.id
            and talk.state in (TalkState.WAITING, TalkState.ACCEPTED)
            and talk.accepted_by != "staff"
        ):
            talk.state, talk.ended_at = TalkState.ENDED, now
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
        to_staff(
            session,
            staff,
            t(staff.language, "sp-ended-staff", pseudonym=mentee.pseudonym, sponsor=side.pseudonym),
            now,
            tz=centre_timezone(session, mentee.center_id),
            pol=pol,
        )


def ask_end(ctx: ServiceContext, person: Person, link_id: int, confirmed: bool) -> str | None:
    """Either side may end the link: first a confirmation, then the end."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        link = session.get(SponsorLink, link_id)
        party = link_party(session, person, link) if link else None
        if link is None or party is None:
            return "button-expired"
        if link.state not in sponsors_db.LIVE_LINK:
            return "sp-link-gone"
        lang = person_language(session, person)
        other = other_label(session, link, party)
        if not confirmed:
            reply(
                session,
                person,
                lang,
                "sp-end-confirm",
                now,
                pseudonym=other,
                buttons=[[(t(lang, "btn-sp-end-yes"), encode("sp", "endok", link.id or 0))]],
            )
        else:
            end_link(session, link, party, now)
            reply(session, person, lang, "sp-ended-you", now, pseudonym=other)
        session.commit()
    return None


def staff_link(ctx: ServiceContext, person: Person, args: str) -> None:
    """/sponsorlink SPONSOR MENTEE (counsellors): propose a sponsor; the mentee is asked to agree."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = safety.staff_of(session, person.telegram_user_id)
        lang = person_language(session, person)
        if staff is None:
            audit(session, person, None, "refused:sponsor_link", now)
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
            audit(session, person, staff, "sponsor_link", now, member_id=link.mentee_id)
            if asked_at > now:  # the mentee's quiet hours: the question waits for the morning
                reply(
                    session,
                    person,
                    lang,
                    "sp-staff-proposed-later",
                    now,
                    sponsor=parsed[0],
                    pseudonym=parsed[1],
                    time=local_clock_time(asked_at, member_timezone(session, link.mentee_id, center)),
                )
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
        mentee = people_db.member_by_pseudonym(session, staff.center_id, parsed[0]) if staff and parsed else None
        link = sponsors_db.live_link_of_mentee(session, mentee.id or 0) if mentee else None
        if staff is None:
            audit(session, person, None, "refused:sponsor_unlink", now)
            reply(session, person, lang, "staff-only", now)
        elif link is None:
            reply(session, person, lang, "sp-staff-no-link", now, pseudonym=parsed[0] if parsed else "-")
        else:
            end_link(session, link, "staff", now)
            audit(session, person, staff, "sponsor_unlink", now, member_id=link.mentee_id)
            reply(session, person, lang, "sp-staff-unlinked", now, pseudonym=parsed[0] if parsed else "-")
        session.commit()
