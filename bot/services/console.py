"""The web console's sign-in: one-time links sent through the outbox, sessions, sign-out.

A staff member asks for a link with ``/console`` in their chat with the bot (or the first admin
gets one from ``saathi console link``); the link is valid for ``LINK_VALID`` and works once. Using
it opens a session: the browser holds a random id in a cookie, the database only its SHA-256
hash, so neither a copy of the database nor of the outbox signs anyone in once the link is spent.
Who the session belongs to and what they may see is read from the staff row on every request, so
deactivating a staff member or signing out everywhere takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session, func, select

from bot.domain.outgoing import Priority
from bot.i18n import t
from bot.services import access
from bot.services.context import Person, ServiceContext
from bot.services.outbox import enqueue
from storage.circles import queries as circles_db
from storage.console import queries as console_db
from storage.console.tables import ConsoleSession, ConsoleSignin
from storage.people import queries as people_db
from storage.people.tables import Center, Staff
from storage.safety.tables import AuditEntry

LINK_VALID = timedelta(minutes=10)
# A session ends after this long without a request, and in any case this long after sign-in.
SESSION_IDLE = timedelta(hours=12)
SESSION_MAX = timedelta(days=7)
# last_seen_at is written at most this often (not a write per page view)
SEEN_EVERY = timedelta(minutes=1)

ConsoleRole = Literal["counsellor", "facilitator", "admin"]


class ConsoleError(ValueError):
    """For the command line: who was asked for does not exist or cannot sign in."""


@dataclass(frozen=True)
class ConsoleUser:
    """Who is signed in, read from their staff row on every request."""

    staff_id: int
    center_id: int
    role: ConsoleRole
    language: str
    name: str
    own_members_only: bool


@dataclass(frozen=True)
class SignedIn:
    """A session just opened: the cookie's value and the session's CSRF token."""

    session_id: str
    csrf: str
    user: ConsoleUser


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(session: Session, staff: Staff, action: str, now: datetime) -> None:
    session.add(
        AuditEntry(actor_telegram_id=staff.telegram_user_id, staff_id=staff.id, action=action[:40], created_at=now)
    )


def _new_link(session: Session, staff: Staff, base_url: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSignin(token_hash=token_hash(token), staff_id=staff.id or 0, expires_at=now + LINK_VALID, created_at=now)
    )
    return f"{base_url.rstrip('/')}/signin/{token}"


def send_link(ctx: ServiceContext, person: Person) -> None:
    """``/console``: a one-time sign-in link to the staff member's own chat, through the outbox."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        staff = people_db.staff_by_telegram_id(session, person.telegram_user_id)
        if staff is None or not staff.active:  # the role gate refuses earlier; a race with deactivation
            access.refuse(session, person, "console", now)
        else:
            link = _new_link(session, staff, ctx.web_base_url, now)
            enqueue(
                session,
                chat_id=person.chat_id,
                staff_id=staff.id,
                now=now,
                priority=Priority.REPLY,
                purpose="console_link",
                protect=True,  # not forwardable: the link is a key for ten minutes
                text=t(staff.language, "console-link", link=link, minutes=int(LINK_VALID.total_seconds() // 60)),
            )
            _audit(session, staff, "console:link", now)
        session.commit()


def link_for(ctx: ServiceContext, name: str, center: str | None = None) -> str:
    """``saathi console link --name``: a link for an active staff member, printed for the first admin."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        query = select(Staff).where(func.lower(Staff.name) == name.strip().lower(), Staff.active)
        if center is not None:
            found = people_db.center_by_name(session, center)
            if found is None:
                raise ConsoleError(f"no centre named {center!r}")
            query = query.where(Staff.center_id == found.id)
        staff = list(session.exec(query).all())
        if not staff:
            raise ConsoleError(f"no active staff member named {name!r}")
        if len(staff) > 1:
            raise ConsoleError(f"more than one staff member is named {name!r}: add --center")
        link = _new_link(session, staff[0], ctx.web_base_url, now)
        _audit(session, staff[0], "console:link", now)
        session.commit()
    return link


def _user(session: Session, staff: Staff) -> ConsoleUser | None:
    center = session.get(Center, staff.center_id)
    if center is None or not staff.active:
        return None
    role: ConsoleRole
    if staff.role == "admin":
        role = "admin"
    elif staff.role == "counsellor" or not circles_db.circles_facilitated_by(session, staff.id or 0):
        role = "counsellor"
    else:
        role = "facilitator"
    return ConsoleUser(
        staff_id=staff.id or 0,
        center_id=staff.center_id,
        role=role,
        language=staff.language,
        name=staff.name,
        own_members_only=center.console_own_members_only,
    )


def sign_in(ctx: ServiceContext, token: str) -> SignedIn | None:
    """Spend a sign-in link: a new session, or None when the link is unknown, used or expired."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        signin = console_db.signin_by_hash(session, token_hash(token))
        if signin is None or signin.used_at is not None or signin.expires_at <= now:
            return None
        signin.used_at = now
        staff = session.get(Staff, signin.staff_id)
        user = _user(session, staff) if staff is not None else None
        if staff is None or user is None:
            session.commit()  # spent all the same
            return None
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        session.add(
            ConsoleSession(
                id_hash=token_hash(session_id), staff_id=staff.id or 0, csrf=csrf, created_at=now, last_seen_at=now
            )
        )
        _audit(session, staff, "console:signin", now)
        session.commit()
    return SignedIn(session_id=session_id, csrf=csrf, user=user)


def session_user(ctx: ServiceContext, session_id: str) -> tuple[ConsoleUser, str] | None:
    """The signed-in user and the session's CSRF token, or None (unknown, revoked, idle, too old)."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        row = console_db.live_session(session, token_hash(session_id))
        if row is None or now - row.last_seen_at > SESSION_IDLE or now - row.created_at > SESSION_MAX:
            return None
        staff = session.get(Staff, row.staff_id)
        user = _user(session, staff) if staff is not None else None
        if user is None:
            return None
        if now - row.last_seen_at > SEEN_EVERY:
            row.last_seen_at = now
            session.commit()
        return user, row.csrf


def sign_out(ctx: ServiceContext, session_id: str, *, everywhere: bool = False) -> None:
    """End this browser's session, or (``everywhere``) every session of its staff member."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        row = console_db.live_session(session, token_hash(session_id))
        if row is None:
            return
        staff = session.get(Staff, row.staff_id)
        if everywhere:
            console_db.revoke_sessions_of(session, row.staff_id, now)
        else:
            row.revoked_at = now
        if staff is not None:
            _audit(session, staff, "console:signout-all" if everywhere else "console:signout", now)
        session.commit()
