"""Where a typed message goes: onboarding answer, settings answer, menu button, check-in answer or fallback."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlmodel import Session

from bot.i18n import normalise_language, t
from bot.services import checkins, circles, cravings, member_settings, onboarding, safety, talk, views
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.people import queries as people_db
from storage.people.tables import Center, Member

MAX_TEXT = 4096


class Route(Enum):
    ONBOARDING_TIME = "onboarding_time"
    ONBOARDING_SOBRIETY = "onboarding_sobriety"
    SETTINGS_TIME = "settings_time"
    SETTINGS_SOBRIETY = "settings_sobriety"
    CRAVING = "craving"
    SETTINGS = "settings"
    TALK = "talk"
    DONE = "done"


def handle_text(ctx: ServiceContext, person: Person, text: str, message_id: int | None = None) -> None:
    route = _route_and_answer(ctx, person, text, message_id)
    if route is Route.ONBOARDING_TIME:
        onboarding.choose_time(ctx, person, typed=text)
    elif route is Route.ONBOARDING_SOBRIETY:
        onboarding.set_sobriety(ctx, person, text)
    elif route is Route.SETTINGS_TIME:
        member_settings.set_time(ctx, person, typed=text)
    elif route is Route.SETTINGS_SOBRIETY:
        member_settings.set_sobriety(ctx, person, text)
    elif route is Route.CRAVING:
        cravings.open_toolkit(ctx, person)
    elif route is Route.SETTINGS:
        member_settings.open_settings(ctx, person)
    elif route is Route.TALK:
        talk.open_talk(ctx, person)


def _route_and_answer(ctx: ServiceContext, person: Person, text: str, message_id: int | None) -> Route:
    """Decide in one read; answers that need no other use case are written here directly."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
            key = "staff-not-member" if staff is not None else "start-no-code"
            enqueue(session, chat_id=person.chat_id, now=now, text=t(normalise_language(person.language_code), key))
            session.commit()
            return Route.DONE
        if member.status == "onboarding":
            if member.onboarding_step == "time":
                return Route.ONBOARDING_TIME
            if member.onboarding_step == "sobriety":
                return Route.ONBOARDING_SOBRIETY
            views.say(session, member, "onboard-finish-first", now)
            onboarding.ask_current_step(session, member, now)
            session.commit()
            return Route.DONE
        action = views.menu_action(member.language, text)
        if action == "craving":
            return Route.CRAVING
        if action == "settings":
            return Route.SETTINGS
        if action == "talk":
            return Route.TALK
        if action == "help":
            send_help(session, member, now)
        elif len(text) > MAX_TEXT:
            views.say(session, member, "fallback-too-long", now)
        elif member.awaiting == "time":
            return Route.SETTINGS_TIME
        elif member.awaiting == "sobriety":
            return Route.SETTINGS_SOBRIETY
        elif _screened_as_worrying(session, member, text, now, message_id):
            pass  # the member already has a safety reply; no "please pick 1–5" after that
        elif not checkins.handle_typed_if_open(session, member, text, now):
            # already screened above: a member in a circle is talking to their circle
            if not circles.relay_screened_text(session, member, text, now, message_id=message_id):
                views.send_menu(session, member, "fallback-text", now)
        session.commit()
        return Route.DONE


def _screened_as_worrying(session: Session, member: Member, text: str, now: datetime,
                          message_id: int | None) -> bool:
    """Screen free text before anything else reads it. A check-in note is screened with its
    answers when the check-in completes instead, so it is not screened twice."""
    if checkins.note_step_open(session, member, now):
        return False
    result = safety.screen(session, member, now, text=text, source="message", source_message_id=message_id)
    return safety.withheld(result)


def handle_edit(ctx: ServiceContext, person: Person, text: str, message_id: int | None) -> None:
    """An edited message is screened again: danger added in an edit must not slip through."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is not None and member.status in ("active", "paused") and text:
            safety.screen(session, member, now, text=text, source="edit", source_message_id=message_id)
            session.commit()


def send_help(session: Session, member: Member, now: datetime) -> None:
    center = session.get(Center, member.center_id)
    views.send_menu(session, member, "help-text", now, time=member.checkin_time,
                    helplines=views.helplines(center, member.language))


def show_help(ctx: ServiceContext, person: Person) -> None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status == "onboarding":
            lang = member.language if member else normalise_language(person.language_code)
            enqueue(session, chat_id=person.chat_id, now=now, text=t(lang, "start-no-code" if member is None else "onboard-finish-first"))
        else:
            send_help(session, member, now)
        session.commit()


def reply_plain(ctx: ServiceContext, person: Person, key: str) -> None:
    """A short kind answer (unsupported media, unknown command) in the person's language."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        lang = member.language if member else normalise_language(person.language_code)
        enqueue(session, chat_id=person.chat_id, member_id=member.id if member else None, now=now, text=t(lang, key))
        session.commit()


def language_for(ctx: ServiceContext, person: Person) -> str:
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is not None:
            return member.language
        staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
        return staff.language if staff else normalise_language(person.language_code)
