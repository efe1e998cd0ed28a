"""How a circle is run (schedule, stickers, counsellor) and closing it: the CLI's and admin's side."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain import relay as rules
from bot.services.circles.common import (
    center_tz,
    settings_row,
)
from bot.services.circles.meetings import plan_next
from bot.services.circles.membership import leave
from storage.circles import queries as circles_db
from storage.circles.tables import Circle, CircleSettings


def configure(
    session: Session,
    circle: Circle,
    now: datetime,
    *,
    schedule: rules.Schedule | None = None,
    allow_stickers: bool | None = None,
    counsellor_id: int | None = None,
    fallback_tz: str = "Asia/Kolkata",
) -> CircleSettings:
    """Set how a circle is run; a schedule plans its next meeting at once."""
    session.flush()
    settings = settings_row(session, circle, now)
    if allow_stickers is not None:
        settings.allow_stickers = allow_stickers
    if counsellor_id is not None:
        settings.counsellor_id = counsellor_id
    if schedule is not None:
        settings.schedule = schedule.describe()
        pending = circles_db.next_meeting(session, circle.id or 0)
        if pending is not None:
            session.delete(pending)
            session.flush()
        plan_next(session, circle, schedule, now, center_tz(session, circle, fallback_tz))
    return settings


def close(session: Session, circle: Circle, now: datetime) -> int:
    """Close a circle: everyone leaves (told kindly), no more meetings. Returns how many left."""
    settings = settings_row(session, circle, now)
    settings.closed_at = now
    pending = circles_db.next_meeting(session, circle.id or 0)
    if pending is not None:
        session.delete(pending)
    count = 0
    for _, member in circles_db.circle_members(session, circle.id or 0, receiving_only=False):
        leave(session, member, now, reason="closed")
        count += 1
    return count
