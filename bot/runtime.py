"""The running bot's dependencies in one object, handed to handlers and jobs."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.util import greenlet_spawn

from bot.delivery.sender import OutboxSender
from bot.inbox import Inbox
from bot.services import attendance, checkins, circles, cravings, member_settings, retention, safety, talk, updates
from bot.services.context import ServiceContext
from bot.whatsapp_inbox import WhatsAppInbox

log = logging.getLogger(__name__)
T = TypeVar("T")
# PostgreSQL's answer when it ended one of two transactions that waited on each other: try again.
_RETRY_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
CALL_ATTEMPTS = 3


@dataclass
class Saathi:
    services: ServiceContext
    sender: OutboxSender | None = None
    # the centres' own Telegram bots' senders (bot/accounts.py), one per running account
    account_senders: list[OutboxSender] = field(default_factory=list)
    # the process that receives updates (poller or webhook): stores, handles and retries them
    inbox: Inbox | None = None
    # WhatsApp's webhook (on the console's app) and the loop that handles what it stored
    whatsapp: WhatsAppInbox | None = None
    stats: dict[str, int] = field(default_factory=dict)
    # PostgreSQL: the same services on an asyncio engine, for the handlers' use cases (see ``call``)
    loop_services: ServiceContext | None = None
    _left_chats: set[int] = field(default_factory=set)

    def members_waiting(self) -> bool:
        """True while members' updates (Telegram's or WhatsApp's) are being handled: the console's pages wait."""
        return bool((self.inbox and self.inbox.in_hand) or (self.whatsapp and self.whatsapp.in_hand))

    async def call(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a use case for a handler: ``use_case(services, *args, **kwargs)``.

        On SQLite inline, as there is one writer at a time anyway. On PostgreSQL on the event loop
        too, but waiting cooperatively: the use case runs in a greenlet with ``loop_services``,
        whose engine talks to PostgreSQL through asyncpg (``storage.db.make_loop_engine``), so while
        one transaction waits on a round trip the loop goes on answering other members and sending
        (SQLAlchemy's asyncio extension works this way: ``AsyncSession.run_sync`` is the same
        ``greenlet_spawn``). Worker threads did the same job at more CPU for the database work
        (docs/performance.md), as every round trip handed the GIL back and forth with the loop. The
        update's id still joins the first commit (the use case runs in a copy of this task's context).

        Two members' transactions can meet as two workers' always could: when PostgreSQL ends one
        as a deadlock or serialization failure, or its connection turns out dead (PostgreSQL was
        restarted: the pool then drops every connection it held), the whole use case runs again,
        its transaction rolled back, up to ``CALL_ATTEMPTS`` times, unless an earlier commit of it
        already stood."""
        if self.loop_services is None:
            return use_case(self.services, *args, **kwargs)
        for attempt in range(1, CALL_ATTEMPTS + 1):
            try:
                return await greenlet_spawn(
                    contextvars.copy_context().run, use_case, self.loop_services, *args, **kwargs
                )
            except DBAPIError as exc:
                sqlstate = getattr(exc.orig, "sqlstate", None)
                # never again once part of this update was committed (a use case that commits twice):
                # running it whole again would repeat that part
                if (
                    attempt == CALL_ATTEMPTS
                    or updates.recorded()
                    or not (sqlstate in _RETRY_SQLSTATES or exc.connection_invalidated)
                ):
                    raise
                log.warning(
                    "%s %s; running it again",
                    getattr(use_case, "__name__", "use case"),
                    "lost its connection" if exc.connection_invalidated else f"met another transaction ({sqlstate})",
                )
        raise AssertionError("unreachable")

    def remember_left_chat(self, chat_id: int) -> bool:
        """True the first time a group or channel is seen (so it is told and left once)."""
        if chat_id in self._left_chats:
            return False
        if len(self._left_chats) > 10_000:
            self._left_chats.clear()
        self._left_chats.add(chat_id)
        return True

    def run_due_work(self, *, kick: bool = True) -> dict[str, int]:
        """Everything that falls due by the clock: resumes, check-ins, prompts, reminders, closes, circle meetings."""
        ctx = self.services
        steps: dict[str, Callable[[ServiceContext], int]] = {
            "resumed": member_settings.run_resumes,
            "checkins": checkins.run_due_checkins,
            "craving_prompts": cravings.run_craving_prompts,
            "reminders": checkins.run_reminders,
            "missed": checkins.close_missed,
            "escalated": safety.run_deadlines,
            "circle_meetings": circles.run_due_meetings,
            "circle_welcomes": circles.run_welcomes,
            "circle_invitations": circles.run_quiet_invitations,
            "unreachable_told": circles.run_unreachable_notices,
            # after "missed": yesterday's check-ins are closed before the calendars are read
            "attendance_notices": attendance.run_attendance_scan,
            "sponsor_summaries": attendance.run_weekly_summaries,
            "talk_offered_to_counsellor": talk.run_timeouts,
        }
        done: dict[str, int] = {}
        for name, step in steps.items():
            try:
                done[name] = step(ctx)
            except IntegrityError:
                # Several workers: another one committed the same piece of work a moment earlier
                # (a unique key refused ours, and our transaction rolled back whole). The other
                # steps still run; anything left is picked up by the next scan.
                log.warning("due work %s: lost a race with another worker, left to the next scan", name)
                done[name] = 0
        if any(done.values()):
            log.info("due work: %s", done)
            if kick:  # the due-scan job runs this in a thread and kicks the sender from the loop itself
                self.kick()
        return done

    def housekeeping(self) -> None:
        """Hourly: forget handled updates older than two days and purge what retention says is due
        (cheap when nothing is)."""
        updates.forget_old(self.services)
        retention.purge_expired(self.services)
        attendance.watch_unwatched(self.services)  # a safety net: onboarding starts the watches

    def kick(self) -> None:
        if self.sender is not None:
            self.sender.kick()
        for sender in self.account_senders:
            sender.kick()
