"""Telegram re-sends an update it thinks was not handled; each update_id is handled once.

The id of the update being handled is recorded **in the same transaction as the handler's own
writes**: ``begin`` (called by the guard before any handler runs) remembers the update in a
context variable, and the first commit of any unit of work made while handling it inserts the
``processedupdate`` row just before committing. So the handler's state, its outgoing messages and
"this update is done" are stored together or not at all: a bot killed before that commit sees
the re-sent update as new and handles it in full; a bot killed after it drops the re-send. When
two workers race on one update, the primary key makes the second commit fail with
:class:`UpdateAlreadyHandled` and its work rolls back.

Only the first commit of an update carries its id: a use case that commits twice (few do) is
covered up to its first commit.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, event, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services import reachability
from bot.services.context import ServiceContext
from storage import repositories as repo
from storage.models import ProcessedUpdate

KEEP_UPDATE_IDS = timedelta(days=2)
# built once: it runs with every handled update's commit
_RECORD = insert(ProcessedUpdate.__table__).values(  # type: ignore[arg-type]  # the table: no ORM bulk-insert machinery
    update_id=bindparam("update_id"), processed_at=bindparam("processed_at"))
_SESSION_KEY = "saathi_update_id"


class UpdateAlreadyHandled(Exception):
    """Another commit (a second worker, an earlier life of this process) already handled this update."""


@dataclass
class _Current:
    update_id: int
    at: datetime
    user_id: int | None = None  # who sent it, in a private chat: heard from (reachability.heard_from)
    recorded: bool = False


# Set by the guard in the task that handles the update; python-telegram-bot runs the groups of one
# update, and its error handler, in that task. The sender and the jobs run in tasks of their own
# and never see it.
_current: ContextVar[_Current | None] = ContextVar("saathi_current_update", default=None)


def begin(ctx: ServiceContext, update_id: int, user_id: int | None = None) -> None:
    """From here on, the first commit made while handling this update records its id (and that
    ``user_id``, who wrote or pressed in a private chat, is reachable)."""
    _current.set(_Current(update_id, ctx.clock.now(), user_id))


def end() -> None:
    _current.set(None)


def recorded() -> bool:
    current = _current.get()
    return current is not None and current.recorded


@event.listens_for(Session, "before_commit")
def _record_with_the_work(session: Session) -> None:
    current = _current.get()
    if current is None or current.recorded or session.info.get(_SESSION_KEY) == current.update_id \
            or session.in_nested_transaction():
        return
    session.flush()  # the use case's own errors surface as themselves, before ours
    try:
        session.execute(_RECORD, {"update_id": current.update_id, "processed_at": current.at})
    except IntegrityError:
        raise UpdateAlreadyHandled(current.update_id) from None
    if current.user_id is not None:
        reachability.heard_from(session, current.user_id, current.at)
    session.info[_SESSION_KEY] = current.update_id


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    current = _current.get()
    if current is not None and session.info.pop(_SESSION_KEY, None) == current.update_id:
        current.recorded = True


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def mark_handled(ctx: ServiceContext, update_id: int) -> bool:
    """Record an update whose handling wrote nothing (or that is being dropped), if not yet recorded.
    False when it was recorded before this handling began (a re-send of a handled update)."""
    current = _current.get()
    try:
        with ctx.uow() as session:
            if current is None or current.update_id != update_id:
                repo.mark_update(session, update_id, ctx.clock.now())
            elif current.recorded:
                return True
            session.commit()  # inside the update, the commit hook inserts the id
    except (UpdateAlreadyHandled, IntegrityError):
        return False  # someone else recorded it first: handled is handled
    return True


def forget_old(ctx: ServiceContext) -> None:
    with ctx.uow() as session:
        repo.forget_processed_updates(session, ctx.clock.now() - KEEP_UPDATE_IDS)
        session.commit()
