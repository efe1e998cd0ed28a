"""The daily purge: what the centre promised to forget after a while, it forgets.

Per centre (``saathi center set --retention-…-days``): circle message bodies after
``retention_circle_days`` (default 30), and the text of delivered messages after the same time;
check-in notes after ``retention_note_days`` (180); resolved escalations with their events
``retention_escalation_days`` (730) after resolution; craving logs after ``retention_craving_days``
(365); audit entries after ``retention_audit_days`` (730). Texts are emptied where dates and counts
serve the centre's statistics (circle messages, check-ins); escalations, cravings and audit entries,
which are the record itself, are deleted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from bot.services.context import ServiceContext
from storage import retention as retention_db
from storage.people.tables import Center

log = logging.getLogger(__name__)


def purge_expired(ctx: ServiceContext) -> dict[str, int]:
    now = ctx.clock.now()
    per_centre = {
        "circle_bodies": retention_db.purge_circle_bodies,
        "checkin_notes": retention_db.purge_checkin_notes,
        "escalations": retention_db.purge_resolved_escalations,
        "cravings": retention_db.purge_cravings,
        "audit_entries": retention_db.purge_audit,
    }
    counts = dict.fromkeys([*per_centre, "outbox_texts"], 0)
    with ctx.uow() as session:
        centres = session.exec(select(Center)).all()
        for center in centres:
            for kind, purge in per_centre.items():
                counts[kind] += purge(session, center, now)
        shortest = min((c.retention_circle_days for c in centres), default=30)
        counts["outbox_texts"] = retention_db.purge_sent_outbox_text(session, now - timedelta(days=shortest))
        shortest_audit = min((c.retention_audit_days for c in centres), default=730)
        counts["audit_entries"] += retention_db.purge_unattributed_audit(session, now - timedelta(days=shortest_audit))
        session.commit()
    log.info("retention purge: %s", counts)  # counts only, never content
    return counts
