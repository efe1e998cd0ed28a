"""What the bot does once at start, for its members' sake."""

from __future__ import annotations

import gc

from bot.domain.risk import load_rules, packaged_model
from tests.e2e.conftest import Harness


async def test_start_up_sets_what_it_built_aside_from_the_collector_and_gives_it_back_on_stop(harness: Harness) -> None:
    """bot.app.settle_heap: the rules, the risk model and the modules stay out of the collector's full passes
    while the bot runs (each pass walked them all again, and members' replies paid for it)."""
    assert load_rules() is not None and packaged_model() is not None  # built before the freeze (post_init)
    assert gc.get_freeze_count() > 100_000  # objects the collector tracks: modules, rules, the model's tables

    await harness.stop_bot()

    assert gc.get_freeze_count() == 0
    await harness.start_bot()  # the fixture stops it again
    assert gc.get_freeze_count() > 100_000
