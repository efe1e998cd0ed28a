"""Building a centre and members through the same use cases the bot and CLI use."""

from __future__ import annotations

from sqlmodel import select

from bot.services import admin, onboarding
from bot.services.context import Person, ServiceContext
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Member


def seed_centre(ctx: ServiceContext, name: str = "Asha Kendra") -> None:
    admin.add_center(ctx, name, "Asia/Kolkata")
    admin.add_counsellor(ctx, name, "Counsellor Meera", telegram_id=9001)


def onboard(
    ctx: ServiceContext, user_id: int, *, at: str = "evening", lang: str = "en", centre: str = "Asha Kendra"
) -> Person:
    person = Person(telegram_user_id=user_id, chat_id=user_id, display_name=f"Test User {user_id}", language_code="en")
    (invite,) = admin.create_invites(ctx, centre)
    onboarding.start(ctx, person, invite.code)
    assert onboarding.choose_language(ctx, person, lang)
    assert onboarding.answer_consent(ctx, person, True)
    assert onboarding.choose_time(ctx, person, preset=at)
    assert onboarding.set_sobriety(ctx, person, None)
    return person


def member(ctx: ServiceContext, user_id: int) -> Member:
    with ctx.uow() as session:
        found = session.exec(select(Member).where(Member.telegram_user_id == user_id)).one()
        return found


def outbox(ctx: ServiceContext, chat_id: int | None = None, purpose: str | None = None) -> list[OutboxMessage]:
    with ctx.uow() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if chat_id is not None:
            query = query.where(OutboxMessage.chat_id == chat_id)
        if purpose is not None:
            query = query.where(OutboxMessage.purpose == purpose)
        return list(session.exec(query).all())
