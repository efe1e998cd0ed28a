"""The in-process backend (the default): one worker process, its buckets and per-chat spacing in memory."""

from __future__ import annotations

import asyncio
import collections
import math
import time

from bot.delivery.limiter.gate import RateLimiter
from bot.delivery.limiter.limits import NOW, Bucket, Clock, Grant, Limits, Sleep


class LocalBucket:
    ahead = 0.0  # nothing to save by booking ahead in process: one token at a time
    late = math.inf

    def __init__(self, rate: float, burst: float, clock: Clock) -> None:
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._paused_until = -math.inf

    def _refill(self, now: float) -> None:
        start = max(self._updated, self._paused_until)
        if now > start:
            self.tokens = min(self.capacity, self.tokens + (now - start) * self.rate)
        self._updated = max(self._updated, now)

    async def take(self, lane: int, want: int = 1, ahead: float = 0.0, *, queued: bool = False) -> Grant:
        now = self._clock()
        if now < self._paused_until:
            return Grant(wait=self._paused_until - now)
        self._refill(now)
        if self.tokens >= 1 - 1e-9:  # float dust must not turn into an endless run of tiny waits
            self.tokens = max(0.0, self.tokens - 1)
            return NOW
        return Grant(wait=max(1e-6, (1 - self.tokens) / self.rate))

    async def pause(self, seconds: float) -> None:
        now = self._clock()
        self._refill(now)
        self.tokens = 0.0
        self._paused_until = max(self._paused_until, now + seconds)

    async def set_high_waiting(self, waiting: bool) -> None:
        return None  # one process orders its own waiters


class LocalWindow:
    """At most ``rate`` grants in any second (Telegram's own rule, mirrored), paced by a token
    bucket of ``rate`` a second that holds at most a quarter second's grants.

    The bucket spreads the grants evenly (an urgent row waits about ``1/rate`` for its token, and
    one second's pattern of sends is not a burst the next second repeats), and
    it loses nothing to a late wake-up of the event loop: tokens keep accruing while the loop is
    busy (a claim of a few hundred rows runs synchronously) and the sends it delayed go out as
    soon as it wakes. The one-second window still has the last word, so no second holds more than
    ``rate`` however the loop wakes. (A window of a quarter second instead of the bucket lost part
    of the rate, docs/performance.md: each wake-up's lateness passed on to the grant a quarter
    second later, and the next.)
    """

    ahead = 0.0
    late = math.inf

    def __init__(self, rate: float, clock: Clock) -> None:
        self.rate = rate
        self.count = max(1, math.floor(rate))
        self.capacity = max(1.0, math.floor(rate / 4))
        self._grants: collections.deque[float] = collections.deque(maxlen=self.count)  # the last second's
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()
        self._paused_until = -math.inf

    async def take(self, lane: int, want: int = 1, ahead: float = 0.0, *, queued: bool = False) -> Grant:
        now = self._clock()
        if now < self._paused_until:
            return Grant(wait=self._paused_until - now)
        start = max(self._updated, self._paused_until)
        if now > start:
            self._tokens = min(self.capacity, self._tokens + (now - start) * self.rate)
        self._updated = max(self._updated, now)
        wait = 0.0
        if self._tokens < 1 - 1e-9:  # float dust must not turn into an endless run of tiny waits
            wait = (1 - self._tokens) / self.rate
        if len(self._grants) == self.count:  # strictly more than a second after the count-th last
            wait = max(wait, self._grants[0] + 1.0 + 1e-6 - now)
        if wait > 0:
            return Grant(wait=max(1e-6, wait))
        self._tokens = max(0.0, self._tokens - 1)
        self._grants.append(now)
        return NOW

    async def pause(self, seconds: float) -> None:
        now = self._clock()
        self._tokens = 0.0
        self._updated = max(self._updated, now)
        self._paused_until = max(self._paused_until, now + seconds)

    async def set_high_waiting(self, waiting: bool) -> None:
        return None


def local_bucket(rate: float, burst: float, clock: Clock) -> Bucket:
    """A sliding window for Telegram-sized rates; a token bucket when "unlimited" (benchmarks)."""
    return LocalWindow(rate, clock) if rate <= 10_000 else LocalBucket(rate, burst, clock)


class LocalPacer:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._next: dict[int, float] = {}

    async def reserve(self, chat_id: int, interval: float) -> float:
        now = self._clock()
        wait = self._next.get(chat_id, -math.inf) - now
        if wait > 0:
            return wait
        # held while the overall token is awaited; ``sent`` restarts the interval at the grant
        self._next[chat_id] = now + interval
        return 0.0

    async def sent(self, chat_id: int, interval: float) -> None:
        now = self._clock()
        self._next[chat_id] = now + interval
        if len(self._next) > 20_000:  # forget chats whose interval has passed
            self._next = {chat: at for chat, at in self._next.items() if at > now}

    async def penalize(self, chat_id: int, seconds: float) -> None:
        self._next[chat_id] = max(self._next.get(chat_id, -math.inf), self._clock() + seconds)

    def close(self) -> None:
        return None


def memory_limiter(
    limits: Limits | None = None, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
) -> RateLimiter:
    limits = limits or Limits()
    return RateLimiter(
        limits,
        overall=local_bucket(limits.overall_per_sec, limits.burst, clock),
        paid=local_bucket(limits.paid_per_sec, limits.paid_burst, clock),
        pacer=LocalPacer(clock),
        clock=clock,
        sleep=sleep,
        backend="memory",
    )
