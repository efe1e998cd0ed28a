"""Check-in streaks, sober days and milestones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.streaks import (
    MILESTONE_LATE_DAYS,
    MILESTONES,
    checkin_streak,
    count_to_tell,
    milestone_reached,
    sober_days,
)

TODAY = date(2025, 3, 10)


def days_back(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=n) for n in offsets]


class TestCheckinStreak:
    def test_no_checkins(self) -> None:
        assert checkin_streak([], TODAY) == 0

    def test_only_today(self) -> None:
        assert checkin_streak(days_back(0), TODAY) == 1

    def test_ending_today(self) -> None:
        assert checkin_streak(days_back(0, 1, 2), TODAY) == 3

    def test_today_not_done_yet_counts_to_yesterday(self) -> None:
        assert checkin_streak(days_back(1, 2, 3), TODAY) == 3

    def test_missed_yesterday_breaks_it(self) -> None:
        assert checkin_streak(days_back(2, 3, 4), TODAY) == 0
        assert checkin_streak(days_back(0, 2, 3), TODAY) == 1

    def test_gap_further_back(self) -> None:
        assert checkin_streak(days_back(0, 1, 3, 4, 5), TODAY) == 2

    def test_duplicates_and_order_do_not_matter(self) -> None:
        assert checkin_streak(days_back(2, 0, 1, 0, 2), TODAY) == 3

    def test_future_days_are_ignored(self) -> None:
        assert checkin_streak(days_back(-1, 0, 1), TODAY) == 2

    def test_accepts_any_iterable(self) -> None:
        assert checkin_streak(iter(days_back(0, 1)), TODAY) == 2

    def test_across_month_and_year(self) -> None:
        new_year = date(2025, 1, 1)
        assert checkin_streak([date(2024, 12, 30), date(2024, 12, 31), new_year], new_year) == 3

    @given(st.sets(st.integers(min_value=0, max_value=60)))
    def test_streak_is_a_run_of_present_days(self, offsets: set[int]) -> None:
        days = days_back(*offsets)
        streak = checkin_streak(days, TODAY)
        start = 0 if 0 in offsets else 1
        assert all(n in offsets for n in range(start, start + streak))
        assert start + streak not in offsets


class TestSoberDays:
    def test_unknown(self) -> None:
        assert sober_days(None, None, TODAY) is None

    def test_start_day_is_day_zero(self) -> None:
        assert sober_days(TODAY, None, TODAY) == 0
        assert sober_days(TODAY - timedelta(days=1), None, TODAY) == 1

    def test_counts_whole_days(self) -> None:
        assert sober_days(date(2025, 1, 1), None, date(2025, 4, 1)) == 90

    def test_lapse_restarts_from_the_day_after(self) -> None:
        start = date(2024, 1, 1)
        assert sober_days(start, TODAY - timedelta(days=3), TODAY) == 2

    def test_lapse_today(self) -> None:
        assert sober_days(date(2024, 1, 1), TODAY, TODAY) == 0

    def test_lapse_before_start_is_ignored(self) -> None:
        assert sober_days(date(2025, 3, 1), date(2025, 2, 1), TODAY) == 9

    def test_only_last_use_known(self) -> None:
        assert sober_days(None, date(2025, 3, 1), TODAY) == 8

    def test_future_start_is_zero_not_negative(self) -> None:
        assert sober_days(TODAY + timedelta(days=5), None, TODAY) == 0


class TestMilestones:
    def test_milestones(self) -> None:
        assert MILESTONES == (1, 7, 30, 60, 90, 180, 365)

    @pytest.mark.parametrize("m", MILESTONES)
    def test_each_reached_exactly_on_its_day(self, m: int) -> None:
        assert milestone_reached(m - 1, m) == m
        assert milestone_reached(m, m) is None
        assert milestone_reached(m, m + 1) is None

    def test_ordinary_day(self) -> None:
        assert milestone_reached(40, 41) is None

    def test_a_skipped_day_does_not_lose_it(self) -> None:
        assert milestone_reached(29, 31) == 30
        assert milestone_reached(29, 30 + MILESTONE_LATE_DAYS - 1) == 30

    def test_a_milestone_long_past_is_not_news(self) -> None:
        # celebrated on its day or soon after a missed check-in, never weeks later
        assert milestone_reached(29, 30 + MILESTONE_LATE_DAYS) is None
        assert milestone_reached(0, 100) is None
        assert milestone_reached(5, 400) is None

    def test_crossing_several_celebrates_the_highest_recent_one(self) -> None:
        assert milestone_reached(6, 30) == 30
        assert milestone_reached(0, 7) == 7

    def test_first_count_celebrates_only_a_milestone_falling_today(self) -> None:
        # issue 15: a member whose recovery began 705 days ago heard "365 days" at their first check-in
        assert milestone_reached(None, 705) is None
        assert milestone_reached(None, 45) is None
        assert milestone_reached(None, 30) == 30
        assert milestone_reached(None, 1) == 1
        assert milestone_reached(None, 0) is None

    def test_unknown_now(self) -> None:
        assert milestone_reached(10, None) is None
        assert milestone_reached(None, None) is None

    def test_after_a_lapse_nothing_then_earned_again(self) -> None:
        assert milestone_reached(45, 0) is None
        assert milestone_reached(0, 1) == 1
        assert milestone_reached(6, 7) == 7

    def test_beyond_a_year(self) -> None:
        assert milestone_reached(364, 365) == 365
        assert milestone_reached(365, 366) is None

    @given(st.lists(st.integers(min_value=0, max_value=400), max_size=40))
    def test_each_milestone_celebrated_once_while_days_only_grow(self, steps: list[int]) -> None:
        days = sorted(steps)
        previous: int | None = None
        celebrated: list[int] = []
        for current in days:
            if (m := milestone_reached(previous, current)) is not None:
                celebrated.append(m)
            previous = current
        assert len(celebrated) == len(set(celebrated))
        assert celebrated == sorted(celebrated)


class TestCountToTell:
    def test_joining_after_a_milestone_hears_the_count(self) -> None:
        assert count_to_tell(None, 705) == 705
        assert count_to_tell(None, 45) == 45

    def test_nothing_extra_on_a_milestone_day_or_an_ordinary_day(self) -> None:
        assert count_to_tell(None, 30) is None  # the milestone itself is said
        assert count_to_tell(40, 41) is None
        assert count_to_tell(29, 31) is None  # 30 is still celebrated, a day late
        assert count_to_tell(None, 0) is None
        assert count_to_tell(None, None) is None

    def test_a_milestone_missed_while_away_gives_the_count_instead(self) -> None:
        assert count_to_tell(20, 420) == 420
