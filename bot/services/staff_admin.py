"""A centre admin's changes to staff, members' counsellors and circle sizes (the console's setup page).

Every use case takes the centre by id and refuses anything of another centre as if it did not exist.
Each change is audited (``admin.audit_change``) in the transaction that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from bot.services.admin import MAX_CIRCLE_CAPACITY, Actor, AdminError, audit_change
from bot.services.context import ServiceContext
from storage.circles import queries as circles_db
from storage.circles.tables import Circle
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus, Staff

STAFF_ROLES = ("counsellor", "admin")


@dataclass(frozen=True)
class StaffRow:
    id: int
    name: str
    role: str
    is_backup: bool
    active: bool
    linked: bool  # their Telegram account is bound
    reachable: bool
    members: int  # members (not left) they are the counsellor of


def staff_rows(ctx: ServiceContext, center_id: int) -> list[StaffRow]:
    """The centre's staff, active first, with how many members each counsels."""
    with ctx.uow() as session:
        counts = dict(
            session.exec(
                select(Member.counsellor_id, func.count())
                .where(Member.center_id == center_id, Member.status != MemberStatus.LEFT)
                .group_by(col(Member.counsellor_id))
            ).all()
        )
        staff = session.exec(
            select(Staff).where(Staff.center_id == center_id).order_by(col(Staff.active).desc(), col(Staff.id))
        ).all()
        return [
            StaffRow(
                id=s.id or 0,
                name=s.name,
                role=s.role,
                is_backup=s.is_backup,
                active=s.active,
                linked=s.telegram_user_id is not None,
                reachable=s.reachable,
                members=int(counts.get(s.id, 0)),
            )
            for s in staff
        ]


def _staff(session: Session, center_id: int, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None or staff.center_id != center_id:
        raise AdminError("no such staff member at this centre", "console-refused-no-staff")
    return staff


def set_backup(ctx: ServiceContext, center_id: int, staff_id: int, backup: bool, *, actor: Actor | None) -> Staff:
    """A backup counsellor gets alerts only when the member's own counsellor does not answer."""
    with ctx.uow() as session:
        staff = _staff(session, center_id, staff_id)
        if staff.role != "counsellor":
            raise AdminError("only a counsellor can be a backup", "console-refused-backup-counsellor")
        staff.is_backup = backup
        audit_change(session, actor, "staff_backup_on" if backup else "staff_backup_off", ctx.clock.now())
        session.commit()
        return staff


def deactivate(
    ctx: ServiceContext, center_id: int, staff_id: int, *, move_to: int | None = None, actor: Actor | None
) -> int:
    """Stop a staff member's access and alerts. Their members move to ``move_to`` (or the centre's first
    counsellor) in the same transaction, so no member is left without someone to alert. Returns how
    many moved."""
    with ctx.uow() as session:
        staff = _staff(session, center_id, staff_id)
        if not staff.active:
            raise AdminError("already deactivated", "console-refused-already-deactivated")
        if actor is not None and actor.staff_id == staff.id:
            raise AdminError("you cannot deactivate yourself", "console-refused-deactivate-self")
        if staff.role == "admin" and _active_admins(session, center_id) <= 1:
            raise AdminError("the centre's last admin cannot be deactivated", "console-refused-last-admin")
        staff.active = False
        session.flush()
        members = session.exec(
            select(Member).where(Member.counsellor_id == staff.id, Member.status != MemberStatus.LEFT)
        ).all()
        if members:
            target = (
                _counsellor(session, center_id, move_to)
                if move_to
                else people_db.default_counsellor(session, center_id)
            )
            if target is None:
                raise AdminError(
                    "add another counsellor first: their members need someone", "console-refused-no-counsellor-left"
                )
            for member in members:
                member.counsellor_id = target.id
        now = ctx.clock.now()
        audit_change(session, actor, "staff_deactivate", now)
        session.commit()
        return len(members)


def _active_admins(session: Session, center_id: int) -> int:
    return len(
        session.exec(select(Staff.id).where(Staff.center_id == center_id, Staff.active, Staff.role == "admin")).all()
    )


def _counsellor(session: Session, center_id: int, staff_id: int) -> Staff:
    staff = _staff(session, center_id, staff_id)
    if not staff.active or staff.role != "counsellor":
        raise AdminError("members can only be given to an active counsellor", "console-refused-inactive-counsellor")
    return staff


def reassign_member(
    ctx: ServiceContext, center_id: int, pseudonym: str, counsellor_id: int, *, actor: Actor | None
) -> str:
    """Give a member another counsellor: from now on their alerts and reviews go to them. Returns the
    counsellor's name."""
    with ctx.uow() as session:
        member = people_db.member_by_pseudonym(session, center_id, pseudonym.strip())
        if member is None:
            raise AdminError(
                f"no member with the pseudonym {pseudonym.strip()!r} at this centre",
                "console-refused-no-member",
                pseudonym=pseudonym.strip(),
            )
        counsellor = _counsellor(session, center_id, counsellor_id)
        member.counsellor_id = counsellor.id
        audit_change(session, actor, "member_reassign", ctx.clock.now(), member_id=member.id)
        session.commit()
        return counsellor.name


def set_circle_capacity(
    ctx: ServiceContext, center_id: int, circle_id: int, capacity: int, *, actor: Actor | None
) -> Circle:
    if not 2 <= capacity <= MAX_CIRCLE_CAPACITY:
        raise AdminError(
            f"capacity must be between 2 and {MAX_CIRCLE_CAPACITY}", "console-refused-capacity", max=MAX_CIRCLE_CAPACITY
        )
    with ctx.uow() as session:
        circle = session.get(Circle, circle_id)
        if circle is None or circle.center_id != center_id:
            raise AdminError("no such circle at this centre", "console-refused-no-circle")
        members = circles_db.member_count(session, circle_id)
        if capacity < members:
            raise AdminError(
                f"the circle has {members} members: capacity cannot be lower",
                "console-refused-capacity-below-members",
                members=members,
            )
        circle.capacity = capacity
        audit_change(session, actor, "circle_capacity", ctx.clock.now())
        session.commit()
        return circle


__all__ = [
    "STAFF_ROLES",
    "StaffRow",
    "deactivate",
    "reassign_member",
    "set_backup",
    "set_circle_capacity",
    "staff_rows",
]
