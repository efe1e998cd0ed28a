"""The emulator's pending-update queue, with Telegram's confirmation semantics.

Telegram keeps an update until the bot *confirms* it by calling getUpdates with an
``offset`` greater than its id (https://core.telegram.org/bots/api#getupdates). An update
handed out but not confirmed is handed out again - which is how a bot that crashes between
fetching and confirming sees the same ``update_id`` twice. The queue models that precisely
(plus :meth:`UpdateQueue.resend` to force it), because idempotent update handling is
something the bot must get right and tests must be able to provoke.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import dataclasses
from collections.abc import Iterable
from typing import Any

# Telegram's default when allowed_updates was never given: everything except these.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_kind(update: dict[str, Any]) -> str:
    """The update's type: its one field besides ``update_id`` (e.g. "message")."""
    return next((key for key in update if key != "update_id"), "")


@dataclasses.dataclass(slots=True)
class _Pending:
    update_id: int
    update: dict[str, Any]
    delivered: bool = False
    # re-queued by resend(): survives a confirmation that already covered its id
    resent: bool = False


class UpdateQueue:
    """Pending updates ordered by id, plus a change signal for long polling and webhooks.

    All methods are synchronous and must be called from the event loop thread; waiting is
    done through :meth:`wait_changed`, which any mutation wakes.
    """

    def __init__(self) -> None:
        self._pending: list[_Pending] = []
        self._log: dict[int, dict[str, Any]] = {}
        self._next_id = 1
        self.allowed_updates: list[str] | None = None
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ change notification
    def notify(self) -> None:
        """Wake every waiter; swapping the event avoids a waiter missing a quick re-clear."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_changed(self, timeout: float) -> None:
        """Wait until the next :meth:`notify` or ``timeout`` seconds, whichever is first."""
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    # ------------------------------------------------------------------------------ queueing
    def push(self, update: dict[str, Any]) -> int:
        """Queue ``update`` (copied), assigning the next ``update_id`` unless it has one."""
        update = copy.deepcopy(update)
        update_id = update.get("update_id")
        if not isinstance(update_id, int):
            update_id = self._next_id
            update["update_id"] = update_id
        elif update_id in self._log:
            raise ValueError(f"update_id {update_id} was already used; use resend_update()")
        self._next_id = max(self._next_id, update_id + 1)
        self._log[update_id] = update
        bisect.insort(self._pending, _Pending(update_id, update), key=lambda p: p.update_id)
        self.notify()
        return update_id

    def resend(self, update_id: int) -> int:
        """Queue an already-seen update again with the same id, as after a Telegram restart."""
        if update_id not in self._log:
            raise KeyError(f"unknown update_id {update_id}")
        for entry in self._pending:
            if entry.update_id == update_id:
                entry.resent = entry.delivered
                entry.delivered = False
                break
        else:
            entry = _Pending(update_id, self._log[update_id], resent=True)
            bisect.insort(self._pending, entry, key=lambda p: p.update_id)
        self.notify()
        return update_id

    def get(self, update_id: int) -> dict[str, Any] | None:
        update = self._log.get(update_id)
        return copy.deepcopy(update) if update is not None else None

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def last_update_id(self) -> int:
        return self._next_id - 1

    def drop_pending(self) -> None:
        self._pending.clear()
        self.notify()

    # ------------------------------------------------------------------------ consumption
    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Remember allowed_updates like Telegram: an empty list means "the default set"."""
        allowed = list(allowed) if allowed is not None else None
        self.allowed_updates = allowed or None

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = update_kind(update)
        if self.allowed_updates is None:
            return kind not in NOT_DELIVERED_BY_DEFAULT
        return kind in self.allowed_updates

    def confirm(self, offset: int) -> None:
        """Forget what the ``offset`` of a getUpdates call confirms (negative: keep the tail)."""
        if offset > 0:
            self._pending = [p for p in self._pending if p.update_id >= offset or (p.resent and not p.delivered)]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` deliverable updates, oldest first, marked as handed out."""
        self._pending = [p for p in self._pending if self._is_allowed(p.update)]
        batch = self._pending[:limit]
        for entry in batch:
            entry.delivered = True
            entry.resent = False
        return [copy.deepcopy(entry.update) for entry in batch]

    def peek(self) -> dict[str, Any] | None:
        """The oldest deliverable update without handing it out (webhook delivery)."""
        self._pending = [p for p in self._pending if self._is_allowed(p.update)]
        return copy.deepcopy(self._pending[0].update) if self._pending else None

    def remove(self, update_id: int) -> None:
        """Drop one update after a webhook accepted it (the webhook's form of confirmation)."""
        self._pending = [p for p in self._pending if p.update_id != update_id]
