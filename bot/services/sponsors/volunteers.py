"""Centre volunteers who sponsor without being members: their pseudonym, code and /volunteer."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from bot.domain.pseudonyms import generate_pseudonym
from bot.services.access import person_language
from bot.services.context import Person, ServiceContext
from bot.services.sponsors.common import reply
from storage.people import queries as people_db
from storage.sponsors import queries as sponsors_db


def new_volunteer_pseudonym(ctx: ServiceContext, session: Session, center_id: int) -> str:
    taken = people_db.taken_pseudonyms(session, center_id) | sponsors_db.volunteer_pseudonyms(session, center_id)
    return generate_pseudonym(ctx.rng, taken)


def new_volunteer_code() -> str:
    return "vol-" + secrets.token_urlsafe(9).replace("_", "x").replace("-", "x")


def bind_volunteer(ctx: ServiceContext, person: Person, code: str) -> None:
    """/volunteer CODE: a centre volunteer connects their Telegram account."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        lang = person_language(session, person)
        volunteer = sponsors_db.volunteer_by_code(session, code.strip()) if code.strip() else None
        if volunteer is None:
            reply(session, person, lang, "sp-volunteer-bad-code", now)
        elif (
            people_db.member_by_telegram_id(session, person.telegram_user_id) is not None
            or people_db.staff_by_telegram_id(session, person.telegram_user_id) is not None
            or sponsors_db.volunteer_by_telegram_id(session, person.telegram_user_id) is not None
        ):
            reply(session, person, lang, "sp-volunteer-taken", now)
        else:
            volunteer.telegram_user_id, volunteer.chat_id, volunteer.link_code = (
                person.telegram_user_id,
                person.chat_id,
                None,
            )
            reply(
                session, person, volunteer.language, "sp-volunteer-welcome", now, pseudonym=volunteer.pseudonym or "-"
            )
        session.commit()
