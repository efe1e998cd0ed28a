"""The centre admin's sponsor commands: ``saathi sponsor link|unlink|volunteer add|settings|list``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, select

from bot.domain.scheduling import local_clock_time, local_date
from bot.domain.sponsorship import parse_pseudonym, parse_weekday
from bot.i18n import LANGUAGES
from bot.services.admin import Actor, AdminError, audit_change
from bot.services.context import ServiceContext
from bot.services.sponsors import links, volunteers
from bot.services.sponsors.common import member_timezone, sponsor_side
from storage.people import queries as people_db
from storage.people.tables import Center, Member, Staff
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import Sponsor, SponsorSettings


@dataclass(frozen=True)
class Volunteer:
    pseudonym: str
    code: str | None


def _centre_of_mentee(session: Session, mentee: str, center_name: str | None) -> Center:
    """The centre named, or the one centre that has a member with this pseudonym."""
    if center_name:
        center = people_db.center_by_name(session, center_name)
        if center is None:
            raise AdminError(f"no centre named {center_name!r}")
        return center
    centres = [
        c
        for c in session.exec(select(Center)).all()
        if people_db.member_by_pseudonym(session, c.id or 0, mentee) is not None
    ]
    if len(centres) != 1:
        raise AdminError(
            f"no member {mentee!r} found" if not centres else f"{mentee!r} exists at several centres: add --center"
        )
    return centres[0]


def _pseudonym(text: str, what: str) -> str:
    parsed = parse_pseudonym(text)
    if parsed is None or parsed[1]:
        raise AdminError(f"{what} {text!r} is not a pseudonym like 'Lotus 7'", "console-refused-pseudonym", text=text)
    return parsed[0]


def link(
    ctx: ServiceContext, sponsor: str, mentee: str, *, center_name: str | None = None, actor: Actor | None = None
) -> str:
    """Propose the link; the mentee is asked to agree. Returns what to print. A refusal carries the
    bot's own ``sp-err-*`` message id, so the console says it in the staff member's language."""
    sponsor, mentee = _pseudonym(sponsor, "--sponsor"), _pseudonym(mentee, "--mentee")
    now = ctx.clock.now()
    with ctx.uow() as session:
        center = _centre_of_mentee(session, mentee, center_name)
        try:
            staff = session.get(Staff, actor.staff_id) if actor else None
            link, asked_at = links.propose_link(session, center, sponsor, mentee, now, staff=staff)
        except links.LinkRefused as refused:
            raise AdminError(refused.text("en"), refused.key, **refused.args_) from None
        audit_change(session, actor, "sponsor_link", now, member_id=link.mentee_id)
        tz = member_timezone(session, link.mentee_id, center)
        session.commit()
    if asked_at <= now:
        return f"{mentee} has been asked to agree to {sponsor} as their sponsor"
    return (
        f"{mentee} will be asked at {local_clock_time(asked_at, tz)} on {local_date(asked_at, tz).isoformat()} "
        f"({tz}), when their quiet hours end, to agree to {sponsor} as their sponsor"
    )


def unlink(ctx: ServiceContext, mentee: str, *, center_name: str | None = None, actor: Actor | None = None) -> str:
    mentee = _pseudonym(mentee, "--mentee")
    now = ctx.clock.now()
    with ctx.uow() as session:
        center = _centre_of_mentee(session, mentee, center_name)
        member = people_db.member_by_pseudonym(session, center.id or 0, mentee)
        if member is None:
            raise AdminError(f"no member {mentee!r} at this centre", "console-refused-no-member", pseudonym=mentee)
        current = sponsors_db.live_link_of_mentee(session, member.id or 0)
        if current is None:
            raise AdminError(f"{mentee} has no sponsor", "console-refused-no-sponsor", pseudonym=mentee)
        links.end_link(session, current, "staff", now)
        audit_change(session, actor, "sponsor_unlink", now, member_id=current.mentee_id)
        session.commit()
    return f"the sponsorship of {mentee} has ended; both were told"


def add_volunteer(
    ctx: ServiceContext,
    center_name: str,
    name: str,
    *,
    telegram_id: int | None = None,
    language: str = "en",
    actor: Actor | None = None,
) -> Volunteer:
    """A volunteer who is not a member. Without a Telegram id, a one-time code they send as /volunteer CODE."""
    if not name.strip():
        raise AdminError("the volunteer needs a name", "console-refused-volunteer-name")
    if language not in LANGUAGES:
        raise AdminError(f"--language must be one of {', '.join(LANGUAGES)}")
    with ctx.uow() as session:
        center = people_db.center_by_name(session, center_name)
        if center is None:
            raise AdminError(f"no centre named {center_name!r}")
        if telegram_id is not None and (
            people_db.member_by_telegram_id(session, telegram_id)
            or people_db.staff_by_telegram_id(session, telegram_id)
            or sponsors_db.volunteer_by_telegram_id(session, telegram_id)
        ):
            raise AdminError("that Telegram account already belongs to a member, staff or volunteer")
        code = None if telegram_id is not None else volunteers.new_volunteer_code()
        volunteer = Sponsor(
            center_id=center.id or 0,
            kind="volunteer",
            name=name.strip()[:120],
            pseudonym=volunteers.new_volunteer_pseudonym(ctx, session, center.id or 0),
            telegram_user_id=telegram_id,
            chat_id=telegram_id,
            language=language,
            link_code=code,
            created_at=ctx.clock.now(),
        )
        session.add(volunteer)
        audit_change(session, actor, "sponsor_volunteer_add", ctx.clock.now())
        session.commit()
        return Volunteer(volunteer.pseudonym or "", code)


SETTING_RANGES = {
    "min_sponsor_days": (0, 3650),
    "max_mentees": (1, 20),
    "sponsor_after_missed": (1, 30),
    "counsellor_after_missed": (1, 60),
    "talk_wait_minutes": (5, 240),
}


def configure(
    ctx: ServiceContext,
    center_name: str,
    *,
    summary_day: str | None = None,
    quiet: str | None = None,
    **numbers: int | None,
) -> SponsorSettings:
    """Per-centre settings; only what is given changes."""
    with ctx.uow() as session:
        center = people_db.center_by_name(session, center_name)
        if center is None:
            raise AdminError(f"no centre named {center_name!r}")
        row = sponsors_db.settings_for(session, center.id or 0) or SponsorSettings(center_id=center.id or 0)
        for field, value in numbers.items():
            if value is None:
                continue
            low, high = SETTING_RANGES[field]
            if not low <= value <= high:
                raise AdminError(f"--{field.replace('_', '-')} must be between {low} and {high}")
            setattr(row, field, value)
        if summary_day is not None:
            weekday = parse_weekday(summary_day)
            if weekday is None:
                raise AdminError("--summary-day must be a weekday such as sun")
            row.summary_weekday = weekday
        if quiet is not None:
            row.quiet_start, row.quiet_end = _quiet(quiet)
        row.updated_at = ctx.clock.now()
        session.add(row)
        session.commit()
        return row


def _quiet(text: str) -> tuple[str, str]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise AdminError("--quiet must look like 22:00-07:00 (the same time twice: no quiet hours)") from None
    return start.strftime("%H:%M"), end.strftime("%H:%M")


@dataclass(frozen=True)
class MenteeRow:
    pseudonym: str | None
    asked: bool  # proposed: the member has not agreed yet


@dataclass(frozen=True)
class SponsorRow:
    pseudonym: str | None
    kind: str  # "volunteer" or "member"
    name: str | None  # a volunteer's name (staff may see it); None for a member sponsor
    connected: bool  # a volunteer has sent their /volunteer code (a member always is)
    mentees: tuple[MenteeRow, ...]


def sponsor_rows(ctx: ServiceContext, center_name: str) -> list[SponsorRow]:
    """Sponsors of a centre with their live mentees, for the admin: the console renders them in the
    staff member's language, the terminal in English (:func:`listing`)."""
    with ctx.uow() as session:
        center = people_db.center_by_name(session, center_name)
        if center is None:
            raise AdminError(f"no centre named {center_name!r}")
        rows = []
        for sponsor in sponsors_db.sponsors_of_centre(session, center.id or 0):
            side = sponsor_side(session, sponsor)
            mentees = []
            for item in sponsors_db.links_of_sponsor(session, sponsor.id or 0):
                member = session.get(Member, item.mentee_id)
                mentees.append(MenteeRow(member.pseudonym if member else None, item.state == "proposed"))
            rows.append(
                SponsorRow(
                    pseudonym=side.pseudonym if side else None,
                    kind=sponsor.kind,
                    name=sponsor.name if sponsor.kind == "volunteer" else None,
                    connected=bool(sponsor.chat_id or sponsor.member_id),
                    mentees=tuple(mentees),
                )
            )
        return rows


def listing(ctx: ServiceContext, center_name: str) -> list[str]:
    """:func:`sponsor_rows` as the terminal's tab-separated English lines."""
    lines = []
    for row in sponsor_rows(ctx, center_name):
        mentees = ", ".join(f"{m.pseudonym or '-'}{' (asked)' if m.asked else ''}" for m in row.mentees)
        who = f"volunteer {row.name}" if row.kind == "volunteer" else "member"
        bound = "" if row.connected else " [not connected yet]"
        lines.append(f"{row.pseudonym or '-'}\t{who}{bound}\t{mentees or '-'}")
    return lines


def policy_text(row: SponsorSettings) -> str:
    return (
        f"min sponsor days {row.min_sponsor_days}, max mentees {row.max_mentees}, sponsor after "
        f"{row.sponsor_after_missed} missed, counsellor after {row.counsellor_after_missed}, weekly summary on "
        f"{('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')[row.summary_weekday]}, quiet {row.quiet_start}-"
        f"{row.quiet_end}, talk wait {row.talk_wait_minutes} min"
    )


__all__ = [
    "MenteeRow",
    "SponsorRow",
    "Volunteer",
    "add_volunteer",
    "configure",
    "link",
    "listing",
    "policy_text",
    "sponsor_rows",
    "unlink",
]
