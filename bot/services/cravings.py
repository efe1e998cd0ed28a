"""Cravings: the toolkit any time, short prompts at a member's high-risk times, and a log."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain import coping
from bot.domain.callbacks import encode
from bot.domain.outgoing import Priority
from bot.domain.risk import CheckinAnswers, RiskLevel
from bot.domain.scheduling import next_craving_prompt_due
from bot.i18n import t
from bot.services import access, safety, views
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.checkins import queries as checkins_db
from storage.checkins.tables import CravingEvent
from storage.people import queries as people_db
from storage.people.tables import Center, Member, MemberStatus, Staff

HIGH_CRAVING = 7
# A prompt whose time passed long ago (the bot was down) is dropped, not sent late.
STALE_PROMPT = timedelta(hours=1)


def windows_of(member: Member) -> list[str]:
    return [w for w in member.high_risk_windows.split(",") if w]


def toolkit_text(lang: str, *, craving: int | None = None, trigger: str | None = None) -> str:
    lines = [t(lang, "craving-toolkit")]
    for strategy in coping.toolkit(craving=craving, trigger=trigger):
        lines.append(
            t(
                lang,
                "craving-strategy",
                title=t(lang, f"coping-{strategy.id}-title"),
                body=t(lang, f"coping-{strategy.id}-body"),
            )
        )
    lines.append(t(lang, "craving-breathing"))
    return "\n\n".join(lines)


def send_toolkit(session: Session, member: Member, now: datetime, *, craving: int | None = None) -> None:
    lang = member.language
    text = toolkit_text(lang, craving=craving) + "\n\n" + t(lang, "craving-ask-strength")
    buttons = views.craving_scale_buttons(("cr", "tk")) + [[(t(lang, "btn-reach-out"), encode("cr", "reach"))]]
    enqueue(session, chat_id=member.chat_id, member_id=member.id, text=text, buttons=buttons, now=now)


def open_toolkit(ctx: ServiceContext, person: Person) -> None:
    """Coping help for anyone who asks: a member gets the toolkit with the strength scale; someone not
    (yet) a member, or still joining, gets the same ideas and the helplines (nothing is logged)."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status == MemberStatus.ONBOARDING:
            lang = access.person_language(session, person)
            center = session.get(Center, member.center_id) if member else None
            enqueue(
                session,
                chat_id=person.chat_id,
                member_id=member.id if member else None,
                now=now,
                text=toolkit_text(lang)
                + "\n\n"
                + t(lang, "craving-guest-helplines", helplines=views.helplines(center, lang)),
            )
        else:
            send_toolkit(session, member, now)
        session.commit()


def log_strength(ctx: ServiceContext, person: Person, source: str, strength: int) -> str | None:
    """A strength from the toolkit ("tk") or a high-risk prompt ("pr"). Returns a toast id when refused."""
    if not 0 <= strength <= 10 or source not in ("tk", "pr"):
        return "button-expired"
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status == MemberStatus.ONBOARDING:
            return "button-expired"
        session.add(
            CravingEvent(
                member_id=member.id or 0,
                strength=strength,
                source="toolkit" if source == "tk" else "prompt",
                created_at=now,
            )
        )
        key = "craving-logged" if strength >= HIGH_CRAVING else "craving-logged-low"
        views.say(session, member, key, now, strength=strength)
        # A craving of 8 or more is a concern for the counsellor; the member gets the safety reply.
        result = safety.screen(session, member, now, answers=CheckinAnswers(craving=strength), source="craving")
        if source == "pr" and strength >= HIGH_CRAVING and result.level < RiskLevel.CONCERN:
            send_toolkit(session, member, now, craving=strength)
        session.commit()
    return None


def ask_to_reach_out(ctx: ServiceContext, person: Person) -> None:
    """The member asks a human to reach out: their counsellor gets a note at once."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        member = people_db.member_by_telegram_id(session, person.telegram_user_id)
        if member is None or member.status == MemberStatus.ONBOARDING:
            return
        center = session.get(Center, member.center_id)
        counsellor = session.get(Staff, member.counsellor_id) if member.counsellor_id else None
        if counsellor is None or counsellor.chat_id is None:
            views.say(
                session, member, "craving-reach-out-none", now, helplines=views.helplines(center, member.language)
            )
        else:
            last = checkins_db.latest_craving(session, member.id or 0)
            enqueue(
                session,
                chat_id=counsellor.chat_id,
                staff_id=counsellor.id,
                now=now,
                priority=Priority.URGENT,
                purpose="reach_out",
                text=t(
                    counsellor.language,
                    "staff-reach-out-request",
                    pseudonym=member.pseudonym,
                    name=member.display_name or "-",
                    strength=last.strength if last and last.strength is not None else "none",
                ),
            )
            views.say(
                session, member, "craving-reach-out-sent", now, helplines=views.helplines(center, member.language)
            )
        session.commit()


def run_craving_prompts(ctx: ServiceContext, limit: int = 1000) -> int:
    now = ctx.clock.now()
    sent = 0
    with ctx.uow() as session:
        for member in checkins_db.claim_due_craving_prompts(session, now, limit):
            due = member.next_craving_prompt_at
            assert due is not None
            if now - due <= STALE_PROMPT:
                enqueue(
                    session,
                    chat_id=member.chat_id,
                    member_id=member.id,
                    now=now,
                    priority=Priority.SCHEDULED,
                    purpose="craving_prompt",
                    dedupe_key=f"craving:{member.id}:{due.isoformat()}",
                    text=t(member.language, "craving-prompt"),
                    buttons=views.craving_scale_buttons(("cr", "pr")),
                )
                sent += 1
            member.next_craving_prompt_at = next_craving_prompt_due(now, member.timezone, windows_of(member))
        session.commit()
    return sent
