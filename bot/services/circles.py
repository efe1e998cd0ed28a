"""Peer circles: relaying members' words anonymously, and the structure around them.

What a member types outside a check-in goes to their circle: every other member (and the
facilitator) receives "🌿 Pseudonym: text", built by ``bot.domain.relay.build_relay`` from the
pseudonym and the text only. Before anything is relayed it has been risk-screened (a
concerning message is never relayed: it escalates and the author gets a kind reply), and it
is checked for a mute, flooding, contact details and abusive language (held for the
facilitator or counsellor to read). Every copy is a protected outbox row in the BULK lane,
paced to at most one a second per chat, and remembered as a ``RelayCopy`` so replies thread,
edits propagate and /unsend reaches every phone.

Around the relay: meetings with a reminder 15 minutes before (the session goal) and an opener
at the start, milestones shared on the member's say-so with encouragement buttons, reports,
held messages reviewed by buttons, one gentle invitation after 14 quiet days, circle health
for facilitators, and a counsellor told once when one of their members blocked the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain import moderation
from bot.domain import relay as rules
from bot.domain.callbacks import encode
from bot.domain.outgoing import Priority
from bot.domain.relay import RelayMessage, build_relay
from bot.domain.scheduling import is_quiet_hours
from bot.i18n import normalise_language, t
from bot.services import access, safety
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue, enqueue_edit
from storage import circle_repositories as crepo
from storage import repositories as repo
from storage.circle_models import (
    CircleMeeting,
    CircleMessage,
    CircleReport,
    CircleSettings,
    RelayCopy,
    UnreachableNotice,
)
from storage.models import AuditEntry, Center, Circle, CircleMembership, Member, OutboxMessage, Staff

log = logging.getLogger(__name__)

QUIET_DAYS = 14
REVIEW_AFTER_REPORTERS = 2  # distinct members reporting someone within REPORT_WINDOW
REPORT_WINDOW = timedelta(days=14)
DEFAULT_MUTE_MINUTES = 60
MAX_MUTE_MINUTES = 7 * 24 * 60
# Telegram lets a bot delete its messages for 48 hours; older copies are blanked by an edit.
DELETE_WINDOW = timedelta(hours=47)
HEALTH_DAYS = 7
MEDIA_KINDS = ("photo", "voice", "video", "sticker", "contact", "location", "document", "other")


class CircleError(ValueError):
    """Why a member cannot join or move: ``key`` is the catalog id, the text is for the CLI."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class _Recipient:
    chat_id: int
    language: str
    member_id: int | None = None
    staff_id: int | None = None


# --- looking things up -------------------------------------------------------------------------

def _circle_of(session: Session, member: Member) -> tuple[CircleMembership, Circle] | None:
    membership = crepo.active_membership(session, member.id or 0)
    if membership is None:
        return None
    circle = session.get(Circle, membership.circle_id)
    settings = crepo.settings_of(session, membership.circle_id)
    if circle is None or (settings is not None and settings.closed_at is not None):
        return None
    return membership, circle


def _facilitator(session: Session, circle: Circle) -> Staff | None:
    if circle.facilitator_id is None:
        return None
    staff = session.get(Staff, circle.facilitator_id)
    return staff if staff is not None and staff.active else None


def _reviewer(session: Session, circle: Circle, *, not_staff_id: int | None = None) -> Staff | None:
    """Who reads held messages and reports: the facilitator, else the circle's counsellor, else the centre's."""
    candidates: list[Staff | None] = [_facilitator(session, circle)]
    settings = crepo.settings_of(session, circle.id or 0)
    if settings is not None and settings.counsellor_id is not None:
        candidates.append(session.get(Staff, settings.counsellor_id))
    candidates.append(repo.default_counsellor(session, circle.center_id))
    for staff in candidates:
        if staff is not None and staff.active and staff.chat_id and staff.reachable and staff.id != not_staff_id:
            return staff
    return None


def _mark(lang: str) -> str:
    return t(lang, "circle-facilitator-mark")


def _local(moment: datetime, tz: str, fmt: str = "%d/%m %H:%M") -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def _center_tz(session: Session, circle: Circle, fallback: str) -> str:
    center = session.get(Center, circle.center_id)
    return center.timezone if center is not None else fallback


def _say(session: Session, member: Member, key: str, now: datetime, **args: object) -> None:
    enqueue(session, chat_id=member.chat_id, member_id=member.id, now=now, text=t(member.language, key, **args))


def _tell_staff(session: Session, staff: Staff, text: str, now: datetime, *,
                buttons: list[list[tuple[str, str]]] | None = None, priority: Priority = Priority.REPLY) -> None:
    enqueue(session, chat_id=staff.chat_id or 0, staff_id=staff.id, now=now, text=text, buttons=buttons,
            priority=priority, purpose="circle_staff")


def _excerpt(text: str | None, limit: int = 1500) -> str:
    """What staff are shown of a circle message (a note must stay within Telegram's 4096 characters)."""
    if not text:
        return "-"
    return text if len(text) <= limit else text[:limit] + "…"


def _audit(session: Session, now: datetime, action: str, *, staff: Staff | None, person: Person,
           member_id: int | None = None) -> None:
    session.add(AuditEntry(actor_telegram_id=person.telegram_user_id, staff_id=staff.id if staff else None,
                           member_id=member_id, action=action[:40], created_at=now))


# --- fan-out: the only way anything reaches a circle ---------------------------------------------

def _recipients(session: Session, circle: Circle, *, exclude_member: int | None = None,
                exclude_staff: int | None = None) -> list[_Recipient]:
    people = [
        _Recipient(chat_id=member.chat_id, language=member.language, member_id=member.id)
        for _, member in crepo.circle_members(session, circle.id or 0)
        if member.id != exclude_member
    ]
    facilitator = _facilitator(session, circle)
    if facilitator is not None and facilitator.id != exclude_staff and facilitator.chat_id and facilitator.reachable:
        people.append(_Recipient(chat_id=facilitator.chat_id, language=facilitator.language, staff_id=facilitator.id))
    return people


def _reply_targets(session: Session, original: CircleMessage | None) -> dict[int, int]:
    """chat id → the message id of ``original`` in that chat (the author's own, or their copy)."""
    if original is None or original.status != "relayed":
        return {}
    targets: dict[int, int] = {}
    if original.source_message_id is not None:
        author: Member | Staff | None = (session.get(Member, original.member_id) if original.member_id
                                         else session.get(Staff, original.staff_id) if original.staff_id else None)
        if author is not None and author.chat_id:
            targets[author.chat_id] = original.source_message_id
    for copy, row in crepo.copies_of(session, original.id or 0):
        if row.status == "sent" and row.telegram_message_id is not None:
            targets[copy.chat_id] = row.telegram_message_id
    return targets


def _fan_out(session: Session, circle: Circle, message: CircleMessage, now: datetime,
             render: Callable[[str], RelayMessage], *, exclude_member: int | None = None,
             exclude_staff: int | None = None, reply_to: CircleMessage | None = None) -> int:
    """A protected copy for everyone in the circle but the author, paced per chat; returns the count."""
    people = _recipients(session, circle, exclude_member=exclude_member, exclude_staff=exclude_staff)
    if not people:
        return 0
    threads = _reply_targets(session, reply_to)
    paces = crepo.paces(session, [p.chat_id for p in people], now)
    rendered: dict[str, RelayMessage] = {}
    sent: list[tuple[_Recipient, int | None]] = []
    for person in people:
        built = rendered.get(person.language)
        if built is None:
            built = rendered[person.language] = render(person.language)
        pace = paces[person.chat_id]
        due, pace.next_free_at = rules.pace(pace.next_free_at, now)
        reply = threads.get(person.chat_id)
        outbox_id = enqueue(session, chat_id=person.chat_id, member_id=person.member_id, staff_id=person.staff_id,
                            text=built.text, buttons=built.button_rows() or None, priority=Priority.BULK,
                            purpose="circle", protect=True, due_at=due, now=now,
                            extra={"reply_to": reply} if reply is not None else None)
        sent.append((person, outbox_id))
    session.flush()
    for person, outbox_id in sent:
        session.add(RelayCopy(circle_message_id=message.id or 0, chat_id=person.chat_id, member_id=person.member_id,
                              staff_id=person.staff_id, outbox_id=outbox_id or 0))
    return len(sent)


def _member_render(pseudonym: str, body: str) -> Callable[[str], RelayMessage]:
    return lambda lang: build_relay(pseudonym, body)


def _staff_render(staff: Staff, body: str, icon: str = "🌿") -> Callable[[str], RelayMessage]:
    return lambda lang: build_relay(staff.name, body, mark=_mark(lang), icon=icon)


def _enqueue_delete(session: Session, chat_id: int, message_id: int, now: datetime, *,
                    member_id: int | None, staff_id: int | None) -> None:
    session.add(OutboxMessage(chat_id=chat_id, member_id=member_id, staff_id=staff_id, method="delete",
                              payload={"text": "", "message_id": message_id}, priority=int(Priority.BULK),
                              purpose="circle_unsend", due_at=now, created_at=now))


def _withdraw(session: Session, message: CircleMessage, now: datetime) -> None:
    """Take a relayed message off every phone: unsent copies are cancelled, sent ones deleted
    (or, past Telegram's 48 hours, blanked)."""
    for copy, row in crepo.copies_of(session, message.id or 0):
        if row.status == "pending":
            row.status = "cancelled"
        elif row.status == "sent" and row.telegram_message_id is not None:
            if row.sent_at is not None and now - row.sent_at > DELETE_WINDOW:
                lang = _copy_language(session, copy)
                enqueue_edit(session, chat_id=copy.chat_id, message_id=row.telegram_message_id, now=now,
                             text=t(lang, "circle-copy-removed"), priority=Priority.BULK, purpose="circle_unsend",
                             member_id=copy.member_id)
            else:
                _enqueue_delete(session, copy.chat_id, row.telegram_message_id, now, member_id=copy.member_id,
                                staff_id=copy.staff_id)


def _propagate(session: Session, message: CircleMessage, now: datetime, render: Callable[[str], RelayMessage]) -> None:
    """New words for every copy: waiting copies are rewritten, delivered ones edited."""
    for copy, row in crepo.copies_of(session, message.id or 0):
        built = render(_copy_language(session, copy))
        if row.status == "pending":
            row.payload = {**row.payload, "text": built.text}
        elif row.status == "sent" and row.telegram_message_id is not None:
            enqueue_edit(session, chat_id=copy.chat_id, message_id=row.telegram_message_id, now=now, text=built.text,
                         buttons=built.button_rows() or None, priority=Priority.BULK, purpose="circle_edit",
                         member_id=copy.member_id)
        elif row.status == "sending":
            log.info("circle message %s: a copy was in flight during an edit; it keeps the old words", message.id)


def _copy_language(session: Session, copy: RelayCopy) -> str:
    person: Member | Staff | None = (session.get(Member, copy.member_id) if copy.member_id
                                     else session.get(Staff, copy.staff_id) if copy.staff_id else None)
    return person.language if person is not None else "en"


# --- a member writes ---------------------------------------------------------------------------

def relay_screened_text(session: Session, member: Member, text: str, now: datetime, *,
                        message_id: int | None = None, reply_to: CircleMessage | None = None) -> bool:
    """Text that was already risk-screened and found safe (the inbound router's fallback). False when the
    member is in no circle, so the caller answers as before."""
    found = _circle_of(session, member)
    if found is None:
        return False
    membership, circle = found
    _accept(session, member, membership, circle, text, now, message_id=message_id, reply_to=reply_to)
    return True


def _accept(session: Session, member: Member, membership: CircleMembership, circle: Circle, text: str,
            now: datetime, *, message_id: int | None, reply_to: CircleMessage | None, kind: str = "text") -> None:
    """Mute, flood, contact details, abusive language, review hold — then relay."""
    settings = crepo.settings_of(session, circle.id or 0)
    seat = crepo.participant(session, membership)
    tz = _center_tz(session, circle, member.timezone)
    if seat.muted_until is not None and seat.muted_until > now:
        _say(session, member, "circle-muted-note", now, until=_local(seat.muted_until, tz, "%H:%M"))
        return
    limit = settings.flood_per_minute if settings is not None else rules.DEFAULT_FLOOD_PER_MINUTE
    if rules.is_flooding(crepo.recent_message_times(session, member.id or 0, now - rules.FLOOD_WINDOW), now, limit):
        _say(session, member, "circle-flood", now, limit=limit)
        return
    if len(text) > rules.MAX_RELAY_CHARS:
        _say(session, member, "circle-too-long", now)
        return
    message = CircleMessage(circle_id=circle.id or 0, member_id=member.id, kind=kind, text=text,
                            source_message_id=message_id, reply_to_id=reply_to.id if reply_to else None,
                            created_at=now)
    session.add(message)
    if rules.contains_contact_details(text):
        message.status, message.text = "refused", None
        _say(session, member, "circle-contact-refused", now)
        return
    seat.last_posted_at = now
    reason = "abuse" if moderation.is_abusive(text) else "review" if seat.review_hold else None
    if reason is not None:
        message.status, message.hold_reason = "held", reason
        session.flush()
        _hold(session, circle, member, message, now)
        return
    session.flush()
    _fan_out(session, circle, message, now, _member_render(member.pseudonym, text), exclude_member=member.id,
             reply_to=reply_to)


def _hold(session: Session, circle: Circle, member: Member, message: CircleMessage, now: datetime) -> None:
    """Held for the facilitator or counsellor, with a gentle note to the author."""
    _say(session, member, f"circle-held-{message.hold_reason}", now)
    reviewer = _reviewer(session, circle)
    if reviewer is None:
        log.warning("circle %s: a held message has nobody to review it", circle.id)
        return
    lang = reviewer.language
    mid = message.id or 0
    _tell_staff(session, reviewer, t(lang, f"circle-review-{message.hold_reason}", circle=circle.name,
                                     pseudonym=member.pseudonym, text=_excerpt(message.text)), now,
                buttons=[[(t(lang, "btn-circle-release"), encode("cir", "hold", mid, "ok")),
                          (t(lang, "btn-circle-keep"), encode("cir", "hold", mid, "no"))]])


def reply_target(session: Session, member: Member, chat_id: int,
                 reply_to_message_id: int) -> tuple[CircleMembership, Circle, CircleMessage] | None:
    """Is this swipe-reply the member's answer to a message of their own circle? (reads only)"""
    if member.status not in ("active", "paused", "unreachable"):
        return None
    original = _replied_message(session, member, chat_id, reply_to_message_id)
    found = _circle_of(session, member) if original is not None else None
    if original is None or found is None or original.circle_id != found[1].id:
        return None
    return found[0], found[1], original


def relay_reply(session: Session, member: Member, target: tuple[CircleMembership, Circle, CircleMessage],
                text: str, now: datetime, message_id: int | None) -> None:
    """A reply to a circle message goes to the circle (after screening), threaded on every phone."""
    membership, circle, original = target
    result = safety.screen(session, member, now, text=text, source="circle", source_message_id=message_id)
    if not safety.withheld(result):
        _accept(session, member, membership, circle, text, now, message_id=message_id, reply_to=original)


def facilitates_reply(session: Session, person: Person, reply_to_message_id: int) -> bool:
    """Is this swipe-reply a facilitator answering a message of their circle? (reads only)"""
    original = _replied_message(session, None, person.chat_id, reply_to_message_id)
    return original is not None and _facilitates(session, person, original.circle_id)


def _facilitates(session: Session, person: Person, circle_id: int) -> bool:
    staff = safety.staff_of(session, person.telegram_user_id)
    circle = session.get(Circle, circle_id)
    return staff is not None and circle is not None and circle.facilitator_id == staff.id


def _replied_message(session: Session, member: Member | None, chat_id: int, telegram_message_id: int) -> CircleMessage | None:
    """The circle message behind message ``telegram_message_id`` in this chat: a copy, or the member's own."""
    copy = crepo.copy_by_delivered_id(session, chat_id, telegram_message_id)
    if copy is not None:
        return session.get(CircleMessage, copy.circle_message_id)
    if member is not None:
        return crepo.message_by_source(session, member.id or 0, telegram_message_id)
    return None


def edit_in_circle(session: Session, person: Person, member: Member | None, text: str, message_id: int,
                   now: datetime) -> bool:
    """An edit of a circle message reaches every copy (after screening). False when the edited
    message was no circle message (the caller screens it as any other edit)."""
    if member is None:
        return _staff_edit(session, person, text, message_id, now)
    message = crepo.message_by_source(session, member.id or 0, message_id)
    if message is None or member.status not in ("active", "paused") or not text:
        return False
    _member_edit(session, member, message, text, now, message_id)
    return True


def _member_edit(session: Session, member: Member, message: CircleMessage, text: str, now: datetime,
                 message_id: int) -> None:
    result = safety.screen(session, member, now, text=text, source="circle_edit", source_message_id=message_id)
    worrying = safety.withheld(result)
    if message.status != "relayed":
        if worrying and message.status == "held":
            message.status = "escalated"
        return  # a held message is reviewed as it was written; others were never shown
    if worrying:
        _withdraw(session, message, now)
        message.status = "escalated"
        return
    if rules.contains_contact_details(text) or len(text) > rules.MAX_RELAY_CHARS:
        _withdraw(session, message, now)
        message.status, message.text = "refused", None
        _say(session, member, "circle-contact-refused" if len(text) <= rules.MAX_RELAY_CHARS else "circle-too-long", now)
        return
    circle = session.get(Circle, message.circle_id)
    if moderation.is_abusive(text) and circle is not None:
        _withdraw(session, message, now)
        message.status, message.hold_reason, message.text = "held", "abuse", text
        _hold(session, circle, member, message, now)
        return
    message.text, message.edited_at = text, now
    _propagate(session, message, now, _member_render(member.pseudonym, text))


def _staff_edit(session: Session, person: Person, text: str, message_id: int, now: datetime) -> bool:
    staff = safety.staff_of(session, person.telegram_user_id)
    if staff is None:
        return False
    message = crepo.staff_message_by_source(session, staff.id or 0, message_id)
    if message is None or message.status != "relayed" or message.kind != "text":
        return False
    body = _command_text(text)
    if not body:
        return True
    message.text, message.edited_at = body, now
    _propagate(session, message, now, _staff_render(staff, body))
    return True


def _command_text(text: str) -> str:
    """What follows "/say" (or "/say@bot") in an edited command message."""
    stripped = text.strip()
    if stripped.startswith("/"):
        stripped = stripped.split(maxsplit=1)[1] if len(stripped.split(maxsplit=1)) > 1 else ""
    return stripped.strip()


def circle_of(session: Session, member: Member) -> tuple[CircleMembership, Circle] | None:
    """The member's open circle, if they are in one (reads only)."""
    return _circle_of(session, member)


def media_in_circle(session: Session, member: Member, found: tuple[CircleMembership, Circle], kind: str, *,
                    emoji: str | None, now: datetime, message_id: int | None) -> None:
    """Photos, voice, video, contacts, locations… are not relayed (they can show who someone is);
    the member is told why. A circle may allow stickers, which travel as their emoji."""
    kind = kind if kind in MEDIA_KINDS else "other"
    membership, circle = found
    settings = crepo.settings_of(session, circle.id or 0)
    if kind == "sticker" and settings is not None and settings.allow_stickers:
        _accept(session, member, membership, circle, emoji or "🙂", now, message_id=message_id, reply_to=None,
                kind="sticker")
    else:
        _say(session, member, f"circle-media-{kind}", now)


def unsend(ctx: ServiceContext, person: Person) -> None:
    """/unsend: the member's last message leaves every phone in the circle."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = repo.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            _stranger(session, person, now)
        else:
            message = crepo.last_relayed(session, member.id or 0)
            if message is None:
                _say(session, member, "circle-unsend-none", now)
            else:
                _withdraw(session, message, now)
                message.status, message.unsent_at = "unsent", now
                _say(session, member, "circle-unsent", now)
        session.commit()


def _stranger(session: Session, person: Person, now: datetime) -> None:
    lang = normalise_language(person.language_code)
    staff = repo.staff_by_telegram_id(session, person.telegram_user_id)
    enqueue(session, chat_id=person.chat_id, now=now,
            text=t(staff.language if staff else lang, "circle-none" if staff is None else "circle-staff-none"))


# --- reports -------------------------------------------------------------------------------------

def report(ctx: ServiceContext, person: Person, reply_to_message_id: int | None) -> None:
    """/report as a reply to a relayed message: to the facilitator or counsellor, under the reporter's pseudonym."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = repo.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            _stranger(session, person, now)
            session.commit()
            return
        copy = crepo.copy_by_delivered_id(session, person.chat_id, reply_to_message_id) if reply_to_message_id else None
        message = session.get(CircleMessage, copy.circle_message_id) if copy is not None else None
        if message is None or copy is None or copy.member_id != member.id:
            _say(session, member, "circle-report-how", now)
        elif crepo.report_exists(session, message.id or 0, member.id or 0):
            _say(session, member, "circle-report-already", now)
        else:
            _file_report(session, member, message, now)
        session.commit()


def _file_report(session: Session, reporter: Member, message: CircleMessage, now: datetime) -> None:
    circle = session.get(Circle, message.circle_id)
    if circle is None:
        return
    session.add(CircleReport(circle_id=circle.id or 0, circle_message_id=message.id or 0,
                             reporter_member_id=reporter.id or 0, reported_member_id=message.member_id,
                             created_at=now))
    session.flush()
    _say(session, reporter, "circle-report-thanks", now)
    author = session.get(Member, message.member_id) if message.member_id else None
    author_staff = session.get(Staff, message.staff_id) if message.staff_id else None
    reviewer = _reviewer(session, circle, not_staff_id=author_staff.id if author_staff else None)
    if reviewer is None:
        log.warning("circle %s: a report has nobody to read it", circle.id)
        return
    lang = reviewer.language
    speaker = author.pseudonym if author is not None else author_staff.name if author_staff is not None else "-"
    buttons = None
    if author is not None:
        membership = crepo.active_membership(session, author.id or 0)
        if membership is not None:
            buttons = [[(t(lang, "btn-circle-mute-hour"), encode("cir", "mute", membership.id or 0, 60)),
                        (t(lang, "btn-circle-mute-day"), encode("cir", "mute", membership.id or 0, 1440))]]
    _tell_staff(session, reviewer, t(lang, "circle-report-staff", circle=circle.name, reporter=reporter.pseudonym,
                                     pseudonym=speaker, text=_excerpt(message.text)), now, buttons=buttons)
    if author is None:
        return
    membership = crepo.active_membership(session, author.id or 0)
    if membership is None:
        return
    seat = crepo.participant(session, membership)
    if not seat.review_hold and crepo.distinct_reporters(session, author.id or 0, now - REPORT_WINDOW) >= REVIEW_AFTER_REPORTERS:
        seat.review_hold = True
        _tell_staff(session, reviewer, t(lang, "circle-review-hold-on", pseudonym=author.pseudonym, circle=circle.name),
                    now, buttons=[[(t(lang, "btn-circle-lift-review"), encode("cir", "rv", membership.id or 0, "off"))]])


# --- buttons ------------------------------------------------------------------------------------

def button(ctx: ServiceContext, person: Person, parts: Sequence[str], message_id: int | None) -> str | None:
    """``cir:v1:…`` buttons. Returns a toast id (a refusal or a confirmation), or None."""
    action = parts[0] if parts else ""
    numbers = [int(p) for p in parts[1:2] if p.isdigit()]
    if not numbers or len(parts) != 3:
        return "button-expired"
    target, choice = numbers[0], parts[2]
    now = ctx.clock.now()
    with ctx.uow() as session:
        if action == "ms":
            toast = _share_milestone(session, person, target, choice == "y", now, message_id)
        elif action == "enc":
            toast = _encourage(session, person, target, choice, now)
        elif action in ("hold", "rv", "mute"):
            staff = safety.staff_of(session, person.telegram_user_id)
            if staff is None:
                access.audit_refusal(session, person, f"circle_{action}_button", now)
                toast = "not-available"
            elif action == "hold":
                toast = _review(session, person, staff, target, choice == "ok", now, message_id)
            elif action == "rv":
                toast = _lift_review(session, person, staff, target, now)
            else:
                toast = _mute_membership(session, person, staff, target, int(choice) if choice.isdigit() else 0, now)
        else:
            toast = "button-expired"
        session.commit()
    return toast


def _review(session: Session, person: Person, staff: Staff, message_id: int, release: bool, now: datetime,
            staff_message_id: int | None) -> str | None:
    message = session.get(CircleMessage, message_id)
    circle = session.get(Circle, message.circle_id) if message is not None else None
    if message is None or circle is None or circle.center_id != staff.center_id:
        return "button-expired"
    if message.status != "held":
        return "circle-review-done-already"
    author = session.get(Member, message.member_id) if message.member_id else None
    message.reviewed_by = staff.id
    lang = staff.language
    if release and author is not None and _circle_of(session, author) is not None:
        message.status = "relayed"
        _fan_out(session, circle, message, now, _member_render(author.pseudonym, message.text or ""),
                 exclude_member=author.id, reply_to=session.get(CircleMessage, message.reply_to_id) if message.reply_to_id else None)
        _say(session, author, "circle-released", now)
        outcome = t(lang, "circle-review-released")
    else:
        message.status = "declined"
        outcome = t(lang, "circle-review-kept")
    _audit(session, now, "circle_release" if release else "circle_keep_held", staff=staff, person=person,
           member_id=author.id if author else None)
    if staff_message_id is not None:
        enqueue_edit(session, chat_id=person.chat_id, message_id=staff_message_id, now=now,
                     text=t(lang, f"circle-review-{message.hold_reason or 'abuse'}", circle=circle.name,
                            pseudonym=author.pseudonym if author else "-", text=_excerpt(message.text)) + "\n\n" + outcome)
    return None


def _membership_at_centre(session: Session, staff: Staff, membership_id: int) -> tuple[CircleMembership, Member, Circle] | None:
    membership = session.get(CircleMembership, membership_id)
    if membership is None or membership.left_at is not None:
        return None
    member = session.get(Member, membership.member_id)
    circle = session.get(Circle, membership.circle_id)
    if member is None or circle is None or circle.center_id != staff.center_id:
        return None
    return membership, member, circle


def _lift_review(session: Session, person: Person, staff: Staff, membership_id: int, now: datetime) -> str | None:
    found = _membership_at_centre(session, staff, membership_id)
    if found is None:
        return "button-expired"
    crepo.participant(session, found[0]).review_hold = False
    _audit(session, now, "circle_lift_review", staff=staff, person=person, member_id=found[1].id)
    return "circle-review-lifted"


def _mute_membership(session: Session, person: Person, staff: Staff, membership_id: int, minutes: int,
                     now: datetime) -> str | None:
    found = _membership_at_centre(session, staff, membership_id)
    if found is None or not 1 <= minutes <= MAX_MUTE_MINUTES:
        return "button-expired"
    membership, member, circle = found
    _apply_mute(session, person, staff, membership, member, circle, minutes, now)
    return "circle-muted-toast"


def _apply_mute(session: Session, person: Person, staff: Staff, membership: CircleMembership, member: Member,
                circle: Circle, minutes: int, now: datetime) -> str:
    seat = crepo.participant(session, membership)
    seat.muted_until, seat.muted_by = now + timedelta(minutes=minutes), staff.id
    until = _local(seat.muted_until, _center_tz(session, circle, member.timezone), "%d/%m %H:%M")
    _say(session, member, "circle-muted-member", now, until=until)
    _audit(session, now, "circle_mute", staff=staff, person=person, member_id=member.id)
    return until


# --- milestones and encouragement ------------------------------------------------------------------

def milestone_reached(session: Session, member: Member, days: int, now: datetime) -> None:
    """After a milestone is celebrated: ask whether to share it with the circle (nothing is shared unasked)."""
    if _circle_of(session, member) is None or crepo.milestone_shared(session, member.id or 0, days):
        return
    lang = member.language
    enqueue(session, chat_id=member.chat_id, member_id=member.id, now=now,
            text=t(lang, "circle-milestone-offer", pseudonym=member.pseudonym),
            buttons=[[(t(lang, "btn-circle-share"), encode("cir", "ms", days, "y")),
                      (t(lang, "btn-circle-private"), encode("cir", "ms", days, "n"))]])


def _share_milestone(session: Session, person: Person, days: int, share: bool, now: datetime,
                     offer_message_id: int | None) -> str | None:
    member = repo.member_by_telegram_id(session, person.telegram_user_id)
    found = _circle_of(session, member) if member is not None else None
    if member is None or found is None or (member.sober_days_seen or 0) < days:
        return "button-expired"
    if crepo.milestone_shared(session, member.id or 0, days):
        return "circle-milestone-already"
    lang = member.language
    if offer_message_id is not None:
        enqueue_edit(session, chat_id=member.chat_id, message_id=offer_message_id, now=now, member_id=member.id,
                     text=t(lang, "circle-milestone-offer", pseudonym=member.pseudonym) + "\n✓ "
                     + t(lang, "btn-circle-share" if share else "btn-circle-private"))
    if not share:
        return None
    _, circle = found
    message = CircleMessage(circle_id=circle.id or 0, member_id=member.id, kind="milestone", text=str(days),
                            created_at=now)
    session.add(message)
    session.flush()
    mid = message.id or 0
    buttons = [(emoji, encode("cir", "enc", mid, kind)) for kind, emoji in rules.ENCOURAGEMENTS.items()]
    _fan_out(session, circle, message, now,
             lambda lang_: build_relay(member.pseudonym, t(lang_, "circle-milestone-body", days=days), icon="🎉",
                                       buttons=buttons),
             exclude_member=member.id)
    return "circle-milestone-shared"


def _encourage(session: Session, person: Person, milestone_id: int, kind: str, now: datetime) -> str | None:
    emoji = rules.ENCOURAGEMENTS.get(kind)
    member = repo.member_by_telegram_id(session, person.telegram_user_id)
    milestone = session.get(CircleMessage, milestone_id)
    found = _circle_of(session, member) if member is not None else None
    if emoji is None or member is None or milestone is None or milestone.kind != "milestone" or found is None \
            or found[1].id != milestone.circle_id or milestone.member_id == member.id:
        return "button-expired"
    if crepo.encouragement_sent(session, milestone_id, member.id or 0):
        return "circle-encourage-already"
    author = session.get(Member, milestone.member_id) if milestone.member_id else None
    session.add(CircleMessage(circle_id=milestone.circle_id, member_id=member.id, kind="encourage", text=kind,
                              reply_to_id=milestone_id, created_at=now))
    if author is not None and author.status in crepo.RECEIVING:
        built = build_relay(member.pseudonym, t(author.language, "circle-encourage-body"), icon=emoji)
        enqueue(session, chat_id=author.chat_id, member_id=author.id, now=now, text=built.text,
                priority=Priority.BULK, purpose="circle", protect=True)
    return "circle-encourage-sent"


# --- /circle --------------------------------------------------------------------------------------

def show_circle(ctx: ServiceContext, person: Person) -> None:
    """Members: their circle, the next meeting and goal. Staff: the health of their circles."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = repo.member_by_telegram_id(session, person.telegram_user_id)
        staff = safety.staff_of(session, person.telegram_user_id) if member is None else None
        if staff is not None:
            _show_health(session, person, staff, now)
        elif member is None or member.status == "onboarding":
            _stranger(session, person, now)
        else:
            found = _circle_of(session, member)
            if found is None:
                _say(session, member, "circle-not-in-one", now)
            else:
                _show_member_view(session, member, found[1], now)
        session.commit()


def _show_member_view(session: Session, member: Member, circle: Circle, now: datetime) -> None:
    lang = member.language
    meeting = crepo.next_meeting(session, circle.id or 0)
    settings = crepo.settings_of(session, circle.id or 0)
    tz = _center_tz(session, circle, member.timezone)
    lines = [t(lang, "circle-info", circle=circle.name, kind=t(lang, f"circle-kind-{circle.kind}"),
               members=crepo.member_count(session, circle.id or 0), capacity=circle.capacity,
               pseudonym=member.pseudonym)]
    if meeting is not None:
        lines.append(t(lang, "circle-info-meeting", when=_local(meeting.starts_at, tz),
                       goal=meeting.custom_goal or t(lang, f"circle-goal-{meeting.goal}")))
    if settings is not None and settings.pinned_prompt:
        lines.append("📌 " + settings.pinned_prompt)
    lines.append(t(lang, "circle-info-how"))
    enqueue(session, chat_id=member.chat_id, member_id=member.id, now=now, text="\n\n".join(lines))


def _show_health(session: Session, person: Person, staff: Staff, now: datetime) -> None:
    lang = staff.language
    circles = list(crepo.circles_facilitated_by(session, staff.id or 0)) or list(crepo.circles_of_center(session, staff.center_id))
    if not circles:
        _tell_staff(session, staff, t(lang, "circle-health-none"), now)
        return
    since = now - timedelta(days=HEALTH_DAYS)
    lines = [t(lang, "circle-health-title", days=HEALTH_DAYS)]
    for circle in circles[:20]:
        counts = crepo.circle_health(session, circle.id or 0, since)
        lines.append(t(lang, "circle-health-line", circle=circle.name, members=counts["members"],
                       capacity=circle.capacity, active=counts["active"],
                       per_day=f"{counts['messages'] / HEALTH_DAYS:.1f}", reports=counts["reports"],
                       held=counts["held"]))
    _tell_staff(session, staff, "\n".join(lines), now)
    _audit(session, now, "view_circle_health", staff=staff, person=person)


# --- the facilitator ------------------------------------------------------------------------------

def _facilitated_circle(session: Session, staff: Staff, text: str) -> tuple[Circle | None, str]:
    """Which of the staff member's circles a command is for: "Name: text" picks one; with one circle, that one."""
    circles = list(crepo.circles_facilitated_by(session, staff.id or 0))
    name, sep, rest = text.partition(":")
    if sep:
        for circle in circles:
            if circle.name.strip().lower() == name.strip().lower():
                return circle, rest.strip()
    return (circles[0] if len(circles) == 1 else None), text.strip()


def facilitator_post(ctx: ServiceContext, person: Person, what: str, text: str,
                     message_id: int | None = None, reply_to_message_id: int | None = None) -> None:
    """/say, /goal, /pin from a circle's facilitator, shown under their staff name with the facilitator mark."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        post_as_facilitator(session, person, what, text, now, message_id, reply_to_message_id)
        session.commit()


def post_as_facilitator(session: Session, person: Person, what: str, text: str, now: datetime,
                        message_id: int | None = None, reply_to_message_id: int | None = None) -> None:
    staff = safety.staff_of(session, person.telegram_user_id)
    if staff is None:
        _not_staff(session, person, f"circle_{what}", now)
        return
    replied = _replied_message(session, None, person.chat_id, reply_to_message_id) if reply_to_message_id else None
    circle = session.get(Circle, replied.circle_id) if replied is not None else None
    if circle is None or circle.facilitator_id != staff.id:
        circle, text = _facilitated_circle(session, staff, text)
    lang = staff.language
    if circle is None:
        names = ", ".join(c.name for c in crepo.circles_facilitated_by(session, staff.id or 0)) or "-"
        _tell_staff(session, staff, t(lang, "circle-which", circles=names, command=what), now)
    elif not text or len(text) > rules.MAX_RELAY_CHARS:
        _tell_staff(session, staff, t(lang, f"circle-{what}-how"), now)
    else:
        _post(session, staff, circle, what, text, now, message_id, replied)
        _tell_staff(session, staff, t(lang, f"circle-{what}-done", circle=circle.name), now)


def _post(session: Session, staff: Staff, circle: Circle, what: str, text: str, now: datetime,
          message_id: int | None, replied: CircleMessage | None) -> None:
    kind = {"say": "text", "goal": "goal", "pin": "prompt"}[what]
    message = CircleMessage(circle_id=circle.id or 0, staff_id=staff.id, kind=kind, text=text,
                            source_message_id=message_id if what == "say" else None,
                            reply_to_id=replied.id if replied is not None and what == "say" else None, created_at=now)
    session.add(message)
    session.flush()
    if what == "goal":
        meeting = crepo.next_meeting(session, circle.id or 0)
        if meeting is not None:
            meeting.custom_goal = text[:500]
        render = lambda lang: build_relay(staff.name, t(lang, "circle-goal-posted", goal=text), mark=_mark(lang), icon="🎯")
    elif what == "pin":
        settings = _settings(session, circle, now)
        settings.pinned_prompt = text[:1000]
        render = lambda lang: build_relay(staff.name, text, mark=_mark(lang), icon="📌")
    else:
        render = _staff_render(staff, text)
    _fan_out(session, circle, message, now, render, exclude_staff=staff.id,
             reply_to=replied if what == "say" else None)


def _not_staff(session: Session, person: Person, action: str, now: datetime) -> None:
    access.refuse(session, person, action, now)


def split_pseudonym(args: Sequence[str]) -> tuple[str, list[str]]:
    """``["Lotus", "27", "30"]`` → ``("Lotus 27", ["30"])``: a pseudonym ends at its number."""
    for index, word in enumerate(args):
        if word.isdigit():
            return " ".join(args[: index + 1]), list(args[index + 1 :])
    return " ".join(args), []


def staff_action(ctx: ServiceContext, person: Person, action: str, args: Sequence[str]) -> None:
    """/mute <pseudonym> [minutes], /remove <pseudonym>, /move <pseudonym> <circle>: staff of the member's centre."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = safety.staff_of(session, person.telegram_user_id)
        if staff is None:
            _not_staff(session, person, f"circle_{action}", now)
            session.commit()
            return
        lang = staff.language
        pseudonym, rest = split_pseudonym(args)
        member = repo.member_by_pseudonym(session, staff.center_id, pseudonym) if pseudonym else None
        found = _circle_of(session, member) if member is not None else None
        if member is None or (found is None and action != "move"):
            _tell_staff(session, staff, t(lang, f"circle-{action}-how"), now)
        elif action == "mute" and found is not None:
            minutes = int(rest[0]) if rest and rest[0].isdecimal() and len(rest[0]) <= 6 else DEFAULT_MUTE_MINUTES
            minutes = max(1, min(minutes, MAX_MUTE_MINUTES))
            until = _apply_mute(session, person, staff, found[0], member, found[1], minutes, now)
            _tell_staff(session, staff, t(lang, "circle-mute-done", pseudonym=member.pseudonym, until=until), now)
        elif action == "remove" and found is not None:
            leave(session, member, now, reason="removed")
            _audit(session, now, "circle_remove", staff=staff, person=person, member_id=member.id)
            _tell_staff(session, staff, t(lang, "circle-remove-done", pseudonym=member.pseudonym, circle=found[1].name), now)
        elif action == "move":
            target = crepo.circle_by_name(session, staff.center_id, " ".join(rest)) if rest else None
            if target is None:
                _tell_staff(session, staff, t(lang, "circle-move-how"), now)
            else:
                try:
                    join(session, member, target, now)
                except CircleError as exc:
                    _tell_staff(session, staff, t(lang, exc.key, circle=target.name), now)
                else:
                    _audit(session, now, "circle_move", staff=staff, person=person, member_id=member.id)
                    _tell_staff(session, staff, t(lang, "circle-move-done", pseudonym=member.pseudonym,
                                                  circle=target.name), now)
        session.commit()


# --- joining, leaving, configuring (the CLI and /move) -------------------------------------------

def _settings(session: Session, circle: Circle, now: datetime) -> CircleSettings:
    settings = crepo.settings_of(session, circle.id or 0)
    if settings is None:
        settings = CircleSettings(circle_id=circle.id or 0, created_at=now)
        session.add(settings)
    return settings


def configure(session: Session, circle: Circle, now: datetime, *, schedule: rules.Schedule | None = None,
              allow_stickers: bool | None = None, counsellor_id: int | None = None,
              fallback_tz: str = "Asia/Kolkata") -> CircleSettings:
    """Set how a circle is run; a schedule plans its next meeting at once."""
    session.flush()
    settings = _settings(session, circle, now)
    if allow_stickers is not None:
        settings.allow_stickers = allow_stickers
    if counsellor_id is not None:
        settings.counsellor_id = counsellor_id
    if schedule is not None:
        settings.schedule = schedule.describe()
        pending = crepo.next_meeting(session, circle.id or 0)
        if pending is not None:
            session.delete(pending)
            session.flush()
        _plan_next(session, circle, schedule, now, _center_tz(session, circle, fallback_tz))
    return settings


def join(session: Session, member: Member, circle: Circle, now: datetime) -> None:
    """Put a member in a circle (leaving any other: one active circle at most) and welcome them."""
    settings = crepo.settings_of(session, circle.id or 0)
    if settings is not None and settings.closed_at is not None:
        raise CircleError("circle-closed", f"the circle {circle.name!r} is closed")
    if circle.center_id != member.center_id:
        raise CircleError("circle-move-how", "the member and the circle belong to different centres")
    current = crepo.active_membership(session, member.id or 0)
    if current is not None and current.circle_id == circle.id:
        raise CircleError("circle-already-there", f"{member.pseudonym} is already in {circle.name!r}")
    if crepo.member_count(session, circle.id or 0) >= circle.capacity:
        raise CircleError("circle-full", f"the circle {circle.name!r} is full ({circle.capacity} members)")
    if current is not None:
        leave(session, member, now, reason="moved")
    membership = CircleMembership(circle_id=circle.id or 0, member_id=member.id or 0, joined_at=now)
    session.add(membership)
    session.flush()
    if member.status in crepo.RECEIVING:
        _welcome(session, membership, member, circle, now)


def _welcome(session: Session, membership: CircleMembership, member: Member, circle: Circle, now: datetime) -> None:
    seat = crepo.participant(session, membership)
    seat.welcomed_at = now
    lang = member.language
    enqueue(session, chat_id=member.chat_id, member_id=member.id, now=now,
            text=t(lang, "circle-welcome", circle=circle.name, pseudonym=member.pseudonym,
                   kind=t(lang, f"circle-kind-{circle.kind}")))
    message = CircleMessage(circle_id=circle.id or 0, member_id=member.id, kind="joined", created_at=now)
    session.add(message)
    session.flush()
    _fan_out(session, circle, message, now,
             lambda lang_: build_relay(member.pseudonym, t(lang_, "circle-joined-body"), icon="👋"),
             exclude_member=member.id)


def leave(session: Session, member: Member, now: datetime, *, reason: str = "removed") -> Circle | None:
    """End the member's circle membership; they are told kindly (a move says where they went instead)."""
    membership = crepo.active_membership(session, member.id or 0)
    if membership is None:
        return None
    membership.left_at = now
    circle = session.get(Circle, membership.circle_id)
    if reason != "moved" and member.status in crepo.RECEIVING and circle is not None:
        _say(session, member, f"circle-left-{reason}", now, circle=circle.name)
    return circle


def close(session: Session, circle: Circle, now: datetime) -> int:
    """Close a circle: everyone leaves (told kindly), no more meetings. Returns how many left."""
    settings = _settings(session, circle, now)
    settings.closed_at = now
    pending = crepo.next_meeting(session, circle.id or 0)
    if pending is not None:
        session.delete(pending)
    count = 0
    for _, member in crepo.circle_members(session, circle.id or 0, receiving_only=False):
        leave(session, member, now, reason="closed")
        count += 1
    return count


# --- scheduled work -------------------------------------------------------------------------------

def _plan_next(session: Session, circle: Circle, schedule: rules.Schedule, after: datetime, tz: str) -> CircleMeeting:
    last = crepo.last_meeting_sequence(session, circle.id or 0)
    sequence = 0 if last is None else last + 1
    starts = rules.next_meeting_start(schedule, after, tz)
    meeting = CircleMeeting(circle_id=circle.id or 0, sequence=sequence, starts_at=starts,
                            ends_at=starts + timedelta(minutes=schedule.minutes),
                            remind_at=starts - rules.REMINDER_BEFORE, goal=rules.goal_for(sequence), created_at=after)
    session.add(meeting)
    session.flush()
    return meeting


def run_due_meetings(ctx: ServiceContext, limit: int = 500) -> int:
    """Reminders 15 minutes before (with the session goal), the opener at the start, the next meeting planned.
    A reminder whose meeting already began, or a meeting that already ended, is skipped, never sent late."""
    now = ctx.clock.now()
    done = 0
    with ctx.uow() as session:
        for meeting in crepo.claim_meetings_to_remind(session, now, limit):
            meeting.reminded_at = now
            circle = session.get(Circle, meeting.circle_id)
            if circle is not None and now < meeting.starts_at:
                done += _remind(session, circle, meeting, now, ctx.default_timezone)
        for meeting in crepo.claim_meetings_to_start(session, now, limit):
            meeting.started_at = now
            circle = session.get(Circle, meeting.circle_id)
            settings = crepo.settings_of(session, meeting.circle_id)
            if circle is None or settings is None or settings.closed_at is not None:
                continue
            tz = _center_tz(session, circle, ctx.default_timezone)
            if now < meeting.ends_at:
                done += _open(session, circle, meeting, now)
            else:
                meeting.skipped = True
            if settings.schedule:
                _plan_next(session, circle, rules.parse_schedule(settings.schedule), max(now, meeting.starts_at), tz)
        session.commit()
    return done


def _remind(session: Session, circle: Circle, meeting: CircleMeeting, now: datetime, fallback_tz: str) -> int:
    tz = _center_tz(session, circle, fallback_tz)
    settings = crepo.settings_of(session, circle.id or 0)
    pinned = settings.pinned_prompt if settings is not None else None
    people = _recipients(session, circle)
    for person in people:
        lang = person.language
        text = t(lang, "circle-meeting-reminder", circle=circle.name, time=_local(meeting.starts_at, tz, "%H:%M"),
                 minutes=int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
                 goal=meeting.custom_goal or t(lang, f"circle-goal-{meeting.goal}"))
        if pinned:
            text += "\n📌 " + pinned
        enqueue(session, chat_id=person.chat_id, member_id=person.member_id, staff_id=person.staff_id, now=now,
                text=text, priority=Priority.SCHEDULED, purpose="circle_meeting",
                dedupe_key=f"cmr:{meeting.id}:{person.chat_id}")
    return len(people)


def _open(session: Session, circle: Circle, meeting: CircleMeeting, now: datetime) -> int:
    opener = rules.opener_for(meeting.sequence)
    people = _recipients(session, circle)
    for person in people:
        lang = person.language
        text = t(lang, "circle-meeting-start", circle=circle.name,
                 goal=meeting.custom_goal or t(lang, f"circle-goal-{meeting.goal}")) \
            + "\n\n" + t(lang, f"circle-opener-{opener}")
        enqueue(session, chat_id=person.chat_id, member_id=person.member_id, staff_id=person.staff_id, now=now,
                text=text, priority=Priority.SCHEDULED, purpose="circle_meeting",
                dedupe_key=f"cms:{meeting.id}:{person.chat_id}")
    return len(people)


def run_welcomes(ctx: ServiceContext, limit: int = 500) -> int:
    """Members who joined a circle by invite while onboarding get its welcome once they are active."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        rows = crepo.unwelcomed_memberships(session, limit)
        for membership, member in rows:
            # Read afresh under the membership's lock: another worker may have just welcomed them.
            if crepo.participant(session, membership).welcomed_at is not None:
                continue
            circle = session.get(Circle, membership.circle_id)
            settings = crepo.settings_of(session, membership.circle_id)
            if circle is None or (settings is not None and settings.closed_at is not None):
                crepo.participant(session, membership).welcomed_at = now
                continue
            _welcome(session, membership, member, circle, now)
        session.commit()
    return len(rows)


def run_quiet_invitations(ctx: ServiceContext, limit: int = 500) -> int:
    """One gentle invitation to members who have not written in their circle for 14 days (in the daytime)."""
    now = ctx.clock.now()
    sent = 0
    with ctx.uow() as session:
        for membership, member in crepo.quiet_memberships(session, now - timedelta(days=QUIET_DAYS), limit):
            if is_quiet_hours(now, member.timezone, start=time(20, 0), end=time(10, 0)):
                continue
            circle = session.get(Circle, membership.circle_id)
            seat = crepo.participant(session, membership)  # read afresh under the lock (another worker)
            if circle is None or (seat.invited_at is not None
                                  and seat.invited_at >= (seat.last_posted_at or membership.joined_at)):
                continue
            seat.invited_at = now
            enqueue(session, chat_id=member.chat_id, member_id=member.id, now=now, priority=Priority.SCHEDULED,
                    purpose="circle_invite", dedupe_key=f"cinv:{membership.id}:{now.date().isoformat()}",
                    text=t(member.language, "circle-invite-back", circle=circle.name))
            sent += 1
        session.commit()
    return sent


def run_unreachable_notices(ctx: ServiceContext, limit: int = 200) -> int:
    """A circle member blocked the bot: they stay (marked unreachable) and their counsellor is told, once
    (at once, rather than at the attendance scan's morning look, which then says nothing more)."""
    now = ctx.clock.now()
    told = 0
    with ctx.uow() as session:
        for member in crepo.unreachable_without_notice(session, limit):
            if session.get(UnreachableNotice, member.id) is not None:  # another worker told them just now
                continue
            counsellor = session.get(Staff, member.counsellor_id) if member.counsellor_id else None
            if counsellor is None or not counsellor.active or not counsellor.chat_id or not counsellor.reachable:
                counsellor = repo.default_counsellor(session, member.center_id)
            session.add(UnreachableNotice(member_id=member.id or 0, staff_id=counsellor.id if counsellor else None,
                                          told_at=now))
            if counsellor is not None and counsellor.chat_id:
                _tell_staff(session, counsellor, t(counsellor.language, "circle-unreachable-staff",
                                                   pseudonym=member.pseudonym, name=member.display_name or "-"),
                            now, priority=Priority.SCHEDULED)
                told += 1
        session.commit()
    return told


__all__ = [
    "CircleError",
    "button",
    "close",
    "circle_of",
    "configure",
    "edit_in_circle",
    "facilitates_reply",
    "facilitator_post",
    "join",
    "leave",
    "media_in_circle",
    "milestone_reached",
    "post_as_facilitator",
    "relay_reply",
    "relay_screened_text",
    "reply_target",
    "report",
    "run_due_meetings",
    "run_quiet_invitations",
    "run_unreachable_notices",
    "run_welcomes",
    "show_circle",
    "split_pseudonym",
    "staff_action",
    "unsend",
]
