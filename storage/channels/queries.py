"""Queries about channel accounts, WhatsApp contacts and the delivery statuses WhatsApp reports.
Services, the WhatsApp adapter and the sender ask these; nothing else writes SQL for them."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.channels.tables import Channel, ChannelAccount, WhatsAppContact
from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.people.tables import Center, Member, Staff
from storage.types import rowcount

# The order Meta's statuses go in: a late "sent" never overwrites "read".
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
# ``delivery_status`` of a row waiting for the person to write (a template went instead, or nothing)
HELD_STATES = ("template", "held")
NOT_APPROVED = "wa_template_not_approved"  # ``last_error`` of a row held for want of an approved template


def number_hash(app_secret: str, number: str) -> str:
    """The blind index of a WhatsApp number: HMAC-SHA256 keyed with the account's app secret."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return hmac.new(app_secret.encode("utf-8"), digits.encode("ascii"), hashlib.sha256).hexdigest()


def account_by_name(session: Session, name: str) -> ChannelAccount | None:
    return session.exec(select(ChannelAccount).where(ChannelAccount.name == name)).first()


def accounts(session: Session, channel: str | None = None) -> Sequence[ChannelAccount]:
    query = select(ChannelAccount)
    if channel is not None:
        query = query.where(ChannelAccount.channel == channel)
    return session.exec(query.order_by(col(ChannelAccount.id))).all()


def account_center(session: Session, account_id: int) -> int | None:
    return session.exec(select(ChannelAccount.center_id).where(ChannelAccount.id == account_id)).first()


def active_telegram_accounts(session: Session) -> Sequence[ChannelAccount]:
    """The centres' own Telegram bots that the running application polls and sends through."""
    return session.exec(
        select(ChannelAccount)
        .where(ChannelAccount.channel == Channel.TELEGRAM, col(ChannelAccount.active).is_(True))
        .order_by(col(ChannelAccount.id))
    ).all()


def telegram_username(session: Session, center_id: int) -> str | None:
    """The username of the centre's first active Telegram bot whose name is known (its invite links
    open it); None: the centre has none, and its links open the ``.env`` bot."""
    return _first_active(session, center_id, Channel.TELEGRAM, col(ChannelAccount.username))


def record_username(session: Session, account_id: int, username: str) -> None:
    """What Telegram's getMe said the account's bot is called (the application asks at every start)."""
    session.execute(
        update(ChannelAccount)
        .where(col(ChannelAccount.id) == account_id, col(ChannelAccount.username).is_distinct_from(username))
        .values(username=username)
    )


def whatsapp_number(session: Session, center_id: int) -> str | None:
    """The number of the centre's first active WhatsApp account that has one (for wa.me invites)."""
    return _first_active(session, center_id, Channel.WHATSAPP, col(ChannelAccount.number))


def _first_active(session: Session, center_id: int, channel: Channel, column: Any) -> str | None:
    """``column`` of the centre's first active account of ``channel`` where it is set."""
    return session.exec(
        select(column)
        .where(
            ChannelAccount.center_id == center_id,
            ChannelAccount.channel == channel,
            col(ChannelAccount.active).is_(True),
            column.is_not(None),
        )
        .order_by(col(ChannelAccount.id))
    ).first()


def center_names(session: Session) -> dict[int, str]:
    return {center_id: name for center_id, name in session.exec(select(Center.id, Center.name)).all() if center_id}


def add_account(
    session: Session,
    *,
    center_id: int,
    channel: Channel,
    name: str,
    token: str,
    now: datetime,
    phone_id: str | None = None,
    app_secret: str | None = None,
    verify_token: str | None = None,
    number: str | None = None,
) -> ChannelAccount:
    account = ChannelAccount(
        center_id=center_id,
        channel=channel,
        name=name,
        token=token,
        phone_id=phone_id,
        number=number,
        app_secret=app_secret,
        verify_token=verify_token,
        created_at=now,
    )
    session.add(account)
    session.flush()
    return account


def contact_for(session: Session, account: ChannelAccount, number: str, now: datetime) -> WhatsAppContact:
    """The contact behind ``number`` on this account, made on first contact (flushed: it has an id)."""
    assert account.id is not None and account.app_secret
    hashed = number_hash(account.app_secret, number)
    found = session.exec(
        select(WhatsAppContact).where(WhatsAppContact.account_id == account.id, WhatsAppContact.number_hash == hashed)
    ).first()
    if found is not None:
        return found
    contact = WhatsAppContact(account_id=account.id, number_hash=hashed, number=number, created_at=now)
    session.add(contact)
    session.flush()
    return contact


def reindex_contacts(session: Session, account: ChannelAccount) -> int:
    """Every contact of the account hashed again with its (new) app secret; how many. Their numbers
    are decrypted to do it, so this needs the encryption key, not the old secret."""
    assert account.id is not None and account.app_secret
    found = session.exec(select(WhatsAppContact).where(WhatsAppContact.account_id == account.id)).all()
    for contact in found:
        contact.number_hash = number_hash(account.app_secret, contact.number)
    return len(found)


def contacts(session: Session, ids: Sequence[int]) -> dict[int, WhatsAppContact]:
    if not ids:
        return {}
    rows = session.exec(select(WhatsAppContact).where(col(WhatsAppContact.id).in_(list(ids)))).all()
    return {row.id: row for row in rows if row.id is not None}


def provider_id_known(session: Session, provider_message_id: str) -> bool:
    """Whether an outbox row carries this provider message id and its send is recorded (the sender
    notes the wamid after Meta's answer, then marks the row sent in a second commit; Meta's first
    status can come before either, and a failure applied between the two would be overwritten)."""
    query = select(OutboxMessage.id).where(
        OutboxMessage.provider_message_id == provider_message_id, OutboxMessage.status != OutboxStatus.SENDING
    )
    return session.exec(query.limit(1)).first() is not None


def record_status(session: Session, provider_message_id: str, status: str) -> OutboxMessage | None:
    """A status WhatsApp reported for one of our messages, kept unless a later one is already there;
    the row it changed (None: not ours, or older news)."""
    rank = STATUS_RANK.get(status)
    if rank is None:
        return None
    row = session.exec(select(OutboxMessage).where(OutboxMessage.provider_message_id == provider_message_id)).first()
    if row is None or row.delivery_status in HELD_STATES or STATUS_RANK.get(row.delivery_status or "", 0) >= rank:
        return None  # not ours, older news, or the status of the template that stood in for a row still waiting
    row.delivery_status = status
    return row


def window_closed(session: Session, row: OutboxMessage, now: datetime) -> OutboxMessage:
    """Meta refused a free-form message after accepting it (131047: the 24-hour window had closed): our
    note of the window is wrong, so it is closed here too, and the message goes again, now as its
    template (or held until the person writes), as a new row: the refused one may still be waiting for
    the sender's "sent" mark, which would overwrite a row put back to pending."""
    contact = session.get(WhatsAppContact, int(row.address)) if row.address and row.address.isdigit() else None
    if contact is not None:
        contact.last_inbound_at = None
    row.last_error = "wa_131047"
    again = OutboxMessage(
        chat_id=row.chat_id,
        member_id=row.member_id,
        staff_id=row.staff_id,
        method=row.method,
        payload=row.payload,
        priority=row.priority,
        purpose=row.purpose,
        due_at=now,
        created_at=now,
        sponsor_thread_id=row.sponsor_thread_id,
        channel=row.channel,
        account_id=row.account_id,
        address=row.address,
    )
    session.add(again)
    return again


def mark_provider_sent(session: Session, row_id: int, provider_message_id: str) -> int:
    """The sender's note of the wamid Meta gave a row (its own short transaction)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(provider_message_id=provider_message_id, delivery_status="sent")
    )
    return rowcount(result)


@dataclass(frozen=True)
class WhatsAppRecipient:
    """What the sender needs to reach a WhatsApp conversation (read in one short transaction). A
    WhatsApp member or staff member has the conversation key as both user id and chat id."""

    account_id: int
    contact_id: int
    phone_id: str
    token: str
    number: str
    last_inbound_at: datetime | None
    language: str  # the member's (or staff member's) language, for a template
    name: str  # how a template addresses them: the member's pseudonym, the staff member's name
    offered: bool = False  # choices are waiting for a typed answer (WhatsAppContact.offered)


def whatsapp_recipient(session: Session, contact_id: int, chat_id: int) -> WhatsAppRecipient | None:
    contact = session.get(WhatsAppContact, contact_id)
    account = session.get(ChannelAccount, contact.account_id) if contact is not None else None
    if contact is None or account is None or not account.phone_id:
        return None
    language, name = "en", ""
    member = session.exec(select(Member).where(Member.telegram_user_id == chat_id)).first()
    if member is not None:
        language, name = member.language, member.pseudonym
    else:
        staff = session.exec(select(Staff).where(Staff.telegram_user_id == chat_id)).first()
        if staff is not None:
            language, name = staff.language, staff.name
    return WhatsAppRecipient(
        account.id or 0,
        contact_id,
        account.phone_id,
        account.token,
        contact.number,
        contact.last_inbound_at,
        language,
        name,
        bool(contact.offered),
    )


def hold(
    session: Session, row_id: int, until: datetime, state: str, reason: str, provider_message_id: str | None = None
) -> int:
    """A WhatsApp row that may not go now (the window is closed): pending again, due at ``until``
    unless the person writes first (:func:`release_held`); ``state`` says what was done meanwhile
    ("template": its template went; "held": nothing went)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.status) == OutboxStatus.SENDING)
        .values(status=OutboxStatus.PENDING, due_at=until, claimed_until=None, delivery_status=state, last_error=reason)
    )
    if provider_message_id is not None:  # the template that went in its place: its statuses land here
        session.execute(
            update(OutboxMessage).where(col(OutboxMessage.id) == row_id).values(provider_message_id=provider_message_id)
        )
    return rowcount(result)


def release_held(session: Session, chat_id: int, now: datetime) -> int:
    """The person wrote: what waited for the window goes now, in its order."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.delivery_status).in_(HELD_STATES),
            col(OutboxMessage.due_at) > now,
        )
        .values(due_at=now)
    )
    return rowcount(result)


def set_offered(session: Session, contact_id: int, offered: list[list[str]] | None) -> None:
    """The choices just sent to this contact, for a typed answer (the sender's own short transaction)."""
    session.execute(update(WhatsAppContact).where(col(WhatsAppContact.id) == contact_id).values(offered=offered))


def waiting_counts(session: Session) -> dict[str, int]:
    """``held``: WhatsApp rows waiting for the person to write; ``template_not_approved``: those
    waiting because Meta has not approved the template that would carry them (``saathi status``)."""
    held = session.exec(
        select(OutboxMessage.last_error).where(
            OutboxMessage.status == OutboxStatus.PENDING, col(OutboxMessage.delivery_status).in_(HELD_STATES)
        )
    ).all()
    return {"held": len(held), "template_not_approved": sum(1 for reason in held if reason == NOT_APPROVED)}


def forget_contact(session: Session, contact_id: int) -> None:
    """A person asked to be forgotten: their number (and its blind index) is deleted. Writing again
    makes a new contact, a new conversation key: a stranger to the bot."""
    session.execute(delete(WhatsAppContact).where(col(WhatsAppContact.id) == contact_id))


def row_id_of(session: Session, chat_id: int, provider_message_id: str) -> int | None:
    """The outbox row (in this chat) that WhatsApp knows as ``provider_message_id``: its id is the
    message id the services know a WhatsApp message by (``telegram_message_id`` holds it once sent)."""
    return session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.provider_message_id == provider_message_id, OutboxMessage.chat_id == chat_id
        )
    ).first()


def provider_id_of(session: Session, chat_id: int, row_id: int) -> str | None:
    """The wamid WhatsApp gave outbox row ``row_id`` once it was sent, if that row went to this same
    chat: a reply's context only ever names the recipient's own message (None: not theirs, or not sent)."""
    return session.exec(
        select(OutboxMessage.provider_message_id).where(
            OutboxMessage.id == row_id, OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.SENT
        )
    ).first()
