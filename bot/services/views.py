"""How each screen looks: text from the catalogs, buttons with versioned callback data.

One module so that wording and buttons for a step live in one place and every
service shows the same thing.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime

from sqlmodel import Session

from bot.domain import coping
from bot.domain.callbacks import encode
from bot.domain.outgoing import Priority
from bot.domain.scheduling import HIGH_RISK_WINDOWS, PRESET_TIMES
from bot.i18n import LANGUAGES, t
from bot.services.outbox import Buttons, enqueue, enqueue_edit
from storage.checkins import queries as checkins_db
from storage.checkins.tables import Checkin
from storage.people.tables import Center, Member, MemberStatus

PAUSE_CHOICES = (1, 3, 7, 14)
MOOD_FACES = {1: "1 😞", 2: "2 🙁", 3: "3 😐", 4: "4 🙂", 5: "5 😄"}


def helplines(center: Center | None, lang: str) -> str:
    if center is not None and center.helpline:
        return center.helpline
    return t(lang, "helplines-default")


def main_keyboard(lang: str) -> list[list[str]]:
    return [[t(lang, "menu-craving"), t(lang, "menu-talk")], [t(lang, "menu-settings"), t(lang, "menu-help")]]


def menu_action(lang: str, text: str) -> str | None:
    """Which menu button a typed text is (the reply keyboard sends its label as text)."""
    cleaned = text.strip()
    for action in ("craving", "talk", "settings", "help"):
        if any(cleaned == t(code, f"menu-{action}") for code in {lang, *LANGUAGES}):
            return action
    return None


def language_buttons(ns: str) -> Buttons:
    return [[(t(code, f"lang-name-{code}"), encode(ns, "lang", code)) for code in LANGUAGES]]


def time_buttons(ns: str, lang: str) -> Buttons:
    return [[(t(lang, f"btn-time-{name}"), encode(ns, "time", name)) for name in PRESET_TIMES]]


def say(session: Session, member: Member, key: str, now: datetime, **args: object) -> None:
    """A plain reply to a member in their language."""
    enqueue(session, chat_id=member.chat_id, member_id=member.id, text=t(member.language, key, **args), now=now)


def send_menu(session: Session, member: Member, key: str, now: datetime, **args: object) -> None:
    """A reply that also (re)draws the main menu keyboard."""
    send_text_with_menu(session, member, t(member.language, key, **args), now)


def send_text_with_menu(session: Session, member: Member, text: str, now: datetime) -> None:
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        text=text,
        keyboard=main_keyboard(member.language),
        now=now,
    )


# --- the check-in --------------------------------------------------------------------------

CHECKIN_QUESTION = {
    "mood": "checkin-ask-mood",
    "craving": "checkin-ask-craving",
    "triggers": "checkin-ask-triggers",
    "use": "checkin-ask-use",
    "note": "checkin-ask-note",
}


def checkin_question_text(member: Member | checkins_db.PressedMember, step: str) -> str:
    return t(member.language, CHECKIN_QUESTION[step], pseudonym=member.pseudonym)


def checkin_buttons(
    member: Member | checkins_db.PressedMember, checkin: Checkin | checkins_db.PressedCheckin, step: str
) -> Buttons:
    lang, cid = member.language, checkin.id or 0
    if step == "mood":
        return [[(MOOD_FACES[n], encode("ci", cid, "mood", n)) for n in range(1, 6)]]
    if step == "craving":
        return [
            [(str(n), encode("ci", cid, "crav", n)) for n in range(0, 6)],
            [(str(n), encode("ci", cid, "crav", n)) for n in range(6, 11)],
        ]
    if step == "triggers":
        chosen = set(filter(None, (checkin.triggers or "").split(",")))
        cells = [
            (("✓ " if trig in chosen else "") + t(lang, f"trigger-{trig}"), encode("ci", cid, "trg", trig))
            for trig in coping.TRIGGERS
        ]
        rows: Buttons = [cells[i : i + 2] for i in range(0, len(cells), 2)]
        last = "btn-done" if chosen else "btn-none-today"
        rows.append([(t(lang, last), encode("ci", cid, "trgdone"))])
        return rows
    if step == "use":
        return [
            [
                (t(lang, "btn-use-no"), encode("ci", cid, "use", "no")),
                (t(lang, "btn-use-yes"), encode("ci", cid, "use", "yes")),
            ],
            [(t(lang, "btn-use-undisclosed"), encode("ci", cid, "use", "undisclosed"))],
        ]
    if step == "note":
        return [[(t(lang, "btn-skip"), encode("ci", cid, "note", "skip"))]]
    raise ValueError(f"unknown check-in step {step!r}")


def send_checkin_question(
    session: Session,
    member: Member | checkins_db.PressedMember,
    checkin: Checkin | checkins_db.PressedCheckin,
    step: str,
    now: datetime,
    *,
    scheduled: bool = False,
) -> None:
    enqueue(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        text=checkin_question_text(member, step),
        buttons=checkin_buttons(member, checkin, step),
        priority=Priority.SCHEDULED if scheduled else Priority.REPLY,
        purpose=checkin_question_purpose(step),
        dedupe_key=f"checkin:{member.id}:{checkin.local_date.isoformat()}" if scheduled else None,
        now=now,
    )


def checkin_question_purpose(step: str) -> str:
    """The outbox purpose of a check-in question: how a typed answer finds the question it answers."""
    return "checkin" if step == "mood" else f"ci_{step}"


def answer_label(lang: str, step: str, value: object) -> str:
    if step == "triggers":
        picked = value if isinstance(value, Container) else ()  # a set of trigger ids, or None
        chosen = [t(lang, f"trigger-{trig}") for trig in coping.TRIGGERS if trig in picked]
        return ", ".join(chosen) if chosen else t(lang, "btn-none-today")
    if step == "use":
        return t(lang, f"btn-use-{value}")
    if step == "note":
        return t(lang, "btn-skip") if value is None else "📝"
    return str(value)


def mark_answered(
    session: Session,
    member: Member | checkins_db.PressedMember,
    message_id: int,
    step: str,
    value: object,
    now: datetime,
) -> None:
    """Turn an answered check-in question into a record of the answer, without buttons."""
    show_answered(
        session,
        member,
        message_id,
        checkin_question_text(member, step),
        answer_label(member.language, step, value),
        now,
    )


def show_answered(
    session: Session,
    member: Member | checkins_db.PressedMember,
    message_id: int,
    question: str,
    answer: str,
    now: datetime,
) -> None:
    """Any answered question: its text with the answer ticked below, and no buttons left to press."""
    text = t(member.language, "checkin-answered", question=question, answer=answer)
    enqueue_edit(session, chat_id=member.chat_id, member_id=member.id, message_id=message_id, text=text, now=now)


def refresh_buttons(
    session: Session,
    member: Member | checkins_db.PressedMember,
    checkin: Checkin | checkins_db.PressedCheckin,
    message_id: int,
    now: datetime,
) -> None:
    enqueue_edit(
        session,
        chat_id=member.chat_id,
        member_id=member.id,
        message_id=message_id,
        text=checkin_question_text(member, "triggers"),
        buttons=checkin_buttons(member, checkin, "triggers"),
        now=now,
    )


# --- cravings and settings -----------------------------------------------------------------


def craving_scale_buttons(ns_parts: tuple[str, ...]) -> Buttons:
    return [
        [(str(n), encode(*ns_parts, n)) for n in range(0, 6)],
        [(str(n), encode(*ns_parts, n)) for n in range(6, 11)],
    ]


def settings_buttons(member: Member) -> Buttons:
    lang = member.language
    pause_or_resume = (
        (t(lang, "btn-settings-resume"), encode("set", "resume"))
        if member.status == MemberStatus.PAUSED
        else (t(lang, "btn-settings-pause"), encode("set", "menu", "pause"))
    )
    return [
        [
            (t(lang, "btn-settings-language"), encode("set", "menu", "lang")),
            (t(lang, "btn-settings-time"), encode("set", "menu", "time")),
        ],
        [pause_or_resume, (t(lang, "btn-settings-highrisk"), encode("set", "menu", "hr"))],
        [(t(lang, "btn-settings-sobriety"), encode("set", "menu", "sob"))],
    ]


def pause_buttons(lang: str) -> Buttons:
    return [[(t(lang, "btn-pause-days", days=d), encode("set", "pause", d)) for d in PAUSE_CHOICES]]


def highrisk_buttons(member: Member) -> Buttons:
    lang = member.language
    chosen = set(filter(None, member.high_risk_windows.split(",")))
    row = [
        (("✓ " if name in chosen else "") + t(lang, f"highrisk-{name}"), encode("set", "hr", name))
        for name in HIGH_RISK_WINDOWS
    ]
    return [row, [(t(lang, "btn-done"), encode("set", "hrdone"))]]
