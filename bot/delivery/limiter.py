"""Telegram's flood limits kept on our side, with priority lanes.

The outbox sender awaits :meth:`RateLimiter.acquire` before every call to Telegram. It holds

* the overall rate (``RATE_LIMIT_PER_SECOND``, default 28 of Telegram's ~30 messages/s): in
  process a sliding window (at most 28 sends in any second, Telegram's own rule); in Redis a
  token bucket whose burst is one message by default (at most ``rate + burst`` in any second);
* one send per ``per_chat_interval`` (1.05 s) to a private chat and one per
  ``per_group_interval`` (3.05 s, i.e. under 20/min) to a group (negative chat id);
* priority lanes: waiters for the overall bucket are served lowest lane first
  (``Priority.URGENT`` 0, ``REPLY`` 1, ``SCHEDULED`` 2, ``BULK`` 3), so an urgent alert that
  arrives behind a 100,000-message broadcast takes the very next token;
* paid broadcast: a row whose centre allows it (``paid_ok``) takes a free token when one is free
  at once, otherwise a token from the paid bucket (Telegram: up to 1,000/s, 0.1 Stars a
  message) and is sent with ``allow_paid_broadcast``; :meth:`acquire` returns which.

Two backends behind one class: in-process (the default) and Redis (``RATE_LIMIT_REDIS_URL``),
where the buckets and the per-chat pacing live in Redis (an atomic Lua token bucket on the
server's clock, ``SET NX PX`` keys per chat) so several worker processes together stay under
the ceiling. Each process still orders its own waiters by lane; across processes a waiting
urgent/reply sender raises a short-lived flag that makes every process's scheduled and bulk
lanes step aside.

Time is injected (``clock``/``sleep``) so the tests play minutes of sending in milliseconds.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import itertools
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

log = logging.getLogger(__name__)

HIGH_LANES = 1  # lanes 0 (urgent) and 1 (replies) go before scheduled (2) and bulk (3)
_MAX_SLEEP = 0.25  # re-check at least this often (a Redis bucket may refill from elsewhere)


@dataclass(frozen=True)
class Limits:
    """Telegram's limits with a margin. ``scaled(10)`` is the same shape ten times faster."""

    overall_per_sec: float = 28.0
    burst: float = 1.0
    per_chat_interval: float = 1.05
    per_group_interval: float = 3.05
    paid_per_sec: float = 950.0
    paid_burst: float = 10.0

    def scaled(self, factor: float) -> Limits:
        return replace(self, overall_per_sec=self.overall_per_sec * factor, burst=self.burst * factor,
                       per_chat_interval=self.per_chat_interval / factor,
                       per_group_interval=self.per_group_interval / factor,
                       paid_per_sec=self.paid_per_sec * factor, paid_burst=self.paid_burst * factor)

    def interval_for(self, chat_id: int) -> float:
        return self.per_group_interval if chat_id < 0 else self.per_chat_interval


class Bucket(Protocol):
    """One token bucket. ``take`` returns 0 when a token was taken, else seconds to wait."""

    async def take(self, lane: int) -> float: ...

    async def pause(self, seconds: float) -> None: ...

    async def set_high_waiting(self, waiting: bool) -> None: ...


class ChatPacer(Protocol):
    """Per-chat spacing. ``reserve`` returns 0 when the chat is ours to send to now, else seconds to wait."""

    async def reserve(self, chat_id: int, interval: float) -> float: ...

    async def sent(self, chat_id: int, interval: float) -> None: ...

    async def penalize(self, chat_id: int, seconds: float) -> None: ...


Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


# --- in-process backend ------------------------------------------------------------------------

class LocalBucket:
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

    async def take(self, lane: int) -> float:
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        self._refill(now)
        if self.tokens >= 1 - 1e-9:  # float dust must not turn into an endless run of tiny waits
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return max(1e-6, (1 - self.tokens) / self.rate)

    async def pause(self, seconds: float) -> None:
        now = self._clock()
        self._refill(now)
        self.tokens = 0.0
        self._paused_until = max(self._paused_until, now + seconds)

    async def set_high_waiting(self, waiting: bool) -> None:
        return None  # one process orders its own waiters


class LocalWindow:
    """At most ``rate`` grants in any second (Telegram's own rule, mirrored) and at most a quarter
    of that in any quarter second (small bursts).

    Unlike a token bucket with a burst of one, a late wake-up of the event loop (a claim of a few
    hundred rows runs synchronously) loses nothing: the sends it delayed go out as soon as it
    wakes, and still no second holds more than ``rate``. The quarter-second window keeps bursts
    small, so an urgent row waits at most about that long for its token.
    """

    def __init__(self, rate: float, clock: Clock) -> None:
        self.rate = rate
        self._windows = []
        for span in (1.0, 0.25):
            count = max(1, math.floor(rate * span))
            self._windows.append((count, count / rate, collections.deque()))
        self._clock = clock
        self._paused_until = -math.inf

    async def take(self, lane: int) -> float:
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        wait = 0.0
        for count, window, grants in self._windows:
            horizon = now - window
            while grants and grants[0] < horizon:
                grants.popleft()
            if len(grants) >= count:  # strictly more than a window after the oldest one
                wait = max(wait, grants[0] - horizon + 1e-6)
        if wait > 0:
            return max(1e-6, wait)
        for _, _, grants in self._windows:
            grants.append(now)
        return 0.0

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

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


# --- Redis backend -----------------------------------------------------------------------------

# KEYS[1] bucket hash, KEYS[2] sorted set of processes whose urgent/reply sends wait (score: until
# when, in microseconds). ARGV: rate/s, capacity, lane, high_lanes.
# Returns 0 (token taken) or microseconds to wait. Uses the server's clock, so the workers'
# clocks never need to agree.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rate = tonumber(ARGV[1]) / 1000000
local capacity = tonumber(ARGV[2])
local lane = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'paused')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
local paused = tonumber(state[3]) or 0
if now < paused then return paused - now end
local start = math.max(ts, paused)
if now > start then tokens = math.min(capacity, tokens + (now - start) * rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(math.max(ts, now)))
redis.call('PEXPIRE', KEYS[1], 60000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if lane > tonumber(ARGV[4]) and redis.call('ZCARD', KEYS[2]) > 0 then
  return math.max(1000, math.ceil((1 - math.min(tokens, 1)) / rate))
end
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1))
  return 0
end
return math.max(1, math.ceil((1 - tokens) / rate))
"""

# KEYS[1] bucket hash. ARGV: microseconds to pause everyone.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0
if until_ > paused then
  redis.call('HSET', KEYS[1], 'paused', tostring(until_), 'tokens', '0', 'ts', tostring(now))
end
redis.call('PEXPIRE', KEYS[1], math.max(60000, math.ceil(tonumber(ARGV[1]) / 1000) + 1000))
return 0
"""

# KEYS[1] the waiting set. ARGV: this process's id, milliseconds the mark lasts.
_HIGH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]) * 1000, ARGV[1])
redis.call('PEXPIRE', KEYS[1], 60000)
return 0
"""


class RedisBucket:
    def __init__(self, client: Any, key: str, rate: float, burst: float, *, flag_key: str) -> None:
        self._client = client
        self._key = key
        self._flag = flag_key
        self.rate = rate
        self.capacity = max(1.0, burst)
        self._take = client.register_script(_TAKE)
        self._pause = client.register_script(_PAUSE)
        self._high = client.register_script(_HIGH)
        self._me = uuid.uuid4().hex
        self._marked = False

    async def take(self, lane: int) -> float:
        micros = await self._take(keys=[self._key, self._flag], args=[float(self.rate), float(self.capacity), int(lane), HIGH_LANES])
        return int(micros) / 1_000_000

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self._key], args=[int(seconds * 1_000_000)])

    async def set_high_waiting(self, waiting: bool) -> None:
        """Mark (for 300 ms, renewed while waiting) that this process has urgent/reply sends waiting."""
        if waiting:
            await self._high(keys=[self._flag], args=[self._me, 300])
            self._marked = True
        elif self._marked:
            await self._client.zrem(self._flag, self._me)
            self._marked = False


class RedisPacer:
    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    def _key(self, chat_id: int) -> str:
        return f"{self._prefix}:chat:{chat_id}"

    async def reserve(self, chat_id: int, interval: float) -> float:
        key = self._key(chat_id)
        if await self._client.set(key, "1", nx=True, px=max(1, int(interval * 1000))):
            return 0.0
        remaining = await self._client.pttl(key)
        return max(remaining, 1) / 1000 if remaining and remaining > 0 else 0.001

    async def sent(self, chat_id: int, interval: float) -> None:
        await self._client.set(self._key(chat_id), "1", px=max(1, int(interval * 1000)))

    async def penalize(self, chat_id: int, seconds: float) -> None:
        key = self._key(chat_id)
        remaining = await self._client.pttl(key)
        millis = int(seconds * 1000)
        if remaining is None or remaining < millis:
            await self._client.set(key, "1", px=max(1, millis))


# --- the limiter -------------------------------------------------------------------------------

class _Gate:
    """A bucket with its waiters, served lowest lane first, then first come."""

    def __init__(self, bucket: Bucket, clock: Clock, sleep: Sleep) -> None:
        self.bucket = bucket
        self._clock = clock
        self._sleep = sleep
        self._heap: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return sum(1 for _, _, fut in self._heap if not fut.done())

    def _drop_dead(self) -> None:
        while self._heap and self._heap[0][2].done():
            heapq.heappop(self._heap)

    async def try_now(self, lane: int) -> bool:
        """A token at once, without jumping the queue; False when it would have to wait."""
        self._drop_dead()
        if self._heap:
            return False
        return await self.bucket.take(lane) <= 0

    async def take(self, lane: int) -> None:
        if await self.try_now(lane):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (lane, next(self._seq), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run(), name="rate-limiter")
        await future

    async def _run(self) -> None:
        while True:
            self._drop_dead()
            if not self._heap:
                await self.bucket.set_high_waiting(False)
                return
            lane = self._heap[0][0]
            await self.bucket.set_high_waiting(lane <= HIGH_LANES)
            wait = await self.bucket.take(lane)
            if wait <= 0:
                self._drop_dead()
                if self._heap:
                    heapq.heappop(self._heap)[2].set_result(None)
                # else: the waiter left (cancelled) and the token is lost; harmless
                continue
            await self._sleep(min(wait, _MAX_SLEEP))

    def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        for _, _, future in self._heap:
            future.cancel()
        self._heap.clear()


class RateLimiter:
    def __init__(self, limits: Limits, *, overall: Bucket, paid: Bucket, pacer: ChatPacer,
                 clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep, backend: str = "memory",
                 closer: Callable[[], Awaitable[Any]] | None = None) -> None:
        self.limits = limits
        self.backend = backend
        self._clock = clock
        self._sleep = sleep
        self._overall = _Gate(overall, clock, sleep)
        self._paid = _Gate(paid, clock, sleep)
        self._pacer = pacer
        self._closer = closer
        self.paid_sends = 0

    @property
    def rate(self) -> float:
        return self.limits.overall_per_sec

    @property
    def waiting(self) -> int:
        return self._overall.waiting + self._paid.waiting

    async def reserve_chat(self, chat_id: int) -> None:
        """Wait until this chat may receive its next message, and hold it (see ``acquire``)."""
        interval = self.limits.interval_for(chat_id)
        while (wait := await self._pacer.reserve(chat_id, interval)) > 0:
            await self._sleep(wait)

    async def acquire(self, chat_id: int, lane: int, *, paced: bool = True, paid_ok: bool = False,
                      chat_reserved: bool = False) -> bool:
        """Wait until this chat may receive a message and a token is ours.

        ``paced``: sends count against the per-chat spacing (edits and deletions do not);
        ``chat_reserved``: the caller already waited in ``reserve_chat``.
        Returns True when the message should go out as a paid broadcast.
        """
        interval = self.limits.interval_for(chat_id)
        if paced and not chat_reserved:
            await self.reserve_chat(chat_id)
        paid = False
        if paid_ok and not await self._overall.try_now(lane):
            await self._paid.take(lane)
            paid = True
            self.paid_sends += 1
        elif not paid_ok:
            await self._overall.take(lane)
        if paced:
            await self._pacer.sent(chat_id, interval)
        return paid

    async def retry_after(self, chat_id: int, seconds: float, *, everyone: bool) -> None:
        """Telegram answered 429: hold this chat, and everyone when the overall limit was hit."""
        await self._pacer.penalize(chat_id, seconds)
        if everyone:
            await self._overall.bucket.pause(seconds)
            log.warning("Telegram asked every send to wait %.0f s", seconds)

    async def aclose(self) -> None:
        self._overall.close()
        self._paid.close()
        if self._closer is not None:
            await self._closer()


def memory_limiter(limits: Limits | None = None, *, clock: Clock = time.monotonic,
                   sleep: Sleep = asyncio.sleep) -> RateLimiter:
    limits = limits or Limits()
    return RateLimiter(limits, overall=local_bucket(limits.overall_per_sec, limits.burst, clock),
                       paid=local_bucket(limits.paid_per_sec, limits.paid_burst, clock), pacer=LocalPacer(clock),
                       clock=clock, sleep=sleep, backend="memory")


def redis_limiter(url: str, limits: Limits | None = None, *, prefix: str = "saathi:rl") -> RateLimiter:
    """Buckets and per-chat keys in Redis, shared by every worker pointed at the same ``url``."""
    import redis.asyncio as redis_asyncio

    limits = limits or Limits()
    client = redis_asyncio.from_url(url)
    flag = f"{prefix}:high"
    return RateLimiter(
        limits,
        overall=RedisBucket(client, f"{prefix}:overall", limits.overall_per_sec, limits.burst, flag_key=flag),
        # the paid bucket has no lanes: scheduled rows are the only ones that may be paid
        paid=RedisBucket(client, f"{prefix}:paid", limits.paid_per_sec, limits.paid_burst, flag_key=f"{flag}:none"),
        pacer=RedisPacer(client, prefix), backend="redis", closer=client.aclose,
    )


def build_limiter(limits: Limits, redis_url: str | None) -> RateLimiter:
    return redis_limiter(redis_url, limits) if redis_url else memory_limiter(limits)


def unique_prefix() -> str:
    """A key prefix of one's own (tests and benchmarks sharing a Redis server)."""
    return f"saathi:rl:{uuid.uuid4().hex[:12]}"
