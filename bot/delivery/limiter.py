"""Telegram's flood limits kept on our side, with priority lanes.

The outbox sender awaits :meth:`RateLimiter.acquire` before every call to Telegram. It holds

* the overall rate (``RATE_LIMIT_PER_SECOND``, default 29 of Telegram's ~30 messages/s): in
  process a token bucket under a sliding window (at most 29 sends in any second, Telegram's own
  rule); in Redis a schedule of evenly spaced send times (at most ``rate`` in any second, never
  two closer than ``1/rate``);
* one send per ``per_chat_interval`` (1.05 s) to a private chat and one per
  ``per_group_interval`` (3.05 s, i.e. under 20/min) to a group (negative chat id);
* priority lanes: waiters for the overall bucket are served lowest lane first
  (``Priority.URGENT`` 0, ``REPLY`` 1, ``SCHEDULED`` 2, ``BULK`` 3), so an urgent alert that
  arrives behind a 100,000-message broadcast takes the very next token;
* paid broadcast: a row whose centre allows it (``paid_ok``) takes a free token when one is free
  at once, otherwise a token from the paid bucket (Telegram: up to 1,000/s, 0.1 Stars a
  message) and is sent with ``allow_paid_broadcast``; :meth:`acquire` returns which.

Two backends behind one class: in-process (the default) and Redis (``RATE_LIMIT_REDIS_URL``),
where the buckets and the per-chat pacing live in Redis so several worker processes together stay
under the ceiling. The Redis bucket is GCRA on the server's clock (an atomic Lua script): one call
books the next few send times for all of a process's waiters (at most ``ahead`` seconds out), and
the process hands them out locally at those times. Booking ahead loses nothing to round trips (a
token bucket of one, polled over the network, threw away what accrued during each round trip and
served one token per call), and even spacing is what survives delivery jitter: Telegram counts
arrivals, which wander from the send times we chose. How far they may wander is the rate's
``Limits.slack`` (29/s: 34 ms; ×10 against a faster emulator: 3.4 ms); half of it is left to the
network, half to our own event loop: a booked time handed out later than that is dropped, since
sent then it would crowd the times booked after it, by this process or another. The per-chat keys
(``SET NX PX``) of one process travel to Redis together, one round trip for everything asked in the
same moment. Each process still orders its own waiters by lane; across processes a waiting
urgent/reply sender marks itself (in the same script call) and every process's scheduled and bulk
lanes step aside. A 429's ``retry_after`` is in Telegram's seconds (``Limits.time_scale`` of them
to one of ours against an emulator run faster).

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
# How far ahead one Redis call books send times: about this many sends, within these bounds
# (seconds). Longer loses less to round trips; shorter lets another process's urgent row in sooner.
_AHEAD_SENDS = 8
_AHEAD_BOUNDS = (0.02, 0.25)
_HIGH_MARK_MS = 500  # a process's "urgent/reply waiting" mark lasts this long unless renewed
_CHAT_BATCH = 500  # per-chat operations sent to Redis in one script call at most
_RENEW_DELAY = 0.005  # a chat's renewal after its send waits this long (seconds) for company
TELEGRAM_PER_SEC = 30.0  # Telegram's overall limit: about 30 messages in any second
TELEGRAM_PAID_PER_SEC = 1000.0  # with allow_paid_broadcast


@dataclass(frozen=True)
class Limits:
    """Telegram's limits with a margin. ``scaled(10)`` is the same shape ten times faster."""

    overall_per_sec: float = 29.0
    burst: float = 1.0
    per_chat_interval: float = 1.05
    per_group_interval: float = 3.05
    paid_per_sec: float = 950.0
    paid_burst: float = 10.0
    time_scale: float = 1.0  # Telegram's second lasts 1/time_scale of ours (an emulator run faster)

    def scaled(self, factor: float) -> Limits:
        """Rates ×factor and intervals ÷factor. Bursts are counts of messages and stay as they are:
        a burst scaled too would overrun Telegram's (scaled) windows."""
        return replace(self, overall_per_sec=self.overall_per_sec * factor,
                       per_chat_interval=self.per_chat_interval / factor,
                       per_group_interval=self.per_group_interval / factor,
                       paid_per_sec=self.paid_per_sec * factor, time_scale=self.time_scale * factor)

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


_NOW = Grant(offsets=(0.0,))


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


class ChatPacer(Protocol):
    """Per-chat spacing. ``reserve`` returns 0 when the chat is ours to send to now, else seconds to wait."""

    async def reserve(self, chat_id: int, interval: float) -> float: ...

    async def sent(self, chat_id: int, interval: float) -> None: ...

    async def penalize(self, chat_id: int, seconds: float) -> None: ...


Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


# --- in-process backend ------------------------------------------------------------------------

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
            return _NOW
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
    ``rate`` however the loop wakes. (A window of a quarter second instead of the bucket cost 4 %
    of the rate at 290/s: each wake-up's lateness passed on to the grant a quarter second later,
    and the next.)
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
        return _NOW

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


# --- Redis backend -----------------------------------------------------------------------------

# GCRA: ``tat`` is the earliest time the next send may go (server clock, microseconds); each send
# booked moves it on by one interval, so no two sends are ever closer than the interval (burst 1)
# and time nobody used is not saved up. KEYS[1] the state hash, KEYS[2] the sorted set of
# processes whose urgent/reply sends wait (score: until when). ARGV: interval µs, burst, want,
# ahead µs, lane, high_lanes, this process's id, how long its mark lasts (ms; 0: leave the mark
# alone, a single send asked without a queue), now in µs ('' in production: the server's clock;
# tests pass their virtual time).
# Returns {n, wait µs, offset µs × n}: n send times booked, each that long after the server's
# now; or n = 0 and how long to wait before asking again. Only the server's clock is used, so
# the workers' clocks never need to agree.
_SERVER_NOW = """
local function server_now(given)
  if given ~= '' then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
"""

_TAKE = _SERVER_NOW + """
local now = server_now(ARGV[9])
local interval = tonumber(ARGV[1])
local tau = (tonumber(ARGV[2]) - 1) * interval
local want = tonumber(ARGV[3])
local ahead = tonumber(ARGV[4])
local mark = tonumber(ARGV[8])
if tonumber(ARGV[5]) <= tonumber(ARGV[6]) then
  if mark > 0 then
    redis.call('ZADD', KEYS[2], now + mark * 1000, ARGV[7])
    redis.call('PEXPIRE', KEYS[2], 60000)
  end
else
  if mark > 0 then redis.call('ZREM', KEYS[2], ARGV[7]) end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) > 0 then
    return {0, math.max(1000, math.ceil(interval))}
  end
end
local state = redis.call('HMGET', KEYS[1], 'tat', 'paused')
local tat = tonumber(state[1]) or 0
local earliest = math.max(now, tonumber(state[2]) or 0)
local out = {0, 0}
for i = 1, want do
  local at = math.max(earliest, tat - tau)
  if at > now + ahead then break end
  out[#out + 1] = math.ceil(at - now)  -- whole µs, never early
  tat = math.max(tat, at) + interval
end
local booked = #out - 2
if booked == 0 then
  out[2] = math.max(1, math.ceil(math.max(earliest, tat - tau) - now - ahead))
  return out
end
out[1] = booked
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', math.ceil(tat)))
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 60000 then redis.call('PEXPIRE', KEYS[1], 60000) end
return out
"""

# KEYS[1] state hash. ARGV: microseconds to pause everyone, now (as for _TAKE).
_PAUSE = _SERVER_NOW + """
local now = server_now(ARGV[2])
local until_ = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0
if until_ > paused then
  redis.call('HSET', KEYS[1], 'paused', string.format('%.0f', until_))
end
local ttl = redis.call('PTTL', KEYS[1])
local keep = math.max(60000, math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
if ttl < keep then redis.call('PEXPIRE', KEYS[1], keep) end
return 0
"""

# Per-chat spacing, many chats in one call. KEYS: chat keys; ARGV: (operation, milliseconds) per
# key: 1 reserve (take the chat if free: SET NX PX), 2 sent (hold it for the interval from now),
# 3 penalize (hold it at least that long). Returns per key 0 (done, or the chat is ours) or the
# milliseconds until the chat is free.
_CHATS = """
local out = {}
for i, key in ipairs(KEYS) do
  local op = tonumber(ARGV[2 * i - 1])
  local ms = tonumber(ARGV[2 * i])
  out[i] = 0
  if op == 1 then
    if not redis.call('SET', key, '1', 'NX', 'PX', ms) then
      out[i] = math.max(1, redis.call('PTTL', key))
    end
  elseif op == 2 then
    redis.call('SET', key, '1', 'PX', ms)
  elseif redis.call('PTTL', key) < ms then
    redis.call('SET', key, '1', 'PX', ms)
  end
end
return out
"""


class RedisBucket:
    """``late``: a booked send time is handed out at most this long after it, else dropped (an event
    loop that wakes late must not send what it booked together with the times booked after it)."""

    def __init__(self, client: Any, key: str, rate: float, burst: float, *, flag_key: str,
                 late: float = math.inf, clock: Clock | None = None) -> None:
        self._client = client
        self._clock = clock  # tests only: their virtual time instead of the server's clock
        self._key = key
        self._flag = flag_key
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.ahead = min(max(_AHEAD_SENDS / rate, _AHEAD_BOUNDS[0]), _AHEAD_BOUNDS[1])
        self.late = late
        self._take = client.register_script(_TAKE)
        self._pause = client.register_script(_PAUSE)
        self._me = uuid.uuid4().hex
        self._marked = False

    async def take(self, lane: int, want: int = 1, ahead: float = 0.0, *, queued: bool = False) -> Grant:
        reply = await self._take(keys=[self._key, self._flag], args=[
            1_000_000 / self.rate, float(self.capacity), max(1, int(want)), int(ahead * 1_000_000), int(lane),
            HIGH_LANES, self._me, _HIGH_MARK_MS if queued else 0, self._now()])
        if queued:
            self._marked = lane <= HIGH_LANES
        booked = int(reply[0])
        if booked == 0:
            return Grant(wait=int(reply[1]) / 1_000_000)
        return Grant(offsets=tuple(int(micros) / 1_000_000 for micros in reply[2:2 + booked]))

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self._key], args=[int(seconds * 1_000_000), self._now()])

    def _now(self) -> str:
        return "" if self._clock is None else str(int(self._clock() * 1_000_000))

    async def set_high_waiting(self, waiting: bool) -> None:
        """Unmark this process once it has no urgent/reply sends waiting (``take`` marks it)."""
        if not waiting and self._marked:
            await self._client.zrem(self._flag, self._me)
            self._marked = False


class RedisPacer:
    """Per-chat keys in Redis. Everything asked in the same moment (a claim of hundreds of rows
    reserves hundreds of chats) goes in one script call, in the order asked. ``sent`` does not wait
    for Redis: the chat's key, taken at ``reserve``, is only renewed, a few milliseconds later with
    the renewals of the sends around it (the chat's next row cannot even be claimed before this one
    is marked sent), and whoever asks about this chat next is queued behind the renewal."""

    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_CHATS)
        self._queued: list[tuple[str, int, int, asyncio.Future[int] | None]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def _key(self, chat_id: int) -> str:
        return f"{self._prefix}:chat:{chat_id}"

    def _submit(self, chat_id: int, op: int, seconds: float, *, answer: bool) -> asyncio.Future[int] | None:
        loop = asyncio.get_running_loop()
        future = loop.create_future() if answer else None
        self._queued.append((self._key(chat_id), op, max(1, math.ceil(seconds * 1000)), future))
        if answer:
            self._start_flush()
        elif self._timer is None and (self._flusher is None or self._flusher.done()):
            self._timer = loop.call_later(_RENEW_DELAY, self._start_flush)
        return future

    def _start_flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="rate-limiter-chats")

    async def _flush(self) -> None:
        while self._queued:
            batch, self._queued = self._queued[:_CHAT_BATCH], self._queued[_CHAT_BATCH:]
            try:
                replies = await self._script(keys=[key for key, *_ in batch],
                                             args=[value for _, op, ms, _ in batch for value in (op, ms)])
            except asyncio.CancelledError:
                for *_, future in batch + self._queued:
                    if future is not None:
                        future.cancel()
                raise
            except Exception as exc:  # every waiter hears of it; a renewal alone is only logged
                unanswered = [future for *_, future in batch if future is not None]
                for future in unanswered:
                    if not future.done():
                        future.set_exception(exc)
                if len(unanswered) < len(batch):
                    log.warning("could not renew %s chats' spacing in Redis (%s)", len(batch) - len(unanswered),
                                type(exc).__name__)
                continue
            for (*_, future), millis in zip(batch, replies, strict=True):
                if future is not None and not future.done():
                    future.set_result(int(millis))

    async def reserve(self, chat_id: int, interval: float) -> float:
        future = self._submit(chat_id, 1, interval, answer=True)
        assert future is not None
        return await future / 1000

    async def sent(self, chat_id: int, interval: float) -> None:
        self._submit(chat_id, 2, interval, answer=False)

    async def penalize(self, chat_id: int, seconds: float) -> None:
        future = self._submit(chat_id, 3, seconds, answer=True)
        assert future is not None
        await future

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._flusher is not None:
            self._flusher.cancel()


# --- the limiter -------------------------------------------------------------------------------

class _Gate:
    """A bucket with its waiters, served lowest lane first, then first come.

    One task (the pump) asks the bucket for send times for every waiter at once, and at each of
    those times wakes whoever is first in line then: an urgent row that arrives meanwhile takes the
    next one.
    """

    def __init__(self, bucket: Bucket, clock: Clock, sleep: Sleep) -> None:
        self.bucket = bucket
        self._clock = clock
        self._sleep = sleep
        self._heap: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self._pauses = 0  # a 429 for everyone drops the send times booked before it
        self.dropped = 0  # booked send times handed to nobody because this loop woke too late
        self._trying = False  # a try_now is asking the bucket

    @property
    def waiting(self) -> int:
        return sum(1 for _, _, fut in self._heap if not fut.done())

    def _drop_dead(self) -> None:
        while self._heap and self._heap[0][2].done():
            heapq.heappop(self._heap)

    def _wanted(self, lane: int) -> int:
        """Send times to book: every waiter, or only the urgent/reply ones when they lead (the others
        step aside for another process's urgent rows, so they must not ride along)."""
        if lane > HIGH_LANES:
            return self.waiting
        return sum(1 for waiter_lane, _, fut in self._heap if waiter_lane <= HIGH_LANES and not fut.done())

    async def try_now(self, lane: int) -> bool:
        """A token at once, without jumping the queue; False when it would have to wait (or the
        answer came too late to use it)."""
        self._drop_dead()
        if self._heap or self._trying:  # (one asking already: the rest queue, not a herd of calls)
            return False
        self._trying = True
        try:
            asked = self._clock()
            if not (await self.bucket.take(lane)).offsets:
                return False
        finally:
            self._trying = False
        if self._clock() - asked > self.bucket.late:
            self.dropped += 1
            return False
        return True

    async def take(self, lane: int) -> None:
        if await self.try_now(lane):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (lane, next(self._seq), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run(), name="rate-limiter")
        await future

    async def _run(self) -> None:
        try:
            await self._serve()
        except Exception as exc:  # Redis unreachable, say: every waiter hears of it rather than hang
            log.warning("rate limiter failed (%s); %s waiting sends fail with it", type(exc).__name__, self.waiting)
            for _, _, future in self._heap:
                if not future.done():
                    future.set_exception(exc)
            self._heap.clear()

    async def _serve(self) -> None:
        while True:
            self._drop_dead()
            if not self._heap:
                await self.bucket.set_high_waiting(False)
                self._drop_dead()
                if not self._heap:  # (a waiter that came during the await is served, not stranded)
                    return
                continue
            lane = self._heap[0][0]
            pauses = self._pauses
            # Send times count from when we asked: the server booked them at some instant between
            # then and its answer, so that is the earliest each can be, and lateness is never missed.
            asked = self._clock()
            grant = await self.bucket.take(lane, self._wanted(lane), self.bucket.ahead, queued=True)
            if not grant.offsets:
                await self._sleep(min(grant.wait, _MAX_SLEEP))
                continue
            for offset in grant.offsets:
                due = asked + offset
                if (delay := due - self._clock()) > 0:
                    await self._sleep(delay)
                if self._pauses != pauses:
                    break  # Telegram asked everyone to wait: the rest of these times are void
                if self._clock() - due > self.bucket.late:
                    self.dropped += 1  # handed out now, it would crowd the times booked after it
                    continue
                self._drop_dead()
                if self._heap:
                    heapq.heappop(self._heap)[2].set_result(None)
                # else: every waiter left (cancelled) and the send time is lost; harmless

    async def pause(self, seconds: float) -> None:
        self._pauses += 1
        await self.bucket.pause(seconds)

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
        """Telegram answered 429: hold this chat, and everyone when the overall limit was hit.
        ``seconds`` are Telegram's (an emulator run faster counts in its own, shorter seconds)."""
        seconds /= self.limits.time_scale
        await self._pacer.penalize(chat_id, seconds)
        if everyone:
            await self._overall.pause(seconds)
            log.warning("Telegram asked every send to wait %.1f s", seconds)

    async def aclose(self) -> None:
        self._overall.close()
        self._paid.close()
        if isinstance(self._pacer, RedisPacer):
            self._pacer.close()
        if self._closer is not None:
            await self._closer()


def memory_limiter(limits: Limits | None = None, *, clock: Clock = time.monotonic,
                   sleep: Sleep = asyncio.sleep) -> RateLimiter:
    limits = limits or Limits()
    return RateLimiter(limits, overall=local_bucket(limits.overall_per_sec, limits.burst, clock),
                       paid=local_bucket(limits.paid_per_sec, limits.paid_burst, clock), pacer=LocalPacer(clock),
                       clock=clock, sleep=sleep, backend="memory")


def redis_limiter(url: str, limits: Limits | None = None, *, prefix: str = "saathi:rl",
                  clock: Clock | None = None, sleep: Sleep = asyncio.sleep) -> RateLimiter:
    """Buckets and per-chat keys in Redis, shared by every worker pointed at the same ``url``.
    ``clock``/``sleep``: tests only (the buckets then run on that clock, not the server's)."""
    import redis.asyncio as redis_asyncio

    limits = limits or Limits()
    client = redis_asyncio.from_url(url)
    flag = f"{prefix}:high"
    return RateLimiter(
        limits,
        overall=RedisBucket(client, f"{prefix}:overall", limits.overall_per_sec, limits.burst, flag_key=flag,
                            late=_late(limits.slack(limits.overall_per_sec)), clock=clock),
        # the paid bucket has no lanes: scheduled rows are the only ones that may be paid
        paid=RedisBucket(client, f"{prefix}:paid", limits.paid_per_sec, limits.paid_burst, flag_key=f"{flag}:none",
                         late=_late(limits.slack(limits.paid_per_sec, TELEGRAM_PAID_PER_SEC)), clock=clock),
        pacer=RedisPacer(client, prefix), clock=clock or time.monotonic, sleep=sleep, backend="redis",
        closer=client.aclose,
    )


def _late(slack: float) -> float:
    """How late a booked send time may still be handed out: half the rate's slack (the other half
    is left to the network). A rate at or over Telegram's has none (tests run such rates against
    an emulator that enforces nothing): hand times out however late."""
    return slack / 2 if slack > 0 else math.inf


def build_limiter(limits: Limits, redis_url: str | None) -> RateLimiter:
    return redis_limiter(redis_url, limits) if redis_url else memory_limiter(limits)


def unique_prefix() -> str:
    """A key prefix of one's own (tests and benchmarks sharing a Redis server)."""
    return f"saathi:rl:{uuid.uuid4().hex[:12]}"
