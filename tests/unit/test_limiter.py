"""The outbox sender's rate limiter: overall rate, per-chat spacing, lanes, paid broadcast, 429s.

The in-process backend runs on virtual time (``VirtualTime``), so minutes of sending take
milliseconds; the Redis backend is tested against the local server (skipped, with the reason,
when it is not reachable; CI has one).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import time

import pytest

from bot.delivery.limiter import Limits, memory_limiter, redis_limiter, unique_prefix
from bot.domain.outgoing import Priority

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
        heapq.heappush(self._timers, (self.now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run_until(self, deadline: float) -> None:
        while True:
            for _ in range(50):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
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
    assert _max_in_window(times, 0.25) <= 7  # in small bursts


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
    assert all(b - a >= 1.05 - 1e-9 for a, b in zip(private, private[1:]))
    assert all(b - a >= 3.05 - 1e-9 for a, b in zip(group, group[1:]))


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
    assert [chat for _, chat, *_ in log[sent_before:sent_before + 2]] == [9001, 9002]
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


async def test_scaled_limits_keep_the_shape() -> None:
    limits = Limits().scaled(10)
    assert limits.overall_per_sec == 280 and limits.burst == 10
    assert abs(limits.per_chat_interval - 0.105) < 1e-9 and abs(limits.per_group_interval - 0.305) < 1e-9


# --- Redis ------------------------------------------------------------------------------------

def _redis_or_skip() -> None:
    try:
        import redis
    except ImportError:
        pytest.skip("the redis package is not installed (pip install 'saathi[redis]')")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__}); CI runs it")


async def test_two_workers_sharing_redis_stay_under_the_shared_rate() -> None:
    _redis_or_skip()
    limits = Limits(overall_per_sec=200, burst=2)
    prefix = unique_prefix()
    workers = [redis_limiter(REDIS_URL, limits, prefix=prefix) for _ in range(2)]
    grants: list[float] = []

    async def send(limiter, chat_id: int) -> None:  # type: ignore[no-untyped-def]
        await limiter.acquire(chat_id, Priority.SCHEDULED)
        grants.append(time.monotonic())

    try:
        started = time.monotonic()
        await asyncio.gather(*(send(workers[i % 2], 10_000 + i) for i in range(200)))
        took = time.monotonic() - started
    finally:
        for limiter in workers:
            await limiter.aclose()
    # 200 tokens at 200/s shared: about one second, not half a second (each worker alone would allow 200/s)
    assert took >= 0.9
    # rate × window + burst; the times are taken in the client after the reply, so allow some jitter
    assert _max_in_window(grants, 0.5) <= 100 + 2 + 12


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
        assert all(b - a >= 0.18 for a, b in zip(times, times[1:]))

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
        broadcast = [asyncio.create_task(send(broadcaster, 20_000 + i, Priority.SCHEDULED, "checkin"))
                     for i in range(20)]
        await asyncio.sleep(0.2)  # the broadcast is under way in the other worker
        started = time.monotonic()
        await send(alerter, 9001, Priority.URGENT, "alert")
        waited = time.monotonic() - started
        await asyncio.gather(*broadcast)
    finally:
        await broadcaster.aclose()
        await alerter.aclose()
    assert waited < 0.25  # the very next token or so (one token is 50 ms), not behind the broadcast's second
    assert order.index("alert") < 10
