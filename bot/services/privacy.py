"""A member's data rights: a copy of everything stored about them (/mydata), and erasure (/forget).

Export: one JSON file, sent through the outbox as a document, about the member only — no other
member's identity or pseudonym — and written to the audit log.

Erasure keeps the rows the centre counts (a member who left, which days had a check-in, when
cravings were logged) and removes everything that says who they were or what they said:
name, Telegram ids, pseudonym, answers, notes, circle message bodies (and the copies on peers'
phones), excerpts. An open escalation is closed with a note, and their counsellor is told.
After it, the Telegram account is a stranger to the bot.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain import channels
from bot.domain.callbacks import encode
from bot.domain.outgoing import Priority
from bot.i18n import normalise_language, t
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue, enqueue_edit
from bot.services.privacy_export import collect
from storage import privacy as privacy_db
from storage.checkins import queries as checkins_db
from storage.checkins.tables import CheckinStatus
from storage.circles.tables import CircleMessage, CircleMessageStatus
from storage.outbox import payload as payloads
from storage.outbox.payload import OutboxPayload
from storage.outbox.tables import OutboxMessage, OutboxStatus
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus, Staff
from storage.safety import queries as safety_db
from storage.safety.tables import AuditEntry, EscalationEvent, EscalationState
from storage.sponsors.tables import LinkState, TalkState

log = logging.getLogger(__name__)

NS = "prv"
# A confirmation button older than this is stale: the member asks again with /forget.
CONFIRM_VALID = timedelta(hours=24)
# Telegram lets a bot delete its messages for 48 hours; older copies are blanked by an edit.
DELETE_WINDOW = timedelta(hours=47)
FORGOTTEN_NOTE = "member asked to be forgotten"


def _audit(session: Session, member: Member, action: str, now: datetime, actor: int | None) -> None:
    session.add(AuditEntry(actor_telegram_id=actor, member_id=member.id, action=action, created_at=now))


def _stranger(session: Session, person: Person, now: datetime) -> None:
    staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
    lang = staff.language if staff else normalise_language(person.language_code)
    enqueue(session, chat_id=person.chat_id, now=now, text=t(lang, "prv-nothing-stored"))


# --- /mydata ---------------------------------------------------------------------------------------


def export_member_data(ctx: ServiceContext, person: Person) -> None:
    """/mydata: a JSON file of everything about the member, sent to their own chat."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            _stranger(session, person, now)
        else:
            data = collect(session, member, now)
            body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
            enqueue_document(
                session,
                member,
                body,
                f"saathi-my-data-{now:%Y-%m-%d}.json",
                t(member.language, "prv-export-caption"),
                now,
            )
            _audit(session, member, "export_data", now, person.telegram_user_id)
        session.commit()


def enqueue_document(
    session: Session, member: Member, body: bytes, filename: str, caption: str, now: datetime
) -> OutboxMessage:
    """A file for the member. ``ephemeral``: the sender drops the bytes once Telegram has them."""
    row = OutboxMessage(
        chat_id=member.chat_id,
        member_id=member.id,
        method="document",
        payload=payloads.document(body, filename, caption),
        priority=int(Priority.REPLY),
        purpose="data_export",
        due_at=now,
        created_at=now,
    )
    session.add(row)
    return row


# --- /forget ---------------------------------------------------------------------------------------


def ask_forget(ctx: ServiceContext, person: Person) -> None:
    """/forget, step one: say plainly what erasing means, with a button to confirm."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            _stranger(session, person, now)
        else:
            lang, stamp = member.language, int(now.timestamp() // 60)
            enqueue(
                session,
                chat_id=member.chat_id,
                member_id=member.id,
                now=now,
                text=t(lang, "prv-forget-ask"),
                buttons=[
                    [(t(lang, "btn-prv-forget-yes"), encode(NS, "forget", stamp))],
                    [(t(lang, "btn-prv-forget-no"), encode(NS, "keep"))],
                ],
            )
        session.commit()


def button(ctx: ServiceContext, person: Person, parts: tuple[str, ...], message_id: int | None) -> str | None:
    """``prv:v1:forget:<minute>`` erases, ``prv:v1:keep`` keeps. Returns a toast key, or None."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None:
            return "prv-nothing-stored"
        if parts == ("keep",):
            if message_id is not None:
                enqueue_edit(
                    session,
                    chat_id=member.chat_id,
                    message_id=message_id,
                    member_id=member.id,
                    now=now,
                    text=t(member.language, "prv-forget-kept"),
                )
            session.commit()
            return None
        if len(parts) != 2 or parts[0] != "forget" or not parts[1].isdigit():
            return "button-expired"
        asked_at = datetime.fromtimestamp(int(parts[1]) * 60, tz=now.tzinfo)
        if not timedelta(minutes=-1) <= now - asked_at <= CONFIRM_VALID:
            return "button-expired"
        forget(session, member, now, ctx, person=person, message_id=message_id)
        session.commit()
    log.info("a member was forgotten at their request")
    return None


def forget(
    session: Session,
    member: Member,
    now: datetime,
    ctx: ServiceContext,
    *,
    person: Person | None = None,
    message_id: int | None = None,
) -> None:
    """Erase ``member``'s personal data in the caller's transaction (see the module docstring)."""
    mid, lang = member.id or 0, member.language
    old_chat, old_telegram = member.chat_id, member.telegram_user_id
    old_pseudonym, old_name = member.pseudonym, member.display_name
    placeholder = -ctx.rng.randrange(10**12, 10**15)

    escalation = safety_db.open_escalation(session, mid)
    _withdraw_circle_messages(session, member, now)
    _erase_health_data(session, mid, now)
    _end_links(session, member, now)
    _scrub_outbox(session, member, [old_pseudonym, old_name or ""], placeholder)
    privacy_db.replace_chat_id(session, old_chat, placeholder)
    privacy_db.replace_actor(session, old_telegram, placeholder)
    privacy_db.drop_attendance_watch(session, mid)
    for membership, _name in privacy_db.memberships_of(session, mid):
        if membership.left_at is None:
            membership.left_at = now
    if escalation is not None:
        escalation.state, escalation.resolved_at = EscalationState.RESOLVED, now
        escalation.resolution_note, escalation.ack_deadline_at = FORGOTTEN_NOTE, None
        session.add(
            EscalationEvent(escalation_id=escalation.id or 0, kind="forgotten", detail=FORGOTTEN_NOTE, created_at=now)
        )

    member.telegram_user_id = member.chat_id = placeholder
    member.display_name = None
    member.pseudonym = f"gone-{ctx.rng.getrandbits(48):012x}"
    member.status, member.onboarding_step, member.awaiting = MemberStatus.LEFT, None, None
    member.sobriety_start = member.last_use_date = member.paused_until = None
    member.sober_days_seen = None
    member.high_risk_windows = ""
    member.next_checkin_due_at = member.next_craving_prompt_at = None
    _audit(session, member, "forgotten", now, None)

    counsellor = session.get(Staff, member.counsellor_id) if member.counsellor_id else None
    if counsellor is not None and counsellor.chat_id and counsellor.active:
        text = t(counsellor.language, "prv-forget-staff", pseudonym=old_pseudonym)
        if escalation is not None:
            text += "\n" + t(counsellor.language, "prv-forget-staff-alert-closed")
        enqueue(
            session, chat_id=counsellor.chat_id, staff_id=counsellor.id, now=now, text=text, purpose="privacy_staff"
        )
    # The goodbye goes to the chat that asked; the sender forgets its address once it is delivered.
    if person is not None:
        goodbye = t(lang, "prv-forget-done")
        if message_id is not None:
            enqueue_edit(
                session,
                chat_id=person.chat_id,
                message_id=message_id,
                now=now,
                text=goodbye,
                ephemeral=True,
                forget_chat=True,
            )
        else:
            enqueue(session, chat_id=person.chat_id, now=now, text=goodbye, ephemeral=True, forget_chat=True)


def _withdraw_circle_messages(session: Session, member: Member, now: datetime) -> None:
    """Copies still waiting are cancelled, delivered ones deleted (or, past 48 hours, blanked); bodies go."""
    messages = [m for m, _ in privacy_db.circle_messages_by(session, member.id or 0)]
    by_id: dict[int, CircleMessage] = {m.id or 0: m for m in messages}
    languages: dict[int, str] = {}
    for copy, row in privacy_db.copies_of_messages(session, list(by_id)):
        message = by_id[copy.circle_message_id]
        if row.status == OutboxStatus.PENDING:
            row.status = OutboxStatus.CANCELLED
        elif (
            row.status == OutboxStatus.SENT
            and row.telegram_message_id is not None
            and message.status == CircleMessageStatus.RELAYED
            and channels.capabilities(copy.chat_id).can_delete  # WhatsApp cannot delete or blank a copy
        ):
            if row.sent_at is not None and now - row.sent_at > DELETE_WINDOW:
                lang = languages.get(copy.member_id or 0) or _recipient_language(session, copy.member_id, copy.staff_id)
                languages[copy.member_id or 0] = lang
                enqueue_edit(
                    session,
                    chat_id=copy.chat_id,
                    message_id=row.telegram_message_id,
                    now=now,
                    text=t(lang, "prv-copy-removed"),
                    priority=Priority.BULK,
                    purpose="circle_unsend",
                    member_id=copy.member_id,
                )
            else:
                session.add(
                    OutboxMessage(
                        chat_id=copy.chat_id,
                        member_id=copy.member_id,
                        staff_id=copy.staff_id,
                        method="delete",
                        payload=payloads.delete(row.telegram_message_id),
                        priority=int(Priority.BULK),
                        purpose="circle_unsend",
                        due_at=now,
                        created_at=now,
                    )
                )
        elif row.status == OutboxStatus.SENDING:
            log.info("circle message %s: a copy was in flight during an erasure", message.id)
        if row.status != OutboxStatus.SENDING:
            row.payload = payloads.with_text(row.payload, "")
    for message in messages:
        if message.status in (CircleMessageStatus.RELAYED, CircleMessageStatus.HELD, CircleMessageStatus.ESCALATED):
            message.status = CircleMessageStatus.UNSENT
            message.unsent_at = message.unsent_at or now
        message.text = None


def _recipient_language(session: Session, member_id: int | None, staff_id: int | None) -> str:
    person: Member | Staff | None = (
        session.get(Member, member_id) if member_id else session.get(Staff, staff_id) if staff_id else None
    )
    return person.language if person is not None else "en"


def _erase_health_data(session: Session, mid: int, now: datetime) -> None:
    for checkin in privacy_db.checkins_of(session, mid):
        if checkin.status in checkins_db.OPEN_CHECKIN:
            checkin.status = CheckinStatus.MISSED
        checkin.step = None
        checkin.reminder_due_at = None
        checkin.mood = checkin.craving = None
        checkin.triggers = checkin.used = checkin.note = checkin.coping_id = None
    for craving in privacy_db.cravings_of(session, mid):
        craving.strength, craving.trigger, craving.source = None, None, "erased"
    for escalation in privacy_db.escalations_of(session, mid):
        escalation.excerpt = None
        escalation.reasons = [{k: v for k, v in r.items() if k != "matched"} for r in escalation.reasons]
    for followup in privacy_db.followups_of(session, mid):
        followup.answers, followup.source_excerpt = {}, None
        followup.finished_at = followup.finished_at or now
        followup.question = None


def _end_links(session: Session, member: Member, now: datetime) -> None:
    for link in privacy_db.links_as_mentee(session, member.id or 0):
        link.mentee_username = link.sponsor_username = None
        if link.state in (LinkState.PROPOSED, LinkState.ACTIVE):
            link.state = LinkState.ENDED if link.state == LinkState.ACTIVE else LinkState.DECLINED
            link.ended_at, link.ended_by = now, "mentee"
    sponsor = privacy_db.sponsor_row_of(session, member.id or 0)
    if sponsor is not None:
        sponsor.active = False
        sponsor.telegram_user_id = sponsor.chat_id = None
        for link in privacy_db.links_as_sponsor(session, sponsor.id or 0):
            link.mentee_username = link.sponsor_username = None
            if link.state in (LinkState.PROPOSED, LinkState.ACTIVE):
                link.state = LinkState.ENDED if link.state == LinkState.ACTIVE else LinkState.DECLINED
                link.ended_at, link.ended_by = now, "sponsor"
    for request in privacy_db.talk_requests_of(session, member.id or 0):
        if request.ended_at is None:
            request.state, request.ended_at = TalkState.ENDED, now


def _scrub_outbox(session: Session, member: Member, needles: list[str], placeholder: int) -> None:
    """Messages to the member lose their words and address; messages to others that named them lose the name."""
    for row in privacy_db.outbox_to_member(session, member.id or 0, member.chat_id):
        if row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING) and row.chat_id == member.chat_id:
            # A row in flight ("sending") may reach Telegram still; the sender marks it sent if so,
            # and never sends a cancelled row again (its retry needs the row still "sending").
            row.status = OutboxStatus.CANCELLED
        kept = OutboxPayload(text="")
        if "message_id" in row.payload:
            kept["message_id"] = row.payload["message_id"]
        row.payload = kept
        row.sponsor_thread_id = None
        if row.chat_id == member.chat_id:
            row.chat_id = placeholder
    session.flush()
    patterns = [re.compile(rf"(?<!\w){re.escape(n)}(?!\w)") for n in needles if n]
    for row in privacy_db.outbox_mentioning(session, [n for n in needles if n], member.created_at):
        # a row in flight is sent as it was claimed; if it must be sent again, it goes without the name
        text = str(row.payload.get("text") or "")
        for pattern in patterns:
            text = pattern.sub("—", text)
        row.payload = payloads.with_text(row.payload, text)
