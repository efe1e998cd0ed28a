"""Due times in the member's local time, across timezones, DST and midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.scheduling import (
    HIGH_RISK_WINDOWS,
    PRESET_TIMES,
    end_of_local_day,
    is_quiet_hours,
    local_date,
    local_to_utc,
    next_checkin_due,
    next_craving_prompt_due,
    parse_time_text,
    reminder_due,
)

KOLKATA = "Asia/Kolkata"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- local_date / local_to_utc ------------------------------------------------


class TestLocalDate:
    def test_kolkata_is_ahead_of_utc(self) -> None:
        # 19:00 UTC is 00:30 the next day in India.
        assert local_date(utc(2025, 1, 31, 19, 0), KOLKATA) == date(2025, 2, 1)
        assert local_date(utc(2025, 1, 31, 18, 29), KOLKATA) == date(2025, 1, 31)

    def test_new_york_is_behind_utc(self) -> None:
        assert local_date(utc(2025, 1, 1, 3, 0), NEW_YORK) == date(2024, 12, 31)

    def test_accepts_any_aware_datetime(self) -> None:
        ist = datetime(2025, 1, 1, 0, 30, tzinfo=ZoneInfo(KOLKATA))
        assert local_date(ist, "UTC") == date(2024, 12, 31)

    def test_rejects_naive(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            local_date(datetime(2025, 1, 1), KOLKATA)


class TestLocalToUtc:
    def test_kolkata(self) -> None:
        assert local_to_utc(date(2025, 3, 1), time(20, 0), KOLKATA) == utc(2025, 3, 1, 14, 30)

    def test_utc_is_identity(self) -> None:
        assert local_to_utc(date(2025, 3, 1), time(8, 15), "UTC") == utc(2025, 3, 1, 8, 15)

    def test_result_is_aware_utc(self) -> None:
        result = local_to_utc(date(2025, 3, 1), time(8, 0), NEW_YORK)
        assert result.tzinfo is UTC

    def test_new_york_standard_and_daylight_time(self) -> None:
        assert local_to_utc(date(2025, 1, 15), time(20, 0), NEW_YORK) == utc(2025, 1, 16, 1, 0)
        assert local_to_utc(date(2025, 7, 15), time(20, 0), NEW_YORK) == utc(2025, 7, 16, 0, 0)

    def test_gap_gives_the_moment_clocks_jump(self) -> None:
        # 2025-03-09 02:00 EST → 03:00 EDT: 02:30 never happens.
        assert local_to_utc(date(2025, 3, 9), time(2, 30), NEW_YORK) == utc(2025, 3, 9, 7, 0)
        assert local_to_utc(date(2025, 3, 9), time(2, 0), NEW_YORK) == utc(2025, 3, 9, 7, 0)

    def test_just_around_the_gap(self) -> None:
        assert local_to_utc(date(2025, 3, 9), time(1, 59), NEW_YORK) == utc(2025, 3, 9, 6, 59)
        assert local_to_utc(date(2025, 3, 9), time(3, 0), NEW_YORK) == utc(2025, 3, 9, 7, 0)

    def test_fold_gives_the_first_occurrence(self) -> None:
        # 2025-11-02 02:00 EDT → 01:00 EST: 01:30 happens twice.
        assert local_to_utc(date(2025, 11, 2), time(1, 30), NEW_YORK) == utc(2025, 11, 2, 5, 30)

    def test_a_day_that_was_skipped(self) -> None:
        # Samoa jumped from 29 to 31 December 2011.
        assert local_to_utc(date(2011, 12, 30), time(9, 0), "Pacific/Apia") == utc(2011, 12, 30, 10, 0)

    @given(
        st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)),
        st.times(),
        st.sampled_from([KOLKATA, NEW_YORK, "UTC", "Europe/London", "Australia/Lord_Howe"]),
    )
    def test_round_trip_or_first_instant_after(self, day: date, at: time, tz: str) -> None:
        result = local_to_utc(day, at, tz)
        wall = result.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        wanted = datetime.combine(day, at)
        assert wall >= wanted
        if wall != wanted:  # only inside a gap: one moment earlier is before the wanted time
            before = (result - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
            assert before < wanted


# --- next_checkin_due -----------------------------------------------------------


class TestNextCheckinDue:
    def test_later_today(self) -> None:
        now = utc(2025, 3, 1, 10, 0)  # 15:30 IST
        assert next_checkin_due(now, KOLKATA, time(20, 0), None) == utc(2025, 3, 1, 14, 30)

    def test_already_passed_today_goes_to_tomorrow(self) -> None:
        now = utc(2025, 3, 1, 15, 0)  # 20:30 IST
        assert next_checkin_due(now, KOLKATA, time(20, 0), None) == utc(2025, 3, 2, 14, 30)

    def test_due_exactly_now_is_today(self) -> None:
        now = utc(2025, 3, 1, 14, 30)
        assert next_checkin_due(now, KOLKATA, time(20, 0), None) == now

    def test_already_checked_in_today_goes_to_tomorrow(self) -> None:
        now = utc(2025, 3, 1, 6, 0)  # 11:30 IST, check-in at 08:00 was sent
        assert next_checkin_due(now, KOLKATA, time(20, 0), date(2025, 3, 1)) == utc(2025, 3, 2, 14, 30)

    def test_moving_the_time_later_after_todays_was_sent_never_sends_twice(self) -> None:
        # Morning check-in went out; member moves to 21:30 at noon.
        now = utc(2025, 3, 1, 6, 30)  # 12:00 IST
        due = next_checkin_due(now, KOLKATA, time(21, 30), date(2025, 3, 1))
        assert local_date(due, KOLKATA) == date(2025, 3, 2)
        assert due == utc(2025, 3, 2, 16, 0)

    def test_moving_the_time_later_before_todays_was_sent_is_today(self) -> None:
        now = utc(2025, 3, 1, 1, 0)  # 06:30 IST, 08:00 not sent yet, moved to 21:30
        due = next_checkin_due(now, KOLKATA, time(21, 30), date(2025, 2, 28))
        assert due == utc(2025, 3, 1, 16, 0)

    def test_moving_the_time_earlier_than_now_is_tomorrow(self) -> None:
        now = utc(2025, 3, 1, 6, 30)  # 12:00 IST, evening not sent, moved to morning
        due = next_checkin_due(now, KOLKATA, time(8, 0), date(2025, 2, 28))
        assert due == utc(2025, 3, 2, 2, 30)

    def test_just_before_local_midnight(self) -> None:
        now = utc(2025, 3, 1, 18, 29)  # 23:59 IST
        assert next_checkin_due(now, KOLKATA, time(0, 0), None) == utc(2025, 3, 1, 18, 30)

    def test_just_after_local_midnight(self) -> None:
        now = utc(2025, 3, 1, 18, 31)  # 00:01 IST on the 2nd
        assert next_checkin_due(now, KOLKATA, time(23, 59), date(2025, 3, 1)) == utc(2025, 3, 2, 18, 29)
        assert next_checkin_due(now, KOLKATA, time(0, 0), date(2025, 3, 1)) == utc(2025, 3, 2, 18, 30)

    def test_utc_member(self) -> None:
        now = utc(2025, 6, 1, 23, 59)
        assert next_checkin_due(now, "UTC", time(8, 0), None) == utc(2025, 6, 2, 8, 0)

    def test_across_spring_forward(self) -> None:
        # 20:00 EST on Saturday is 01:00 UTC; 20:00 EDT on Sunday is 00:00 UTC.
        now = utc(2025, 3, 9, 2, 0)  # Saturday 21:00 EST, today's was sent
        assert next_checkin_due(now, NEW_YORK, time(20, 0), date(2025, 3, 8)) == utc(2025, 3, 10, 0, 0)

    def test_across_fall_back(self) -> None:
        now = utc(2025, 11, 2, 1, 0)  # Saturday 21:00 EDT
        assert next_checkin_due(now, NEW_YORK, time(20, 0), date(2025, 11, 1)) == utc(2025, 11, 3, 1, 0)

    def test_time_in_the_gap(self) -> None:
        now = utc(2025, 3, 9, 5, 0)  # 00:00 EST on the day of the jump
        assert next_checkin_due(now, NEW_YORK, time(2, 30), None) == utc(2025, 3, 9, 7, 0)

    def test_time_in_the_fold_is_sent_once_at_the_first(self) -> None:
        now = utc(2025, 11, 2, 4, 0)  # 00:00 EDT
        first = next_checkin_due(now, NEW_YORK, time(1, 30), None)
        assert first == utc(2025, 11, 2, 5, 30)
        # After sending it, the second 01:30 (06:30 UTC) must not count.
        again = next_checkin_due(first + timedelta(minutes=1), NEW_YORK, time(1, 30), date(2025, 11, 2))
        assert again == utc(2025, 11, 3, 6, 30)

    @given(
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
        st.times(),
        st.sampled_from([KOLKATA, NEW_YORK, "UTC"]),
        st.booleans(),
    )
    def test_never_in_the_past_and_never_twice_a_day(self, now: datetime, at: time, tz: str, sent_today: bool) -> None:
        last = local_date(now, tz) if sent_today else None
        due = next_checkin_due(now, tz, at, last)
        assert due >= now
        assert due - now <= timedelta(days=2, hours=1)
        if last is not None:
            assert local_date(due, tz) > last


# --- end of day and reminders ------------------------------------------------


class TestEndOfDayAndReminders:
    def test_end_of_local_day_kolkata(self) -> None:
        assert end_of_local_day(date(2025, 3, 1), KOLKATA) == utc(2025, 3, 1, 18, 30)

    def test_end_of_local_day_on_dst_days(self) -> None:
        # Both days are 23 and 25 hours long; the end is still local midnight.
        assert end_of_local_day(date(2025, 3, 9), NEW_YORK) == utc(2025, 3, 10, 4, 0)
        assert end_of_local_day(date(2025, 11, 2), NEW_YORK) == utc(2025, 11, 3, 5, 0)

    def test_end_of_day_when_midnight_is_skipped(self) -> None:
        # Santiago springs forward at 24:00 → 01:00; the next day starts at 01:00 local.
        end = end_of_local_day(date(2024, 9, 7), "America/Santiago")
        assert end == utc(2024, 9, 8, 4, 0)
        assert local_date(end, "America/Santiago") == date(2024, 9, 8)

    def test_reminder_later_the_same_day(self) -> None:
        sent = utc(2025, 3, 1, 14, 30)  # 20:00 IST
        assert reminder_due(sent, timedelta(hours=2), date(2025, 3, 1), KOLKATA) == utc(2025, 3, 1, 16, 30)

    def test_no_reminder_at_midnight_or_after(self) -> None:
        sent = utc(2025, 3, 1, 14, 30)  # 20:00 IST
        assert reminder_due(sent, timedelta(hours=4), date(2025, 3, 1), KOLKATA) is None
        assert reminder_due(sent, timedelta(hours=5), date(2025, 3, 1), KOLKATA) is None

    def test_reminder_a_minute_before_midnight(self) -> None:
        sent = utc(2025, 3, 1, 14, 30)
        due = reminder_due(sent, timedelta(hours=3, minutes=59), date(2025, 3, 1), KOLKATA)
        assert due == utc(2025, 3, 1, 18, 29)

    def test_reminder_on_the_short_dst_day(self) -> None:
        sent = utc(2025, 3, 10, 0, 0)  # 20:00 EDT on the 23-hour day
        assert reminder_due(sent, timedelta(hours=3, minutes=59), date(2025, 3, 9), NEW_YORK) is not None
        assert reminder_due(sent, timedelta(hours=4), date(2025, 3, 9), NEW_YORK) is None


# --- craving prompts -------------------------------------------------------------


class TestCravingPrompts:
    def test_windows_are_defined(self) -> None:
        assert set(HIGH_RISK_WINDOWS) == {"evenings", "nights", "weekends"}
        assert HIGH_RISK_WINDOWS["evenings"].at == time(18, 30)
        assert HIGH_RISK_WINDOWS["nights"].at == time(22, 0)
        assert HIGH_RISK_WINDOWS["weekends"].at == time(11, 0)
        assert HIGH_RISK_WINDOWS["weekends"].weekdays == frozenset({5, 6})

    def test_no_windows(self) -> None:
        assert next_craving_prompt_due(utc(2025, 3, 1, 0, 0), KOLKATA, []) is None

    def test_unknown_windows_are_ignored(self) -> None:
        assert next_craving_prompt_due(utc(2025, 3, 1, 0, 0), KOLKATA, ["paydays"]) is None

    def test_evening_today(self) -> None:
        now = utc(2025, 3, 3, 6, 0)  # Monday 11:30 IST
        assert next_craving_prompt_due(now, KOLKATA, {"evenings"}) == utc(2025, 3, 3, 13, 0)

    def test_strictly_after_now(self) -> None:
        now = utc(2025, 3, 3, 13, 0)  # Monday 18:30 IST exactly: that one is being sent
        assert next_craving_prompt_due(now, KOLKATA, {"evenings"}) == utc(2025, 3, 4, 13, 0)

    def test_earliest_across_windows(self) -> None:
        now = utc(2025, 3, 3, 14, 0)  # Monday 19:30 IST
        due = next_craving_prompt_due(now, KOLKATA, ["evenings", "nights"])
        assert due == utc(2025, 3, 3, 16, 30)  # 22:00 IST

    def test_weekends_from_a_weekday(self) -> None:
        now = utc(2025, 3, 4, 6, 0)  # Tuesday
        assert next_craving_prompt_due(now, KOLKATA, ["weekends"]) == utc(2025, 3, 8, 5, 30)  # Sat 11:00 IST

    def test_weekends_saturday_then_sunday(self) -> None:
        after_saturday = utc(2025, 3, 8, 6, 0)  # Saturday 11:30 IST
        assert next_craving_prompt_due(after_saturday, KOLKATA, ["weekends"]) == utc(2025, 3, 9, 5, 30)
        after_sunday = utc(2025, 3, 9, 6, 0)
        assert next_craving_prompt_due(after_sunday, KOLKATA, ["weekends"]) == utc(2025, 3, 15, 5, 30)

    def test_weekend_uses_the_local_day(self) -> None:
        # Friday 22:00 in New York is already Saturday in UTC: not a weekend prompt yet.
        now = utc(2025, 3, 8, 3, 0)
        assert next_craving_prompt_due(now, NEW_YORK, ["weekends"]) == utc(2025, 3, 8, 16, 0)

    def test_weekends_and_nights(self) -> None:
        now = utc(2025, 3, 8, 4, 0)  # Saturday 09:30 IST
        assert next_craving_prompt_due(now, KOLKATA, ["nights", "weekends"]) == utc(2025, 3, 8, 5, 30)


# --- quiet hours -----------------------------------------------------------------


class TestQuietHours:
    @pytest.mark.parametrize(
        ("ist", "quiet"),
        [
            (time(21, 59), False),
            (time(22, 0), True),
            (time(23, 59), True),
            (time(0, 0), True),
            (time(6, 59), True),
            (time(7, 0), False),
            (time(12, 0), False),
        ],
    )
    def test_default_window_wraps_midnight(self, ist: time, quiet: bool) -> None:
        now = datetime.combine(date(2025, 3, 1), ist, tzinfo=ZoneInfo(KOLKATA)).astimezone(UTC)
        assert is_quiet_hours(now, KOLKATA) is quiet

    def test_same_instant_differs_by_timezone(self) -> None:
        now = utc(2025, 3, 1, 17, 0)  # 22:30 IST, 12:00 EST
        assert is_quiet_hours(now, KOLKATA)
        assert not is_quiet_hours(now, NEW_YORK)

    def test_window_within_a_day(self) -> None:
        now = utc(2025, 3, 1, 13, 0)
        assert is_quiet_hours(now, "UTC", start=time(12, 0), end=time(14, 0))
        assert not is_quiet_hours(now, "UTC", start=time(14, 0), end=time(16, 0))

    def test_empty_window(self) -> None:
        assert not is_quiet_hours(utc(2025, 3, 1, 13, 0), "UTC", start=time(9, 0), end=time(9, 0))


# --- parse_time_text ---------------------------------------------------------------


class TestParseTimeText:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("21:30", time(21, 30)),
            ("21.30", time(21, 30)),
            ("9:30 pm", time(21, 30)),
            ("9:30PM", time(21, 30)),
            ("9pm", time(21, 0)),
            ("9 PM", time(21, 0)),
            ("9 p.m.", time(21, 0)),
            ("7 am", time(7, 0)),
            ("12 am", time(0, 0)),
            ("12 pm", time(12, 0)),
            ("0930", time(9, 30)),
            ("2130", time(21, 30)),
            ("930", time(9, 30)),
            ("9", time(9, 0)),
            ("00:00", time(0, 0)),
            ("23:59", time(23, 59)),
            ("  21:30  ", time(21, 30)),
            ("२१:३०", time(21, 30)),
            ("९", time(9, 0)),
            ("०७.१५", time(7, 15)),
        ],
    )
    def test_clock_times(self, text: str, expected: time) -> None:
        assert parse_time_text(text) == expected

    @pytest.mark.parametrize(
        ("text", "preset"),
        [
            ("morning", "morning"),
            ("Evening", "evening"),
            ("afternoon", "afternoon"),
            ("सुबह", "morning"),
            ("शाम", "evening"),
            ("दोपहर", "afternoon"),
            ("सकाळ", "morning"),
            ("सकाळी", "morning"),
            ("संध्याकाळ", "evening"),
            ("दुपारी", "afternoon"),
            ("subah", "morning"),
            ("shaam", "evening"),
            ("sakal", "morning"),
            ("Sham", "evening"),
        ],
    )
    def test_part_of_day_words_pick_presets(self, text: str, preset: str) -> None:
        assert parse_time_text(text) == PRESET_TIMES[preset]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("shaam 7 baje", time(19, 0)),
            ("शाम 7 बजे", time(19, 0)),
            ("सुबह ६ बजे", time(6, 0)),
            ("संध्याकाळी ७ वाजता", time(19, 0)),
            ("सकाळी 7:30", time(7, 30)),
            ("raat 10", time(22, 0)),
            ("raat 12 baje", time(0, 0)),
            ("raat 2", time(2, 0)),
            ("dopahar 12", time(12, 0)),
            ("dopahar 2", time(14, 0)),
            ("9 baje", time(9, 0)),
            ("shaam 19:30", time(19, 30)),
        ],
    )
    def test_numbers_with_part_of_day_words(self, text: str, expected: time) -> None:
        assert parse_time_text(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "abc",
            "25:00",
            "24:00",
            "12:60",
            "9:5",
            "13pm",
            "0 am",
            "12345",
            "raat",
            "night",
            "pm",
            "9:30:00",
            "-1",
            "९९",
            "21:30 tomorrow",
        ],
    )
    def test_rejects(self, text: str) -> None:
        assert parse_time_text(text) is None

    @given(st.text())
    def test_never_raises(self, text: str) -> None:
        result = parse_time_text(text)
        assert result is None or isinstance(result, time)


# --- purity of the domain layer ----------------------------------------------------

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"
PURE_MODULES = ("scheduling", "streaks", "coping", "pseudonyms", "callbacks", "checkin")
FORBIDDEN_IMPORTS = {"telegram", "sqlmodel", "sqlalchemy", "asyncio", "aiohttp", "storage", "handlers"}
