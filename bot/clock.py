"""Time is injected: services and jobs ask a clock, never ``datetime.now()``.

Tests use :class:`FakeClock` to play a whole day in a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


class OffsetClock:
    """Real time, shifted and optionally sped up: ``start`` at wall time ``anchor``, then moving
    ``speed`` times as fast as the wall clock.

    For a bot in a child process that a test drives through a simulated day (``SAATHI_CLOCK_START``,
    ``SAATHI_CLOCK_SPEED``, ``SAATHI_CLOCK_ANCHOR``; never honoured in production). Processes given
    the same three values share one timeline, so a restarted bot carries on where the killed one was.
    """

    def __init__(
        self, start: datetime, *, speed: float = 1.0, anchor: float | None = None, wall: Callable[[], float] = time.time
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs a timezone-aware start")
        if speed <= 0:
            raise ValueError("OffsetClock speed must be positive")
        self._start = start.astimezone(UTC)
        self._speed = speed
        self._wall = wall
        self._anchor = wall() if anchor is None else anchor

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(self._wall() - self._anchor) * self._speed)

    def wall_seconds(self, simulated: timedelta) -> float:
        """How many real seconds pass while this clock moves by ``simulated``."""
        return simulated.total_seconds() / self._speed
