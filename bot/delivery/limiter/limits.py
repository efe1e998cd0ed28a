"""Telegram's limits with our margin, and what a backend provides (see :mod:`bot.delivery.limiter`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

HIGH_LANES = 1  # lanes 0 (urgent) and 1 (replies) go before scheduled (2) and bulk (3)
TELEGRAM_PER_SEC = 30.0  # Telegram's overall limit: about 30 messages in any second
TELEGRAM_PAID_PER_SEC = 1000.0  # with allow_paid_broadcast


@dataclass(frozen=True)
class Limits:
    """Telegram's limits with a margin. ``scaled(10)`` is the same shape ten times faster."""

    overall_per_sec: float = 29.0
    ceiling: float = TELEGRAM_PER_SEC  # the server's own count in any of its seconds (answers are counted against it)
    burst: float = 1.0
    per_chat_interval: float = 1.05
    per_group_interval: float = 3.05
    paid_per_sec: float = 950.0
    paid_burst: float = 10.0
    paid_ceiling: float = TELEGRAM_PAID_PER_SEC
    time_scale: float = 1.0  # Telegram's second lasts 1/time_scale of ours (an emulator run faster)

    def scaled(self, factor: float) -> Limits:
        """Rates ×factor and intervals ÷factor. Bursts are counts of messages and stay as they are:
        a burst scaled too would overrun Telegram's (scaled) windows."""
        return replace(
            self,
            overall_per_sec=self.overall_per_sec * factor,
            per_chat_interval=self.per_chat_interval / factor,
            per_group_interval=self.per_group_interval / factor,
            paid_per_sec=self.paid_per_sec * factor,
            time_scale=self.time_scale * factor,
        )

    def slack(self, rate: float, ceiling: float = TELEGRAM_PER_SEC) -> float:
        """Seconds (ours) by which ``ceiling + 1`` sends evenly spaced at ``rate`` overrun Telegram's
        one-second window: how far arrival times may wander (network, a busy event loop) before
        Telegram counts one too many. 28/s: 71 ms; 29/s: 34 ms; ×10, 290/s: 3.4 ms."""
        return max(0.0, ceiling / rate - 1 / self.time_scale)

    def interval_for(self, chat_id: int) -> float:
        return self.per_group_interval if chat_id < 0 else self.per_chat_interval


@dataclass(frozen=True)
class Grant:
    """What a bucket gave: send times (seconds from now, ascending; empty: none), else how long
    to wait before asking again."""

    offsets: tuple[float, ...] = ()
    wait: float = 0.0


NOW = Grant(offsets=(0.0,))  # one token, now


class Bucket(Protocol):
    """One rate. ``take`` books up to ``want`` send times no later than ``ahead`` seconds from now
    (``ahead`` 0: one token now or nothing). ``queued``: asked for a queue of waiters, so an
    urgent/reply ``lane`` marks this process as having such sends waiting (Redis: every process's
    scheduled and bulk lanes step aside meanwhile)."""

    ahead: float
    late: float

    async def take(self, lane: int, want: int = 1, ahead: float = 0.0, *, queued: bool = False) -> Grant: ...

    async def pause(self, seconds: float) -> None: ...

    async def set_high_waiting(self, waiting: bool) -> None: ...

    def lift(self) -> None:
        """A granted call is on its way (counted until ``land``)."""

    def land(self) -> None:
        """That call's answer came back."""


class ChatPacer(Protocol):
    """Per-chat spacing. ``reserve`` returns 0 when the chat is ours to send to now, else seconds to wait."""

    async def reserve(self, chat_id: int, interval: float) -> float: ...

    async def sent(self, chat_id: int, interval: float) -> None: ...

    async def penalize(self, chat_id: int, seconds: float) -> None: ...

    def close(self) -> None: ...


Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]
