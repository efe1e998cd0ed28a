"""Plain answers in the person's language: /help, a short kind reply, the language for a toast."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.i18n import normalise_language, t
from bot.services import views
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.people import queries as people_db
from storage.people.tables import Center, Member, MemberStatus


def send_help(session: Session, member: Member, now: datetime) -> None:
    center = session.get(Center, member.center_id)
    views.send_menu(
        session, member, "help-text", now, time=member.checkin_time, helplines=views.helplines(center, member.language)
    )


def show_help(ctx: ServiceContext, person: Person) -> None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status == MemberStatus.ONBOARDING:
            lang = member.language if member else normalise_language(person.language_code)
            enqueue(
                session,
                chat_id=person.chat_id,
                now=now,
                text=t(lang, "start-no-code" if member is None else "onboard-finish-first"),
            )
        else:
            send_help(session, member, now)
        session.commit()


def reply_plain(ctx: ServiceContext, person: Person, key: str) -> None:
    """A short kind answer (unsupported media, unknown command) in the person's language."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        say_plain(session, person, people_db.member_by_telegram_id(session, person.telegram_user_id), key, now)
        session.commit()


def say_plain(session: Session, person: Person, member: Member | None, key: str, now: datetime) -> None:
    lang = member.language if member else normalise_language(person.language_code)
    enqueue(session, chat_id=person.chat_id, member_id=member.id if member else None, now=now, text=t(lang, key))


def language_for(ctx: ServiceContext, person: Person) -> str:
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is not None:
            return member.language
        staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
        return staff.language if staff else normalise_language(person.language_code)
