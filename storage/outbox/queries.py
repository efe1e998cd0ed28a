"""The outbox's queries: the sender's claims, the backlog, what was delivered. Services and the sender
ask these; nothing else writes SQL.

Claims use ``FOR UPDATE SKIP LOCKED`` so several workers on PostgreSQL never take the same row;
SQLite has one writer at a time and ignores the clause.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, bindparam, exists, func, or_, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.channels.tables import Channel
from storage.outbox.tables import OutboxMessage, OutboxStatus

OUTBOX_CLAIM_LOCK = 0x5AA7_0002  # pg_advisory_xact_lock key serialising outbox claims


OUTBOX_LANES = (0, 1, 2, 3)  # bot.domain.outgoing.Priority
QUEUED = (OutboxStatus.PENDING, OutboxStatus.SENDING)  # not sent yet, and may still be
GIVEN_UP = (OutboxStatus.FAILED, OutboxStatus.DEAD)
# ``last_error`` starts so on a row meant for a centre's own bot that was not running (deactivated or
# removed), which the .env bot could not deliver either
ACCOUNT_GONE = "account_gone:"


def sending_to(session: Session, chat_id: int, now: datetime) -> bool:
    """A message to this chat is being sent right now: claimed, its answer (and Telegram's message id)
    not recorded yet."""
    in_flight = select(OutboxMessage.id).where(
        OutboxMessage.chat_id == chat_id,
        OutboxMessage.status == OutboxStatus.SENDING,
        col(OutboxMessage.claimed_until) >= now,
    )
    return session.exec(in_flight.limit(1)).first() is not None


@cache
def _claim_statements(
    channel: str | None = None, account: int | None = None, others: tuple[int, ...] = ()
) -> tuple[Any, dict[int, Any]]:
    """The claim's statements, built once (per channel and account): the sender claims after every
    kick, and building them afresh cost five times more than running them."""
    in_flight = aliased(OutboxMessage, name="in_flight")
    now: BindParameter[datetime] = bindparam("now")
    chat_free = ~exists().where(
        col(in_flight.chat_id) == col(OutboxMessage.chat_id),
        col(in_flight.status) == OutboxStatus.SENDING,
        col(in_flight.claimed_until) >= now,
    )
    of_channel: tuple[Any, ...] = () if channel is None else (OutboxMessage.channel == channel,)
    if account is not None:  # a centre's own Telegram bot: its rows only
        of_channel += (OutboxMessage.channel == Channel.TELEGRAM, OutboxMessage.account_id == account)
    elif others:  # the .env bot: not the rows the running accounts' senders take
        of_channel += (
            or_(
                col(OutboxMessage.channel) != Channel.TELEGRAM,
                col(OutboxMessage.account_id).is_(None),
                col(OutboxMessage.account_id).not_in(others),
            ),
        )
    expired = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING, col(OutboxMessage.claimed_until) < now, chat_free, *of_channel
        )
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.due_at), col(OutboxMessage.id))
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    lanes = {
        lane: (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.priority == lane,
                col(OutboxMessage.due_at) <= now,
                *(() if lane == 0 else (chat_free,)),
                *of_channel,
            )
            .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
            .limit(bindparam("limit"))
            .with_for_update(skip_locked=True)
        )
        for lane in OUTBOX_LANES
    }
    return expired, lanes


def claim_outbox(
    session: Session,
    now: datetime,
    limit: int,
    lease_until: datetime,
    *,
    max_priority: int | None = None,
    channel: str | None = None,
    account: int | None = None,
    others: tuple[int, ...] = (),
) -> list[OutboxMessage]:
    """Take due rows (or rows whose previous claimer died) in priority order, and lease them.

    One index range scan per lane on ``ix_outbox_due`` (status, priority, due_at, id), or with
    ``channel`` on ``ix_outbox_channel_due`` (status, channel, priority, due_at, id): each touches
    only that lane's due rows (of that channel), in due order, however many rows wait for later or
    are done. ``max_priority``: only lanes up to this one (the sender's urgent top-up while busy).

    Several workers: claims are serialised by a transaction-scoped advisory lock (PostgreSQL; a
    claim takes milliseconds), so each claim sees what the previous one leased, and a chat with a
    row in flight under a live lease is left to the worker sending it: the rows of one chat go out
    in order from one worker at a time. Urgent rows are exempt and never wait behind another
    worker's rows.

    ``channel``: only that channel's rows (once both channels have rows the sender claims each against
    its own budget, so a Telegram backlog never holds WhatsApp's rows back, nor the reverse).
    ``account``: only the rows of that Telegram channel account (a centre's own bot, its own sender);
    ``others``: every row but those of these accounts (the ``.env`` bot's sender, beside theirs: a row
    of an account that is not running, deactivated or removed, stays its to try).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_CLAIM_LOCK})
    expired, lanes = _claim_statements(channel, account, others)
    rows: list[OutboxMessage] = list(session.exec(expired, params={"now": now, "limit": limit}).all())
    for lane in OUTBOX_LANES:
        if len(rows) >= limit or (max_priority is not None and lane > max_priority):
            break
        rows.extend(session.exec(lanes[lane], params={"now": now, "limit": limit - len(rows)}).all())
    rows.sort(key=lambda row: (row.priority, row.due_at, row.id or 0))
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.claimed_until = lease_until
    return rows


def outbox_backlog(session: Session, now: datetime, *, rate: float | None = None) -> dict[str, Any]:
    """What waits to be sent: ``due`` now (and how late the oldest is), ``pending`` in all (some
    due later), ``failed``; with ``rate`` (messages/s) the time the due rows take to drain."""
    pending = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status).in_(QUEUED))
    ).one()
    failed = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status).in_(GIVEN_UP))
    ).one()
    due, oldest = session.exec(
        select(func.count(), func.min(OutboxMessage.due_at))
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.status).in_(QUEUED), col(OutboxMessage.due_at) <= now)
    ).one()
    if isinstance(oldest, str):  # SQLite hands back an aggregate's datetime as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    backlog: dict[str, Any] = {
        "pending": int(pending),
        "failed": int(failed),
        "due": int(due),
        "oldest_due_seconds": round(max(0.0, (now - oldest).total_seconds()), 1) if oldest is not None else 0.0,
    }
    if rate:
        backlog["rate"] = round(rate, 1)
        backlog["drain_seconds"] = round(int(due) / rate)
    return backlog


def outbox_due_count(session: Session, now: datetime) -> int:
    """Rows that should be going out right now (not those waiting for a backoff or quiet hours)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.status).in_(QUEUED), col(OutboxMessage.due_at) <= now)
        ).one()
    )


def sent_message_id(session: Session, chat_id: int, purpose: str, since: datetime) -> int | None:
    """Telegram's id of the newest message of ``purpose`` delivered to a chat since ``since`` (a question
    whose buttons an answer typed instead of pressed should take away); None when not delivered yet."""
    return session.exec(
        select(OutboxMessage.telegram_message_id)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.purpose == purpose,
            OutboxMessage.method == "send",
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.created_at >= since,
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    ).first()


def account_gone_count(session: Session) -> int:
    """Rows given up because the centre's own bot they were meant for was not running and the ``.env``
    bot could not reach the person either (``saathi status``)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.status).in_(GIVEN_UP), col(OutboxMessage.last_error).startswith(ACCOUNT_GONE))
        ).one()
    )
