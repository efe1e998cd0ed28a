"""Throwing thousands of generated updates at the running bot: nothing escapes a handler,
the bot still answers /start, and the database is intact."""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.e2e.conftest import Harness

USERS = [801, 802, 803, 804]
KINDS = (
    "text",
    "command",
    "callback",
    "sticker",
    "photo",
    "voice",
    "location",
    "contact",
    "dice",
    "poll",
    "edited",
    "group",
    "channel",
    "empty",
)

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\u200b\u200b",
            "\u202eevil",
            "🌿🌿🌿",
            "x" * 5000,
            "1",
            "11",
            "-3",
            "yes",
            "नहीं",
            "/start",
            "/start BADCODE",
            "/settings",
            "/craving",
            "/queue",
            "/ack 1",
            "/resolve 99 done",
            "/member Lotus 1",
            "/help",
            "🆘 Craving help",
            "21:30",
            "32/13/2026",
        ]
    ),
)
callback_data = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "ci:v1:1:mood:4",
            "ci:v1:999:mood:9",
            "ci:v2:1:mood:1",
            "ob:v1:lang:xx",
            "ob:v1:consent:yes",
            "set:v1:pause:9999",
            "set:v1:hr:nights",
            "cr:v1:tk:11",
            "cr:v1:reach",
            "esc:v1:1:ack",
            "esc:v1:abc:ack",
            "fu:v1:1:wish_dead:yes",
            "ci:v1:1:trg:stress",
            "x" * 64,
        ]
    ),
)


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    user_id = draw(st.sampled_from(USERS))
    kind = draw(st.sampled_from(KINDS))
    chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": "Fuzz"}
    sender = {
        "id": user_id,
        "is_bot": False,
        "first_name": "Fuzz",
        "language_code": draw(st.sampled_from(["en", "hi", "mr", "ta"])),
    }
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 10_000)),
        "date": 1764000000,
        "chat": chat,
        "from": sender,
    }
    if kind == "callback":
        return {
            "callback_query": {
                "id": str(draw(st.integers(1, 10**9))),
                "from": sender,
                "chat_instance": "c",
                "data": draw(callback_data),
                "message": {
                    **message,
                    "from": {"id": 7000000001, "is_bot": True, "first_name": "Saathi"},
                    "text": "old",
                },
            }
        }
    if kind == "group":
        return {
            "message": {**message, "chat": {"id": -100 - user_id, "type": "group", "title": "g"}, "text": draw(texts)}
        }
    if kind == "channel":
        return {
            "channel_post": {
                "message_id": 1,
                "date": 1764000000,
                "chat": {"id": -1001, "type": "channel", "title": "c"},
                "text": draw(texts),
            }
        }
    extra: dict[str, Any] = {
        "text": {"text": draw(texts) or "."},
        "command": {
            "text": "/" + draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20)),
            "entities": [{"type": "bot_command", "offset": 0, "length": 2}],
        },
        "sticker": {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        "photo": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        "location": {"location": {"latitude": 18.5, "longitude": 73.8}},
        "contact": {"contact": {"phone_number": "+910000000000", "first_name": "X"}},
        "dice": {"dice": {"emoji": "🎲", "value": 3}},
        "poll": {
            "poll": {
                "id": "1",
                "question": "q",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        },
        "empty": {},
    }.get(kind, {})
    if kind == "edited":
        return {"edited_message": {**message, "edit_date": 1764000100, "text": draw(texts) or "."}}
    return {"message": {**message, **extra}}


EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
BATCH = 200


def generated_batches() -> list[list[dict[str, Any]]]:
    """The batches Hypothesis generates (seeded, no shrinking: a failing batch is plain enough as it is),
    drawn before the bot runs so the test that throws them can also count them."""
    batches: list[list[dict[str, Any]]] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(batch=st.lists(updates(), min_size=BATCH, max_size=BATCH))
    def collect(batch: list[dict[str, Any]]) -> None:
        batches.append(batch)

    collect()
    return batches


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_thousands_of_generated_updates_break_nothing(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.seed_centre()
    await harness.onboard(801)
    for user_id in USERS:
        harness.emu.add_user(user_id, "Fuzz")
    harness.phone(805, "Probe")
    caplog.set_level(logging.ERROR)
    thrown: set[int] = set()
    for batch in generated_batches():
        thrown.update(harness.emu.send_update(update) for update in batch)
        # Updates are handled one after another, so once this probe is answered every
        # update thrown before it has been handled too.
        harness.send(805, "/start")
        await harness.expect(805, "open the invite link", timeout=120)
        await harness.settle(timeout=60)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records][
            :5
        ]
        with harness.services.uow() as session:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert session.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    assert len(thrown) == EXAMPLES * BATCH  # every generated update went to the bot, each its own
    assert harness.emu.pending_updates == 0  # … and the bot took every one
    if "FUZZ_EXAMPLES" not in os.environ:  # a developer may ask for fewer; the suite throws the 5,000
        assert len(thrown) >= 5000
