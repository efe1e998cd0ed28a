"""What a centre admin does from the command line: centres, staff, invites, circles, status.

The admin CLI is the only way to create staff.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from storage import repositories as repo
from storage.models import Center, Circle, InviteCode, Member, Staff

from bot.services.context import ServiceContext

# No 0/O or 1/I/L: codes are read aloud and typed on small keyboards.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CIRCLE_KINDS = ("12_step", "self_help", "therapist", "alumni")
MAX_CIRCLE_CAPACITY = 12


class AdminError(ValueError):
    """A readable reason the admin command could not be done."""


@dataclass(frozen=True)
class Invite:
    code: str
    link: str
    expires_at: datetime | None


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def _center(session: Session, name: str) -> Center:
    center = repo.center_by_name(session, name)
    if center is None:
        raise AdminError(f"no centre named {name!r} (create it with: saathi center add)")
    return center


def add_center(ctx: ServiceContext, name: str, timezone: str, helpline: str | None = None) -> Center:
    name = name.strip()
    if not name:
        raise AdminError("the centre needs a name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AdminError(f"{timezone!r} is not a known time zone (for example Asia/Kolkata)") from None
    with ctx.uow() as session:
        if repo.center_by_name(session, name) is not None:
            raise AdminError(f"a centre named {name!r} already exists")
        center = Center(name=name, timezone=timezone, helpline=(helpline or "").strip() or None, created_at=ctx.clock.now())
        session.add(center)
        session.commit()
        return center


def add_counsellor(ctx: ServiceContext, center_name: str, name: str, *, telegram_id: int | None = None,
                   backup: bool = False, role: str = "counsellor") -> tuple[Staff, str | None]:
    """Returns the staff row and, without a Telegram id, a one-time link that binds their account."""
    if not name.strip():
        raise AdminError("the counsellor needs a name")
    with ctx.uow() as session:
        center = _center(session, center_name)
        if telegram_id is not None and repo.staff_by_telegram_id(session, telegram_id) is not None:
            raise AdminError("that Telegram account is already linked to a staff member")
        code = None if telegram_id is not None else "staff-" + secrets.token_urlsafe(12).replace("_", "x")
        staff = Staff(center_id=center.id or 0, name=name.strip(), role=role, is_backup=backup,
                      telegram_user_id=telegram_id, chat_id=telegram_id, link_code=code, created_at=ctx.clock.now())
        session.add(staff)
        session.flush()
        # Members who joined before any counsellor existed get this one.
        if not backup:
            for member in session.exec(select(Member).where(Member.center_id == center.id, Member.counsellor_id == None)):  # noqa: E711
                member.counsellor_id = staff.id
        session.commit()
        return staff, (deep_link(ctx.bot_username, code) if code else None)


def create_invites(ctx: ServiceContext, center_name: str, *, circle_name: str | None = None, count: int = 1,
                   expires_days: int | None = 14) -> list[Invite]:
    if not 1 <= count <= 500:
        raise AdminError("--count must be between 1 and 500")
    if expires_days is not None and not 1 <= expires_days <= 365:
        raise AdminError("--expires must be between 1 and 365 days")
    now = ctx.clock.now()
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    with ctx.uow() as session:
        center = _center(session, center_name)
        circle_id = None
        if circle_name:
            circle = session.exec(select(Circle).where(Circle.center_id == center.id, Circle.name == circle_name)).first()
            if circle is None:
                raise AdminError(f"no circle named {circle_name!r} at {center.name}")
            circle_id = circle.id
        invites = []
        for _ in range(count):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
            session.add(InviteCode(code=code, center_id=center.id or 0, circle_id=circle_id, expires_at=expires_at,
                                   created_at=now))
            invites.append(Invite(code, deep_link(ctx.bot_username, code), expires_at))
        session.commit()
        return invites


def add_circle(ctx: ServiceContext, center_name: str, name: str, *, kind: str = "self_help", language: str = "en",
               capacity: int = 8, facilitator: str | None = None) -> Circle:
    if kind not in CIRCLE_KINDS:
        raise AdminError(f"--type must be one of {', '.join(CIRCLE_KINDS)}")
    if not 2 <= capacity <= MAX_CIRCLE_CAPACITY:
        raise AdminError(f"--capacity must be between 2 and {MAX_CIRCLE_CAPACITY}")
    with ctx.uow() as session:
        center = _center(session, center_name)
        facilitator_id = None
        if facilitator:
            staff = session.exec(select(Staff).where(Staff.center_id == center.id, Staff.name == facilitator)).first()
            if staff is None:
                raise AdminError(f"no staff member named {facilitator!r} at {center.name}")
            facilitator_id = staff.id
        if session.exec(select(Circle).where(Circle.center_id == center.id, Circle.name == name)).first():
            raise AdminError(f"a circle named {name!r} already exists at {center.name}")
        circle = Circle(center_id=center.id or 0, name=name, kind=kind, language=language, capacity=capacity,
                        facilitator_id=facilitator_id, created_at=ctx.clock.now())
        session.add(circle)
        session.commit()
        return circle


def status(ctx: ServiceContext) -> dict[str, object]:
    """Counts an admin can read at a glance; no names, no message text."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        members = session.exec(select(Member.status)).all()
        by_status: dict[str, int] = {}
        for value in members:
            by_status[value] = by_status.get(value, 0) + 1
        unlinked = session.exec(select(Staff).where(Staff.active, Staff.chat_id == None)).all()  # noqa: E711
        return {
            "centres": len(session.exec(select(Center.id)).all()),
            "members": by_status,
            "staff_not_linked": len(unlinked),
            "outbox": repo.outbox_backlog(session, now),
        }
