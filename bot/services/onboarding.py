"""Joining Saathi: an invite code, language, informed consent, check-in time, recovery date.

Language comes before consent on purpose: consent only counts if it was read in a
language the person reads.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session

from bot.domain import channels
from bot.domain.callbacks import encode
from bot.domain.dates import parse_date_text
from bot.domain.pseudonyms import generate_pseudonym
from bot.domain.scheduling import PRESET_TIMES, local_date, next_checkin_due, parse_time_text
from bot.i18n import LANGUAGES, normalise_language, t
from bot.services import views
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.channels import queries as channels_db
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleMembership
from storage.outbox import queries as outbox_db
from storage.people import queries as people_db
from storage.people.tables import Center, ConsentRecord, Member, MemberStatus
from storage.sponsors import queries as sponsors_db

CONSENT_VERSION = "2026-11-25b"  # bump whenever onboard-explain changes
STAFF_PREFIX = "staff-"


def start(ctx: ServiceContext, person: Person, payload: str | None) -> None:
    """``/start`` with or without a deep-link code."""
    now = ctx.clock.now()
    code = (payload or "").strip()
    with ctx.uow() as session:
        if code.lower().startswith(STAFF_PREFIX):
            _bind_staff(session, person, code, now)
        else:
            _start_member(ctx, session, person, code, now)
        session.commit()


def _reply_stranger(session: Session, person: Person, key: str, now: datetime, **args: object) -> None:
    lang = normalise_language(person.language_code)
    enqueue(session, chat_id=person.chat_id, text=t(lang, key, **args), now=now)


def _start_member(ctx: ServiceContext, session: Session, person: Person, code: str, now: datetime) -> None:
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    if member is not None:
        if member.status == MemberStatus.ONBOARDING:
            views.say(session, member, "start-resume", now)
            ask_current_step(session, member, now)
        else:
            views.send_menu(session, member, "start-welcome-back", now, pseudonym=member.pseudonym)
        return
    staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
    if staff is not None and not code:
        center = session.get(Center, staff.center_id)
        _reply_stranger(session, person, "staff-already-linked", now, center=center.name if center else "")
        return
    if not code:
        _reply_stranger(session, person, "start-no-code", now)
        return
    invite = people_db.invite_by_code(session, code.upper())
    if invite is None:
        _reply_stranger(session, person, "start-bad-code", now)
        return
    if not _bot_serves(session, person, invite.center_id):
        _reply_stranger(session, person, "start-code-other-bot", now)
        return
    if invite.used_at is not None:
        _reply_stranger(session, person, "start-used-code", now)
        return
    if invite.expires_at is not None and invite.expires_at <= now:
        _reply_stranger(session, person, "start-expired-code", now)
        return
    member = _create_member(ctx, session, person, invite.center_id, now)
    invite.used_at = now
    invite.used_by_member_id = member.id
    if invite.circle_id is not None:
        circle = session.get(Circle, invite.circle_id)
        if circle is not None and circles_db.member_count(session, circle.id or 0) < circle.capacity:
            session.add(CircleMembership(circle_id=invite.circle_id, member_id=member.id or 0, joined_at=now))
        elif circle is not None:  # filled meanwhile (staff moved people in): they join the centre, not the circle
            views.say(session, member, "circle-invite-full", now, circle=circle.name)
    ask_current_step(session, member, now)


def _bot_serves(session: Session, person: Person, center_id: int) -> bool:
    """A centre's own Telegram bot takes its centre's codes only (whoever joins through it is reached
    through it); the .env bot, and WhatsApp, take every centre's."""
    account = channels.telegram_account_of(person.chat_id)
    return account is None or channels_db.account_center(session, account) == center_id


def _create_member(ctx: ServiceContext, session: Session, person: Person, center_id: int, now: datetime) -> Member:
    center = session.get(Center, center_id)
    counsellor = people_db.default_counsellor(session, center_id)
    member = Member(
        center_id=center_id,
        counsellor_id=counsellor.id if counsellor else None,
        telegram_user_id=person.telegram_user_id,
        chat_id=person.chat_id,
        display_name=(person.display_name or "")[:200] or None,
        pseudonym=generate_pseudonym(ctx.rng, people_db.taken_pseudonyms(session, center_id)),
        language=normalise_language(person.language_code),
        timezone=center.timezone if center else ctx.default_timezone,
        status=MemberStatus.ONBOARDING,
        onboarding_step="language",
        created_at=now,
    )
    session.add(member)
    session.flush()
    return member


# Each step's question: its text and its outbox purpose (how its answer finds it to take its buttons away).
QUESTIONS = {
    "language": "onboard-choose-language",
    "consent": "onboard-explain",
    "time": "onboard-ask-time",
    "sobriety": "onboard-ask-sobriety",
}


def ask_current_step(session: Session, member: Member, now: datetime) -> None:
    step = member.onboarding_step
    if step not in QUESTIONS:
        return
    lang = member.language
    if step == "language":
        buttons = views.language_buttons("ob")
    elif step == "consent":
        buttons = [
            [
                (t(lang, "btn-consent-yes"), encode("ob", "consent", "yes")),
                (t(lang, "btn-consent-no"), encode("ob", "consent", "no")),
            ]
        ]
    elif step == "time":
        buttons = views.time_buttons("ob", lang)
    else:
        buttons = [[(t(lang, "btn-skip"), encode("ob", "sob", "skip"))]]
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        now=now,
        text=t(lang, QUESTIONS[step]),
        buttons=buttons,
        purpose=f"ob_{step}",
    )


def _answered(
    session: Session,
    member: Member,
    step: str,
    answer: str,
    now: datetime,
    message_id: int | None,
    *,
    question: str | None = None,
) -> None:
    """The question shows the answer ticked and loses its buttons: the pressed message, or the newest
    one delivered for that step when the answer was typed."""
    if message_id is None:
        message_id = outbox_db.sent_message_id(session, member.chat_id, f"ob_{step}", since=member.created_at)
    if message_id is not None:
        views.show_answered(session, member, message_id, question or t(member.language, QUESTIONS[step]), answer, now)


def _onboarding_member(session: Session, person: Person, step: str) -> Member | None:
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    if member is None or member.status != MemberStatus.ONBOARDING or member.onboarding_step != step:
        return None
    return member


def choose_language(ctx: ServiceContext, person: Person, code: str, message_id: int | None = None) -> bool:
    """Returns False when the button is stale (that step is over)."""
    now = ctx.clock.now()
    if code not in LANGUAGES:
        return False
    with ctx.uow() as session:
        member = _onboarding_member(session, person, "language")
        if member is None:
            return False
        question = t(member.language, QUESTIONS["language"])  # as it was shown, before the language changes
        member.language = code
        _answered(session, member, "language", t(code, f"lang-name-{code}"), now, message_id, question=question)
        member.onboarding_step = "consent"
        ask_current_step(session, member, now)
        session.commit()
    return True


def answer_consent(ctx: ServiceContext, person: Person, agreed: bool, message_id: int | None = None) -> bool:
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = _onboarding_member(session, person, "consent")
        if member is None:
            return False
        _answered(
            session,
            member,
            "consent",
            t(member.language, "btn-consent-yes" if agreed else "btn-consent-no"),
            now,
            message_id,
        )
        session.add(
            ConsentRecord(
                member_id=member.id or 0,
                version=CONSENT_VERSION,
                accepted=agreed,
                language=member.language,
                created_at=now,
            )
        )
        if agreed:
            member.onboarding_step = "time"
            ask_current_step(session, member, now)
        else:
            views.say(session, member, "onboard-consent-declined", now)
        session.commit()
    return True


def choose_time(
    ctx: ServiceContext,
    person: Person,
    preset: str | None = None,
    typed: str | None = None,
    message_id: int | None = None,
) -> bool:
    now = ctx.clock.now()
    at = PRESET_TIMES.get(preset or "") if preset else parse_time_text(typed or "")
    with ctx.uow() as session:
        member = _onboarding_member(session, person, "time")
        if member is None:
            return False
        answer_time(session, member, at, now, message_id)
        session.commit()
    return True


def answer_time(
    session: Session, member: Member, at: time | None, now: datetime, message_id: int | None = None
) -> None:
    """The check-in time, pressed or typed (``at`` None: typed and not understood)."""
    if at is None:
        views.say(session, member, "onboard-time-invalid", now)
    else:
        member.checkin_time = at.strftime("%H:%M")
        _answered(session, member, "time", member.checkin_time, now, message_id)
        member.onboarding_step = "sobriety"
        ask_current_step(session, member, now)


def set_sobriety(ctx: ServiceContext, person: Person, typed: str | None, message_id: int | None = None) -> bool:
    """``typed`` None means Skip."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = _onboarding_member(session, person, "sobriety")
        if member is None:
            return False
        answer_sobriety(session, member, typed, now, message_id)
        session.commit()
    return True


def answer_sobriety(
    session: Session, member: Member, typed: str | None, now: datetime, message_id: int | None = None
) -> None:
    """The recovery date, typed (or Skip: ``typed`` None); a date understood finishes onboarding."""
    if typed is not None:
        day = parse_date_text(typed)
        if day is None:
            views.say(session, member, "onboard-sobriety-invalid", now)
            return
        if day > local_date(now, member.timezone):
            views.say(session, member, "onboard-sobriety-future", now)
            return
        member.sobriety_start = day
    answer = (
        t(member.language, "btn-skip") if member.sobriety_start is None else member.sobriety_start.strftime("%d/%m/%Y")
    )  # as they are asked to type it, day first
    _answered(session, member, "sobriety", answer, now, message_id)
    _finish(session, member, now)


def _finish(session: Session, member: Member, now: datetime) -> None:
    member.status = MemberStatus.ACTIVE
    member.onboarding_step = None
    member.next_checkin_due_at = next_checkin_due(now, member.timezone, parse_checkin_time(member), None)
    sponsors_db.start_watch(session, member.id or 0, now)  # the attendance watch (missed check-ins) starts with them
    views.send_menu(session, member, "onboard-done", now, pseudonym=member.pseudonym, time=member.checkin_time)


def parse_checkin_time(member: Member) -> time:
    """Stored as "HH:MM", always written by this code."""
    return time.fromisoformat(member.checkin_time)


def _bind_staff(session: Session, person: Person, code: str, now: datetime) -> None:
    staff = people_db.staff_by_link_code(session, code)
    if staff is None or not staff.active:
        _reply_stranger(session, person, "staff-link-invalid", now)
        return
    if not _bot_serves(session, person, staff.center_id):
        _reply_stranger(session, person, "staff-link-other-bot", now)
        return
    # One account, one role: a member's or volunteer's account (or another staff member's) does not
    # also become staff; the code stays unused for the right person.
    if (
        people_db.member_by_telegram_id(session, person.telegram_user_id) is not None
        or people_db.staff_by_telegram_id(session, person.telegram_user_id) is not None
        or sponsors_db.volunteer_by_telegram_id(session, person.telegram_user_id) is not None
    ):
        _reply_stranger(session, person, "staff-link-taken", now)
        return
    center = session.get(Center, staff.center_id)
    staff.telegram_user_id = person.telegram_user_id
    staff.chat_id = person.chat_id
    staff.language = normalise_language(person.language_code)
    staff.link_code = None  # one-time
    enqueue(
        session,
        chat_id=person.chat_id,
        staff_id=staff.id,
        now=now,
        text=t(staff.language, "staff-linked", name=staff.name, role=staff.role, center=center.name if center else ""),
    )


# --- a new version of the consent text ---------------------------------------------------------


def needs_new_consent(session: Session, member: Member) -> bool:
    """The member last agreed to an older text (or never): ask again before the next check-in."""
    return consent_outdated(people_db.latest_consent(session, member.id or 0))


def consent_outdated(latest: ConsentRecord | None) -> bool:
    """``needs_new_consent`` for a consent record already read (the due scan reads a batch at once)."""
    return latest is None or not latest.accepted or latest.version != CONSENT_VERSION


def ask_consent_again(session: Session, member: Member, now: datetime) -> None:
    """Once per new version: the check-in waits until the member answers."""
    if member.awaiting == "consent":
        return
    member.awaiting = "consent"
    lang = member.language
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        now=now,
        text=_reconsent_text(lang),
        buttons=[
            [
                (t(lang, "btn-consent-yes"), encode("ob", "reconsent", "yes")),
                (t(lang, "btn-consent-no"), encode("ob", "reconsent", "no")),
            ]
        ],
        purpose="ob_reconsent",
    )


def _reconsent_text(lang: str) -> str:
    return t(lang, "consent-changed") + "\n\n" + t(lang, "onboard-explain")


def answer_consent_again(ctx: ServiceContext, person: Person, agreed: bool, message_id: int | None = None) -> bool:
    """Agreeing brings check-ins back; declining pauses the member (nothing is deleted)."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.awaiting != "consent":
            return False
        member.awaiting = None
        _answered(
            session,
            member,
            "reconsent",
            t(member.language, "btn-consent-yes" if agreed else "btn-consent-no"),
            now,
            message_id,
            question=_reconsent_text(member.language),
        )
        session.add(
            ConsentRecord(
                member_id=member.id or 0,
                version=CONSENT_VERSION,
                accepted=agreed,
                language=member.language,
                created_at=now,
            )
        )
        if agreed:
            views.say(session, member, "consent-thanks", now, time=member.checkin_time)
        else:
            member.status = MemberStatus.PAUSED
            member.paused_until = None  # until they choose to resume
            people_db.start_pause(session, member.id or 0, local_date(now, member.timezone), now)
            views.say(session, member, "consent-declined-paused", now)
        session.commit()
    return True
