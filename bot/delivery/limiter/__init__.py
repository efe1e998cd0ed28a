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

Two backends behind one class: in-process (the default, :mod:`.local`) and Redis
(``RATE_LIMIT_REDIS_URL``, :mod:`.redis`), where the buckets and the per-chat pacing live in Redis so
several worker processes together stay under the ceiling. :mod:`.gate` serves each bucket's waiters
by lane (the same for both backends); :mod:`.limits` holds the limits and what a backend provides.

Time is injected (``clock``/``sleep``) so the tests play minutes of sending in milliseconds.
"""

from __future__ import annotations

from bot.delivery.limiter.gate import RateLimiter
from bot.delivery.limiter.limits import TELEGRAM_PAID_PER_SEC, TELEGRAM_PER_SEC, Grant, Limits
from bot.delivery.limiter.local import LocalPacer, memory_limiter
from bot.delivery.limiter.redis import redis_limiter, unique_prefix

__all__ = [
    "TELEGRAM_PAID_PER_SEC",
    "TELEGRAM_PER_SEC",
    "Grant",
    "Limits",
    "LocalPacer",
    "RateLimiter",
    "build_limiter",
    "memory_limiter",
    "redis_limiter",
    "unique_prefix",
]


def build_limiter(limits: Limits, redis_url: str | None) -> RateLimiter:
    return redis_limiter(redis_url, limits) if redis_url else memory_limiter(limits)
