"""Peer circles: the one function that builds relayed messages, the moderation lists, the meeting
schedule — and the anonymity promise, property-tested through the real services.

The last tests run the circle services on an in-memory SQLite database (no network, no
Telegram): for random circles, names, usernames, phone numbers and messages, nothing
written to the outbox for one person carries another member's Telegram id, username, name
or phone.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import inspect
from typing import Any
import random
import string
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from contextlib import ExitStack, contextmanager
from collections.abc import Iterator
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine, select

import storage.models  # noqa: F401  (registers every table)
from bot.clock import FakeClock
from bot.domain import moderation, relay
from bot.domain.pseudonyms import WORDS
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
from bot.i18n import LANGUAGES, has, message_ids, t
from bot.services import circles, inbound
from bot.services.context import Person, ServiceContext
from storage.circle_models import CircleMessage
from storage.db import SessionFactory
from storage.models import Center, Circle, Member, OutboxMessage, Staff

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


@given(speaker=st.text(min_size=1, max_size=40).filter(str.strip), body=st.text(max_size=300),
       mark=st.none() | st.sampled_from(["facilitator", "सहायक"]))
def test_build_relay_shows_exactly_the_speaker_and_the_words(speaker: str, body: str, mark: str | None) -> None:
    built = build_relay(speaker, body, mark=mark)
    label = " ".join(speaker.split()) + (f" ({mark})" if mark else "")
    assert built.text == (f"🌿 {label}: {body.strip()}" if body.strip() else f"🌿 {label}")
    assert built.buttons == ()


@pytest.mark.parametrize("text", ["call me 9812345678", "+91 98123 45678", "ping @ravi_sharma", "t.me/ravi",
                                  "https://example.org/me", "mail ravi.s@example.com", "022-2345-6789"])
def test_contact_details_are_recognised(text: str) -> None:
    assert contains_contact_details(text)


@pytest.mark.parametrize("text", ["90 days clean today", "I slept 8 hours, 2 meetings this week", "@ home now",
                                  "Meeting at 19:00 on 01/12/2026", "2026-11-25 was hard", "I owe 50000 rupees"])
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


# --- meetings ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("daily 19:00 60", Schedule("daily", time(19, 0), 60)),
    ("daily 7:30", Schedule("daily", time(7, 30), 60)),
    ("Weekly Saturday 11:00 90", Schedule("weekly", time(11, 0), 90, 5)),
    ("weekly mon 18 45min", Schedule("weekly", time(18, 0), 45, 0)),
])
def test_schedules_read_as_an_admin_writes_them(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected
    assert parse_schedule(expected.describe()) == expected


@pytest.mark.parametrize("text", ["", "sometimes", "daily", "weekly 19:00", "daily 25:00", "daily 19:00 5",
                                  "daily 19:00 60 extra", "weekly funday 10:00"])
def test_bad_schedules_say_why(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_next_meeting_in_local_time() -> None:
    daily = parse_schedule("daily 19:00 60")
    morning = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 08:30 in India
    assert next_meeting_start(daily, morning, "Asia/Kolkata") == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    assert next_meeting_start(daily, datetime(2026, 11, 25, 13, 30, tzinfo=UTC), "Asia/Kolkata") == \
        datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    weekly = parse_schedule("weekly sat 11:00 90")
    assert next_meeting_start(weekly, morning, "Asia/Kolkata") == datetime(2026, 11, 28, 5, 30, tzinfo=UTC)
    # across a DST change the wall-clock time holds (London, last Sunday of March)
    london = next_meeting_start(parse_schedule("weekly sun 10:00"), datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
                                "Europe/London")
    assert london == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)


@given(st.integers(min_value=0, max_value=10_000))
def test_goals_and_openers_rotate_through_the_catalogue(sequence: int) -> None:
    assert goal_for(sequence) == relay.GOALS[sequence % len(relay.GOALS)]
    assert goal_for(sequence) != goal_for(sequence + 1)
    assert opener_for(sequence) in relay.OPENERS


def test_every_goal_opener_media_kind_and_circle_kind_has_words_in_every_language() -> None:
    keys = [f"circle-goal-{g}" for g in relay.GOALS] + [f"circle-opener-{o}" for o in relay.OPENERS] \
        + [f"circle-media-{k}" for k in circles.MEDIA_KINDS] + ["circle-held-abuse", "circle-held-review"] \
        + [f"circle-kind-{k}" for k in ("12_step", "self_help", "therapist", "alumni")]
    for lang in LANGUAGES:
        missing = [key for key in keys if key not in message_ids(lang)]
        assert not missing, (lang, missing)


@pytest.mark.parametrize("module", ["relay.py", "moderation/__init__.py"])
def test_circle_domain_modules_do_no_io_and_read_no_clock(module: str) -> None:
    source = (DOMAIN / module).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {name for name in imported if name.split(".")[0] in FORBIDDEN_IMPORTS or name in FORBIDDEN_IMPORTS}
    for call in ("datetime.now", "date.today", "datetime.utcnow", "time.time(", "open("):
        assert call not in source, f"{module} calls {call}"


# --- moderation lists -----------------------------------------------------------------------------------

def test_every_language_has_a_list_that_loads() -> None:
    for lang in moderation.LANGUAGES:
        assert len(moderation.load_terms((lang,))) >= 20, lang


@pytest.mark.parametrize("text", ["shut up you junkie", "F*CK you", "you are worthless", "fuuuuck off",
                                  "tu nashedi hai", "साला नशेड़ी", "हरामि", "chutiyaaa", "जाऊन मर", "tu bevda ahes",
                                  "B1TCH"])
def test_harsh_words_are_caught_in_any_language_and_spelling(text: str) -> None:
    assert moderation.is_abusive(text), text


@pytest.mark.parametrize("text", ["I'm an addict and today I'm 90 days clean", "मैं पहले नशेड़ी था, अब नहीं",
                                  "I felt useless today", "Class was shitake mushrooms cooking", "Scunthorpe",
                                  "मी आधी बेवडा होतो", "I drank again and I'm ashamed", "Let's fight the cravings"])
def test_recovery_words_and_self_talk_are_not_held(text: str) -> None:
    assert not moderation.is_abusive(text), (text, moderation.find_abuse(text))


def test_a_broken_list_names_the_file() -> None:
    with pytest.raises(moderation.ModerationFileError, match="x.toml"):
        moderation.parse_terms("words = 3", source="x.toml")
    with pytest.raises(moderation.ModerationFileError, match="prefix"):
        moderation.parse_terms('words = ["a*"]', source="x.toml")


# --- the anonymity promise, through the services ------------------------------------------------------------

LETTERS = string.ascii_letters
CORPUS = " ".join([*WORDS, *(t(lang, key) for lang in LANGUAGES for key in message_ids(lang))]).casefold()


def _unseen_word(min_size: int = 5) -> st.SearchStrategy[str]:
    """A name that appears in no catalog text and no pseudonym word (so finding it means a leak)."""
    return st.text(alphabet=LETTERS, min_size=min_size, max_size=12).filter(lambda w: w.casefold() not in CORPUS)


people = st.lists(
    st.fixed_dictionaries({
        "telegram_id": st.integers(min_value=10**9, max_value=2**40),
        "first": _unseen_word(), "last": _unseen_word(), "username": _unseen_word(6),
        "phone": st.from_regex(r"\A[6-9][0-9]{9}\Z"),
        "language": st.sampled_from(LANGUAGES),
    }),
    min_size=2, max_size=6, unique_by=(lambda p: p["telegram_id"], lambda p: p["first"].casefold()),
)
messages = st.lists(
    st.tuples(st.integers(min_value=0, max_value=5),
              st.text(alphabet=LETTERS + string.digits + " .,!?'-", min_size=1, max_size=80),
              st.sampled_from(["plain", "own_phone", "own_username", "reply"])),
    min_size=1, max_size=8,
)


@contextmanager
def _risk_rules() -> Iterator[None]:
    """The clinicians' rule files are another part of the project; until they exist, a stand-in."""
    from bot.domain.risk import engine
    from bot.domain.risk.rules import CheckinPolicy, RuleSet, load_rules, parse_rules

    try:
        load_rules()
    except OSError:
        rules = parse_rules('language = "en"\n[[rule]]\nid = "EN-SUI-001"\ncategory = "suicide"\nlevel = "urgent"\n'
                            'description = "stand-in"\npatterns = ["kill myself"]\n', language="en", source="stand-in")
        with mock.patch.object(engine, "load_rules", lambda language=None: RuleSet(tuple(rules), ("en",), CheckinPolicy())):
            yield
        return
    yield


def _services(clock: FakeClock) -> ServiceContext:
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    SQLModel.metadata.create_all(engine)
    return ServiceContext(uow=SessionFactory(engine), clock=clock, rng=random.Random(1))


def _deliver_all(ctx: ServiceContext) -> None:
    """Play the sender: every due send gets a Telegram message id, so replies and reports can find copies."""
    with ctx.uow() as session:
        for index, row in enumerate(session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending"))):
            row.status, row.sent_at, row.telegram_message_id = "sent", ctx.clock.now(), 10_000 + (row.id or index)
        session.commit()


# No shrinking: each example plays a whole circle on a fresh database, and a leak is plain enough unshrunk.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(people=people, facilitator=_unseen_word(), said=messages, kind=st.sampled_from(["12_step", "therapist"]))
def test_nothing_anyone_receives_identifies_another_member(people: list[dict], facilitator: str,
                                                          said: list[tuple[int, str, str]], kind: str) -> None:
    secrets = {p["telegram_id"]: [str(p["telegram_id"]), p["first"], p["last"], p["username"], p["phone"]]
               for p in people}
    assume(not any(facilitator.casefold() in value.casefold() or value.casefold() in facilitator.casefold()
                   for values in secrets.values() for value in values))
    for _, text, _ in said:
        for values in secrets.values():
            assume(not any(value.casefold() in text.casefold() for value in values))
    with _risk_rules():
        _play_a_circle(people, facilitator, said, kind, secrets)


def _play_a_circle(people: list[dict], facilitator: str, said: list[tuple[int, str, str]], kind: str,
                   secrets: dict[int, list[str]]) -> ServiceContext:
    clock = FakeClock(datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
    ctx = _services(clock)
    now = clock.now()
    with ctx.uow() as session:
        center = Center(name="Asha Kendra", timezone="Asia/Kolkata", created_at=now)
        session.add(center)
        session.flush()
        staff = Staff(center_id=center.id or 0, name=f"Counsellor {facilitator}", telegram_user_id=7, chat_id=7,
                      created_at=now)
        session.add(staff)
        session.flush()
        circle = Circle(center_id=center.id or 0, name="Evening Circle", kind=kind, facilitator_id=staff.id,
                        capacity=12, created_at=now)
        session.add(circle)
        session.flush()
        circles.configure(session, circle, now, schedule=parse_schedule("daily 19:00 60"))
        for index, p in enumerate(people):
            member = Member(center_id=center.id or 0, counsellor_id=staff.id, telegram_user_id=p["telegram_id"],
                            chat_id=p["telegram_id"], display_name=f"{p['first']} {p['last']}",
                            pseudonym=f"{WORDS[index]} {index + 1}", language=p["language"], timezone="Asia/Kolkata",
                            status="active", sober_days_seen=7, created_at=now)
            session.add(member)
            session.flush()
            circles.join(session, member, circle, now)
        session.commit()
    _deliver_all(ctx)
    persons = {p["telegram_id"]: Person(p["telegram_id"], p["telegram_id"], f"{p['first']} {p['last']}", p["language"])
               for p in people}
    order = list(persons)
    for step, (who, text, how) in enumerate(said):
        author = order[who % len(order)]
        clock.advance(seconds=7)
        if how == "own_phone":
            text = f"{text} call me {secrets[author][4]}"
        elif how == "own_username":
            text = f"{text} @{secrets[author][3]}"
        if how == "reply":
            with ctx.uow() as session:
                copy = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == author,
                                                                OutboxMessage.purpose == "circle")).first()
            if copy is not None and copy.telegram_message_id:
                inbound.handle_text(ctx, persons[author], text, 500 + step, copy.telegram_message_id)
                circles.report(ctx, persons[author], copy.telegram_message_id)
        else:
            with ctx.uow() as session:
                member = session.exec(select(Member).where(Member.telegram_user_id == author)).one()
                circles.relay_screened_text(session, member, text, clock.now(), message_id=500 + step)
                session.commit()
        _deliver_all(ctx)
    # a milestone, shared on the member's say-so, and encouragement from a peer
    first, second = order[0], order[1]
    circles.button(ctx, persons[first], ("ms", "7", "y"), None)
    with ctx.uow() as session:
        milestone = session.exec(select(CircleMessage).where(CircleMessage.kind == "milestone")).one()
    circles.button(ctx, persons[second], ("enc", str(milestone.id), "clap"), None)
    circles.facilitator_post(ctx, Person(7, 7, "x"), "say", "Welcome, everyone")
    inbound.handle_media(ctx, persons[second], "contact")
    circles.show_circle(ctx, persons[second])
    circles.show_circle(ctx, Person(7, 7, "x"))
    clock.set(datetime(2026, 11, 25, 13, 15, tzinfo=UTC))
    circles.run_due_meetings(ctx)

    with ctx.uow() as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert any(row.purpose == "circle" for row in rows)
    for row in rows:
        shown = " ".join([row.payload.get("text", ""),
                          *(f"{label} {data}" for line in row.payload.get("buttons", []) for label, data in line)])
        for owner, values in secrets.items():
            if owner == row.chat_id:
                continue  # a member may see what they themselves wrote
            for value in values:
                assert value not in shown, (row.purpose, row.chat_id, value, shown)
    return ctx


@contextmanager
def _recording_in_every_circles_module(recording: Any) -> Iterator[None]:
    """build_relay replaced wherever a module of bot.services.circles imported it."""
    modules = [importlib.import_module(f"bot.services.circles.{info.name}")
               for info in pkgutil.iter_modules(circles.__path__)]
    users = [module for module in modules if hasattr(module, "build_relay")]
    assert users, "no circles module builds relayed texts?"
    with ExitStack() as stack:
        for module in users:
            stack.enter_context(mock.patch.object(module, "build_relay", recording))
        yield


def test_the_services_build_circle_texts_only_through_build_relay() -> None:
    """Every copy sent into a circle is made by build_relay: no other f-string reaches a peer's phone.
    A whole circle is played (posts, a reply, a milestone, encouragement, a facilitator's words, a
    meeting) with build_relay recording what it built; every circle copy in the outbox must be one."""
    built: set[str] = set()

    def recording(*args: Any, **kwargs: Any) -> RelayMessage:
        message = build_relay(*args, **kwargs)
        built.add(message.text)
        return message

    people = [{"telegram_id": 10**9 + n, "first": f"Qzx{n}a", "last": f"Vwk{n}b", "username": f"uqz{n}",
               "phone": f"98765432{n:02d}", "language": lang} for n, lang in enumerate(["en", "hi", "mr"])]
    secrets = {p["telegram_id"]: [str(p["telegram_id"]), p["first"], p["last"], p["username"], p["phone"]]
               for p in people}
    said = [(0, "Three days today", "plain"), (1, "Hard evening", "reply"), (2, "Glad to be here", "plain")]
    with _risk_rules(), _recording_in_every_circles_module(recording):
        ctx = _play_a_circle(people, "Zyqfac", said, "therapist", secrets)
    with ctx.uow() as session:
        copies = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "circle")).all()
    kinds = {row.payload["text"].split(" ", 1)[0] for row in copies}
    assert {"🌿", "🎉", "👏"} <= kinds, kinds  # posts, the milestone, the encouragement
    assert [row.payload["text"] for row in copies if row.payload["text"] not in built] == []
    assert has("en", "circle-facilitator-mark")
