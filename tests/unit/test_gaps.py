"""Gap detection over calendars (time zones, pauses, failed deliveries), who is told, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.gaps import (
    Day,
    Gap,
    Notice,
    Notified,
    QuietHours,
    Thresholds,
    current_gap,
    day_outcome,
    next_scan_at,
    next_weekly,
    notices_due,
    rate_dropped,
    release_at,
    same_gap,
    suggest_counsellor,
)
from bot.domain.scheduling import local_date
from bot.domain.sponsorship import parse_pseudonym, parse_two_pseudonyms, parse_weekday, sponsor_eligible, week_row

D, M, N = Day.DONE, Day.MISSED, Day.NEUTRAL
TODAY = date(2026, 11, 30)
KOLKATA = "Asia/Kolkata"


def cal(*outcomes: Day, ending: date = TODAY) -> dict[date, Day]:
    """Outcomes oldest first, the last one on ``ending``."""
    return {ending - timedelta(days=len(outcomes) - 1 - i): o for i, o in enumerate(outcomes)}


def gap(days: dict[date, Day], today: date = TODAY) -> Gap | None:
    return current_gap(days, today, today - timedelta(days=35))


# --- one day --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "delivered", "paused", "over", "expected"),
    [
        ("completed", True, False, True, D),
        ("completed", False, True, False, D),  # a check-in done is done, even on a paused day
        ("missed", True, False, True, M),
        ("pending", True, False, True, M),  # still open from a past day: the close job has not run yet
        ("missed", False, False, True, N),  # 403 or retries exhausted: never arrived, not the member's fault
        ("missed", True, True, True, N),  # paused
        ("pending", True, False, False, N),  # today is not over
        (None, True, False, True, N),  # nothing was sent that day
    ],
)
def test_day_outcome(status: str | None, delivered: bool, paused: bool, over: bool, expected: Day) -> None:
    assert day_outcome(checkin_status=status, delivered=delivered, paused=paused, day_over=over) is expected


# --- gaps ----------------------------------------------------------------------------------------


def test_two_missed_days_after_a_check_in_are_a_gap_of_two() -> None:
    found = gap(cal(D, D, M, M, N))  # today (N) is still open
    assert found == Gap(start=TODAY - timedelta(days=2), last=TODAY - timedelta(days=1), missed=2)


def test_a_completed_check_in_ends_the_gap() -> None:
    assert gap(cal(M, M, M, D, N)) is None
    assert gap(cal(M, M, M, M, D)) is None  # checked in today: back on track


def test_paused_and_undelivered_days_are_not_misses_and_do_not_break_a_run() -> None:
    days = cal(D, M, N, N, M, N)  # missed, paused ×2 (or 403s), missed, today
    found = gap(days)
    assert found is not None and found.missed == 2
    assert found.start == TODAY - timedelta(days=4)


def test_only_undelivered_days_is_no_gap() -> None:
    assert gap(cal(D, N, N, N, N)) is None


def test_days_before_the_horizon_are_not_looked_at() -> None:
    days = cal(M, M, M, ending=TODAY - timedelta(days=40))
    assert gap(days) is None


def test_a_member_abroad_has_their_own_calendar() -> None:
    """At 20:00 UTC it is already tomorrow in India but still today in New York."""
    now = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    india, new_york = local_date(now, KOLKATA), local_date(now, "America/New_York")
    assert india == date(2026, 11, 30) and new_york == date(2026, 11, 29)

    # Both missed 28 and 29 November; for India the 29th is over, in New York it is today and still open.
    def outcomes(today: date) -> dict[date, Day]:
        return {
            d: day_outcome(checkin_status="pending", delivered=True, paused=False, day_over=d < today)
            for d in (date(2026, 11, 28), date(2026, 11, 29))
        }

    assert gap(outcomes(india), india).missed == 2  # type: ignore[union-attr]
    assert gap(outcomes(new_york), new_york).missed == 1  # type: ignore[union-attr]


def test_same_gap_until_a_check_in_is_completed() -> None:
    days = cal(D, M, M, M, N)
    start = TODAY - timedelta(days=3)
    assert same_gap(days, start)
    assert not same_gap(days, None)
    assert not same_gap(cal(M, M, D, M, N), TODAY - timedelta(days=4))


def test_a_gap_longer_than_the_look_back_stays_the_same_gap() -> None:
    """Its computed start moves every day; the remembered start still matches, so no second ping."""
    days = {TODAY - timedelta(days=i): M for i in range(1, 60)}
    remembered = TODAY - timedelta(days=59)
    found = gap(days)
    assert found is not None and found.start > remembered
    assert same_gap(days, remembered)


# --- who is told, once per gap ---------------------------------------------------------------------


def test_the_sponsor_once_after_two_then_the_counsellor_after_four() -> None:
    assert notices_due(1, Notified(), has_sponsor=True) == frozenset()
    assert notices_due(2, Notified(), has_sponsor=True) == {Notice.SPONSOR}
    assert notices_due(3, Notified(sponsor=True), has_sponsor=True) == frozenset()
    assert notices_due(4, Notified(sponsor=True), has_sponsor=True) == {Notice.DROPOUT}
    assert notices_due(9, Notified(sponsor=True, dropout=True), has_sponsor=True) == frozenset()


def test_without_a_sponsor_the_counsellor_gets_the_two_day_notice() -> None:
    assert notices_due(2, Notified(), has_sponsor=False) == {Notice.COUNSELLOR}
    assert notices_due(3, Notified(counsellor=True), has_sponsor=False) == frozenset()
    assert notices_due(4, Notified(counsellor=True), has_sponsor=False) == {Notice.DROPOUT}


def test_one_message_to_the_counsellor_when_both_notices_fall_due_together() -> None:
    assert notices_due(5, Notified(), has_sponsor=False) == {Notice.DROPOUT}
    assert notices_due(5, Notified(), has_sponsor=True) == {Notice.SPONSOR, Notice.DROPOUT}


def test_per_centre_thresholds() -> None:
    strict = Thresholds(sponsor_after=1, counsellor_after=3)
    assert notices_due(1, Notified(), has_sponsor=True, thresholds=strict) == {Notice.SPONSOR}
    assert Notice.DROPOUT in notices_due(3, Notified(sponsor=True), has_sponsor=True, thresholds=strict)


# --- a sharp drop in the check-in rate -------------------------------------------------------------


def test_every_other_day_after_weeks_of_daily_check_ins_is_a_drop() -> None:
    baseline = [D] * 21
    recent = [M, D, M, D, M, M, D]
    days = cal(*baseline, *recent, N)
    assert rate_dropped(days, TODAY)


def test_steady_members_and_thin_records_are_not_a_drop() -> None:
    assert not rate_dropped(cal(*([D] * 28), N), TODAY)
    assert not rate_dropped(cal(*([M, D] * 14), N), TODAY)  # always about half: no change
    assert not rate_dropped(cal(M, M, M, M, M, M, M, N), TODAY)  # no baseline (new member)


def test_paused_weeks_do_not_look_like_a_drop() -> None:
    days = cal(*([D] * 21), N, N, N, N, N, D, N, N)
    assert not rate_dropped(days, TODAY)


# --- quiet hours -------------------------------------------------------------------------------------


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=5, minutes=30)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ist(25, 23, 0), ist(26, 7, 0)),  # late evening: next morning
        (ist(26, 2, 30), ist(26, 7, 0)),  # small hours: this morning
        (ist(26, 6, 59), ist(26, 7, 0)),
        (ist(26, 7, 0), ist(26, 7, 0)),  # the end is not quiet
        (ist(26, 21, 59), ist(26, 21, 59)),
        (ist(26, 22, 0), ist(27, 7, 0)),  # the start is quiet
    ],
)
def test_pings_wait_for_the_morning(moment: datetime, expected: datetime) -> None:
    assert release_at(moment, KOLKATA) == expected


def test_quiet_hours_are_in_the_recipients_time_zone() -> None:
    moment = ist(26, 8, 0)  # morning in India, 02:30 in London
    assert release_at(moment, KOLKATA) == moment
    assert release_at(moment, "Europe/London") == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def test_quiet_hours_across_a_dst_change() -> None:
    # New York springs forward on 8 March 2026: 07:00 EDT is 11:00 UTC, not 12:00.
    moment = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST
    assert release_at(moment, "America/New_York") == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)


def test_a_centre_without_quiet_hours_and_with_its_own() -> None:
    none = QuietHours(time(0, 0), time(0, 0))
    assert release_at(ist(26, 3, 0), KOLKATA, none) == ist(26, 3, 0)
    early = QuietHours(time(21, 0), time(6, 0))
    assert release_at(ist(26, 21, 30), KOLKATA, early) == ist(27, 6, 0)


def test_the_calendar_is_read_once_the_day_is_over_and_the_night_too() -> None:
    assert next_scan_at(ist(25, 9, 0), KOLKATA) == ist(26, 7, 0)
    assert next_scan_at(ist(26, 7, 0), KOLKATA) == ist(27, 7, 0)
    assert next_scan_at(ist(25, 9, 0), KOLKATA, QuietHours(time(0), time(0))) == ist(26, 0, 0)


def test_next_weekly_summary() -> None:
    # 25 November 2026 is a Wednesday; the next Sunday 09:00 IST is the 29th.
    assert next_weekly(ist(25, 10, 0), KOLKATA, 6) == ist(29, 9, 0)
    assert next_weekly(ist(29, 9, 0), KOLKATA, 6) == ist(29, 9, 0) + timedelta(days=7)


def test_suggest_the_counsellor_after_a_few_sponsor_only_requests() -> None:
    assert not suggest_counsellor(2, 0, False)
    assert suggest_counsellor(3, 0, False)
    assert not suggest_counsellor(3, 1, False)
    assert not suggest_counsellor(5, 0, True)


# --- what a sponsor sees, reading commands -------------------------------------------------------------


def test_week_row_shows_days_only_oldest_first() -> None:
    done = [TODAY - timedelta(days=n) for n in (6, 5, 4, 2)]
    assert week_row(done, TODAY) == "✅ ✅ ✅ ⬜ ✅ ⬜ ⏳"
    assert week_row([*done, TODAY], TODAY).endswith("⬜ ✅")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("River 12 you can do this", ("River 12", "you can do this")),
        ("river12 hi", ("River 12", "hi")),
        ("Lotus 7", ("Lotus 7", "")),
        ("Lotus 7\nline two", ("Lotus 7", "line two")),
        ("hello there", None),
        ("", None),
    ],
)
def test_parse_pseudonym(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_pseudonym(text) == expected


def test_parse_two_pseudonyms_and_weekdays() -> None:
    assert parse_two_pseudonyms("Lotus 7 River 12") == ("Lotus 7", "River 12")
    assert parse_two_pseudonyms("Lotus 7 + River 12") == ("Lotus 7", "River 12")
    assert parse_two_pseudonyms("Lotus 7 River 12 extra") is None
    assert parse_weekday("Sunday") == 6 and parse_weekday("mon") == 0 and parse_weekday("x") is None


def test_sponsor_eligibility_counts_days_in_recovery() -> None:
    assert sponsor_eligible(90, 10, 90)
    assert not sponsor_eligible(30, 400, 90)  # a recent lapse restarts the count
    assert sponsor_eligible(None, 120, 90)  # no recovery date given: days in the programme
