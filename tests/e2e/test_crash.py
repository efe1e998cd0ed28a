"""Crash safety: the real ``saathi run`` in a child process is SIGKILLed at chosen and at random
moments and restarted; nothing a person must receive is lost or sent twice, and an update Telegram
re-sends after the restart is handled once.

Kill points:
* **triggered by a request** (``BotApiEmulator.kill_on``): the child dies when its Nth request of a
  method arrives, *before* the emulator acts on it - a ``getUpdates`` that would have confirmed the
  updates just handled, a ``sendMessage`` between claiming rows and Telegram accepting them, an
  ``answerCallbackQuery`` right after a handler committed. That request is never acted on.
* **timed** kills at random moments (seeded): anywhere, including inside a due scan or while a handler
  creates an escalation.

The one window no Telegram API can close: Telegram accepted a send and the bot died before committing
"sent", so the restarted bot sends that row again. The sender works on many chats at once, so any kill
(also one triggered by another request) can land in the window of some send in flight. The busy evening
therefore checks every delivered message against the outbox: each is the delivery of exactly one row,
except a copy sent by a life of the bot that was killed before it recorded the row sent, which a later
life then delivered again - one such copy per killed life, as a row re-sent after one kill can be on the
wire at the next (``window_copies``: decided from the emulator's records - when it accepted each message,
when each life asked getMe on starting - and the bot's: which delivery each row records). It also measures
the window (Telegram's acceptance → the row's ``sent_at``). Documented in docs/security.md ("What a crash
can and cannot do").
"""

from __future__ import annotations

import asyncio
import bisect
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from datetime import time as dtime

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.clock import FakeClock, OffsetClock
from bot.domain.pseudonyms import generate_pseudonym
from bot.domain.scheduling import next_checkin_due
from bot.services import admin
from bot.services.context import ServiceContext
from bot.services.onboarding import CONSENT_VERSION
from sandbox.emulator import BotApiEmulator
from sandbox.models import SentMessage
from storage import inbox
from storage.checkins.tables import Checkin
from storage.db import SessionFactory, is_sqlite, make_engine
from storage.inbox import ProcessedUpdate
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from storage.people import queries as people_db
from storage.people.tables import Center, ConsentRecord, Member
from storage.safety.tables import Escalation
from tests.e2e.processes import BotProcess, bot_env

CENTRE = "Asha Kendra"
CIRCLE = "Evening Circle"
COUNSELLOR = 9101
BACKUP = 9102
SEED = 20261125
# 19:59 in India: the evening's check-ins fall due from 20:00, six real seconds later. The circle's first
# words are waiting before the bot starts and must be handled before the authors' check-ins open (an
# open check-in takes typed text as its answer): the authors' check-ins are held until the bot has
# recorded those updates as handled (a slow start under a busy test run once lost a race of seconds).
SIM_START = datetime(2026, 11, 25, 14, 29, 0, tzinfo=UTC)
SPEED = 10.0  # a simulated minute every six seconds; the sender's 60 s lease is 6 s of real time


# --- a centre, seeded the way the admin CLI would ---------------------------------------------


class Centre:
    def __init__(self, database_url: str, now: datetime) -> None:
        upgrade(database_url)
        self.engine = make_engine(database_url)
        self.ctx = ServiceContext(uow=SessionFactory(self.engine), clock=FakeClock(now), rng=random.Random(SEED))
        admin.add_center(self.ctx, CENTRE, "Asia/Kolkata")
        admin.add_counsellor(self.ctx, CENTRE, "Counsellor Meera", telegram_id=COUNSELLOR)
        admin.add_counsellor(self.ctx, CENTRE, "Counsellor Farah", telegram_id=BACKUP, backup=True)

    def members(self, emu: BotApiEmulator, ids: list[int], times: list[str]) -> dict[int, str]:
        """Active members who consented and chose their check-in time; returns their pseudonyms."""
        now = self.ctx.clock.now()
        names: dict[int, str] = {}
        with self.ctx.uow() as session:
            center = session.exec(select(Center).where(Center.name == CENTRE)).one()
            counsellor = people_db.default_counsellor(session, center.id or 0)
            taken = people_db.taken_pseudonyms(session, center.id or 0)
            for user_id, at in zip(ids, times, strict=True):
                pseudonym = generate_pseudonym(self.ctx.rng, taken)
                taken.add(pseudonym)
                member = Member(
                    center_id=center.id or 0,
                    counsellor_id=counsellor.id if counsellor else None,
                    telegram_user_id=user_id,
                    chat_id=user_id,
                    display_name=f"Member {user_id % 1000}",
                    pseudonym=pseudonym,
                    language="en",
                    timezone=center.timezone,
                    checkin_time=at,
                    status="active",
                    onboarding_step=None,
                    created_at=now,
                    next_checkin_due_at=next_checkin_due(now, center.timezone, dtime.fromisoformat(at), None),
                )
                session.add(member)
                session.flush()
                session.add(
                    ConsentRecord(
                        member_id=member.id or 0, version=CONSENT_VERSION, accepted=True, language="en", created_at=now
                    )
                )
                names[user_id] = pseudonym
                emu.add_user(user_id, f"Member {user_id % 1000}")
            session.commit()
        return names

    def hold_checkins(self, user_ids: list[int]) -> dict[int, datetime | None]:
        """Move these members' next check-in a day on; returns when they were due, for ``release``."""
        with self.ctx.uow() as session:
            members = session.exec(select(Member).where(Member.telegram_user_id.in_(user_ids))).all()  # type: ignore[attr-defined]
            held = {m.telegram_user_id: m.next_checkin_due_at for m in members}
            for member in members:
                member.next_checkin_due_at = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
            session.commit()
        return held

    def release_checkins(self, held: dict[int, datetime | None]) -> None:
        with self.ctx.uow() as session:
            for member in session.exec(select(Member).where(Member.telegram_user_id.in_(list(held)))).all():  # type: ignore[attr-defined]
                member.next_checkin_due_at = held[member.telegram_user_id]
            session.commit()

    def handled(self, update_ids: list[int] | range) -> bool:
        with self.ctx.uow() as session:
            return all(inbox.update_handled(session, update_id) for update_id in update_ids)

    def settled(self, emu: BotApiEmulator) -> bool:
        """The bot's own records say so: every update the emulator queued is handled, and nothing waits to go."""
        return self.handled(range(1, emu.last_update_id + 1)) and _drained(self)

    def dispose(self) -> None:
        self.engine.dispose()


@pytest.fixture
async def emu() -> Iterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_user(COUNSELLOR, "Meera")
    emulator.add_user(BACKUP, "Farah")
    try:
        yield emulator  # type: ignore[misc]
    finally:
        await emulator.stop()


def _clock_env(start: datetime, speed: float, anchor: float) -> dict[str, str]:
    """The child's clock runs ``speed`` times faster, and so do Telegram's limits as its sender keeps them
    (otherwise a minute of simulated traffic would be paced over a real minute)."""
    return {
        "SAATHI_CLOCK_START": start.isoformat(),
        "SAATHI_CLOCK_SPEED": str(speed),
        "SAATHI_CLOCK_ANCHOR": repr(anchor),
        "SAATHI_DUE_SCAN_SECONDS": "1",
        "SAATHI_RATE_SCALE": str(speed),
    }


def _get_updates_count(emu: BotApiEmulator) -> int:
    return int(emu.stats["requests"].get("getUpdates", 0))


async def _until(predicate, timeout: float, what: str, interval: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(interval)


def _drained(centre: Centre) -> bool:
    with centre.ctx.uow() as session:
        return not session.exec(select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "sending")))).first()  # type: ignore[attr-defined]


# --- telling a kill's window copies from real duplicates --------------------------------------


def _life(starts: list[float], accepted: float) -> int:
    """How many getMe calls the emulator had answered when it accepted a message: each life of the bot
    asks getMe as it starts (python-telegram-bot twice), so this orders messages by the life that sent them."""
    return bisect.bisect_right(starts, accepted)


def window_copies(
    messages: list[SentMessage], rows: list[OutboxMessage], starts: list[float]
) -> tuple[Counter[tuple[int, str | None]], dict[tuple[int, int], OutboxMessage]]:
    """Check that every message the bot sent is the delivery a row records, or a copy from the window;
    returns how many window copies each (chat, text as sent) has, and the recorded deliveries.

    The window: Telegram accepted a send and that life of the bot died before committing the row "sent",
    so a later life sent the row again. A row can fall in the window of more than one kill (a later life
    re-sends it, and dies with it on the wire too): each copy is then from another life. Decided from
    recorded events only, never from wall-clock margins:
    * a copy's life is told by the getMe calls before the emulator accepted it (``_life``);
    * the row's recorded delivery (``telegram_message_id``) is from a later life than the copy;
    * a chat's rows are sent one after another, each marked before the next is sent, so a copy is the
      last message its life delivered to that chat (a later one means its mark was lost, or the row was
      sent twice by one life: a real duplicate, however close to a kill)."""
    recorded = {
        (r.chat_id, r.telegram_message_id): r
        for r in rows
        if r.method in ("send", "document") and r.telegram_message_id is not None
    }
    sends = [m for m in messages if m.method in ("sendMessage", "sendDocument")]
    by_id = {(m.chat_id, m.message_id): m for m in sends}
    missing = [key for key in recorded if key not in by_id]
    assert not missing, f"rows record deliveries the emulator never made: {missing}"
    copies: Counter[tuple[int, str | None]] = Counter()
    for message in sends:
        if (message.chat_id, message.message_id) in recorded:
            continue
        own = _life(starts, message.sent_at)
        chat = [
            (m.message_id, _life(starts, m.sent_at), (m.original_text or "")[:30])
            for m in sends
            if m.chat_id == message.chat_id
        ]
        later_same_life = [
            m
            for m in sends
            if m.chat_id == message.chat_id and m.sent_at > message.sent_at and _life(starts, m.sent_at) == own
        ]
        assert not later_same_life, (
            f"a message no row records, and its life sent on to the chat after it (life {own}): "
            f"{message.describe()}\nchat {chat}"
        )
        redelivered = [
            r
            for (chat_id, message_id), r in recorded.items()
            if chat_id == message.chat_id
            and r.payload.get("text") == message.original_text
            and _life(starts, by_id[(chat_id, message_id)].sent_at) > own
        ]
        assert redelivered, (
            f"a message delivered twice, no later life's delivery recorded (life {own}): "
            f"{message.describe()}\nchat {chat}\nrows "
            f"{[(r.id, r.method, r.purpose, r.telegram_message_id) for r in rows if r.chat_id == message.chat_id]}"
        )
        copies[(message.chat_id, message.original_text)] += 1
    return copies, recorded


def _sent(chat: int, message_id: int, text: str, at: float) -> SentMessage:
    return SentMessage(
        chat_id=chat,
        message_id=message_id,
        method="sendMessage",
        index=message_id,
        text=text,
        original_text=text,
        sent_at=at,
    )


def _row(row_id: int, chat: int, text: str, message_id: int) -> OutboxMessage:
    return OutboxMessage(
        id=row_id,
        chat_id=chat,
        method="send",
        payload={"text": text},
        status="sent",
        telegram_message_id=message_id,
        purpose="circle",
        priority=3,
        attempts=0,
        due_at=SIM_START,
        created_at=SIM_START,
    )


def test_window_copies_allow_one_copy_per_killed_life_and_nothing_else() -> None:
    """The busy evening's accounting on made-up records: lives start at getMe 10, 20 (two calls each) and 30."""
    starts = [10.0, 10.1, 20.0, 20.1, 30.0, 30.1]
    note, other = "Banyan 41: note c0a", "Pebble 72: note c1a"
    # One row in the window of two kills (lives 1 and 2), delivered by life 3: two copies, both fine.
    copies, _ = window_copies(
        [_sent(5, 6, note, 12.0), _sent(5, 8, note, 22.0), _sent(5, 10, note, 31.0)], [_row(40, 5, note, 10)], starts
    )
    assert copies == Counter({(5, note): 2})
    # A copy whose life went on sending to that chat: its mark was lost, or the row was sent twice.
    with pytest.raises(AssertionError, match="sent on to the chat after it"):
        window_copies(
            [_sent(5, 6, note, 12.0), _sent(5, 7, other, 12.5), _sent(5, 10, note, 31.0)],
            [_row(40, 5, note, 10), _row(41, 5, other, 7)],
            starts,
        )
    # Two copies from one life, or a copy later than the delivery the row records: never a window.
    with pytest.raises(AssertionError, match="no later life's delivery recorded"):
        window_copies([_sent(5, 6, note, 12.0), _sent(5, 7, note, 12.5)], [_row(40, 5, note, 6)], starts)
    with pytest.raises(AssertionError, match="no later life's delivery recorded"):
        window_copies([_sent(5, 6, note, 12.0), _sent(5, 10, note, 31.0)], [_row(40, 5, note, 6)], starts)


# --- the focused case: handled, killed before the offset confirmed it ---------------------------


async def test_updates_handled_before_a_kill_at_the_confirming_getupdates_are_handled_once(
    database_url: str, emu: BotApiEmulator, bot_processes
) -> None:  # type: ignore[no-untyped-def]
    """A burst of updates is handled (each commit carries its update id), then the bot dies at the
    getUpdates that would confirm them. Telegram re-sends all of them; each is answered exactly once."""
    start = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)  # 10:00 in India, no check-in due
    centre = Centre(database_url, start)
    ids = list(range(830001, 830013))
    centre.members(emu, ids, ["21:00"] * len(ids))
    bot: BotProcess = bot_processes(bot_env(emu, database_url, **_clock_env(start, 60.0, time.time())))
    polls = _get_updates_count(emu)
    bot.start()
    await bot.wait_ready()
    await _until(lambda: _get_updates_count(emu) > polls, 60, "the first long poll")
    await _until(lambda: emu.polls_waiting > 0, 30, "the long poll to wait")  # the burst arrives as one batch

    emu.set_failure_rate(1.0, seed=SEED)  # Telegram refuses the replies for now: nothing is delivered before the kill
    emu.kill_on("getUpdates", 1, bot.pid)
    update_ids = [emu.send_text(user_id, "/help") for user_id in ids]
    await bot.wait_exit()
    bot.note_killed()
    assert emu.kill_hooks[-1]["fired_at"] is not None
    assert not any(emu.messages(user_id) for user_id in ids)
    with centre.ctx.uow() as session:  # every handler committed its reply and its update id together
        stored = set(session.exec(select(ProcessedUpdate.update_id).where(ProcessedUpdate.status == "handled")).all())
        assert set(update_ids) <= stored
        assert len(session.exec(select(OutboxMessage)).all()) == len(ids)

    emu.set_failure_rate(0.0)
    await bot.restart()
    for user_id in ids:
        await emu.wait_for_message(user_id, lambda m: "Here's what I can do" in (m.text or ""), timeout=60)
    await _until(lambda: _drained(centre), 60, "the outbox to drain")
    await asyncio.sleep(0.5)
    bot.stop()
    for user_id in ids:
        assert sum("Here's what I can do" in (m.text or "") for m in emu.messages(user_id)) == 1
    second_life = bot.life_log()
    assert second_life.count("already handled; ignoring the re-send") == len(ids)
    assert "handler failed" not in bot.log()
    centre.dispose()


# --- the busy hour --------------------------------------------------------------------------


class Phones:
    """Forty-odd people answering their check-ins (by button or by typing), a circle talking, three
    members in crisis, and the counsellor acknowledging alerts - driven from the emulator's side."""

    STEPS = (
        ("How is your mood", "mood", "4"),
        ("How strong is any craving", "craving", "2"),
        ("Did any of these", "triggers", "None today"),
        ("Have you used", "used", "No"),
        ("Anything else", "note", "Skip"),
    )

    def __init__(self, emu: BotApiEmulator, ids: list[int], circle: list[int], urgent: list[int]) -> None:
        self.emu = emu
        self.ids = ids
        self.circle = circle
        self.urgent = urgent
        self.done: dict[int, set[str]] = {user_id: set() for user_id in ids}
        self.completed: set[int] = set()
        self.posts: dict[str, int] = {}  # tag → author
        self.acked: set[int] = set()
        self.crisis_sent: set[int] = set()

    def post(self, author: int, tag: str) -> int:
        self.posts[tag] = author
        # "today": "Staying strong tonight, note c0a" reads as "a note … tonight" to the risk model (urgent
        # 0.50 for some tags since round 11), and a circle message the engine flags is held, not relayed
        return self.emu.send_text(author, f"Staying strong today, note {tag}")

    def act(self) -> None:
        for index, user_id in enumerate(self.ids):
            for message in self.emu.messages(user_id):
                self._answer(index, user_id, message)
        for message in self.emu.messages(COUNSELLOR):
            if "URGENT" in (message.text or "") and message.message_id not in self.acked:
                data = next((d for label, d in message.buttons() if label == "Acknowledge"), None)
                if data is not None:
                    self.acked.add(message.message_id)
                    self.emu.press_button(COUNSELLOR, message.message_id, data, strict=False)

    def _answer(self, index: int, user_id: int, message: SentMessage) -> None:
        text_ = message.text or ""
        if "Thank you for checking in" in text_ and user_id not in self.completed:
            self.completed.add(user_id)
            if user_id in self.circle:
                self.post(user_id, f"c{index}b")
            if user_id in self.urgent and user_id not in self.crisis_sent:
                self.crisis_sent.add(user_id)
                self.emu.send_text(user_id, "I want to end my life")
            return
        for needle, step, answer in self.STEPS:
            if needle in text_ and step not in self.done[user_id]:
                typed = index % 2 == 1 and step in ("mood", "craving")
                if typed:
                    self.done[user_id].add(step)
                    self.emu.send_text(user_id, answer)
                    return
                data = next((d for label, d in message.buttons() if label.startswith(answer)), None)
                if data is not None:
                    self.done[user_id].add(step)
                    self.emu.press_button(user_id, message.message_id, data, strict=False)
                return

    def describe(self) -> str:
        """Who is not done yet and what their phone shows last (for a failing run)."""
        lines = []
        for user_id in self.ids:
            if user_id not in self.completed:
                last = [
                    (m.text or "")[:50] + f" {[label for label, _ in m.buttons()]}"
                    for m in self.emu.messages(user_id)[-2:]
                ]
                toasts = [
                    (a.get("data"), a.get("text")) for a in self.emu.callback_answers if a.get("user_id") == user_id
                ]
                lines.append(f"{user_id}: done {sorted(self.done[user_id])}; last {last}; toasts {toasts[-3:]}")
        missing = set(self.urgent) - self.crisis_sent
        return "\n".join(lines + ([f"crisis not sent: {sorted(missing)}"] if missing else []))

    def finished(self) -> bool:
        return len(self.completed) == len(self.ids) and self.crisis_sent == set(self.urgent)


async def _drive(phones: Phones, stop: asyncio.Event) -> None:
    while not stop.is_set():
        phones.act()
        await asyncio.sleep(0.05)


async def test_a_busy_evening_survives_kills_without_losing_or_repeating_anything(
    one_database_url: str, emu: BotApiEmulator, bot_processes
) -> None:  # type: ignore[no-untyped-def]
    database_url = one_database_url
    rng = random.Random(SEED)
    t0 = time.monotonic()
    phases = []
    centre = Centre(database_url, SIM_START)
    ids = list(range(820001, 820041))
    times = [f"20:{(i * 6) // len(ids):02d}" for i in range(len(ids))]  # 20:00 … 20:05, during the kills
    names = centre.members(emu, ids, times)
    circle, urgent = ids[:8], [ids[10], ids[21], ids[33]]
    admin.add_circle(centre.ctx, CENTRE, CIRCLE)
    for user_id in circle:
        admin.assign_to_circle(centre.ctx, CENTRE, names[user_id], CIRCLE)

    anchor = time.time()
    sim = OffsetClock(SIM_START, speed=SPEED, anchor=anchor)
    bot: BotProcess = bot_processes(bot_env(emu, database_url, **_clock_env(SIM_START, SPEED, anchor)))
    phones = Phones(emu, ids, circle, urgent)
    held = centre.hold_checkins(circle)
    first_words = [
        phones.post(user_id, f"c{index}a")  # before their check-ins: words for the circle
        for index, user_id in enumerate(circle)
    ]
    phases.append(("seeded", time.monotonic() - t0))
    bot.start()
    await bot.wait_ready()
    await _until(lambda: centre.handled(first_words), 120, "the circle's first words to be handled")
    centre.release_checkins(held)
    phases.append(("ready", time.monotonic() - t0))
    stop = asyncio.Event()
    driver = asyncio.create_task(_drive(phones, stop))

    # Five kills: three at chosen requests, two at random moments (seeded).
    plan = [
        ("sendMessage", rng.randint(2, 12)),
        ("timed", rng.uniform(0.2, 1.5)),
        ("getUpdates", 1),
        ("answerCallbackQuery", rng.randint(1, 6)),
        ("timed", rng.uniform(0.2, 1.5)),
    ]
    kills: list[tuple[str, float]] = []
    try:
        for kind, arg in plan:
            await asyncio.sleep(rng.uniform(0.5, 1.5))  # let it work a while
            if kind == "timed":
                await asyncio.sleep(arg)
                kills.append((kind, time.time()))
                bot.kill()
            else:
                emu.kill_on(kind, int(arg), bot.pid)
                try:
                    await bot.wait_exit(timeout=8)
                    bot.note_killed()
                    kills.append((kind, emu.kill_hooks[-1]["fired_at"]))
                except AssertionError:  # that request never came: kill it anyway, and say so
                    emu.clear_kill_hooks()
                    kills.append(("timed-fallback", time.time()))
                    bot.kill()
            await bot.restart()
            phases.append((kind, time.monotonic() - t0))

        # The rest of the evening, then everything delivered.
        try:
            await _until(phones.finished, 180, "every member to finish and the crisis messages to go")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{phones.describe()}\nkills {kills}") from None
        phases.append(("finished", time.monotonic() - t0))
        await _until(lambda: centre.settled(emu), 120, "every update handled and the outbox drained")
        phones.act()  # the last alerts, acknowledged
        await _until(lambda: centre.settled(emu), 60, "the last acknowledgements")
    finally:
        stop.set()
        await driver
        bot.stop()
    phases.append(("stopped", time.monotonic() - t0))
    played = sim.now() - SIM_START  # the simulated evening the kills were spread over

    log = bot.log()
    assert bot.kills == len(plan) and bot.lives == len(plan) + 1
    assert "handler failed" not in log and "Traceback" not in log
    assert log.count("already handled; ignoring the re-send") >= 1  # Telegram re-sent, the bot ignored it

    with centre.ctx.uow() as session:
        rows = session.exec(select(OutboxMessage)).all()
        checkins = session.exec(select(Checkin)).all()
        members = {m.id: m.telegram_user_id for m in session.exec(select(Member))}
        escalations = session.exec(select(Escalation)).all()
        if is_sqlite(database_url):
            assert session.exec(text("PRAGMA integrity_check")).one()[0] == "ok"  # type: ignore[call-overload]

    # Nothing lost: every row delivered, none given up.
    assert Counter(r.status for r in rows) == Counter({"sent": len(rows)})

    # Every bot message is the recorded delivery of one outbox row, or a copy from the window (see
    # ``window_copies``: decided from the emulator's records and the rows' recorded deliveries).
    starts = emu.get_me_at
    offset = time.time() - time.monotonic()  # for the failure message only
    every = [m for chat in [*ids, COUNSELLOR, BACKUP] for m in emu.messages(chat)]
    repeats, recorded = window_copies(every, rows, starts)
    by_id = {(m.chat_id, m.message_id): m for m in every}

    # The window itself: Telegram's acceptance → the commit that marks the row sent.
    windows = sorted(
        (SIM_START.timestamp() + (r.sent_at - SIM_START).total_seconds() / SPEED + anchor - SIM_START.timestamp())
        - (by_id[(r.chat_id, r.telegram_message_id)].sent_at + offset)
        for r in rows
        if r.method == "send" and r.sent_at and (r.chat_id, r.telegram_message_id) in by_id
    )
    print(f"\nphases (s): {[(name, round(at, 1)) for name, at in phases]}; simulated {played}")
    print(
        f"\ncrash test: {len(rows)} rows, kills {[k for k, _ in kills]}, copies from the window: "
        f"{sum(repeats.values())} ({sum(n > 1 for n in repeats.values())} rows with more than one); "
        f"acceptance→commit p50 {statistics.median(windows) * 1000:.1f} ms, "
        f"p99 {windows[int(len(windows) * 0.99)] * 1000:.1f} ms, max {windows[-1] * 1000:.1f} ms"
    )

    def shown(chat: int) -> str:
        """For a failing check: every message of the chat with its life, and the rows that record one."""
        return (
            f"{[(m.message_id, _life(starts, m.sent_at), (m.original_text or '')[:30]) for m in emu.messages(chat)]}\n"
            f"rows {[(r.id, r.method, r.purpose, r.telegram_message_id) for r in rows if r.chat_id == chat]}\n"
            f"kills {kills}"
        )

    def once(chat: int, needle: str, *, exact: bool = False) -> bool:
        """One recorded delivery; any other copy is a window copy (``window_copies`` vouched for each)."""

        def fits(sent: str | None) -> bool:
            return sent == needle if exact else needle in (sent or "")

        sends = [m for m in emu.messages(chat) if m.method == "sendMessage" and fits(m.original_text)]
        extra = sum(n for (c, text_), n in repeats.items() if c == chat and fits(text_))
        return sum((chat, m.message_id) in recorded for m in sends) == 1 and len(sends) == 1 + extra

    # Every member: one check-in for the day, prompted once, completed once.
    assert sorted(members[c.member_id] for c in checkins) == sorted(ids)
    assert all(c.status == "completed" for c in checkins)
    for user_id in ids:
        assert once(user_id, "How is your mood"), (user_id, shown(user_id))
        assert once(user_id, "Thank you for checking in"), (user_id, shown(user_id))

    # Every circle message reached each other member once, and never its author.
    assert len(phones.posts) == 2 * len(circle)
    for tag, author in phones.posts.items():
        for user_id in circle:
            copies = sum(f"note {tag}" in (m.text or "") for m in emu.messages(user_id))
            if user_id == author:
                assert copies == 0
            else:
                assert once(user_id, f"note {tag}"), (tag, user_id, shown(user_id))

    # Every crisis message: one escalation, its first alert sent once.
    assert sorted(members[e.member_id] for e in escalations) == sorted(urgent)
    for escalation in escalations:
        alerts = sorted((r for r in rows if r.payload.get("escalation_id") == escalation.id), key=lambda r: r.id or 0)
        first = alerts[0]
        assert first.status == "sent"
        assert once(first.chat_id, first.payload["text"], exact=True), shown(first.chat_id)
    centre.dispose()
