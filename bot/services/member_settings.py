"""/settings: language, check-in time, pause and resume, high-risk times, recovery date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.domain.dates import parse_date_text
from bot.domain.scheduling import (
    HIGH_RISK_WINDOWS,
    PRESET_TIMES,
    local_date,
    next_checkin_due,
    next_craving_prompt_due,
    parse_time_text,
)
from bot.i18n import LANGUAGES, t
from bot.services import views
from bot.services.context import Person, ServiceContext
from bot.services.cravings import windows_of
from bot.services.outbox import enqueue
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus

MAX_PAUSE_DAYS = 60
SETTLED = (MemberStatus.ACTIVE, MemberStatus.PAUSED)


def _with_member(
    ctx: ServiceContext, person: Person, action: Callable[[Session, Member, datetime], str | None]
) -> str | None:
    """Run ``action`` for a member who finished onboarding; a toast id when there is none."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status not in SETTLED:
            return "button-expired"
        result = action(session, member, now)
        session.commit()
    return result


def open_settings(ctx: ServiceContext, person: Person) -> str | None:
    return _with_member(ctx, person, show_settings)


def show_settings(session: Session, member: Member, now: datetime) -> None:
    """The settings menu (the menu button or /settings), for a member who finished onboarding."""
    member.awaiting = None
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        now=now,
        text=t(member.language, "settings-menu"),
        buttons=views.settings_buttons(member),
    )


def choose_item(ctx: ServiceContext, person: Person, item: str) -> str | None:
    def show(session: Session, member: Member, now: datetime) -> str | None:
        lang = member.language
        if item == "lang":
            enqueue(
                session,
                chat_id=member.chat_id,
                member_id=member.id,
                now=now,
                text=t(lang, "onboard-choose-language"),
                buttons=views.language_buttons("set"),
            )
        elif item == "time":
            member.awaiting = "time"
            enqueue(
                session,
                chat_id=member.chat_id,
                member_id=member.id,
                now=now,
                text=t(lang, "onboard-ask-time"),
                buttons=views.time_buttons("set", lang),
            )
        elif item == "pause":
            enqueue(
                session,
                chat_id=member.chat_id,
                member_id=member.id,
                now=now,
                text=t(lang, "settings-pause-ask"),
                buttons=views.pause_buttons(lang),
            )
        elif item == "hr":
            enqueue(
                session,
                chat_id=member.chat_id,
                member_id=member.id,
                now=now,
                text=t(lang, "settings-highrisk-ask"),
                buttons=views.highrisk_buttons(member),
            )
        elif item == "sob":
            member.awaiting = "sobriety"
            views.say(session, member, "onboard-ask-sobriety", now)
        else:
            return "button-expired"
        return None

    return _with_member(ctx, person, show)


def set_language(ctx: ServiceContext, person: Person, code: str) -> str | None:
    if code not in LANGUAGES:
        return "button-expired"

    def change(session: Session, member: Member, now: datetime) -> None:
        member.language = code
        views.send_menu(session, member, "settings-language-changed", now)

    return _with_member(ctx, person, change)


def set_time(ctx: ServiceContext, person: Person, *, preset: str | None = None, typed: str | None = None) -> str | None:
    at = PRESET_TIMES.get(preset or "") if preset is not None else parse_time_text(typed or "")
    return _with_member(ctx, person, lambda session, member, now: change_time(session, member, at, now))


def change_time(session: Session, member: Member, at: time | None, now: datetime) -> None:
    """A new check-in time, pressed or typed (``at`` None: typed and not understood)."""
    if at is None:
        views.say(session, member, "onboard-time-invalid", now)
        return
    member.awaiting = None
    member.checkin_time = at.strftime("%H:%M")
    if member.status == MemberStatus.ACTIVE:
        reschedule(member, now)
    views.say(session, member, "settings-time-changed", now, time=member.checkin_time)


def reschedule(member: Member, now: datetime) -> None:
    """After a change of time, time zone or a resume: the next due instant, never two in a day."""
    member.next_checkin_due_at = next_checkin_due(
        now, member.timezone, time.fromisoformat(member.checkin_time), member.last_checkin_local_date
    )


def pause(ctx: ServiceContext, person: Person, days: int) -> str | None:
    if not 1 <= days <= MAX_PAUSE_DAYS:
        return "button-expired"

    def change(session: Session, member: Member, now: datetime) -> None:
        today = local_date(now, member.timezone)
        until = today + timedelta(days=days)
        member.status = MemberStatus.PAUSED
        member.paused_until = until
        people_db.start_pause(session, member.id or 0, today, now)  # today too: its check-in is no miss
        views.say(session, member, "settings-paused", now, date=until.strftime("%d/%m/%Y"))

    return _with_member(ctx, person, change)


def resume(ctx: ServiceContext, person: Person) -> str | None:
    def change(session: Session, member: Member, now: datetime) -> None:
        if member.status != MemberStatus.PAUSED:
            views.say(session, member, "settings-not-paused", now)
            return
        _resume(session, member, now)
        views.say(session, member, "settings-resumed", now, time=member.checkin_time)

    return _with_member(ctx, person, change)


def _resume(session: Session, member: Member, now: datetime) -> None:
    member.status = MemberStatus.ACTIVE
    member.paused_until = None
    people_db.end_pause(session, member.id or 0, local_date(now, member.timezone))
    reschedule(member, now)
    member.next_craving_prompt_at = next_craving_prompt_due(now, member.timezone, windows_of(member))


def back_from_unreachable(session: Session, member: Member, now: datetime) -> None:
    """A member who had blocked the bot wrote again: a pause they chose that still runs goes on,
    otherwise they are active, with their next check-in and craving prompt scheduled afresh."""
    if member.paused_until is not None and member.paused_until > local_date(now, member.timezone):
        member.status = MemberStatus.PAUSED
    else:
        _resume(session, member, now)


def run_resumes(ctx: ServiceContext, limit: int = 1000) -> int:
    """Pauses end on their own at the start of the member's local day."""
    now = ctx.clock.now()
    resumed = 0
    with ctx.uow() as session:
        # Any time zone's "today" is at most one day after UTC's.
        for member in people_db.paused_members_until(session, now.date() + timedelta(days=1), limit):
            if member.paused_until is not None and member.paused_until <= local_date(now, member.timezone):
                _resume(session, member, now)
                resumed += 1
        session.commit()
    return resumed


def toggle_window(ctx: ServiceContext, person: Person, window: str) -> str | None:
    if window not in HIGH_RISK_WINDOWS:
        return "button-expired"

    def change(session: Session, member: Member, now: datetime) -> None:
        chosen = set(windows_of(member)) ^ {window}
        member.high_risk_windows = ",".join(w for w in HIGH_RISK_WINDOWS if w in chosen)
        enqueue(
            session,
            chat_id=member.chat_id,
            member_id=member.id,
            now=now,
            text=t(member.language, "settings-highrisk-ask"),
            buttons=views.highrisk_buttons(member),
        )

    return _with_member(ctx, person, change)


def save_windows(ctx: ServiceContext, person: Person) -> str | None:
    def change(session: Session, member: Member, now: datetime) -> None:
        windows = windows_of(member)
        member.next_craving_prompt_at = next_craving_prompt_due(now, member.timezone, windows)
        views.say(session, member, "settings-highrisk-saved" if windows else "settings-highrisk-cleared", now)

    return _with_member(ctx, person, change)


def set_sobriety(ctx: ServiceContext, person: Person, typed: str) -> str | None:
    return _with_member(ctx, person, lambda session, member, now: change_sobriety(session, member, typed, now))


def change_sobriety(session: Session, member: Member, typed: str, now: datetime) -> None:
    """The recovery date, typed after "Recovery date" in the settings."""
    day = parse_date_text(typed)
    if day is None:
        views.say(session, member, "onboard-sobriety-invalid", now)
        return
    if day > local_date(now, member.timezone):
        views.say(session, member, "onboard-sobriety-future", now)
        return
    member.awaiting = None
    member.sobriety_start = day
    member.sober_days_seen = None
    views.say(session, member, "settings-sobriety-saved", now, date=_show(day))


def _show(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def button(ctx: ServiceContext, person: Person, parts: Sequence[str]) -> str | None:
    """A settings button (``set:v1:<kind>[:<value>]``; ``parts`` after the version), from any channel:
    the use case it asks for, and its toast; ``button-expired`` for one this version does not know."""
    if not parts:
        return "button-expired"
    kind, rest = parts[0], parts[1:]
    value = rest[0] if len(rest) == 1 else None
    if kind == "menu" and value:
        return choose_item(ctx, person, value)
    if kind == "lang" and value:
        return set_language(ctx, person, value)
    if kind == "time" and value:
        return set_time(ctx, person, preset=value)
    if kind == "pause" and value and value.isdigit():
        return pause(ctx, person, int(value))
    if kind == "resume" and not rest:
        return resume(ctx, person)
    if kind == "hr" and value:
        return toggle_window(ctx, person, value)
    if kind == "hrdone" and not rest:
        return save_windows(ctx, person)
    return "button-expired"
