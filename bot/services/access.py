"""Who may run which command: the one table, and the check every command handler goes through.

Roles come from the rows a Telegram account is linked to: a ``member`` row, a ``sponsor`` row
(a member who sponsors, or a centre volunteer), an active ``staff`` row (``counsellor`` or
``admin``). An account linked to nothing yet is a ``newcomer``: it may try the member commands,
whose services explain kindly how to join. Staff rows are created only by the admin CLI
(``saathi counsellor add``); on Telegram a staff account is bound only through a one-time link
code printed by that CLI.

A refused command gets a kind "not available" in the person's language and an audit entry
naming the command (``refused:<command>``) — never the words typed after it. The services keep
their own checks as well (whose centre an escalation belongs to, who may press which button),
so this table is the first gate, not the only one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.domain.outgoing import Priority
from bot.i18n import normalise_language, t
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.people import queries as people_db
from storage.safety.tables import AuditEntry
from storage.sponsors import queries as sponsors_db


class Role(StrEnum):
    NEWCOMER = "newcomer"
    MEMBER = "member"
    SPONSOR = "sponsor"
    COUNSELLOR = "counsellor"
    ADMIN = "admin"


ANYONE = frozenset(Role)
MEMBERS = frozenset({Role.MEMBER, Role.NEWCOMER})
SPONSORS = frozenset({Role.SPONSOR})
STAFF = frozenset({Role.COUNSELLOR, Role.ADMIN})

COMMAND_ROLES: Mapping[str, frozenset[Role]] = {
    # everyone: joining (an invite, a staff link) and help
    "start": ANYONE,
    "help": ANYONE,
    # members (a newcomer is told how to join by the service itself)
    # coping help for anyone who is not staff: members, people still joining, volunteer sponsors
    "craving": MEMBERS | SPONSORS,
    "settings": MEMBERS,
    "talk": MEMBERS,
    "sponsor": MEMBERS,
    "share": MEMBERS,
    "mydata": MEMBERS,
    "forget": MEMBERS,
    "unsend": MEMBERS,
    "report": MEMBERS,
    # members see their circle; staff see the health of theirs
    "circle": MEMBERS | STAFF,
    # answering a relayed chat: a mentee, a sponsor, or a counsellor in an "I need to talk" chat
    "reply": MEMBERS | SPONSORS | STAFF,
    # sponsors
    "mentees": SPONSORS,
    "encourage": SPONSORS,
    # a centre volunteer binds their account with the code the CLI printed
    "volunteer": frozenset({Role.NEWCOMER, Role.SPONSOR}),
    # counsellors and admins, for their own centre's members only (the services check the centre)
    "queue": STAFF,
    "member": STAFF,
    "ack": STAFF,
    "resolve": STAFF,
    "say": STAFF,
    "goal": STAFF,
    "pin": STAFF,
    "mute": STAFF,
    "remove": STAFF,
    "move": STAFF,
    "sponsorlink": STAFF,
    "sponsorunlink": STAFF,
    # a one-time sign-in link to the web console
    "console": STAFF,
}


def may_run(roles: frozenset[Role], command: str) -> bool:
    """Whether any of ``roles`` may run ``command``; a command not in the table is nobody's."""
    return bool(roles & COMMAND_ROLES.get(command, frozenset()))


def roles_of(session: Session, telegram_user_id: int) -> frozenset[Role]:
    roles: set[Role] = set()
    staff = people_db.staff_by_telegram_id(session, telegram_user_id)
    if staff is not None and staff.active:
        roles.add(Role.ADMIN if staff.role == "admin" else Role.COUNSELLOR)
    member = people_db.member_by_telegram_id(session, telegram_user_id)
    if member is not None:
        roles.add(Role.MEMBER)
        sponsor = sponsors_db.sponsor_of_member(session, member.id or 0)
    else:
        sponsor = sponsors_db.volunteer_by_telegram_id(session, telegram_user_id)
    if sponsor is not None and sponsor.active:
        roles.add(Role.SPONSOR)
    if not roles:  # linked to nothing (or only to a deactivated staff row)
        roles.add(Role.NEWCOMER)
    return frozenset(roles)


def person_language(session: Session, person: Person) -> str:
    """The language a person chose with us (as a member, volunteer or staff), else their phone's."""
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    if member is not None:
        return member.language
    volunteer = sponsors_db.volunteer_by_telegram_id(session, person.telegram_user_id)
    if volunteer is not None:
        return volunteer.language
    staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
    return staff.language if staff else normalise_language(person.language_code)


def audit_refusal(session: Session, person: Person, action: str, now: datetime) -> None:
    """``refused:<action>``, with who tried; the action is a command or button name, never text."""
    staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
    session.add(
        AuditEntry(
            actor_telegram_id=person.telegram_user_id,
            staff_id=staff.id if staff else None,
            action=f"refused:{action}"[:40],
            created_at=now,
        )
    )


def refuse(session: Session, person: Person, action: str, now: datetime) -> None:
    """Audit the attempt and say kindly that this is not available to them."""
    audit_refusal(session, person, action, now)
    member = people_db.member_by_telegram_id(session, person.telegram_user_id)
    enqueue(
        session,
        chat_id=person.chat_id,
        member_id=member.id if member else None,
        now=now,
        priority=Priority.REPLY,
        text=t(person_language(session, person), "not-available"),
    )


def check_command(ctx: ServiceContext, person: Person, command: str) -> bool:
    """True when ``person`` may run ``command``; otherwise refuse (reply and audit) and return False."""
    with ctx.uow() as session:
        if may_run(roles_of(session, person.telegram_user_id), command):
            return True
        refuse(session, person, command, ctx.clock.now())
        session.commit()
    return False
