"""Sliding-window flood limits with Telegram's semantics, for the Bot API emulator.

Telegram documents three broadcast limits (https://core.telegram.org/bots/faq): about 30
messages per second overall, one message per second to one chat, and 20 messages per minute
to one group. Going over them yields ``429 Too Many Requests: retry after N``. A bot that
sends check-in reminders to a whole centre at 9:00 hits exactly these, so the emulator
enforces them with a real sliding window rather than a token bucket approximation.
"""

from __future__ import annotations

import collections
import math
import time
from collections.abc import Callable, Hashable


class SlidingWindow:
    """At most ``count`` events in any ``window`` seconds, per key.

    ``limit`` events per ``period`` seconds becomes ``count = max(1, floor(limit))`` events
    per ``window = period * count / limit``, so fractional limits (0.5/s) keep their
    long-run meaning without allowing bursts Telegram would not allow.
    """

    def __init__(self, limit: float, period: float) -> None:
        if limit <= 0 or period <= 0:
            raise ValueError("limit and period must be positive")
        self.count = max(1, math.floor(limit))
        self.window = period * self.count / limit
        self._events: dict[Hashable, collections.deque[float]] = {}

    def wait_time(self, key: Hashable, now: float) -> float:
        """Seconds (limiter time) until one more event for ``key`` would fit; 0 if it fits now."""
        events = self._events.get(key)
        if not events:
            return 0.0
        horizon = now - self.window
        while events and events[0] <= horizon:
            events.popleft()
        if not events:
            del self._events[key]
            return 0.0
        if len(events) < self.count:
            return 0.0
        return events[0] + self.window - now

    def record(self, key: Hashable, now: float) -> None:
        self._events.setdefault(key, collections.deque()).append(now)


class FloodLimiter:
    """The three Telegram limits together; checks all before recording any.

    ``time_scale`` makes the limiter's clock run faster than real time (2.0 = windows pass
    twice as fast), so a benchmark of "send to 500 users" finishes in seconds while the
    *shape* of the throttling stays the same. ``retry_after`` answers are in limiter
    seconds: a client that honours them literally under ``time_scale > 1`` waits longer than
    needed, which is the safe direction. Rejected requests are not recorded, exactly like a
    request that never reached Telegram.
    """

    def __init__(
        self,
        *,
        overall_per_sec: float | None,
        per_chat_per_sec: float | None,
        per_group_per_min: float | None,
        paid_per_sec: float | None = 1000,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.overall_per_sec = overall_per_sec
        self.per_chat_per_sec = per_chat_per_sec
        self.per_group_per_min = per_group_per_min
        self.paid_per_sec = paid_per_sec
        self.time_scale = time_scale
        self._clock = clock
        self._overall = SlidingWindow(overall_per_sec, 1.0) if overall_per_sec else None
        self._per_chat = SlidingWindow(per_chat_per_sec, 1.0) if per_chat_per_sec else None
        self._per_group = SlidingWindow(per_group_per_min, 60.0) if per_group_per_min else None
        self._paid = SlidingWindow(paid_per_sec, 1.0) if paid_per_sec else None

    def now(self) -> float:
        return self._clock() * self.time_scale

    def acquire(self, chat_id: int, *, is_group: bool, paid_broadcast: bool = False) -> int:
        """Record one message to ``chat_id`` if allowed; else return ``retry_after`` (>= 1).

        Returns 0 when the message may be delivered. ``paid_broadcast`` replaces the overall
        limit with ``paid_per_sec`` (Telegram: up to 1000/s for 0.1 Stars a message), as
        ``allow_paid_broadcast`` does; per-chat and group limits still apply.
        """
        now = self.now()
        checks: list[tuple[SlidingWindow, Hashable]] = []
        if paid_broadcast:
            if self._paid is not None:
                checks.append((self._paid, None))
        elif self._overall is not None:
            checks.append((self._overall, None))
        if self._per_chat is not None:
            checks.append((self._per_chat, chat_id))
        if self._per_group is not None and is_group:
            checks.append((self._per_group, chat_id))
        wait = max((window.wait_time(key, now) for window, key in checks), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for window, key in checks:
            window.record(key, now)
        return 0

    def describe(self) -> dict[str, float | None]:
        return {
            "overall_per_sec": self.overall_per_sec,
            "per_chat_per_sec": self.per_chat_per_sec,
            "per_group_per_min": self.per_group_per_min,
            "paid_per_sec": self.paid_per_sec,
            "time_scale": self.time_scale,
        }
