"""A WhatsApp number's pacing: Meta's 80/s with a margin, 6 s per person, one limiter per number."""

from __future__ import annotations

from bot.delivery.whatsapp import WHATSAPP_LIMITS, whatsapp_limiter_factory
from bot.domain import channels


def test_the_limits_keep_under_metas_and_pace_each_person_six_seconds() -> None:
    assert 0.95 * 80 <= WHATSAPP_LIMITS.overall_per_sec < 80
    assert WHATSAPP_LIMITS.interval_for(channels.whatsapp_key(7)) >= 6.0  # Meta's pair rate (131056)


async def test_each_number_has_its_own_limiter_in_memory_or_in_redis() -> None:
    local = whatsapp_limiter_factory(None)
    first, second = local(1, WHATSAPP_LIMITS), local(2, WHATSAPP_LIMITS)
    assert first is not second and first.backend == "memory"
    shared = whatsapp_limiter_factory("redis://127.0.0.1:6399/0")  # not contacted until a token is asked for
    one, two = shared(1, WHATSAPP_LIMITS), shared(2, WHATSAPP_LIMITS)
    assert one.backend == two.backend == "redis"
    keys = [limiter._overall.bucket._key for limiter in (one, two)]  # type: ignore[attr-defined]
    assert keys == ["saathi:rl:wa:1:overall", "saathi:rl:wa:2:overall"]  # keys of its own per number
    for limiter in (first, second, one, two):
        await limiter.aclose()
