"""Several workers on one PostgreSQL: two ``saathi run --role dispatcher`` processes share the due
check-ins and the outbox, one is SIGKILLed midway, and every message still arrives exactly once.

The kill is made at a request's arrival, before Telegram acts on it (a loopback proxy between the
victim and the emulator holds the victim's Nth sendMessage, waits until every send the emulator
already answered is recorded as sent, then SIGKILLs it), so exactly-once is a strict assertion: the
one window no design can close — Telegram accepted a message and the process died before committing
"sent" — is left out on purpose. scripts/benchmarks/workers.py measures the rest.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from sqlalchemy import select

from sandbox.emulator import BotApiEmulator
from scripts.benchmarks.workers import (
    BULK_BASE,
    MEMBER_BASE,
    READY_LINE,
    add_phones,
    dispatcher_argv,
    is_checkin,
    outbox_state,
    seed,
    worker_env,
)
from storage.db import make_engine
from storage.migrate import upgrade
from storage.outbox.tables import OutboxMessage
from tests.conftest import PG_SKIP_REASON, reset_postgres
from tests.e2e.processes import BotProcess

# Sizes: a backlog of 1,750 rows shared by two dispatchers (scripts/benchmarks/workers.py runs the
# large ones); 2,000 members and 750 chats took twice as long and tested nothing more.
MEMBERS = 1000  # due for their check-in at once
BULK_CHATS = 375  # with two outbox rows each, which must arrive in order
KILL_AT = 250  # the victim dies when its 250th sendMessage arrives, about a third of its share
SPEED = 4.0  # the workers' shared clock runs 4× fast: a dead worker's 60 s lease runs out in 15 s


class KillSwitch:
    """A loopback proxy between one worker and the emulator. At the worker's ``nth`` sendMessage it
    stops forwarding (that request and every later one never reach the emulator), waits until the
    worker has recorded every send the emulator already answered, and SIGKILLs it: a crash at a
    request's arrival, with nothing in the unavoidable accepted-but-not-recorded window."""

    def __init__(self, upstream: str, nth: int) -> None:
        self.upstream = upstream.rstrip("/")
        self.nth = nth
        self.sends = 0
        self.in_flight = 0
        self.answered: list[tuple[int, int]] = []  # (chat_id, message_id) the emulator accepted
        self.tripped = asyncio.Event()
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        self._client = ClientSession()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        is_send = request.path.lower().endswith("/sendmessage")
        if is_send and not self.tripped.is_set():
            self.sends += 1
            if self.sends >= self.nth:
                self.tripped.set()
        if self.tripped.is_set():
            await self._released.wait()  # never forwarded: the worker is killed meanwhile
            return web.Response(status=502)
        assert self._client is not None
        # counted before reading the body: a request let through just before the trip, still being
        # read, must be waited for too (aiohttp sends a form's body after its headers)
        self.in_flight += 1
        try:
            body = await request.read()
            async with self._client.request(
                request.method,
                self.upstream + request.path_qs,
                data=body,
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as r:
                payload, status, content_type = await r.read(), r.status, r.headers.get("Content-Type", "")
        finally:
            self.in_flight -= 1
        if is_send and status == 200:
            result = json.loads(payload)["result"]
            self.answered.append((result["chat"]["id"], result["message_id"]))
        return web.Response(body=payload, status=status, headers={"Content-Type": content_type})

    async def kill_when_tripped(
        self, worker: BotProcess, recorded: Callable[[list[tuple[int, int]]], bool], timeout: float = 60.0
    ) -> None:
        try:
            await asyncio.wait_for(self.tripped.wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"the victim sent {self.sends} of the {self.nth} sends that trip the kill in {timeout:g}s"
            ) from None
        deadline = time.monotonic() + 15
        while self.in_flight or not recorded(self.answered):
            assert time.monotonic() < deadline, "the victim never recorded the sends Telegram accepted"
            await asyncio.sleep(0.02)
        worker.kill()
        self._released.set()


def _recorded(database_url: str) -> Callable[[list[tuple[int, int]]], bool]:
    """True once every (chat, message id) the emulator accepted is a ``sent`` outbox row."""
    engine = make_engine(database_url, single_use=True)

    def check(answered: list[tuple[int, int]]) -> bool:
        with engine.connect() as conn:
            sent = set(
                conn.execute(
                    select(OutboxMessage.chat_id, OutboxMessage.telegram_message_id).where(
                        OutboxMessage.status == "sent"
                    )
                ).all()
            )
        return all(pair in sent for pair in answered)

    return check


@pytest.fixture
def pg_url(postgres_database: str | None) -> str:
    if postgres_database is None:
        pytest.skip(PG_SKIP_REASON)
    reset_postgres(postgres_database)
    return postgres_database


async def test_two_dispatchers_deliver_every_checkin_and_outbox_row_exactly_once_across_a_kill(
    pg_url: str, bot_processes, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    upgrade(pg_url)
    seed(pg_url, members=MEMBERS, bulk_chats=BULK_CHATS, rows_per_chat=2)
    expected_rows = MEMBERS + 2 * BULK_CHATS
    async with BotApiEmulator() as emu:
        add_phones(emu, members=MEMBERS, bulk_chats=BULK_CHATS)
        switch = KillSwitch(emu.base_url.removesuffix("/bot"), KILL_AT)
        await switch.start()
        try:
            env = worker_env(emu, pg_url, anchor=time.time(), speed=SPEED, SAATHI_RATE_SCALE="3")
            victim: BotProcess = bot_processes(
                {**env, "TELEGRAM_API_URL": switch.base_url}, "victim", argv=dispatcher_argv(), ready_line=READY_LINE
            )
            survivor: BotProcess = bot_processes(env, "survivor", argv=dispatcher_argv(), ready_line=READY_LINE)
            victim.start()
            survivor.start()
            # the trip's deadline counts from when both poll: a loaded machine once took 26 s to start one
            await asyncio.gather(victim.wait_ready(), survivor.wait_ready())
            await switch.kill_when_tripped(victim, _recorded(pg_url))
            midway = outbox_state(pg_url)
            assert not victim.alive
            assert midway.get("sent", 0) < expected_rows or midway["checkins"] < MEMBERS, midway

            victim.env["TELEGRAM_API_URL"] = emu.base_url  # restarted, it talks to Telegram directly
            victim.start()
            await _wait_all_sent(pg_url, expected_rows, timeout=90)
            await asyncio.sleep(1.0)  # anything sent twice would arrive now

            assert survivor.stop() == 0 and victim.stop() == 0  # SIGTERM: a clean stop
        finally:
            await switch.stop()

        state = outbox_state(pg_url)
        assert state == {"sent": expected_rows, "checkins": MEMBERS}, state
        assert emu.stats["sent_messages"] == expected_rows  # not one send more than rows
        for i in range(MEMBERS):
            received = emu.messages(MEMBER_BASE + i)
            assert len(received) == 1 and is_checkin(received[0]), (MEMBER_BASE + i, len(received))
        for j in range(BULK_CHATS):
            assert [m.text for m in emu.messages(BULK_BASE + j)] == [f"Bulletin {j}.0", f"Bulletin {j}.1"]

    print(
        f"\nkilled at the victim's send {switch.sends}: {len(switch.answered)} delivered by it before; "
        f"at the kill {midway}"
    )
    assert 0 < len(switch.answered) < expected_rows
    for worker in (victim, survivor):
        log = worker.log()
        assert "Traceback" not in log, log[-3000:]
        assert log.count(READY_LINE) == worker.lives
    assert victim.log().count("dispatcher worker stopped") == 1  # only the last life stopped cleanly
    assert survivor.log().count("dispatcher worker stopped") == 1


async def _wait_all_sent(database_url: str, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        state = outbox_state(database_url)
        if state.get("sent", 0) >= expected and state["checkins"] >= MEMBERS:
            return
        assert time.monotonic() < deadline, f"not everything was sent in {timeout:g}s: {state}"
        await asyncio.sleep(0.25)


def test_dispatcher_role_refuses_sqlite(tmp_path: Path) -> None:
    """SQLite has one writer: several workers need PostgreSQL, and the refusal says so in one line."""
    import subprocess

    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "TELEGRAM_BOT_TOKEN": "123456789:TEST-token_for_saathi_e2e_runs",
        "DATABASE_URL": f"sqlite:///{tmp_path}/saathi.db",
    }
    for role in ("dispatcher", "poller"):
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "run", "--role", role],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0 and "needs PostgreSQL" in done.stderr
    assert not (tmp_path / "saathi.db").exists()  # refused before touching the database


def test_a_claim_leaves_a_chat_in_flight_to_the_worker_sending_it(pg_url: str) -> None:
    """Two workers never send to one chat at once (order and per-chat pacing hold); urgent rows are exempt."""
    from datetime import timedelta

    from bot.domain.outgoing import Priority
    from bot.services.outbox import enqueue
    from scripts.benchmarks.workers import DUE
    from storage.db import SessionFactory
    from storage.outbox import queries as outbox_db

    upgrade(pg_url)
    uow = SessionFactory(make_engine(pg_url))
    with uow() as session:
        for chat_id, text in ((1, "first"), (1, "second"), (2, "other chat")):
            enqueue(session, chat_id=chat_id, text=text, now=DUE, priority=Priority.BULK, purpose="test")
        session.commit()
    lease = DUE + timedelta(seconds=60)
    with uow() as worker_a:
        first = outbox_db.claim_outbox(worker_a, DUE, 1, lease)
        worker_a.commit()
    with uow() as worker_b:
        taken = outbox_db.claim_outbox(worker_b, DUE, 10, lease)
        worker_b.commit()
    assert [row.payload["text"] for row in first] == ["first"]
    assert [row.payload["text"] for row in taken] == ["other chat"]  # chat 1 is worker A's until its row is done
    with uow() as session:
        enqueue(session, chat_id=1, text="urgent", now=DUE, priority=Priority.URGENT, purpose="test")
        session.commit()
    with uow() as worker_b:
        assert [row.payload["text"] for row in outbox_db.claim_outbox(worker_b, DUE, 10, lease)] == ["urgent"]
        worker_b.commit()
    with uow() as session:  # the leases run out (the workers died): chat 1 is free again, in order
        later = DUE + timedelta(seconds=61)
        texts = [
            row.payload["text"] for row in outbox_db.claim_outbox(session, later, 10, later + timedelta(seconds=60))
        ]
        assert texts == ["urgent", "first", "second", "other chat"]


def test_two_workers_scanning_at_once_start_each_checkin_once(pg_url: str) -> None:
    """The due scan run by two threads at the same moment: every due member gets one check-in, no errors."""
    import threading
    from datetime import timedelta

    from sqlalchemy import func

    from bot.clock import FakeClock
    from bot.runtime import Saathi
    from bot.services.context import ServiceContext
    from scripts.benchmarks.workers import DUE
    from storage.checkins.tables import Checkin
    from storage.db import SessionFactory

    upgrade(pg_url)
    seed(pg_url, members=600)
    engine = make_engine(pg_url)
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        saathi = Saathi(
            services=ServiceContext(
                uow=SessionFactory(engine), clock=FakeClock(DUE + timedelta(seconds=1)), default_timezone="Asia/Kolkata"
            )
        )
        start.wait()
        try:
            for _ in range(4):
                results.append(saathi.run_due_work(kick=False))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with engine.connect() as conn:
        checkins = conn.execute(select(func.count()).select_from(Checkin)).scalar_one()
        rows = conn.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    engine.dispose()
    assert sum(r["checkins"] for r in results) == checkins == rows == 600
