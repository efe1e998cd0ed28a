"""Peer circles: the one function that builds relayed messages, the moderation lists, the meeting
schedule. No database: the anonymity promise, played through the real services on SQLite, is
tests/storage/test_circle_anonymity.py.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import moderation, relay
from bot.domain.relay import (
    RelayMessage,
    Schedule,
    ScheduleError,
    build_relay,
    contains_contact_details,
    goal_for,
    is_flooding,
    next_meeting_start,
    opener_for,
    pace,
    parse_schedule,
)
from bot.domain.whatsapp import capabilities
from bot.i18n import LANGUAGES, message_ids
from bot.services import circles

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"
FORBIDDEN_IMPORTS = {"telegram", "sqlmodel", "sqlalchemy", "asyncio", "aiohttp", "storage", "handlers", "bot.i18n"}


# --- the one function -----------------------------------------------------------------------------


def test_build_relay_takes_only_a_speaker_a_body_a_mark_and_buttons() -> None:
    parameters = list(inspect.signature(build_relay).parameters)
    assert parameters == ["speaker", "body", "mark", "icon", "buttons"]
    assert build_relay("Lotus 27", "Three days today") == RelayMessage("🌿 Lotus 27: Three days today")
    assert build_relay("Meera", "Welcome", mark="facilitator").text == "🌿 Meera (facilitator): Welcome"
    cheered = build_relay("Banyan 4", "7 days!", icon="🎉", buttons=[("👏", "cir:v1:enc:9:clap")])
    assert cheered.text == "🎉 Banyan 4: 7 days!" and cheered.button_rows() == [[("👏", "cir:v1:enc:9:clap")]]


@given(
    speaker=st.text(min_size=1, max_size=40).filter(str.strip),
    body=st.text(max_size=300),
    mark=st.none() | st.sampled_from(["facilitator", "सहायक"]),
)
def test_build_relay_shows_exactly_the_speaker_and_the_words(speaker: str, body: str, mark: str | None) -> None:
    built = build_relay(speaker, body, mark=mark)
    label = " ".join(speaker.split()) + (f" ({mark})" if mark else "")
    assert built.text == (f"🌿 {label}: {body.strip()}" if body.strip() else f"🌿 {label}")
    assert built.buttons == ()


@pytest.mark.parametrize(
    "text",
    [
        "call me 9812345678",
        "+91 98123 45678",
        "ping @ravi_sharma",
        "t.me/ravi",
        "https://example.org/me",
        "mail ravi.s@example.com",
        "022-2345-6789",
    ],
)
def test_contact_details_are_recognised(text: str) -> None:
    assert contains_contact_details(text)


@pytest.mark.parametrize(
    "text",
    [
        "90 days clean today",
        "I slept 8 hours, 2 meetings this week",
        "@ home now",
        "Meeting at 19:00 on 01/12/2026",
        "2026-11-25 was hard",
        "I owe 50000 rupees",
    ],
)
def test_ordinary_sharing_is_not_contact_details(text: str) -> None:
    assert not contains_contact_details(text)


def test_flood_limit_counts_the_last_minute_only() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    recent = [now - timedelta(seconds=s) for s in range(0, 50, 5)]  # ten in fifty seconds
    assert is_flooding(recent, now, 10)
    assert not is_flooding(recent[:9], now, 10)
    assert not is_flooding([now - timedelta(seconds=61)] * 20, now, 10)


def test_pace_keeps_one_message_a_second_per_chat() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    gap = relay.PER_CHAT_GAP
    assert timedelta(seconds=1) <= gap <= timedelta(seconds=2)
    due, after = pace(None, now)
    assert (due, after) == (now, now + gap)
    due2, after2 = pace(after, now)
    assert due2 == now + gap and after2 == now + 2 * gap
    assert pace(now - timedelta(hours=1), now)[0] == now  # an old slot never schedules in the past


def test_pace_of_a_whatsapp_chat_keeps_metas_six_seconds() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    gap = capabilities.WHATSAPP.chat_interval + relay.PACE_MARGIN
    assert gap >= timedelta(seconds=6.05)  # the sender's own pair pause (bot/delivery/whatsapp.py)
    assert capabilities.TELEGRAM.chat_interval + relay.PACE_MARGIN == relay.PER_CHAT_GAP
    _, after = pace(None, now, gap)
    due2, after2 = pace(after, now, gap)
    assert due2 == now + gap and after2 == now + 2 * gap


# --- meetings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily 19:00 60", Schedule("daily", time(19, 0), 60)),
        ("daily 7:30", Schedule("daily", time(7, 30), 60)),
        ("Weekly Saturday 11:00 90", Schedule("weekly", time(11, 0), 90, 5)),
        ("weekly mon 18 45min", Schedule("weekly", time(18, 0), 45, 0)),
    ],
)
def test_schedules_read_as_an_admin_writes_them(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected
    assert parse_schedule(expected.describe()) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sometimes",
        "daily",
        "weekly 19:00",
        "daily 25:00",
        "daily 19:00 5",
        "daily 19:00 60 extra",
        "weekly funday 10:00",
    ],
)
def test_bad_schedules_say_why(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_next_meeting_in_local_time() -> None:
    daily = parse_schedule("daily 19:00 60")
    morning = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 08:30 in India
    assert next_meeting_start(daily, morning, "Asia/Kolkata") == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    assert next_meeting_start(daily, datetime(2026, 11, 25, 13, 30, tzinfo=UTC), "Asia/Kolkata") == datetime(
        2026, 11, 26, 13, 30, tzinfo=UTC
    )
    weekly = parse_schedule("weekly sat 11:00 90")
    assert next_meeting_start(weekly, morning, "Asia/Kolkata") == datetime(2026, 11, 28, 5, 30, tzinfo=UTC)
    # across a DST change the wall-clock time holds (London, last Sunday of March)
    london = next_meeting_start(
        parse_schedule("weekly sun 10:00"), datetime(2026, 3, 28, 12, 0, tzinfo=UTC), "Europe/London"
    )
    assert london == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)


@given(st.integers(min_value=0, max_value=10_000))
def test_goals_and_openers_rotate_through_the_catalogue(sequence: int) -> None:
    assert goal_for(sequence) == relay.GOALS[sequence % len(relay.GOALS)]
    assert goal_for(sequence) != goal_for(sequence + 1)
    assert opener_for(sequence) in relay.OPENERS


def test_every_goal_opener_media_kind_and_circle_kind_has_words_in_every_language() -> None:
    keys = (
        [f"circle-goal-{g}" for g in relay.GOALS]
        + [f"circle-opener-{o}" for o in relay.OPENERS]
        + [f"circle-media-{k}" for k in circles.MEDIA_KINDS]
        + ["circle-held-abuse", "circle-held-review"]
        + [f"circle-kind-{k}" for k in ("12_step", "self_help", "therapist", "alumni")]
    )
    for lang in LANGUAGES:
        missing = [key for key in keys if key not in message_ids(lang)]
        assert not missing, (lang, missing)


# --- moderation lists -----------------------------------------------------------------------------------


def test_every_language_has_a_list_that_loads() -> None:
    for lang in moderation.LANGUAGES:
        assert len(moderation.load_terms((lang,))) >= 20, lang


@pytest.mark.parametrize(
    "text",
    [
        "shut up you junkie",
        "F*CK you",
        "you are worthless",
        "fuuuuck off",
        "tu nashedi hai",
        "साला नशेड़ी",
        "हरामि",
        "chutiyaaa",
        "जाऊन मर",
        "tu bevda ahes",
        "B1TCH",
    ],
)
def test_harsh_words_are_caught_in_any_language_and_spelling(text: str) -> None:
    assert moderation.is_abusive(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I'm an addict and today I'm 90 days clean",
        "मैं पहले नशेड़ी था, अब नहीं",
        "I felt useless today",
        "Class was shitake mushrooms cooking",
        "Scunthorpe",
        "मी आधी बेवडा होतो",
        "I drank again and I'm ashamed",
        "Let's fight the cravings",
    ],
)
def test_recovery_words_and_self_talk_are_not_held(text: str) -> None:
    assert not moderation.is_abusive(text), (text, moderation.find_abuse(text))


def test_a_broken_list_names_the_file() -> None:
    with pytest.raises(moderation.ModerationFileError, match="x.toml"):
        moderation.parse_terms("words = 3", source="x.toml")
    with pytest.raises(moderation.ModerationFileError, match="prefix"):
        moderation.parse_terms('words = ["a*"]', source="x.toml")
