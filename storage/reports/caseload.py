"""The console's caseload: a centre's members with their last check-in, streak, missed days, open alert,
sponsor and circle, most at risk first, a page at a time.

A handful of statements whatever the centre's size: one ranks the page (each member's missed days and
last completed day in the last 14 read by two seeks into ``ix_checkin_member_status_day``, the open
escalations joined, sorted and cut in SQL; by name, the page's members are chosen first and only they
are counted), one counts, and three small ones fill the page's rows (sponsor, circle, streak). No names,
no texts: the caseload is pseudonymous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
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


def _figures(q: CaseloadQuery) -> tuple[Any, Any, Any]:
    """Correlated counts for one member row: check-ins missed (unanswered) in the last 14 days and the last
    completed day among them; each is one seek into ``ix_checkin_member_status_day``, so a member costs the
    same whatever the centre's size, and only the members a statement keeps are counted."""
    member, checkin = table_of(Member).c, table_of(Checkin).c
    since = q.today - timedelta(days=MISSED_WINDOW_DAYS - 1)
    window = (checkin.member_id == member.id, checkin.local_date >= since, checkin.local_date <= q.today)
    missed = (
        select(func.count())
        .where(*window, checkin.status == CheckinStatus.MISSED, checkin.mood.is_(None))
        .scalar_subquery()
        .label("missed")
    )
    last_done = (
        select(func.max(checkin.local_date))
        .where(*window, checkin.status == CheckinStatus.COMPLETED)
        .scalar_subquery()
        .label("last_done")
    )
    esc = table_of(Escalation).c
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
    return missed, last_done, alerts


def rank_page(session: Session, q: CaseloadQuery) -> tuple[list[RankedMember], int]:
    """One page of the caseload in the order asked, and how many members match in all.

    By name, the page's members are chosen first and only they are counted. Most at risk first, every
    matching member is counted (two index seeks each, no scan of the centre's fortnight) and sorted in SQL.
    """
    member_t = table_of(Member)
    member = member_t.c
    missed, last_done, alerts = _figures(q)
    statement = (
        select(
            member.id,
            member.pseudonym,
            member.status,
            member.counsellor_id,
            missed,
            last_done,
            alerts.c.level,
            func.coalesce(alerts.c.open, 0),
        )
        .select_from(member_t)
        .outerjoin(alerts, alerts.c.member_id == member.id)
    )
    if q.order == "name":
        page_ids = (
            select(member.id)
            .where(*_filters(q))
            .order_by(member.pseudonym, member.id)
            .limit(q.limit)
            .offset(q.offset)
            .scalar_subquery()
        )
        statement = statement.where(member.id.in_(page_ids)).order_by(member.pseudonym, member.id)
    else:
        statement = (
            statement.where(*_filters(q))
            .order_by(
                func.coalesce(alerts.c.level, 0).desc(),
                func.coalesce(alerts.c.open, 0).desc(),
                missed.desc(),
                last_done.asc().nulls_first(),  # no completed check-in in the window sorts before any day in it
                member.pseudonym,
                member.id,
            )
            .limit(q.limit)
            .offset(q.offset)
        )
    rows = session.execute(statement).all()
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
