"""Telegram re-sends an update it thinks was not handled; each update_id is handled once."""

from __future__ import annotations

from datetime import timedelta

from bot.services.context import ServiceContext
from storage import repositories as repo

KEEP_UPDATE_IDS = timedelta(days=2)


def already_handled(ctx: ServiceContext, update_id: int) -> bool:
    with ctx.uow() as session:
        return repo.update_seen(session, update_id)


def mark_handled(ctx: ServiceContext, update_id: int) -> None:
    with ctx.uow() as session:
        repo.mark_update(session, update_id, ctx.clock.now())
        session.commit()


def forget_old(ctx: ServiceContext) -> None:
    with ctx.uow() as session:
        repo.forget_processed_updates(session, ctx.clock.now() - KEEP_UPDATE_IDS)
        session.commit()
