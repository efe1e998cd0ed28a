"""Each update Telegram sends is handled once: its inbox row is marked handled by the handler's own commit.

Every update is stored in the inbox (``storage/inbox.py``) before it is confirmed to Telegram.
While it is handled, :func:`handling` holds it in a context variable, and the first commit of any
unit of work made while handling it marks its inbox row ``handled`` just before committing (a
``before_commit`` listener registered by :func:`install`). So the handler's state, its outgoing
messages and "this update is done" are stored together or not at all: a bot killed before that
commit (or a handler that failed, or a database that went away) leaves the row ``pending`` and the
update is handled again in full; a re-send after it, or a second worker racing on the same update,
finds the row no longer pending, and its work rolls back whole (:class:`UpdateAlreadyHandled`).

Only the first commit of an update carries the mark: a use case that commits twice (few do) is
covered up to its first commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlmodel import Session as ModelSession

from bot.services import reconnect
from bot.services.context import ServiceContext
from storage import inbox

KEEP_UPDATE_IDS = timedelta(days=2)  # Telegram re-sends an unconfirmed update for up to a day
_SESSION_KEY = "saathi_update_id"


class UpdateAlreadyHandled(Exception):
    """Another commit (a second worker, an earlier life of this process) already handled this update."""


class NotYet(Exception):
    """The update came a moment too early to be understood: a reply to a message of ours whose send is
    still being recorded. Its work rolls back and the inbox handles it again on its next look (about a
    second), counting no attempt (bot/inbox.py, record_failure)."""


@dataclass
class Handling:
    """One update being handled: what its handling did, read by the inbox afterwards."""

    update_id: int
    at: datetime
    recorded: bool = False  # a commit marked the row handled
    already_handled: bool = False  # the row was not pending: a re-send, handled before
    error: BaseException | None = None  # a handler failed (python-telegram-bot gave it to the error handler)
    user_id: int | None = None  # who wrote or pressed in a private chat: heard from (reconnect)


# Set by the inbox in the task that handles the update; python-telegram-bot runs the groups of one
# update, and its error handler, in that task. The sender and the jobs run in tasks of their own
# and never see it.
_current: ContextVar[Handling | None] = ContextVar("saathi_current_update", default=None)


@contextmanager
def handling(ctx: ServiceContext, update_id: int) -> Iterator[Handling]:
    """While inside, the first commit of any unit of work marks this update handled."""
    current = Handling(update_id, ctx.clock.now())
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def current() -> Handling | None:
    return _current.get()


def recorded() -> bool:
    handling_now = _current.get()
    return handling_now is not None and handling_now.recorded


def failed(error: BaseException) -> None:
    """The error handler's note: this update's handler failed, so it is not handled (the inbox retries)."""
    handling_now = _current.get()
    if handling_now is not None and handling_now.error is None:
        handling_now.error = error


def _mark_with_the_work(session: ModelSession) -> None:
    # registered on every SQLAlchemy Session; the ones that do a use case's work are sqlmodel's (storage.db)
    handling_now = _current.get()
    if (
        handling_now is None
        or handling_now.recorded
        or handling_now.error is not None
        or session.info.get(_SESSION_KEY) == handling_now.update_id
        or session.in_nested_transaction()
    ):
        return
    session.flush()  # the use case's own errors surface as themselves, before ours
    if not inbox.mark_handled(session, handling_now.update_id, handling_now.at):
        handling_now.already_handled = True
        raise UpdateAlreadyHandled(handling_now.update_id)
    if handling_now.user_id is not None:
        reconnect.heard_from(session, handling_now.user_id, handling_now.at)
    session.info[_SESSION_KEY] = handling_now.update_id


def _committed(session: Session) -> None:
    handling_now = _current.get()
    if handling_now is not None and session.info.pop(_SESSION_KEY, None) == handling_now.update_id:
        handling_now.recorded = True


def _rolled_back(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def install() -> None:
    """Register the listeners on every Session (idempotent; ``bot/app.py`` calls it when building the app)."""
    for name, listener in (
        ("before_commit", _mark_with_the_work),
        ("after_commit", _committed),
        ("after_rollback", _rolled_back),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def mark_handled(ctx: ServiceContext) -> bool:
    """Mark the update being handled as done when its handling wrote nothing (or it is being dropped).
    False when it was done before this handling began (a re-send of a handled update)."""
    handling_now = _current.get()
    if handling_now is None:
        return True
    if handling_now.recorded:
        return True
    if handling_now.already_handled:
        return False
    try:
        with ctx.uow() as session:
            session.commit()  # the commit hook marks the row
    except UpdateAlreadyHandled:
        return False
    return True


def forget_old(ctx: ServiceContext) -> int:
    """Hourly: inbox rows done more than two days ago go (their dedupe is no longer needed)."""
    with ctx.uow() as session:
        purged = inbox.purge(session, ctx.clock.now() - KEEP_UPDATE_IDS)
        session.commit()
    return purged
