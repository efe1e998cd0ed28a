"""The Redis backend (``RATE_LIMIT_REDIS_URL``): several worker processes share one rate limit.

The buckets and the per-chat pacing live in Redis, so several worker processes together stay under
the ceiling. The Redis bucket is GCRA on the server's clock (an atomic Lua script): one call
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
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from typing import Any

from bot.delivery.limiter.gate import RateLimiter
from bot.delivery.limiter.limits import HIGH_LANES, TELEGRAM_PAID_PER_SEC, Clock, Grant, Limits, Sleep

log = logging.getLogger(__name__)

# How far ahead one Redis call books send times: about this many sends, within these bounds
# (seconds). Longer loses less to round trips; shorter lets another process's urgent row in sooner.
_AHEAD_SENDS = 8
_AHEAD_BOUNDS = (0.02, 0.25)
_HIGH_MARK_MS = 500  # a process's "urgent/reply waiting" mark lasts this long unless renewed
_CHAT_BATCH = 500  # per-chat operations sent to Redis in one script call at most
_RENEW_DELAY = 0.005  # a chat's renewal after its send waits this long (seconds) for company

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

_TAKE = (
    _SERVER_NOW
    + """
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
)

# KEYS[1] state hash. ARGV: microseconds to pause everyone, now (as for _TAKE).
_PAUSE = (
    _SERVER_NOW
    + """
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
)

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

    def __init__(
        self,
        client: Any,
        key: str,
        rate: float,
        burst: float,
        *,
        flag_key: str,
        late: float = math.inf,
        clock: Clock | None = None,
    ) -> None:
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
        reply = await self._take(
            keys=[self._key, self._flag],
            args=[
                1_000_000 / self.rate,
                float(self.capacity),
                max(1, int(want)),
                int(ahead * 1_000_000),
                int(lane),
                HIGH_LANES,
                self._me,
                _HIGH_MARK_MS if queued else 0,
                self._now(),
            ],
        )
        if queued:
            self._marked = lane <= HIGH_LANES
        booked = int(reply[0])
        if booked == 0:
            return Grant(wait=int(reply[1]) / 1_000_000)
        return Grant(offsets=tuple(int(micros) / 1_000_000 for micros in reply[2 : 2 + booked]))

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self._key], args=[int(seconds * 1_000_000), self._now()])

    def _now(self) -> str:
        return "" if self._clock is None else str(int(self._clock() * 1_000_000))

    def lift(self) -> None:
        return None  # the shared schedule spaces grants across workers; answers are not counted in Redis

    def land(self) -> None:
        return None

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
                replies = await self._script(
                    keys=[key for key, *_ in batch], args=[value for _, op, ms, _ in batch for value in (op, ms)]
                )
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
                    log.warning(
                        "could not renew %s chats' spacing in Redis (%s)",
                        len(batch) - len(unanswered),
                        type(exc).__name__,
                    )
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


def redis_limiter(
    url: str,
    limits: Limits | None = None,
    *,
    prefix: str = "saathi:rl",
    clock: Clock | None = None,
    sleep: Sleep = asyncio.sleep,
) -> RateLimiter:
    """Buckets and per-chat keys in Redis, shared by every worker pointed at the same ``url``.
    ``clock``/``sleep``: tests only (the buckets then run on that clock, not the server's)."""
    import redis.asyncio as redis_asyncio

    limits = limits or Limits()
    client = redis_asyncio.from_url(url)
    flag = f"{prefix}:high"
    return RateLimiter(
        limits,
        overall=RedisBucket(
            client,
            f"{prefix}:overall",
            limits.overall_per_sec,
            limits.burst,
            flag_key=flag,
            late=_late(limits.slack(limits.overall_per_sec)),
            clock=clock,
        ),
        # the paid bucket has no lanes: scheduled rows are the only ones that may be paid
        paid=RedisBucket(
            client,
            f"{prefix}:paid",
            limits.paid_per_sec,
            limits.paid_burst,
            flag_key=f"{flag}:none",
            late=_late(limits.slack(limits.paid_per_sec, TELEGRAM_PAID_PER_SEC)),
            clock=clock,
        ),
        pacer=RedisPacer(client, prefix),
        clock=clock or time.monotonic,
        sleep=sleep,
        backend="redis",
        closer=client.aclose,
    )


def _late(slack: float) -> float:
    """How late a booked send time may still be handed out: half the rate's slack (the other half
    is left to the network). A rate at or over Telegram's has none (tests run such rates against
    an emulator that enforces nothing): hand times out however late."""
    return slack / 2 if slack > 0 else math.inf


def unique_prefix() -> str:
    """A key prefix of one's own (tests and benchmarks sharing a Redis server)."""
    return f"saathi:rl:{uuid.uuid4().hex[:12]}"
