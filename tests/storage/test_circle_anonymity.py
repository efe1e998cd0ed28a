"""The anonymity promise of peer circles, property-tested through the real services on an
in-memory SQLite database (no network, no Telegram): for random circles, names, usernames, phone
numbers and messages, nothing written to the outbox for one person carries another member's
Telegram id, username, name or phone; and every circle copy is built by ``build_relay``.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import string
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine, select

import storage.schema  # noqa: F401  (registers every table)
from bot.clock import FakeClock
from bot.domain.pseudonyms import WORDS
from bot.domain.relay import RelayMessage, build_relay, parse_schedule
from bot.i18n import LANGUAGES, has, message_ids, t
from bot.services import circles, inbound
from bot.services.context import Person, ServiceContext
from storage.circles.tables import Circle, CircleMessage
from storage.db import SessionFactory
from storage.outbox.tables import OutboxMessage
from storage.people.tables import Center, Member, Staff

LETTERS = string.ascii_letters
CORPUS = " ".join([*WORDS, *(t(lang, key) for lang in LANGUAGES for key in message_ids(lang))]).casefold()


def _unseen_word(min_size: int = 5) -> st.SearchStrategy[str]:
    """A name that appears in no catalog text and no pseudonym word (so finding it means a leak)."""
    return st.text(alphabet=LETTERS, min_size=min_size, max_size=12).filter(lambda w: w.casefold() not in CORPUS)


people = st.lists(
    st.fixed_dictionaries(
        {
            "telegram_id": st.integers(min_value=10**9, max_value=2**40),
            "first": _unseen_word(),
            "last": _unseen_word(),
            "username": _unseen_word(6),
            "phone": st.from_regex(r"\A[6-9][0-9]{9}\Z"),
            "language": st.sampled_from(LANGUAGES),
        }
    ),
    min_size=2,
    max_size=6,
    unique_by=(lambda p: p["telegram_id"], lambda p: p["first"].casefold()),
)
messages = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),
        st.text(alphabet=LETTERS + string.digits + " .,!?'-", min_size=1, max_size=80),
        st.sampled_from(["plain", "own_phone", "own_username", "reply"]),
    ),
    min_size=1,
    max_size=8,
)


COUNSELLOR_CHAT = 7  # the staff row below: counsellor of every member and the circle's facilitator


@contextmanager
def _risk_rules() -> Iterator[None]:
    """The clinicians' rule files are another part of the project; until they exist, a stand-in."""
    from bot.domain.risk import engine
    from bot.domain.risk.rules import CheckinPolicy, RuleSet, load_rules, parse_rules

    try:
        load_rules()
    except OSError:
        rules = parse_rules(
            'language = "en"\n[[rule]]\nid = "EN-SUI-001"\ncategory = "suicide"\nlevel = "urgent"\n'
            'description = "stand-in"\npatterns = ["kill myself"]\n',
            language="en",
            source="stand-in",
        )
        with mock.patch.object(
            engine, "load_rules", lambda language=None: RuleSet(tuple(rules), ("en",), CheckinPolicy())
        ):
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
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(people=people, facilitator=_unseen_word(), said=messages, kind=st.sampled_from(["12_step", "therapist"]))
def test_nothing_anyone_receives_identifies_another_member(
    people: list[dict], facilitator: str, said: list[tuple[int, str, str]], kind: str
) -> None:
    secrets = {
        p["telegram_id"]: [str(p["telegram_id"]), p["first"], p["last"], p["username"], p["phone"]] for p in people
    }
    assume(
        not any(
            facilitator.casefold() in value.casefold() or value.casefold() in facilitator.casefold()
            for values in secrets.values()
            for value in values
        )
    )
    for _, text, _ in said:
        for values in secrets.values():
            assume(not any(value.casefold() in text.casefold() for value in values))
    with _risk_rules():
        _play_a_circle(people, facilitator, said, kind, secrets)


def _play_a_circle(
    people: list[dict], facilitator: str, said: list[tuple[int, str, str]], kind: str, secrets: dict[int, list[str]]
) -> ServiceContext:
    clock = FakeClock(datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
    ctx = _services(clock)
    now = clock.now()
    with ctx.uow() as session:
        center = Center(name="Asha Kendra", timezone="Asia/Kolkata", created_at=now)
        session.add(center)
        session.flush()
        staff = Staff(
            center_id=center.id or 0, name=f"Counsellor {facilitator}", telegram_user_id=7, chat_id=7, created_at=now
        )
        session.add(staff)
        session.flush()
        circle = Circle(
            center_id=center.id or 0,
            name="Evening Circle",
            kind=kind,
            facilitator_id=staff.id,
            capacity=12,
            created_at=now,
        )
        session.add(circle)
        session.flush()
        circles.configure(session, circle, now, schedule=parse_schedule("daily 19:00 60"))
        for index, p in enumerate(people):
            member = Member(
                center_id=center.id or 0,
                counsellor_id=staff.id,
                telegram_user_id=p["telegram_id"],
                chat_id=p["telegram_id"],
                display_name=f"{p['first']} {p['last']}",
                pseudonym=f"{WORDS[index]} {index + 1}",
                language=p["language"],
                timezone="Asia/Kolkata",
                status="active",
                sober_days_seen=7,
                created_at=now,
            )
            session.add(member)
            session.flush()
            circles.join(session, member, circle, now)
        session.commit()
    _deliver_all(ctx)
    persons = {
        p["telegram_id"]: Person(p["telegram_id"], p["telegram_id"], f"{p['first']} {p['last']}", p["language"])
        for p in people
    }
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
                copy = session.exec(
                    select(OutboxMessage).where(OutboxMessage.chat_id == author, OutboxMessage.purpose == "circle")
                ).first()
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
        shown = " ".join(
            [
                row.payload.get("text", ""),
                *(f"{label} {data}" for line in row.payload.get("buttons", []) for label, data in line),
            ]
        )
        for owner, values in secrets.items():
            if owner == row.chat_id:
                continue  # a member may see what they themselves wrote
            if row.chat_id == COUNSELLOR_CHAT and not row.purpose.startswith("circle"):
                continue  # the members' own counsellor knows who they are (an alert names the member)
            for value in values:
                assert value not in shown, (row.purpose, row.chat_id, value, shown)
    return ctx


@contextmanager
def _recording_in_every_circles_module(recording: Any) -> Iterator[None]:
    """build_relay replaced wherever a module of bot.services.circles imported it."""
    modules = [
        importlib.import_module(f"bot.services.circles.{info.name}") for info in pkgutil.iter_modules(circles.__path__)
    ]
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

    people = [
        {
            "telegram_id": 10**9 + n,
            "first": f"Qzx{n}a",
            "last": f"Vwk{n}b",
            "username": f"uqz{n}",
            "phone": f"98765432{n:02d}",
            "language": lang,
        }
        for n, lang in enumerate(["en", "hi", "mr"])
    ]
    secrets = {
        p["telegram_id"]: [str(p["telegram_id"]), p["first"], p["last"], p["username"], p["phone"]] for p in people
    }
    said = [(0, "Three days today", "plain"), (1, "Hard evening", "reply"), (2, "Glad to be here", "plain")]
    with _risk_rules(), _recording_in_every_circles_module(recording):
        ctx = _play_a_circle(people, "Zyqfac", said, "therapist", secrets)
    with ctx.uow() as session:
        copies = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "circle")).all()
    kinds = {row.payload["text"].split(" ", 1)[0] for row in copies}
    assert {"🌿", "🎉", "👏"} <= kinds, kinds  # posts, the milestone, the encouragement
    assert [row.payload["text"] for row in copies if row.payload["text"] not in built] == []
    assert has("en", "circle-facilitator-mark")
