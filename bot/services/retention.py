"""The daily purge: what the centre promised to forget after a while, it forgets.

Circle message bodies after the centre's ``retention_circle_days`` (default 30), the text of
delivered messages after the same time, and check-in notes after ``retention_note_days``
(default 180). Dates, statuses and counts stay for the centre's statistics.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from bot.services.context import ServiceContext
from storage import retention_repositories as retention
from storage.models import Center

log = logging.getLogger(__name__)


def purge_expired(ctx: ServiceContext) -> dict[str, int]:
    now = ctx.clock.now()
    counts = {"circle_bodies": 0, "checkin_notes": 0, "outbox_texts": 0}
    with ctx.uow() as session:
        centres = session.exec(select(Center)).all()
        for center in centres:
            counts["circle_bodies"] += retention.purge_circle_bodies(session, center, now)
            counts["checkin_notes"] += retention.purge_checkin_notes(session, center, now)
        shortest = min((c.retention_circle_days for c in centres), default=30)
        counts["outbox_texts"] = retention.purge_sent_outbox_text(session, now - timedelta(days=shortest))
        session.commit()
    log.info("retention purge: %s", counts)  # counts only, never content
    return counts
