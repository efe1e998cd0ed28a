"""A bucket's waiters served by lane, and the limiter the sender awaits (both backends)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from bot.delivery.limiter.limits import HIGH_LANES, Bucket, ChatPacer, Clock, Limits, Sleep

log = logging.getLogger(__name__)

_MAX_SLEEP = 0.25  # re-check at least this often (a Redis bucket may refill from elsewhere)


class Gate:
    """A bucket with its waiters, served lowest lane first, then first come.

    One task (the pump) asks the bucket for send times for every waiter at once, and at each of
    those times wakes whoever is first in line then: an urgent row that arrives meanwhile takes the
    next one.
    """

    def __init__(self, bucket: Bucket, clock: Clock, sleep: Sleep) -> None:
        self.bucket = bucket
        self._clock = clock
        self._sleep = sleep
        self._heap: list[tuple[int, int, asyncio.Future[None], bool]] = []  # lane, order, waiter, counted
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self._pauses = 0  # a 429 for everyone drops the send times booked before it
        self.dropped = 0  # booked send times handed to nobody because this loop woke too late
        self._trying = False  # a try_now is asking the bucket

    @property
    def waiting(self) -> int:
        return sum(1 for _, _, fut, _ in self._heap if not fut.done())

    def _drop_dead(self) -> None:
        while self._heap and self._heap[0][2].done():
            heapq.heappop(self._heap)

    def _wanted(self, lane: int) -> int:
        """Send times to book: every waiter, or only the urgent/reply ones when they lead (the others
        step aside for another process's urgent rows, so they must not ride along)."""
        if lane > HIGH_LANES:
            return self.waiting
        return sum(1 for waiter_lane, _, fut, _ in self._heap if waiter_lane <= HIGH_LANES and not fut.done())

    async def try_now(self, lane: int, counted: bool = False) -> bool:
        """A token at once, without jumping the queue; False when it would have to wait (or the
        answer came too late to use it). ``counted``: the call is counted until its answer is
        reported (``RateLimiter.calling``), from the instant the token is given."""
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
        if counted:
            self.bucket.lift()
        return True

    async def take(self, lane: int, counted: bool = False) -> None:
        if await self.try_now(lane, counted):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (lane, next(self._seq), future, counted))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run(), name="rate-limiter")
        await future

    async def _run(self) -> None:
        try:
            await self._serve()
        except Exception as exc:  # Redis unreachable, say: every waiter hears of it rather than hang
            log.warning("rate limiter failed (%s); %s waiting sends fail with it", type(exc).__name__, self.waiting)
            for _, _, future, _ in self._heap:
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
                    _, _, future, counted = heapq.heappop(self._heap)
                    future.set_result(None)
                    if counted:  # at the grant, not when the waiter wakes: the next grants must see it
                        self.bucket.lift()
                # else: every waiter left (cancelled) and the send time is lost; harmless

    async def pause(self, seconds: float) -> None:
        self._pauses += 1
        await self.bucket.pause(seconds)

    def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        for _, _, future, _ in self._heap:
            future.cancel()
        self._heap.clear()


class RateLimiter:
    def __init__(
        self,
        limits: Limits,
        *,
        overall: Bucket,
        paid: Bucket,
        pacer: ChatPacer,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        backend: str = "memory",
        closer: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.limits = limits
        self.backend = backend
        self._clock = clock
        self._sleep = sleep
        self._overall = Gate(overall, clock, sleep)
        self._paid = Gate(paid, clock, sleep)
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

    async def acquire(
        self,
        chat_id: int,
        lane: int,
        *,
        paced: bool = True,
        paid_ok: bool = False,
        chat_reserved: bool = False,
        counted: bool = False,
    ) -> bool:
        """Wait until this chat may receive a message and a token is ours.

        ``paced``: sends count against the per-chat spacing (edits and deletions do not);
        ``chat_reserved``: the caller already waited in ``reserve_chat``;
        ``counted``: the caller makes the call inside :meth:`calling` (the outbox senders), so it is
        counted against the server's own limit from this grant until a second after its answer.
        Returns True when the message should go out as a paid broadcast.
        """
        interval = self.limits.interval_for(chat_id)
        if paced and not chat_reserved:
            await self.reserve_chat(chat_id)
        paid = False
        if paid_ok and not await self._overall.try_now(lane, counted):
            await self._paid.take(lane, counted)
            paid = True
            self.paid_sends += 1
        elif not paid_ok:
            await self._overall.take(lane, counted)
        if paced:
            await self._pacer.sent(chat_id, interval)
        return paid

    def calling(self, *, paid: bool = False) -> _Calling:
        """Around the call a ``counted`` token from :meth:`acquire` was for: its answer ends the
        count's first part (:class:`~bot.delivery.limiter.local.LocalWindow`)."""
        return _Calling(self, paid)

    def landed(self, *, paid: bool = False) -> None:
        """A ``counted`` token's call was answered (or will not be made)."""
        (self._paid if paid else self._overall).bucket.land()

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
        self._pacer.close()
        if self._closer is not None:
            await self._closer()


class _Calling:
    """``RateLimiter.calling``: a plain context manager, not ``@contextmanager``, whose ``__exit__``
    sets the passing exception's ``__traceback__`` (pywa's errors are frozen dataclasses that refuse it)."""

    def __init__(self, limiter: RateLimiter, paid: bool) -> None:
        self._limiter = limiter
        self._paid = paid

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._limiter.landed(paid=self._paid)
