"""The offset clock a test hands a ``saathi run`` child (SAATHI_CLOCK_*), and how it is configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import clock_from_settings
from bot.clock import OffsetClock, SystemClock
from bot.config import SettingsError, parse_settings

START = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def test_offset_clock_runs_from_its_start_at_its_speed() -> None:
    wall = [1000.0]
    clock = OffsetClock(START, speed=30, anchor=1000.0, wall=lambda: wall[0])
    assert clock.now() == START
    wall[0] += 2
    assert clock.now() == START + timedelta(minutes=1)
    assert clock.wall_seconds(timedelta(minutes=1)) == 2
    with pytest.raises(ValueError):
        OffsetClock(datetime(2026, 11, 25), speed=1)
    with pytest.raises(ValueError):
        OffsetClock(START, speed=0)


def test_two_processes_with_the_same_settings_share_one_timeline() -> None:
    values = {
        "SAATHI_CLOCK_START": "2026-11-25T20:00:00+05:30",
        "SAATHI_CLOCK_SPEED": "10",
        "SAATHI_CLOCK_ANCHOR": "1000",
        "SAATHI_DUE_SCAN_SECONDS": "1",
    }
    settings = parse_settings(values)
    assert (settings.clock_start, settings.clock_speed, settings.clock_anchor) == (START, 10.0, 1000.0)
    assert settings.due_scan_seconds == 1.0
    clock = clock_from_settings(settings)
    assert isinstance(clock, OffsetClock) and clock.now() > START  # the anchor is long past


def test_without_the_settings_it_is_the_system_clock() -> None:
    settings = parse_settings({})
    assert settings.due_scan_seconds == 30.0
    assert isinstance(clock_from_settings(settings), SystemClock)


@pytest.mark.parametrize(
    "values",
    [
        {"SAATHI_CLOCK_START": "2026-11-25T20:00:00"},  # no offset
        {"SAATHI_CLOCK_START": "tomorrow"},
        {"SAATHI_CLOCK_START": "2026-11-25T20:00:00Z", "SAATHI_CLOCK_SPEED": "-1"},
        {"SAATHI_CLOCK_START": "2026-11-25T20:00:00Z", "SAATHI_CLOCK_ANCHOR": "soon"},
        {"SAATHI_DUE_SCAN_SECONDS": "0"},
        {"SAATHI_DUE_SCAN_SECONDS": "often"},
    ],
)
def test_malformed_values_are_refused_by_name(values: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="SAATHI_"):
        parse_settings(values)


def test_production_refuses_a_test_clock() -> None:
    values = {
        "SAATHI_ENV": "production",
        "SAATHI_CLOCK_START": "2026-11-25T20:00:00Z",
        "SAATHI_ENCRYPTION_KEYS": "c2FhdGhpLXRlc3Qta2V5LW5vdC1mb3ItcmVhbC11c2U=",
    }
    with pytest.raises(SettingsError, match="SAATHI_CLOCK_START"):
        parse_settings(values)
