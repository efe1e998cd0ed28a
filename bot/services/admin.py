"""What a centre admin does from the command line: centres, staff, invites, circles, status.

The admin CLI is the only way to create staff.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from bot.domain.relay import ScheduleError, parse_schedule
from bot.domain.whatsapp.invite import wa_me_link
from bot.services.circles import admin as circle_admin
from bot.services.circles import membership as circle_membership
from bot.services.circles.common import CircleError
from bot.services.context import ServiceContext
from storage import inbox
from storage.channels import queries as channels_db
from storage.channels.tables import Channel
from storage.circles import queries as circles_db
from storage.circles.tables import Circle
from storage.outbox import queries as outbox_db
from storage.people import queries as people_db
from storage.people.tables import Center, InviteCode, Member, Staff
from storage.safety import queries as safety_db
from storage.safety.tables import AuditEntry

# No 0/O or 1/I/L: codes are read aloud and typed on small keyboards.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CIRCLE_KINDS = ("12_step", "self_help", "therapist", "alumni")
MAX_CIRCLE_CAPACITY = 12


class AdminError(ValueError):
    """A readable reason the admin command could not be done: the message (English, for the terminal)
    and, where the console can cause it, ``key`` and ``values``: its message id in the catalogs
    (``console-refused-*``), so a page says it in the staff member's language."""

    def __init__(self, message: str, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Invite:
    code: str
    link: str
    expires_at: datetime | None
    # https://wa.me/<number>?text=START%20<CODE> when the centre has a WhatsApp number (else None)
    whatsapp_link: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who made a change from somewhere other than the terminal (the console): it is audited as
    ``<via>:<what>``. The command line passes none: whoever runs it already holds the database."""

    staff_id: int
    telegram_user_id: int | None = None
    via: str = "console"


def audit_change(session: Session, actor: Actor | None, what: str, now: datetime, member_id: int | None = None) -> None:
    if actor is None:
        return
    session.add(
        AuditEntry(
            actor_telegram_id=actor.telegram_user_id,
            staff_id=actor.staff_id,
            member_id=member_id,
            action=f"{actor.via}:{what}"[:40],
            created_at=now,
        )
    )


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def _bot_of(ctx: ServiceContext, session: Session, center: Center) -> str:
    """The bot a centre's links open: its own Telegram bot once that has run (its name is known), else
    the ``.env`` bot (which takes every centre's codes)."""
    return channels_db.telegram_username(session, center.id or 0) or ctx.bot_username


def _center(session: Session, name: str) -> Center:
    center = people_db.center_by_name(session, name)
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
        if people_db.center_by_name(session, name) is not None:
            raise AdminError(f"a centre named {name!r} already exists")
        center = Center(
            name=name, timezone=timezone, helpline=(helpline or "").strip() or None, created_at=ctx.clock.now()
        )
        session.add(center)
        session.commit()
        return center


# How long each kind of record is kept, in days: the CLI option is the name with dashes, (lowest, highest).
RETENTION_RANGES = {
    "retention_circle_days": (1, 365),  # circle message bodies, and the text of delivered messages
    "retention_note_days": (7, 3650),  # check-in notes
    "retention_escalation_days": (30, 3650),  # resolved escalations and their events, after resolution
    "retention_craving_days": (7, 3650),  # craving logs
    "retention_audit_days": (30, 3650),  # the audit log
}


def configure_center(
    ctx: ServiceContext,
    name: str,
    *,
    helpline: str | None = None,
    ack_urgent_minutes: int | None = None,
    ack_concern_minutes: int | None = None,
    allow_paid_broadcast: bool | None = None,
    own_members_only: bool | None = None,
    actor: Actor | None = None,
    **retention: int | None,
) -> Center:
    """Per-centre settings: helplines members see, how long an alert may wait for acknowledgement, how
    long records are kept (``RETENTION_RANGES``), and whether counsellors see only their own members in
    the console."""
    if ack_urgent_minutes is not None and not 1 <= ack_urgent_minutes <= 60:
        raise AdminError("--ack-urgent-minutes must be between 1 and 60", "console-refused-ack-urgent")
    if ack_concern_minutes is not None and not 5 <= ack_concern_minutes <= 24 * 60:
        raise AdminError("--ack-concern-minutes must be between 5 and 1440", "console-refused-ack-concern")
    for setting, days in retention.items():
        low, high = RETENTION_RANGES[setting]
        if days is not None and not low <= days <= high:
            raise AdminError(
                f"--{setting.replace('_', '-')} must be between {low} and {high}",
                "console-refused-retention",
                low=low,
                high=high,
            )
    with ctx.uow() as session:
        center = _center(session, name)
        if helpline is not None:
            center.helpline = helpline.strip() or None
        if ack_urgent_minutes is not None:
            center.ack_urgent_minutes = ack_urgent_minutes
        if ack_concern_minutes is not None:
            center.ack_concern_minutes = ack_concern_minutes
        for setting, days in retention.items():
            if days is not None:
                setattr(center, setting, days)
        if allow_paid_broadcast is not None:
            # Paid broadcasts cost Telegram Stars (0.1 a message) from the bot's balance.
            center.allow_paid_broadcast = allow_paid_broadcast
        if own_members_only is not None:
            center.console_own_members_only = own_members_only
        audit_change(session, actor, "center_settings", ctx.clock.now())
        session.commit()
        return center


def add_counsellor(
    ctx: ServiceContext,
    center_name: str,
    name: str,
    *,
    telegram_id: int | None = None,
    backup: bool = False,
    role: str = "counsellor",
    actor: Actor | None = None,
) -> tuple[Staff, str | None]:
    """Returns the staff row and, without a Telegram id, a one-time link that binds their account."""
    if not name.strip():
        raise AdminError("the counsellor needs a name", "console-refused-staff-name")
    with ctx.uow() as session:
        center = _center(session, center_name)
        if telegram_id is not None and people_db.staff_by_telegram_id(session, telegram_id) is not None:
            raise AdminError(
                "that Telegram account is already linked to a staff member", "console-refused-telegram-linked"
            )
        code = None if telegram_id is not None else "staff-" + secrets.token_urlsafe(12).replace("_", "x")
        staff = Staff(
            center_id=center.id or 0,
            name=name.strip(),
            role=role,
            is_backup=backup,
            telegram_user_id=telegram_id,
            chat_id=telegram_id,
            link_code=code,
            created_at=ctx.clock.now(),
        )
        session.add(staff)
        session.flush()
        # Members who joined before any counsellor existed get this one (an admin is nobody's counsellor).
        if not backup and role == "counsellor":
            for member in session.exec(
                select(Member).where(Member.center_id == center.id, col(Member.counsellor_id).is_(None))
            ):
                member.counsellor_id = staff.id
        audit_change(session, actor, "staff_add", ctx.clock.now())
        session.commit()
        return staff, (deep_link(_bot_of(ctx, session, center), code) if code else None)


def create_invites(
    ctx: ServiceContext,
    center_name: str,
    *,
    circle_name: str | None = None,
    count: int = 1,
    expires_days: int | None = 14,
    actor: Actor | None = None,
) -> list[Invite]:
    if not 1 <= count <= 500:
        raise AdminError("--count must be between 1 and 500", "console-refused-invite-count")
    if expires_days is not None and not 1 <= expires_days <= 365:
        raise AdminError("--expires must be between 1 and 365 days", "console-refused-invite-days")
    now = ctx.clock.now()
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    with ctx.uow() as session:
        center = _center(session, center_name)
        circle_id = None
        if circle_name:
            circle = session.exec(
                select(Circle).where(Circle.center_id == center.id, Circle.name == circle_name)
            ).first()
            if circle is None:
                raise AdminError(
                    f"no circle named {circle_name!r} at {center.name}",
                    "console-refused-no-circle-named",
                    name=circle_name,
                )
            circle_id = circle.id
            # every seat is a member or an invite still open: more invites than seats would leave some
            # people holding an invitation to a circle with no room for them
            free = (
                circle.capacity
                - circles_db.member_count(session, circle.id or 0)
                - people_db.open_invites_for_circle(session, circle.id or 0, now)
            )
            if count > free:
                raise AdminError(
                    f"the circle {circle.name!r} has room for {max(free, 0)} more (capacity "
                    f"{circle.capacity}, counting members and open invites)",
                    "console-refused-circle-full",
                    name=circle.name,
                    free=max(free, 0),
                    capacity=circle.capacity,
                )
        number = channels_db.whatsapp_number(session, center.id or 0)
        bot = _bot_of(ctx, session, center)
        invites = []
        for _ in range(count):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
            session.add(
                InviteCode(
                    code=code, center_id=center.id or 0, circle_id=circle_id, expires_at=expires_at, created_at=now
                )
            )
            wa_link = wa_me_link(number, code) if number else None
            invites.append(Invite(code, deep_link(bot, code), expires_at, wa_link))
        audit_change(session, actor, "invites_create", now)
        session.commit()
        return invites


def add_circle(
    ctx: ServiceContext,
    center_name: str,
    name: str,
    *,
    kind: str = "self_help",
    language: str = "en",
    capacity: int = 8,
    facilitator: str | None = None,
    schedule: str | None = None,
    allow_stickers: bool = False,
    actor: Actor | None = None,
) -> Circle:
    if kind not in CIRCLE_KINDS:
        raise AdminError(f"--type must be one of {', '.join(CIRCLE_KINDS)}", "console-refused-circle-kind")
    if not 2 <= capacity <= MAX_CIRCLE_CAPACITY:
        raise AdminError(
            f"--capacity must be between 2 and {MAX_CIRCLE_CAPACITY}",
            "console-refused-capacity",
            max=MAX_CIRCLE_CAPACITY,
        )
    try:
        meets = parse_schedule(schedule) if schedule else None
    except ScheduleError as exc:
        raise AdminError(f"--schedule: {exc}", "console-refused-schedule") from None
    with ctx.uow() as session:
        center = _center(session, center_name)
        facilitator_id = None
        if facilitator:
            staff = session.exec(select(Staff).where(Staff.center_id == center.id, Staff.name == facilitator)).first()
            if staff is None:
                raise AdminError(
                    f"no staff member named {facilitator!r} at {center.name}",
                    "console-refused-no-staff-named",
                    name=facilitator,
                )
            facilitator_id = staff.id
        if session.exec(select(Circle).where(Circle.center_id == center.id, Circle.name == name)).first():
            raise AdminError(
                f"a circle named {name!r} already exists at {center.name}", "console-refused-circle-exists", name=name
            )
        circle = Circle(
            center_id=center.id or 0,
            name=name,
            kind=kind,
            language=language,
            capacity=capacity,
            facilitator_id=facilitator_id,
            created_at=ctx.clock.now(),
        )
        session.add(circle)
        circle_admin.configure(session, circle, ctx.clock.now(), schedule=meets, allow_stickers=allow_stickers)
        audit_change(session, actor, "circle_add", ctx.clock.now())
        session.commit()
        return circle


def list_circles(ctx: ServiceContext, center_name: str) -> list[dict[str, object]]:
    """The centre's circles: no member names, only counts."""
    with ctx.uow() as session:
        center = _center(session, center_name)
        rows: list[dict[str, object]] = []
        for circle in circles_db.circles_of_center(session, center.id or 0):
            settings = circles_db.settings_of(session, circle.id or 0)
            facilitator = session.get(Staff, circle.facilitator_id) if circle.facilitator_id else None
            rows.append(
                {
                    "id": circle.id,
                    "name": circle.name,
                    "type": circle.kind,
                    "language": circle.language,
                    "members": circles_db.member_count(session, circle.id or 0),
                    "capacity": circle.capacity,
                    "facilitator": facilitator.name if facilitator else None,
                    "schedule": settings.schedule if settings else None,
                    "closed": bool(settings and settings.closed_at),
                }
            )
        return rows


def _member_and_circle(
    session: Session, center_name: str, pseudonym: str, circle_name: str | None
) -> tuple[Member, Circle | None]:
    center = _center(session, center_name)
    member = people_db.member_by_pseudonym(session, center.id or 0, pseudonym)
    if member is None:
        raise AdminError(f"no member with the pseudonym {pseudonym!r} at {center.name}")
    circle = circles_db.circle_by_name(session, center.id or 0, circle_name) if circle_name else None
    if circle_name and circle is None:
        raise AdminError(
            f"no circle named {circle_name!r} at {center.name}", "console-refused-no-circle-named", name=circle_name
        )
    return member, circle


def assign_to_circle(ctx: ServiceContext, center_name: str, pseudonym: str, circle_name: str) -> str:
    """Put a member in a circle, moving them out of any other. Returns the circle's name."""
    with ctx.uow() as session:
        member, circle = _member_and_circle(session, center_name, pseudonym, circle_name)
        assert circle is not None
        try:
            circle_membership.join(session, member, circle, ctx.clock.now())
        except CircleError as exc:
            raise AdminError(str(exc)) from None
        session.commit()
        return circle.name


def remove_from_circle(
    ctx: ServiceContext, center_name: str, *, pseudonym: str | None = None, circle_name: str | None = None
) -> str:
    """Take a member out of their circle, or (with only a circle) close the circle. Returns what was done."""
    with ctx.uow() as session:
        now = ctx.clock.now()
        if pseudonym:
            member, _ = _member_and_circle(session, center_name, pseudonym, None)
            left = circle_membership.leave(session, member, now, reason="removed")
            if left is None:
                raise AdminError(f"{member.pseudonym} is not in a circle")
            session.commit()
            return f"{member.pseudonym} removed from {left.name!r}"
        center = _center(session, center_name)
        circle = circles_db.circle_by_name(session, center.id or 0, circle_name or "")
        if circle is None:
            raise AdminError(f"no circle named {circle_name!r} at {center.name} (give --member or --circle)")
        count = circle_admin.close(session, circle, now)
        session.commit()
        return f"circle {circle.name!r} closed; {count} member(s) left it"


def status(ctx: ServiceContext, *, rate_per_second: float | None = None) -> dict[str, object]:
    """Counts an admin can read at a glance; no names, no message text.

    ``outbox`` holds the backlog: rows ``due`` now, how late the oldest is, and (given the
    sender's ``rate_per_second``) about how long they take to drain."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        members = session.exec(select(Member.status)).all()
        by_status: dict[str, int] = {}
        for value in members:
            by_status[value] = by_status.get(value, 0) + 1
        unlinked = session.exec(select(Staff).where(Staff.active, col(Staff.chat_id).is_(None))).all()
        centers = channels_db.center_names(session)
        return {
            "centres": len(session.exec(select(Center.id)).all()),
            "members": by_status,
            "staff_not_linked": len(unlinked),
            "outbox": outbox_db.outbox_backlog(session, now, rate=rate_per_second),
            # updates stored and not yet handled (the database was away, or a handler is retrying), and
            # updates given up after repeated failures (the member was told; the log has their ids)
            "inbox": inbox.counts(session),
            "escalations_unacknowledged_at_last_step": safety_db.count_unreachable_escalations(session),
            "staff_unreachable": len(
                session.exec(select(Staff).where(Staff.active, col(Staff.reachable).is_(False))).all()
            ),
            # WhatsApp: messages waiting for the person's next message (the window is closed and no
            # template may carry them), and those of them waiting because a template is not approved yet
            "whatsapp": channels_db.waiting_counts(session),
            # the centres' own Telegram bots (no tokens), and messages given up because the bot they were
            # meant for was deactivated or removed and the .env bot could not reach the person either
            "telegram_accounts": [
                {"name": a.name, "center": centers.get(a.center_id, "?"), "username": a.username, "active": a.active}
                for a in channels_db.accounts(session, Channel.TELEGRAM)
            ],
            "outbox_account_gone": outbox_db.account_gone_count(session),
        }
