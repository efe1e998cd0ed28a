"""The sender's call slots, served lowest lane first (bot/delivery/sender.py holds 8 of them)."""

from __future__ import annotations

import asyncio
import heapq
import itertools


class PrioritySlots:
    """A semaphore whose waiters are served lowest lane first: an urgent row waiting for one of the
    sender's call slots goes ahead of every scheduled row, even when sending falls behind the rate."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._heap: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def acquire(self, lane: int) -> None:
        if self._free > 0 and not self._heap:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (lane, next(self._seq), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the slot was handed over just as we were cancelled
            raise

    def release(self) -> None:
        while self._heap:
            future = heapq.heappop(self._heap)[2]
            if not future.done():
                future.set_result(None)
                return
        self._free += 1
