"""A member writes to their circle: text, a swipe-reply, an edit, a sticker, /unsend.

What a member types outside a check-in goes to their circle: every other member (and the
facilitator) receives "🌿 Pseudonym: text", built by ``bot.domain.relay.build_relay`` from the
pseudonym and the text only. Before anything is relayed it has been risk-screened (a
concerning message is never relayed: it escalates and the author gets a kind reply), and it
is checked for a mute, flooding, contact details and abusive language (held for the
facilitator or counsellor to read).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.domain import moderation
from bot.domain import relay as rules
from bot.domain.callbacks import encode
from bot.i18n import t
from bot.services import safety
from bot.services.circles.common import (
    center_tz,
    circle_of,
    excerpt,
    fan_out,
    find_reviewer,
    local_time,
    member_render,
    propagate,
    replied_message,
    say,
    staff_render,
    stranger,
    tell_staff,
    withdraw,
)
from bot.services.context import Person, ServiceContext
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMembership, CircleMessage, CircleMessageStatus
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus

log = logging.getLogger(__name__)

MEDIA_KINDS = ("photo", "voice", "video", "sticker", "contact", "location", "document", "other")


def relay_screened_text(
    session: Session,
    member: Member,
    text: str,
    now: datetime,
    *,
    message_id: int | None = None,
    reply_to: CircleMessage | None = None,
) -> bool:
    """Text that was already risk-screened and found safe (the inbound router's fallback). False when the
    member is in no circle, so the caller answers as before."""
    found = circle_of(session, member)
    if found is None:
        return False
    membership, circle = found
    _accept(session, member, membership, circle, text, now, message_id=message_id, reply_to=reply_to)
    return True


def _accept(
    session: Session,
    member: Member,
    membership: CircleMembership,
    circle: Circle,
    text: str,
    now: datetime,
    *,
    message_id: int | None,
    reply_to: CircleMessage | None,
    kind: str = "text",
) -> None:
    """Mute, flood, contact details, abusive language, review hold — then relay."""
    settings = circles_db.settings_of(session, circle.id or 0)
    seat = circles_db.participant(session, membership)
    tz = center_tz(session, circle, member.timezone)
    if seat.muted_until is not None and seat.muted_until > now:
        say(session, member, "circle-muted-note", now, until=local_time(seat.muted_until, tz, "%H:%M"))
        return
    limit = settings.flood_per_minute if settings is not None else rules.DEFAULT_FLOOD_PER_MINUTE
    if rules.is_flooding(
        circles_db.recent_message_times(session, member.id or 0, now - rules.FLOOD_WINDOW), now, limit
    ):
        say(session, member, "circle-flood", now, limit=limit)
        return
    if len(text) > rules.MAX_RELAY_CHARS:
        say(session, member, "circle-too-long", now)
        return
    message = CircleMessage(
        circle_id=circle.id or 0,
        member_id=member.id,
        kind=kind,
        text=text,
        source_message_id=message_id,
        reply_to_id=reply_to.id if reply_to else None,
        created_at=now,
    )
    session.add(message)
    if rules.contains_contact_details(text):
        message.status, message.text = CircleMessageStatus.REFUSED, None
        say(session, member, "circle-contact-refused", now)
        return
    seat.last_posted_at = now
    reason = "abuse" if moderation.is_abusive(text) else "review" if seat.review_hold else None
    if reason is not None:
        message.status, message.hold_reason = CircleMessageStatus.HELD, reason
        session.flush()
        _hold(session, circle, member, message, now)
        return
    session.flush()
    fan_out(
        session,
        circle,
        message,
        now,
        member_render(member.pseudonym, text),
        exclude_member=member.id,
        reply_to=reply_to,
    )


def _hold(session: Session, circle: Circle, member: Member, message: CircleMessage, now: datetime) -> None:
    """Held for the facilitator or counsellor, with a gentle note to the author."""
    say(session, member, f"circle-held-{message.hold_reason}", now)
    reviewer = find_reviewer(session, circle)
    if reviewer is None:
        log.warning("circle %s: a held message has nobody to review it", circle.id)
        return
    lang = reviewer.language
    mid = message.id or 0
    tell_staff(
        session,
        reviewer,
        t(
            lang,
            f"circle-review-{message.hold_reason}",
            circle=circle.name,
            pseudonym=member.pseudonym,
            text=excerpt(message.text),
        ),
        now,
        buttons=[
            [
                (t(lang, "btn-circle-release"), encode("cir", "hold", mid, "ok")),
                (t(lang, "btn-circle-keep"), encode("cir", "hold", mid, "no")),
            ]
        ],
    )


def reply_target(
    session: Session, member: Member, chat_id: int, reply_to_message_id: int
) -> tuple[CircleMembership, Circle, CircleMessage] | None:
    """Is this swipe-reply the member's answer to a message of their own circle? (reads only)"""
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.PAUSED, MemberStatus.UNREACHABLE):
        return None
    original = replied_message(session, member, chat_id, reply_to_message_id)
    found = circle_of(session, member) if original is not None else None
    if original is None or found is None or original.circle_id != found[1].id:
        return None
    return found[0], found[1], original


def relay_reply(
    session: Session,
    member: Member,
    target: tuple[CircleMembership, Circle, CircleMessage],
    text: str,
    now: datetime,
    message_id: int | None,
) -> None:
    """A reply to a circle message goes to the circle (after screening), threaded on every phone."""
    membership, circle, original = target
    result = safety.screen(session, member, now, text=text, source="circle", source_message_id=message_id)
    if not safety.withheld(result):
        _accept(session, member, membership, circle, text, now, message_id=message_id, reply_to=original)


def facilitates_reply(session: Session, person: Person, reply_to_message_id: int) -> bool:
    """Is this swipe-reply a facilitator answering a message of their circle? (reads only)"""
    original = replied_message(session, None, person.chat_id, reply_to_message_id)
    return original is not None and _facilitates(session, person, original.circle_id)


def _facilitates(session: Session, person: Person, circle_id: int) -> bool:
    staff = safety.staff_of(session, person.telegram_user_id)
    circle = session.get(Circle, circle_id)
    return staff is not None and circle is not None and circle.facilitator_id == staff.id


def edit_in_circle(
    session: Session, person: Person, member: Member | None, text: str, message_id: int, now: datetime
) -> bool:
    """An edit of a circle message reaches every copy (after screening). False when the edited
    message was no circle message (the caller screens it as any other edit)."""
    if member is None:
        return _staff_edit(session, person, text, message_id, now)
    message = circles_db.message_by_source(session, member.id or 0, message_id)
    if message is None or member.status not in (MemberStatus.ACTIVE, MemberStatus.PAUSED) or not text:
        return False
    _member_edit(session, member, message, text, now, message_id)
    return True


def _member_edit(
    session: Session, member: Member, message: CircleMessage, text: str, now: datetime, message_id: int
) -> None:
    result = safety.screen(session, member, now, text=text, source="circle_edit", source_message_id=message_id)
    worrying = safety.withheld(result)
    if message.status != CircleMessageStatus.RELAYED:
        if worrying and message.status == CircleMessageStatus.HELD:
            message.status = CircleMessageStatus.ESCALATED
        return  # a held message is reviewed as it was written; others were never shown
    if worrying:
        withdraw(session, message, now)
        message.status = CircleMessageStatus.ESCALATED
        return
    if rules.contains_contact_details(text) or len(text) > rules.MAX_RELAY_CHARS:
        withdraw(session, message, now)
        message.status, message.text = CircleMessageStatus.REFUSED, None
        say(session, member, "circle-contact-refused" if len(text) <= rules.MAX_RELAY_CHARS else "circle-too-long", now)
        return
    circle = session.get(Circle, message.circle_id)
    if moderation.is_abusive(text) and circle is not None:
        withdraw(session, message, now)
        message.status, message.hold_reason, message.text = CircleMessageStatus.HELD, "abuse", text
        _hold(session, circle, member, message, now)
        return
    message.text, message.edited_at = text, now
    propagate(session, message, now, member_render(member.pseudonym, text))


def _staff_edit(session: Session, person: Person, text: str, message_id: int, now: datetime) -> bool:
    staff = safety.staff_of(session, person.telegram_user_id)
    if staff is None:
        return False
    message = circles_db.staff_message_by_source(session, staff.id or 0, message_id)
    if message is None or message.status != CircleMessageStatus.RELAYED or message.kind != "text":
        return False
    body = _command_text(text)
    if not body:
        return True
    message.text, message.edited_at = body, now
    propagate(session, message, now, staff_render(staff, body))
    return True


def _command_text(text: str) -> str:
    """What follows "/say" (or "/say@bot") in an edited command message."""
    stripped = text.strip()
    if stripped.startswith("/"):
        stripped = stripped.split(maxsplit=1)[1] if len(stripped.split(maxsplit=1)) > 1 else ""
    return stripped.strip()


def media_in_circle(
    session: Session,
    member: Member,
    found: tuple[CircleMembership, Circle],
    kind: str,
    *,
    emoji: str | None,
    now: datetime,
    message_id: int | None,
) -> None:
    """Photos, voice, video, contacts, locations… are not relayed (they can show who someone is);
    the member is told why. A circle may allow stickers, which travel as their emoji."""
    kind = kind if kind in MEDIA_KINDS else "other"
    membership, circle = found
    settings = circles_db.settings_of(session, circle.id or 0)
    if kind == "sticker" and settings is not None and settings.allow_stickers:
        _accept(
            session,
            member,
            membership,
            circle,
            emoji or "🙂",
            now,
            message_id=message_id,
            reply_to=None,
            kind="sticker",
        )
    else:
        say(session, member, f"circle-media-{kind}", now)


def unsend(ctx: ServiceContext, person: Person) -> None:
    """/unsend: the member's last message leaves every phone in the circle."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            stranger(session, person, now)
        else:
            message = circles_db.last_relayed(session, member.id or 0)
            if message is None:
                say(session, member, "circle-unsend-none", now)
            else:
                kept = withdraw(session, message, now)  # copies already on WhatsApp phones stay there
                message.status, message.unsent_at = CircleMessageStatus.UNSENT, now
                say(session, member, "circle-unsent-whatsapp" if kept else "circle-unsent", now)
        session.commit()
