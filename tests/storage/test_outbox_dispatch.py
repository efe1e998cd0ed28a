"""The outbox at scale: lane-by-lane claims of due rows, the backlog report, paid broadcast rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.clock import FakeClock
from bot.domain import channels
from bot.domain.outgoing import Priority
from bot.services import admin, checkins
from bot.services.context import ServiceContext
from bot.services.outbox import enqueue
from storage.outbox import queries as outbox_db
from storage.outbox.tables import OutboxMessage
from tests.storage.helpers import onboard, outbox, seed_centre

EVENING_DUE = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # 20:00 in India


def _enqueue(ctx: ServiceContext, chat_id: int, priority: Priority, due: datetime, purpose: str = "test") -> None:
    with ctx.uow() as session:
        enqueue(session, chat_id=chat_id, text="hello", now=due, due_at=due, priority=priority, purpose=purpose)
        session.commit()


def test_claim_takes_due_rows_lane_by_lane_in_due_order(services: ServiceContext, clock: FakeClock) -> None:
    now = clock.now()
    _enqueue(services, 1, Priority.BULK, now - timedelta(minutes=9))
    _enqueue(services, 2, Priority.SCHEDULED, now - timedelta(minutes=5))
    _enqueue(services, 3, Priority.SCHEDULED, now - timedelta(minutes=7))
    _enqueue(services, 4, Priority.URGENT, now - timedelta(seconds=1))
    _enqueue(services, 5, Priority.URGENT, now + timedelta(minutes=1))  # not due yet
    _enqueue(services, 6, Priority.REPLY, now)
    with services.uow() as session:
        first = outbox_db.claim_outbox(session, now, 3, now + timedelta(seconds=60))
        session.commit()
        assert [row.chat_id for row in first] == [4, 6, 3]
        assert all(row.status == "sending" for row in first)
    with services.uow() as session:
        # the sender's top-up while busy: only urgent rows and replies
        assert outbox_db.claim_outbox(session, now, 10, now + timedelta(seconds=60), max_priority=Priority.REPLY) == []
        rest = outbox_db.claim_outbox(session, now, 10, now + timedelta(seconds=60))
        session.commit()
        assert [row.chat_id for row in rest] == [2, 1]
    # a claimer that died: its rows come back once the lease has run out, first
    later = now + timedelta(seconds=61)
    with services.uow() as session:
        again = outbox_db.claim_outbox(session, later, 2, later + timedelta(seconds=60))
        assert [row.chat_id for row in again] == [4, 6]


def test_backlog_counts_due_rows_how_late_and_how_long_to_drain(services: ServiceContext, clock: FakeClock) -> None:
    now = clock.now()
    for chat in range(100, 160):
        _enqueue(services, chat, Priority.SCHEDULED, now - timedelta(seconds=90))
    _enqueue(services, 999, Priority.SCHEDULED, now + timedelta(hours=2))  # a reminder for later
    with services.uow() as session:
        backlog = outbox_db.outbox_backlog(session, now, rate=28)
    assert backlog == {
        "pending": 61,
        "failed": 0,
        "due": 60,
        "oldest_due_seconds": 90.0,
        "rate": 28,
        "drain_seconds": 2,
    }
    status = admin.status(services, rate_per_second=20)
    assert status["outbox"]["due"] == 60 and status["outbox"]["drain_seconds"] == 3  # type: ignore[index]


def test_check_ins_of_a_centre_with_paid_broadcast_carry_the_flag(services: ServiceContext, clock: FakeClock) -> None:
    seed_centre(services)
    admin.add_center(services, "Other Kendra", "Asia/Kolkata")
    admin.add_counsellor(services, "Other Kendra", "Counsellor Asha", telegram_id=9002)
    center = admin.configure_center(services, "Asha Kendra", allow_paid_broadcast=True)
    assert center.allow_paid_broadcast is True
    for user_id in (701, 702):
        onboard(services, user_id)
    onboard(services, 703, centre="Other Kendra")
    clock.set(EVENING_DUE)
    assert checkins.run_due_checkins(services) == 3
    flags = {row.chat_id: row.payload.get("paid_broadcast", False) for row in outbox(services, purpose="checkin")}
    assert flags == {701: True, 702: True, 703: False}
    # replies to a member's own action are never paid
    with services.uow() as session:
        replies = session.exec(select(OutboxMessage).where(OutboxMessage.purpose != "checkin")).all()
        assert replies and not any(row.payload.get("paid_broadcast") for row in replies)
    assert admin.configure_center(services, "Asha Kendra", allow_paid_broadcast=False).allow_paid_broadcast is False


def test_a_claim_for_one_channel_skips_the_other_channels_backlog(services: ServiceContext, clock: FakeClock) -> None:
    """The sender claims each channel by its own budget once WhatsApp has rows: a Telegram backlog due
    earlier must not stand between WhatsApp's rows and WhatsApp's claim (nor the reverse)."""
    now = clock.now()
    for chat in range(100, 110):  # Telegram chats, due first
        _enqueue(services, chat, Priority.SCHEDULED, now - timedelta(minutes=5))
    whatsapp = [channels.whatsapp_key(n) for n in (1, 2, 3)]
    for chat in whatsapp:
        _enqueue(services, chat, Priority.SCHEDULED, now - timedelta(minutes=1))
    lease = now + timedelta(seconds=60)
    with services.uow() as session:
        assert [row.chat_id for row in outbox_db.claim_outbox(session, now, 3, lease)] == [100, 101, 102]
        claimed = outbox_db.claim_outbox(session, now, 5, lease, channel=channels.WHATSAPP)
        assert [row.chat_id for row in claimed] == whatsapp
        assert all(row.channel == channels.WHATSAPP for row in claimed)
        telegram = outbox_db.claim_outbox(session, now, 20, lease, channel=channels.TELEGRAM)
        assert [row.chat_id for row in telegram] == list(range(103, 110))
        session.commit()
