"""The outbox sender's rate limiter: overall rate, per-chat spacing, lanes, paid broadcast, 429s.

The in-process backend runs on virtual time (``VirtualTime``), so minutes of sending take
milliseconds; the Redis backend is tested against the local server (skipped, with the reason,
when it is not reachable; CI has one), partly on virtual time too (``RedisVirtualTime``: the
scripts are handed the virtual clock, and time moves only when no Redis command is on its way).
What Telegram would say is asked of the emulator's own flood limiter (``sandbox.limiter``).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import os
import random
import time
from itertools import pairwise

import pytest

from bot.delivery.limiter import (
    TELEGRAM_PER_SEC,
    Grant,
    Limits,
    LocalPacer,
    RateLimiter,
    memory_limiter,
    redis_limiter,
    unique_prefix,
)
from bot.domain.outgoing import Priority
from sandbox.limiter import FloodLimiter

REDIS_URL = os.environ.get("SAATHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class VirtualTime:
    """``clock``/``sleep`` for the limiter: time moves only when every task is waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, seconds) + self.lag(), next(self._seq), future))
        await future

    def lag(self) -> float:
        """How late a sleeper wakes (an event loop busy elsewhere); none here."""
        return 0.0

    async def settle(self) -> None:
        for _ in range(50):  # let every runnable task reach its next wait
            await asyncio.sleep(0)

    async def run_until(self, deadline: float) -> None:
        while True:
            await self.settle()
            if not self._timers or self._timers[0][0] > deadline:
                self.now = max(self.now, deadline)
                return
            when, _, future = heapq.heappop(self._timers)
            self.now = max(self.now, when)
            if not future.done():
                future.set_result(None)


def _grants(vt: VirtualTime, limiter, chat_id: int, lane: int, log: list, **kwargs) -> asyncio.Task:  # type: ignore[no-untyped-def]
    async def go() -> None:
        paid = await limiter.acquire(chat_id, lane, **kwargs)
        log.append((vt.now, chat_id, lane, paid))

    return asyncio.create_task(go())


def _max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_overall_rate_holds_and_no_second_holds_more_than_the_rate() -> None:
    vt = VirtualTime()
    limiter = memory_limiter(Limits(overall_per_sec=28), clock=vt.clock, sleep=vt.sleep)
    log: list = []
    for chat in range(1, 281):  # 280 different members: ten seconds of sending
        _grants(vt, limiter, chat, Priority.SCHEDULED, log)
    await vt.run_until(9.0)
    assert 240 <= len(log) < 280
    await vt.run_until(11)
    assert len(log) == 280
    times = [at for at, *_ in log]
    assert _max_in_window(times, 1.0) <= 28  # under Telegram's 30 in every second
    assert max(times.count(at) for at in times) <= 7  # at most a quarter second's worth at once
    assert _max_in_window(times, 0.25) <= 14  # and then paced: small bursts


class LateTime(VirtualTime):
    """Every sleeper wakes late, by up to ``lag`` seconds (an event loop busy with other work)."""

    def __init__(self, lag: float) -> None:
        super().__init__()
        self._lag = lag
        self._random = random.Random(7)

    def lag(self) -> float:
        return self._random.uniform(0, self._lag)


async def test_a_loop_that_wakes_late_every_time_still_sends_at_the_rate() -> None:
    """Lateness is not passed on from one grant to the next: at 290/s (the ×10 benchmark) with every
    wake-up up to 20 ms late, the rate stays within 1 % of the limit and no second holds more."""
    vt = LateTime(0.02)
    limiter = memory_limiter(Limits(overall_per_sec=290), clock=vt.clock, sleep=vt.sleep)
    log: list = []
    for chat in range(1, 5801):
        _grants(vt, limiter, chat, Priority.SCHEDULED, log)
    await vt.run_until(20.0)
    times = [at for at, *_ in log]
    assert len(times) >= 0.99 * 290 * 20
    assert _max_in_window(times, 1.0) <= 290


async def _calls_reaching_telegram(
    counted: bool, *, network: float = 0.0, lateness: tuple[float, ...] = (0.0, 0.005, 0.3)
) -> tuple[list[float], float]:
    """600 check-ins through the limiter at 29/s. Each call's round trip is the network's steady
    ``network`` seconds plus one of ``lateness`` (a busy event loop, a slow server), and it reaches
    Telegram at an instant we never see: half the network's time after the grant, plus any part of
    the lateness. Returns the arrivals and when the last answer came."""
    vt = VirtualTime()
    limiter = memory_limiter(Limits(), clock=vt.clock, sleep=vt.sleep)
    chance = random.Random(3)
    arrivals: list[float] = []
    answered: list[float] = []

    async def call(chat_id: int) -> None:
        await limiter.acquire(chat_id, Priority.SCHEDULED, counted=counted)
        with limiter.calling():
            late = chance.choice(lateness)
            arrivals.append(vt.now + network / 2 + chance.uniform(0, late))
            await vt.sleep(network + late)
        answered.append(vt.now)

    tasks = [asyncio.create_task(call(chat)) for chat in range(1, 601)]
    await vt.run_until(60.0)
    assert all(task.done() for task in tasks)
    return arrivals, max(answered)


async def test_counted_calls_never_make_telegram_count_one_too_many_however_late_they_arrive() -> None:
    """Counted from the grant until a second after the answer, no second of Telegram's holds more
    than 30 whenever each call really arrived; counted by grants alone, the late ones bunch up with
    the next second's and are refused. The price is rate: at worst 30 per (1 s + the slowest call)."""
    arrivals, last = await _calls_reaching_telegram(counted=True)
    assert len(arrivals) == 600
    assert _telegram_refuses(arrivals, Limits()) == 0
    assert 600 / last >= TELEGRAM_PER_SEC / 1.3

    uncounted, _ = await _calls_reaching_telegram(counted=False)
    assert _telegram_refuses(uncounted, Limits()) > 0


async def test_a_distant_servers_round_trip_costs_rate_in_proportion_and_nothing_more() -> None:
    """Against the real Telegram a call takes 200 ms there and back: each is held 1.2 s, so the rate
    is 30 per 1.2 s (25/s), not less, and still nothing is refused."""
    arrivals, last = await _calls_reaching_telegram(counted=True, network=0.2, lateness=(0.0, 0.002))
    assert _telegram_refuses(arrivals, Limits()) == 0
    assert 600 / (last - 0.2) >= 0.97 * TELEGRAM_PER_SEC / 1.2


async def test_a_stalled_loop_loses_no_sending_time() -> None:
    """The event loop was busy for 0.2 s: the sends it delayed go out at once, within the rate."""
    vt = VirtualTime()
    limiter = memory_limiter(Limits(overall_per_sec=28), clock=vt.clock, sleep=vt.sleep)
    log: list = []
    await limiter.acquire(1, Priority.SCHEDULED)
    vt.now = 0.2  # nobody ran for a while
    for chat in range(2, 8):
        _grants(vt, limiter, chat, Priority.SCHEDULED, log)
    await vt.run_until(0.2)
    assert len(log) == 6 and all(at == 0.2 for at, *_ in log)


async def test_one_private_chat_gets_one_message_per_interval_and_a_group_three_seconds() -> None:
    vt = VirtualTime()
    limiter = memory_limiter(Limits(), clock=vt.clock, sleep=vt.sleep)
    log: list = []

    async def chat_in_order(chat_id: int, count: int) -> None:
        for _ in range(count):  # the sender sends one chat's rows one after another
            await limiter.acquire(chat_id, Priority.REPLY)
            log.append((vt.now, chat_id))

    tasks = [asyncio.create_task(chat_in_order(501, 5)), asyncio.create_task(chat_in_order(-100777, 3))]
    await vt.run_until(20)
    await asyncio.gather(*tasks)
    private = [at for at, chat in log if chat == 501]
    group = [at for at, chat in log if chat == -100777]
    assert len(private) == 5 and len(group) == 3
    assert all(b - a >= 1.05 - 1e-9 for a, b in pairwise(private))
    assert all(b - a >= 3.05 - 1e-9 for a, b in pairwise(group))


async def test_edits_are_not_paced_per_chat() -> None:
    vt = VirtualTime()
    limiter = memory_limiter(Limits(), clock=vt.clock, sleep=vt.sleep)
    await limiter.acquire(501, Priority.REPLY)
    task = asyncio.create_task(limiter.acquire(501, Priority.REPLY, paced=False))
    await vt.run_until(0.2)  # one overall token later (1/28 s), not a second later
    assert task.done()


async def test_an_urgent_alert_behind_a_broadcast_takes_the_next_token() -> None:
    vt = VirtualTime()
    limiter = memory_limiter(Limits(overall_per_sec=28), clock=vt.clock, sleep=vt.sleep)
    log: list = []
    for chat in range(1, 2801):  # 100 s of scheduled check-ins, all waiting
        _grants(vt, limiter, chat, Priority.SCHEDULED, log)
    await vt.run_until(30)
    sent_before = len(log)
    _grants(vt, limiter, 9001, Priority.URGENT, log)
    _grants(vt, limiter, 9002, Priority.REPLY, log)
    await vt.run_until(30.3)
    urgent = [at for at, chat, *_ in log if chat == 9001]
    reply = [at for at, chat, *_ in log if chat == 9002]
    assert urgent and urgent[0] - 30 <= 0.25 + 1e-9  # the first token of the next quarter second
    assert reply and reply[0] >= urgent[0]
    assert [chat for _, chat, *_ in log[sent_before : sent_before + 2]] == [9001, 9002]
    assert len(log) - sent_before <= 2 * 7 + 1  # the broadcast goes on at the same rate around them


async def test_paid_rows_take_a_free_token_when_one_is_free_else_a_paid_one() -> None:
    vt = VirtualTime()
    limiter = memory_limiter(Limits(overall_per_sec=28), clock=vt.clock, sleep=vt.sleep)
    log: list = []
    for chat in range(1, 1001):
        _grants(vt, limiter, chat, Priority.SCHEDULED, log, paid_ok=True)
    _grants(vt, limiter, 9001, Priority.URGENT, log)
    await vt.run_until(2.0)
    assert len(log) == 1001  # 1,000 check-ins in ~1 s instead of 36 s
    paid = [entry for entry in log if entry[3]]
    assert 900 <= len(paid) < 1000 and limiter.paid_sends == len(paid)
    assert _max_in_window([at for at, _, _, p in log if p], 1.0) <= 950
    assert [entry for entry in log if entry[1] == 9001][0][3] is False  # urgent never paid


async def test_a_429_for_everyone_pauses_the_bucket_and_one_for_a_chat_only_that_chat() -> None:
    vt = VirtualTime()
    limiter = memory_limiter(Limits(overall_per_sec=28), clock=vt.clock, sleep=vt.sleep)
    await limiter.retry_after(501, 5, everyone=False)
    log: list = []
    _grants(vt, limiter, 501, Priority.REPLY, log)
    _grants(vt, limiter, 502, Priority.REPLY, log)
    await vt.run_until(1)
    assert [chat for _, chat, *_ in log] == [502]
    await vt.run_until(5.1)
    assert [chat for _, chat, *_ in log] == [502, 501]

    await limiter.retry_after(503, 3, everyone=True)
    _grants(vt, limiter, 504, Priority.URGENT, log)
    await vt.run_until(vt.now + 2.9)
    assert len(log) == 2
    await vt.run_until(vt.now + 0.2)
    assert log[-1][1] == 504


async def test_a_429_under_a_scaled_emulator_waits_its_scaled_seconds() -> None:
    """The emulator run ×10 answers "retry after 1" in its own seconds: a tenth of ours."""
    vt = VirtualTime()
    limiter = memory_limiter(Limits().scaled(10), clock=vt.clock, sleep=vt.sleep)
    await limiter.retry_after(503, 1, everyone=True)
    log: list = []
    _grants(vt, limiter, 504, Priority.URGENT, log)
    await vt.run_until(0.09)
    assert not log
    await vt.run_until(0.11)
    assert len(log) == 1


def test_slack_is_the_jitter_a_rate_leaves_before_telegram_counts_one_too_many() -> None:
    assert math.isclose(Limits().slack(29), 30 / 29 - 1)  # 34 ms
    assert math.isclose(Limits().slack(28), 30 / 28 - 1)  # 71 ms
    scaled = Limits(overall_per_sec=29).scaled(10)
    assert scaled.time_scale == 10 and math.isclose(scaled.slack(scaled.overall_per_sec), 30 / 290 - 0.1)  # 3.4 ms
    assert Limits().slack(1000) == 0


class _BucketThatFails:
    """Answers "wait" to a single ask and fails when asked for a queue (Redis went away meanwhile)."""

    ahead = 0.0
    late = math.inf

    async def take(self, lane: int, want: int = 1, ahead: float = 0.0, *, queued: bool = False) -> Grant:
        if queued:
            raise ConnectionError("the limiter's Redis went away")
        return Grant(wait=0.01)

    async def pause(self, seconds: float) -> None:
        return None

    async def set_high_waiting(self, waiting: bool) -> None:
        return None


async def test_waiters_hear_of_a_failing_bucket_rather_than_wait_forever() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(
        Limits(),
        overall=_BucketThatFails(),
        paid=_BucketThatFails(),
        pacer=LocalPacer(vt.clock),
        clock=vt.clock,
        sleep=vt.sleep,
    )
    waiters = [asyncio.create_task(limiter.acquire(chat, Priority.SCHEDULED)) for chat in (1, 2, 3)]
    await vt.run_until(1)
    for waiter in waiters:
        with pytest.raises(ConnectionError):
            await waiter
    assert limiter.waiting == 0


async def test_scaled_limits_keep_the_shape() -> None:
    limits = Limits().scaled(10)
    assert limits.overall_per_sec == 290 and limits.burst == 1 and limits.paid_burst == 10  # counts, not rates
    assert abs(limits.per_chat_interval - 0.105) < 1e-9 and abs(limits.per_group_interval - 0.305) < 1e-9


# --- Redis ------------------------------------------------------------------------------------


def _redis_or_skip() -> None:
    try:
        import redis
    except ImportError:
        pytest.skip("the redis package is not installed (pip install 'saathi[redis]')")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__}); CI runs it")


async def test_two_workers_sharing_redis_stay_under_the_shared_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    _redis_or_skip()
    vt = RedisVirtualTime(monkeypatch)
    limits = Limits(overall_per_sec=200, burst=2)
    times, _ = await _two_redis_workers(vt, limits, 200)
    # 200 tokens at 200/s shared: about one second, not half a second (each worker alone would allow 200/s)
    assert max(times) - min(times) >= 0.9
    # rate × window + burst, counted on the times the limiter granted
    assert _max_in_window(times, 0.5) <= 100 + 2


async def test_redis_paces_one_chat_across_workers_and_holds_it_after_a_429() -> None:
    _redis_or_skip()
    limits = Limits(overall_per_sec=1000, burst=5, per_chat_interval=0.2)
    prefix = unique_prefix()
    first, second = (redis_limiter(REDIS_URL, limits, prefix=prefix) for _ in range(2))
    try:
        times = []
        for limiter in (first, second, first, second):
            await limiter.acquire(777, Priority.REPLY)
            times.append(time.monotonic())
        assert all(b - a >= 0.18 for a, b in pairwise(times))

        await first.retry_after(778, 0.5, everyone=False)
        started = time.monotonic()
        await second.acquire(778, Priority.REPLY)
        assert time.monotonic() - started >= 0.45
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_urgent_waiter_in_one_worker_makes_the_others_broadcast_step_aside() -> None:
    _redis_or_skip()
    limits = Limits(overall_per_sec=20, burst=1)
    prefix = unique_prefix()
    broadcaster, alerter = (redis_limiter(REDIS_URL, limits, prefix=prefix) for _ in range(2))
    order: list[str] = []

    async def send(limiter, chat_id: int, lane: int, name: str) -> None:  # type: ignore[no-untyped-def]
        await limiter.acquire(chat_id, lane)
        order.append(name)

    try:
        broadcast = [
            asyncio.create_task(send(broadcaster, 20_000 + i, Priority.SCHEDULED, "checkin")) for i in range(20)
        ]
        while len(order) < 2:  # the broadcast is under way in the other worker
            await asyncio.sleep(0.01)
        before = len(order)
        await send(alerter, 9001, Priority.URGENT, "alert")
        await asyncio.gather(*broadcast)
    finally:
        await broadcaster.aclose()
        await alerter.aclose()
    # In the order the limiter granted them: the first token after those the broadcaster had already
    # booked ahead (its bucket's own horizon: 0.25 s at 20/s, five tokens), not behind the broadcast's second.
    ahead = math.ceil(broadcaster._overall.bucket.ahead * limits.overall_per_sec)
    assert order.index("alert") <= before + ahead + 1 < 20, (before, ahead, order)


# --- Redis on virtual time ---------------------------------------------------------------------


class RedisVirtualTime(VirtualTime):
    """Virtual time for limiters whose buckets live in Redis: time moves only when every task waits
    on it and no Redis command is on its way (a reply in flight would otherwise arrive "late")."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, lag: float = 0.0, seed: int = 7) -> None:
        super().__init__()
        import redis.asyncio

        self.in_flight = 0
        self.commands = 0
        self._lag = lag
        self._random = random.Random(seed)
        original = redis.asyncio.Redis.execute_command

        async def counted(client, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.in_flight += 1
            self.commands += 1
            try:
                return await original(client, *args, **kwargs)
            finally:
                self.in_flight -= 1

        monkeypatch.setattr(redis.asyncio.Redis, "execute_command", counted)

    def lag(self) -> float:
        return self._random.uniform(0, self._lag) if self._lag else 0.0

    async def settle(self) -> None:
        while True:
            await super().settle()
            if not self.in_flight:
                return
            await asyncio.sleep(0.0002)  # real time, for Redis to answer


def _telegram_refuses(times: list[float], limits: Limits) -> int:
    """How many of these arrivals the emulator (Telegram's limits, at the limits' time scale) refuses."""
    now = [0.0]
    flood = FloodLimiter(
        overall_per_sec=TELEGRAM_PER_SEC,
        per_chat_per_sec=None,
        per_group_per_min=None,
        time_scale=limits.time_scale,
        clock=lambda: now[0],
    )
    refused = 0
    for now[0] in sorted(times):
        refused += flood.acquire(1, is_group=False) > 0
    return refused


async def _two_redis_workers(vt: RedisVirtualTime, limits: Limits, sends: int) -> tuple[list[float], float]:
    prefix = unique_prefix()
    workers = [redis_limiter(REDIS_URL, limits, prefix=prefix, clock=vt.clock, sleep=vt.sleep) for _ in range(2)]
    log: list = []
    try:
        for i in range(sends):
            _grants(vt, workers[i % 2], 40_000 + i, Priority.SCHEDULED, log)
        await vt.run_until(3 * sends / limits.overall_per_sec)
    finally:
        for limiter in workers:
            await limiter.aclose()
    dropped = sum(limiter._overall.dropped for limiter in workers)
    assert len(log) == sends, f"{len(log)} of {sends} granted ({dropped} send times dropped)"
    return [at for at, *_ in log], dropped


@pytest.mark.parametrize("scale", [1, 10])
async def test_redis_workers_never_put_more_in_a_window_than_the_rate_and_telegram_takes_them_all(
    monkeypatch: pytest.MonkeyPatch, scale: float
) -> None:
    """Two processes, 400 concurrent sends each, one shared Redis bucket at 29/s (×10: 290/s in a
    0.1 s window): no window holds more than 29, the rate is kept, and Telegram, counting arrivals
    that wander by up to half the rate's slack (the network's share), refuses none."""
    _redis_or_skip()
    vt = RedisVirtualTime(monkeypatch)
    limits = Limits(overall_per_sec=29).scaled(scale)
    times, dropped = await _two_redis_workers(vt, limits, 800)
    window = 1 / scale
    assert _max_in_window(times, window) <= 29
    assert dropped == 0  # nobody woke late: every booked time was used
    assert max(times) - min(times) <= 800 / limits.overall_per_sec + window  # the rate, not less
    assert _telegram_refuses(times, limits) == 0
    jitter = random.Random(3)
    wandered = [at + jitter.uniform(0, limits.slack(limits.overall_per_sec) / 2) for at in times]
    assert _telegram_refuses(wandered, limits) == 0
    # one Redis call books several send times, and chats asked about together go together: fewer calls
    # than sends (a reserve, a renewal and a booking each would be 2,400). How many ride together depends
    # on when Redis answers: about 280 on a quiet machine, 408 once on a busy one.
    assert vt.commands < 800, vt.commands


@pytest.mark.parametrize("scale", [1, 10])
async def test_redis_workers_whose_loops_wake_late_drop_those_send_times_rather_than_crowd_the_next(
    monkeypatch: pytest.MonkeyPatch, scale: float
) -> None:
    """Every sleep wakes up to three times the tolerated lateness late (a busy event loop): send
    times handed out that late would crowd the ones booked after them, so they are dropped; what
    goes out still fits Telegram's window, with the network's share of the slack to spare."""
    _redis_or_skip()
    limits = Limits(overall_per_sec=29).scaled(scale)
    late = limits.slack(limits.overall_per_sec) / 2
    vt = RedisVirtualTime(monkeypatch, lag=3 * late)
    times, dropped = await _two_redis_workers(vt, limits, 400)
    window = 1 / scale
    assert dropped > 0
    assert _max_in_window(times, window) <= math.floor(limits.overall_per_sec * (window + late)) + 1 <= 30
    jitter = random.Random(5)
    wandered = [at + jitter.uniform(0, late) for at in times]
    assert _telegram_refuses(wandered, limits) == 0


async def test_redis_chats_asked_together_go_in_one_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim of 300 rows reserves 300 chats at once: one script call, not 300 (nor 300 connections)."""
    _redis_or_skip()
    vt = RedisVirtualTime(monkeypatch)
    limiter = redis_limiter(REDIS_URL, Limits(per_chat_interval=1.0), prefix=unique_prefix())
    try:
        await limiter.reserve_chat(1)  # the connection and the script are loaded
        before = vt.commands
        await asyncio.gather(*(limiter.reserve_chat(chat) for chat in range(2, 302)))
        assert vt.commands - before <= 2
        started = time.monotonic()
        await limiter.reserve_chat(2)  # held: about a second after the first reserve
        assert time.monotonic() - started >= 0.8
    finally:
        await limiter.aclose()
