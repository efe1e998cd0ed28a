"""The console's caseload: a centre's members with their last check-in, streak, missed days, open alert,
sponsor and circle, most at risk first, a page at a time.

A handful of statements whatever the centre's size: one ranks the page (the last 14 days of check-ins
aggregated per member and the open escalations, joined to the members, sorted and cut in SQL), one
counts, and three small ones fill the page's rows (sponsor, circle, streak). No names, no texts: the
caseload is pseudonymous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from storage.checkins.tables import Checkin, CheckinStatus
from storage.circles.tables import Circle, CircleMembership
from storage.people.tables import Member, MemberStatus
from storage.safety.tables import Escalation, EscalationState
from storage.sponsors.tables import LinkState, Sponsor, SponsorLink
from storage.types import table_of

MISSED_WINDOW_DAYS = 14
LIVE_ALERT = (EscalationState.OPEN, EscalationState.ACKNOWLEDGED)


@dataclass(frozen=True)
class CaseloadQuery:
    center_id: int
    today: date
    counsellor_id: int | None = None  # only this counsellor's members
    search: str = ""  # part of a pseudonym
    status: str | None = None  # one MemberStatus; None: everyone but those who left
    order: str = "risk"  # risk | name
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class RankedMember:
    member_id: int
    pseudonym: str
    status: str
    counsellor_id: int | None
    missed_14: int
    last_done: date | None  # within the 14 days; older ones are filled in by ``last_completed``
    alert_level: int | None
    alert_open: bool


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(q: CaseloadQuery) -> list[Any]:
    member = table_of(Member).c
    where: list[Any] = [member.center_id == q.center_id]
    if q.counsellor_id is not None:
        where.append(member.counsellor_id == q.counsellor_id)
    if q.status:
        where.append(member.status == q.status)
    else:
        where.append(member.status != MemberStatus.LEFT)
    if q.search.strip():
        where.append(member.pseudonym.ilike(f"%{_escape_like(q.search.strip())}%", escape="\\"))
    return where


def rank_page(session: Session, q: CaseloadQuery) -> tuple[list[RankedMember], int]:
    """One page of the caseload in the order asked, and how many members match in all."""
    member_t, checkin_t, esc_t = table_of(Member), table_of(Checkin), table_of(Escalation)
    member, checkin, esc = member_t.c, checkin_t.c, esc_t.c
    since = q.today - timedelta(days=MISSED_WINDOW_DAYS - 1)
    recent = (
        select(
            checkin.member_id.label("member_id"),
            func.sum(case((and_(checkin.status == CheckinStatus.MISSED, checkin.mood.is_(None)), 1), else_=0)).label(
                "missed"
            ),
            func.max(case((checkin.status == CheckinStatus.COMPLETED, checkin.local_date), else_=None)).label(
                "last_done"
            ),
        )
        .join_from(checkin_t, member_t, member.id == checkin.member_id)
        .where(checkin.local_date >= since, checkin.local_date <= q.today, *_filters(q))
        .group_by(checkin.member_id)
        .subquery("recent")
    )
    alerts = (
        select(
            esc.member_id.label("member_id"),
            func.max(esc.level).label("level"),
            func.max(case((esc.state == EscalationState.OPEN, 1), else_=0)).label("open"),
        )
        .where(esc.center_id == q.center_id, esc.state.in_(LIVE_ALERT))
        .group_by(esc.member_id)
        .subquery("alerts")
    )
    missed = func.coalesce(recent.c.missed, 0)
    statement = (
        select(
            member.id,
            member.pseudonym,
            member.status,
            member.counsellor_id,
            cast(missed, Integer),
            recent.c.last_done,
            alerts.c.level,
            func.coalesce(alerts.c.open, 0),
        )
        .select_from(member_t)
        .outerjoin(recent, recent.c.member_id == member.id)
        .outerjoin(alerts, alerts.c.member_id == member.id)
        .where(*_filters(q))
    )
    if q.order == "name":
        statement = statement.order_by(member.pseudonym, member.id)
    else:
        statement = statement.order_by(
            func.coalesce(alerts.c.level, 0).desc(),
            func.coalesce(alerts.c.open, 0).desc(),
            missed.desc(),
            # no completed check-in in the window sorts before any day in it
            func.coalesce(recent.c.last_done, literal(date(1970, 1, 1))),
            member.pseudonym,
            member.id,
        )
    rows = session.execute(statement.limit(q.limit).offset(q.offset)).all()
    total = int(session.execute(select(func.count()).select_from(member_t).where(*_filters(q))).scalar_one())
    page = [
        RankedMember(
            member_id=row[0],
            pseudonym=row[1],
            status=row[2],
            counsellor_id=row[3],
            missed_14=int(row[4] or 0),
            last_done=row[5],
            alert_level=row[6],
            alert_open=bool(row[7]),
        )
        for row in rows
    ]
    return page, total


def last_completed(session: Session, member_ids: Sequence[int]) -> dict[int, date]:
    """The last completed check-in day of each of these members (a page's worth), ever."""
    if not member_ids:
        return {}
    checkin = table_of(Checkin).c
    rows = session.execute(
        select(checkin.member_id, func.max(checkin.local_date))
        .where(checkin.member_id.in_(list(member_ids)), checkin.status == CheckinStatus.COMPLETED)
        .group_by(checkin.member_id)
    ).all()
    return {member_id: day for member_id, day in rows}


def completed_days(session: Session, member_ids: Sequence[int], since: date) -> dict[int, set[date]]:
    """Completed check-in days since ``since`` of these members, for their streaks."""
    result: dict[int, set[date]] = {m: set() for m in member_ids}
    if not member_ids:
        return result
    checkin = table_of(Checkin).c
    rows = session.execute(
        select(checkin.member_id, checkin.local_date).where(
            checkin.member_id.in_(list(member_ids)),
            checkin.local_date >= since,
            checkin.status == CheckinStatus.COMPLETED,
        )
    ).all()
    for member_id, day in rows:
        result[member_id].add(day)
    return result


def sponsors_of(session: Session, member_ids: Sequence[int]) -> dict[int, str]:
    """Each member's active sponsor as shown to staff: a member sponsor's pseudonym or a volunteer's."""
    if not member_ids:
        return {}
    link_t, sponsor_t, member_t = table_of(SponsorLink), table_of(Sponsor), table_of(Member)
    link, sponsor, member = link_t.c, sponsor_t.c, member_t.c
    rows = session.execute(
        select(link.mentee_id, func.coalesce(member.pseudonym, sponsor.pseudonym))
        .select_from(link_t)
        .join(sponsor_t, sponsor.id == link.sponsor_id)
        .outerjoin(member_t, member.id == sponsor.member_id)
        .where(link.mentee_id.in_(list(member_ids)), link.state == LinkState.ACTIVE)
    ).all()
    return {mentee: name for mentee, name in rows if name}


def circles_of(session: Session, member_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """Each member's current circle: (id, name)."""
    if not member_ids:
        return {}
    membership_t, circle_t = table_of(CircleMembership), table_of(Circle)
    membership, circle = membership_t.c, circle_t.c
    rows = session.execute(
        select(membership.member_id, circle.id, circle.name)
        .join_from(membership_t, circle_t, circle.id == membership.circle_id)
        .where(membership.member_id.in_(list(member_ids)), membership.left_at.is_(None))
        .order_by(membership.id)
    ).all()
    return {member_id: (circle_id, name) for member_id, circle_id, name in rows}


def member_in_scope(session: Session, member_id: int, center_id: int, counsellor_id: int | None) -> Member | None:
    """The member if they belong to this centre (and to this counsellor, when given); else None (a 404)."""
    member = session.get(Member, member_id)
    if member is None or member.center_id != center_id:
        return None
    if counsellor_id is not None and member.counsellor_id != counsellor_id:
        return None
    return member


__all__ = [
    "MISSED_WINDOW_DAYS",
    "CaseloadQuery",
    "RankedMember",
    "circles_of",
    "completed_days",
    "last_completed",
    "member_in_scope",
    "rank_page",
    "sponsors_of",
]
