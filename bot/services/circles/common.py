"""What every part of the circles shares: looking a circle up, who reviews, kind words to a member or
staff member, and the fan-out, the only way anything reaches a circle.

Every copy is a protected outbox row in the BULK lane, paced to at most one a second per chat, and
remembered as a ``RelayCopy`` so replies thread, edits propagate and /unsend reaches every phone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain import channels
from bot.domain import relay as rules
from bot.domain.outgoing import Priority
from bot.domain.relay import RelayMessage, build_relay
from bot.i18n import normalise_language, t
from bot.services import access
from bot.services.context import Person
from bot.services.outbox import enqueue, enqueue_edit
from storage.circles import queries as circles_db
from storage.circles.tables import (
    Circle,
    CircleMembership,
    CircleMessage,
    CircleMessageStatus,
    CircleSettings,
    RelayCopy,
)
from storage.outbox import payload as payloads
from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.people import queries as people_db
from storage.people.tables import Center, Member, Staff
from storage.safety.tables import AuditEntry

log = logging.getLogger(__name__)

# Telegram lets a bot delete its messages for 48 hours; older copies are blanked by an edit.
DELETE_WINDOW = timedelta(hours=47)


class CircleError(ValueError):
    """Why a member cannot join or move: ``key`` is the catalog id, the text is for the CLI."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    language: str
    member_id: int | None = None
    staff_id: int | None = None


def circle_of(session: Session, member: Member) -> tuple[CircleMembership, Circle] | None:
    membership = circles_db.active_membership(session, member.id or 0)
    if membership is None:
        return None
    circle = session.get(Circle, membership.circle_id)
    settings = circles_db.settings_of(session, membership.circle_id)
    if circle is None or (settings is not None and settings.closed_at is not None):
        return None
    return membership, circle


def active_facilitator(session: Session, circle: Circle) -> Staff | None:
    if circle.facilitator_id is None:
        return None
    staff = session.get(Staff, circle.facilitator_id)
    return staff if staff is not None and staff.active else None


def find_reviewer(session: Session, circle: Circle, *, not_staff_id: int | None = None) -> Staff | None:
    """Who reads held messages and reports: the facilitator, else the circle's counsellor, else the centre's."""
    candidates: list[Staff | None] = [active_facilitator(session, circle)]
    settings = circles_db.settings_of(session, circle.id or 0)
    if settings is not None and settings.counsellor_id is not None:
        candidates.append(session.get(Staff, settings.counsellor_id))
    candidates.append(people_db.default_counsellor(session, circle.center_id))
    for staff in candidates:
        if staff is not None and staff.active and staff.chat_id and staff.reachable and staff.id != not_staff_id:
            return staff
    return None


def facilitator_mark(lang: str) -> str:
    return t(lang, "circle-facilitator-mark")


def local_time(moment: datetime, tz: str, fmt: str = "%d/%m %H:%M") -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def center_tz(session: Session, circle: Circle, fallback: str) -> str:
    center = session.get(Center, circle.center_id)
    return center.timezone if center is not None else fallback


def say(session: Session, member: Member, key: str, now: datetime, **args: object) -> None:
    enqueue(session, chat_id=member.chat_id, member_id=member.id, now=now, text=t(member.language, key, **args))


def tell_staff(
    session: Session,
    staff: Staff,
    text: str,
    now: datetime,
    *,
    buttons: list[list[tuple[str, str]]] | None = None,
    priority: Priority = Priority.REPLY,
) -> None:
    enqueue(
        session,
        chat_id=staff.chat_id or 0,
        staff_id=staff.id,
        now=now,
        text=text,
        buttons=buttons,
        priority=priority,
        purpose="circle_staff",
    )


def excerpt(text: str | None, limit: int = 1500) -> str:
    """What staff are shown of a circle message (a note must stay within Telegram's 4096 characters)."""
    if not text:
        return "-"
    return text if len(text) <= limit else text[:limit] + "…"


def audit(
    session: Session, now: datetime, action: str, *, staff: Staff | None, person: Person, member_id: int | None = None
) -> None:
    session.add(
        AuditEntry(
            actor_telegram_id=person.telegram_user_id,
            staff_id=staff.id if staff else None,
            member_id=member_id,
            action=action[:40],
            created_at=now,
        )
    )


def recipients(
    session: Session, circle: Circle, *, exclude_member: int | None = None, exclude_staff: int | None = None
) -> list[Recipient]:
    people = [
        Recipient(chat_id=member.chat_id, language=member.language, member_id=member.id)
        for _, member in circles_db.circle_members(session, circle.id or 0)
        if member.id != exclude_member
    ]
    facilitator = active_facilitator(session, circle)
    if facilitator is not None and facilitator.id != exclude_staff and facilitator.chat_id and facilitator.reachable:
        people.append(Recipient(chat_id=facilitator.chat_id, language=facilitator.language, staff_id=facilitator.id))
    return people


def _reply_targets(session: Session, original: CircleMessage | None) -> dict[int, int]:
    """chat id → the message id of ``original`` in that chat (the author's own, or their copy)."""
    if original is None or original.status != CircleMessageStatus.RELAYED:
        return {}
    targets: dict[int, int] = {}
    if original.source_message_id is not None:
        author: Member | Staff | None = (
            session.get(Member, original.member_id)
            if original.member_id
            else session.get(Staff, original.staff_id)
            if original.staff_id
            else None
        )
        if author is not None and author.chat_id:
            targets[author.chat_id] = original.source_message_id
    for copy, row in circles_db.copies_of(session, original.id or 0):
        if row.status == OutboxStatus.SENT and row.telegram_message_id is not None:
            targets[copy.chat_id] = row.telegram_message_id
    return targets


def fan_out(
    session: Session,
    circle: Circle,
    message: CircleMessage,
    now: datetime,
    render: Callable[[str], RelayMessage],
    *,
    exclude_member: int | None = None,
    exclude_staff: int | None = None,
    reply_to: CircleMessage | None = None,
) -> int:
    """A protected copy for everyone in the circle but the author, paced per chat; returns the count."""
    people = recipients(session, circle, exclude_member=exclude_member, exclude_staff=exclude_staff)
    if not people:
        return 0
    threads = _reply_targets(session, reply_to)
    paces = circles_db.paces(session, [p.chat_id for p in people], now)
    rendered: dict[str, RelayMessage] = {}
    sent: list[tuple[Recipient, int | None]] = []
    for person in people:
        built = rendered.get(person.language)
        if built is None:
            built = rendered[person.language] = render(person.language)
        pace = paces[person.chat_id]
        gap = channels.capabilities(person.chat_id).chat_interval + rules.PACE_MARGIN
        due, pace.next_free_at = rules.pace(pace.next_free_at, now, gap)
        reply = threads.get(person.chat_id)
        outbox_id = enqueue(
            session,
            chat_id=person.chat_id,
            member_id=person.member_id,
            staff_id=person.staff_id,
            text=built.text,
            buttons=built.button_rows() or None,
            priority=Priority.BULK,
            purpose="circle",
            protect=True,
            due_at=due,
            now=now,
            reply_to=reply,
        )
        sent.append((person, outbox_id))
    session.flush()
    for person, outbox_id in sent:
        session.add(
            RelayCopy(
                circle_message_id=message.id or 0,
                chat_id=person.chat_id,
                member_id=person.member_id,
                staff_id=person.staff_id,
                outbox_id=outbox_id or 0,
            )
        )
    return len(sent)


def member_render(pseudonym: str, body: str) -> Callable[[str], RelayMessage]:
    return lambda lang: build_relay(pseudonym, body)


def staff_render(staff: Staff, body: str, icon: str = "🌿") -> Callable[[str], RelayMessage]:
    return lambda lang: build_relay(staff.name, body, mark=facilitator_mark(lang), icon=icon)


def _enqueue_delete(
    session: Session, chat_id: int, message_id: int, now: datetime, *, member_id: int | None, staff_id: int | None
) -> None:
    session.add(
        OutboxMessage(
            chat_id=chat_id,
            member_id=member_id,
            staff_id=staff_id,
            method="delete",
            payload=payloads.delete(message_id),
            priority=int(Priority.BULK),
            purpose="circle_unsend",
            due_at=now,
            created_at=now,
        )
    )


def withdraw(session: Session, message: CircleMessage, now: datetime) -> int:
    """Take a relayed message off every phone: unsent copies are cancelled, sent ones deleted
    (or, past Telegram's 48 hours, blanked). A channel that cannot delete (WhatsApp) leaves a delivered
    copy on the phone: nothing is sent in its place, and the count of such copies is returned so the
    author can be told honestly."""
    kept = 0
    for copy, row in circles_db.copies_of(session, message.id or 0):
        if row.status == OutboxStatus.PENDING:
            row.status = OutboxStatus.CANCELLED
        elif (
            row.status in (OutboxStatus.SENT, OutboxStatus.SENDING)
            and not channels.capabilities(copy.chat_id).can_delete
        ):
            kept += 1
        elif row.status == OutboxStatus.SENT and row.telegram_message_id is not None:
            if row.sent_at is not None and now - row.sent_at > DELETE_WINDOW:
                lang = _copy_language(session, copy)
                enqueue_edit(
                    session,
                    chat_id=copy.chat_id,
                    message_id=row.telegram_message_id,
                    now=now,
                    text=t(lang, "circle-copy-removed"),
                    priority=Priority.BULK,
                    purpose="circle_unsend",
                    member_id=copy.member_id,
                )
            else:
                _enqueue_delete(
                    session,
                    copy.chat_id,
                    row.telegram_message_id,
                    now,
                    member_id=copy.member_id,
                    staff_id=copy.staff_id,
                )
    return kept


def propagate(session: Session, message: CircleMessage, now: datetime, render: Callable[[str], RelayMessage]) -> None:
    """New words for every copy: waiting copies are rewritten, delivered ones edited. A channel that
    cannot edit (WhatsApp) gets the new words as a new message marked "edited", in reply to the old copy."""
    for copy, row in circles_db.copies_of(session, message.id or 0):
        lang = _copy_language(session, copy)
        built = render(lang)
        if row.status == OutboxStatus.PENDING:
            row.payload = payloads.with_text(row.payload, built.text)
        elif row.status == OutboxStatus.SENT and not channels.capabilities(copy.chat_id).can_edit:
            enqueue(
                session,
                chat_id=copy.chat_id,
                member_id=copy.member_id,
                staff_id=copy.staff_id,
                text=t(lang, "circle-edited-copy", text=built.text),
                priority=Priority.BULK,
                purpose="circle_edit",
                now=now,
                reply_to=row.telegram_message_id,
            )
        elif row.status == OutboxStatus.SENT and row.telegram_message_id is not None:
            enqueue_edit(
                session,
                chat_id=copy.chat_id,
                message_id=row.telegram_message_id,
                now=now,
                text=built.text,
                buttons=built.button_rows() or None,
                priority=Priority.BULK,
                purpose="circle_edit",
                member_id=copy.member_id,
            )
        elif row.status == OutboxStatus.SENDING:
            log.info("circle message %s: a copy was in flight during an edit; it keeps the old words", message.id)


def _copy_language(session: Session, copy: RelayCopy) -> str:
    person: Member | Staff | None = (
        session.get(Member, copy.member_id)
        if copy.member_id
        else session.get(Staff, copy.staff_id)
        if copy.staff_id
        else None
    )
    return person.language if person is not None else "en"


def replied_message(
    session: Session, member: Member | None, chat_id: int, telegram_message_id: int
) -> CircleMessage | None:
    """The circle message behind message ``telegram_message_id`` in this chat: a copy, or the member's own."""
    copy = circles_db.copy_by_delivered_id(session, chat_id, telegram_message_id)
    if copy is not None:
        return session.get(CircleMessage, copy.circle_message_id)
    if member is not None:
        return circles_db.message_by_source(session, member.id or 0, telegram_message_id)
    return None


def stranger(session: Session, person: Person, now: datetime) -> None:
    lang = normalise_language(person.language_code)
    staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
    enqueue(
        session,
        chat_id=person.chat_id,
        now=now,
        text=t(staff.language if staff else lang, "circle-none" if staff is None else "circle-staff-none"),
    )


def not_staff(session: Session, person: Person, action: str, now: datetime) -> None:
    access.refuse(session, person, action, now)


def settings_row(session: Session, circle: Circle, now: datetime) -> CircleSettings:
    settings = circles_db.settings_of(session, circle.id or 0)
    if settings is None:
        settings = CircleSettings(circle_id=circle.id or 0, created_at=now)
        session.add(settings)
    return settings
