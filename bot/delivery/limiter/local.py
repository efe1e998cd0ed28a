"""The in-process backend (the default): one worker process, its buckets and per-chat spacing in memory."""

from __future__ import annotations

import asyncio
import collections
import math
import time

from bot.delivery.limiter.gate import RateLimiter
from bot.delivery.limiter.limits import NOW, Bucket, Clock, Grant, Limits, Sleep

_NEVER_ANSWERED = 60.0  # a counted grant not answered after this long is taken as answered now


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

    def lift(self) -> None:
        return None  # "unlimited" (benchmarks): nothing to count

    def land(self) -> None:
        return None


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

    Calls the senders count (``lift`` at the grant … ``land`` at the answer) are also counted
    against the server's own ``ceiling`` until a second after their answer: the server counted each
    call at some instant between the two, which we cannot see. So no second of the server's holds
    one too many however late a busy event loop (ours or the server's) let a call leave, be handled
    or be read, at the cost of rate instead of refusals (a 429, or Meta's 130429, stops every send
    for a while): at most ``ceiling`` per (one second + a call's round trip). Against a server 200 ms
    away that is 25 of Telegram's 30 a second; a centre's broadcast of a thousand check-ins takes
    40 s instead of 35. (Less the quickest recent round trip was tried: where the server itself is
    slow, as a loaded emulator is, its calls were refused again; docs/performance.md.)
    """

    ahead = 0.0
    late = math.inf

    def __init__(self, rate: float, clock: Clock, *, ceiling: float | None = None) -> None:
        self.rate = rate
        self.count = max(1, math.floor(rate))
        self.capacity = max(1.0, math.floor(rate / 4))
        self._grants: collections.deque[float] = collections.deque(maxlen=self.count)  # the last second's
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()
        self._paused_until = -math.inf
        self.ceiling = max(1, math.floor(ceiling)) if ceiling is not None else None
        self._flying: collections.deque[float] = collections.deque()  # grants of counted calls not answered yet
        self._answered: collections.deque[float] = collections.deque()  # their answers, the last window's

    def lift(self) -> None:
        if self.ceiling is not None:
            self._flying.append(self._clock())

    def land(self) -> None:
        if self._flying:
            self._flying.popleft()
            self._answered.append(self._clock())

    def _server_wait(self, now: float) -> float:
        """How long until a call granted now could not make the server's ``ceiling`` one too many."""
        if self.ceiling is None:
            return 0.0
        while self._flying and self._flying[0] < now - _NEVER_ANSWERED:  # a waiter gone before its call
            self._flying.popleft()
            self._answered.append(now)
        while self._answered and self._answered[0] <= now - 1.0:
            self._answered.popleft()
        if len(self._flying) + len(self._answered) < self.ceiling:
            return 0.0
        if not self._answered:
            return 1 / self.rate  # everything counted is still on its way: ask again shortly
        return self._answered[0] + 1.0 + 1e-6 - now

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
        wait = max(wait, self._server_wait(now))
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


def local_bucket(rate: float, burst: float, clock: Clock, *, ceiling: float | None = None) -> Bucket:
    """A sliding window for Telegram-sized rates; a token bucket when "unlimited" (benchmarks)."""
    if rate > 10_000:
        return LocalBucket(rate, burst, clock)
    return LocalWindow(rate, clock, ceiling=ceiling)


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
    # Answers are counted against the server's second only at its real pace: an emulator run ×N (a
    # benchmark) has seconds N times shorter but the same round trips, which would cost N times the
    # rate they cost against the real server; there the grants' own window spaces the sends.
    real = limits.time_scale == 1
    return RateLimiter(
        limits,
        overall=local_bucket(limits.overall_per_sec, limits.burst, clock, ceiling=limits.ceiling if real else None),
        paid=local_bucket(limits.paid_per_sec, limits.paid_burst, clock, ceiling=limits.paid_ceiling if real else None),
        pacer=LocalPacer(clock),
        clock=clock,
        sleep=sleep,
        backend="memory",
    )
