"""What /mydata sends: everything stored about one member, as plain JSON-ready values.

About the member only: other people appear as the staff names of those who treat them, never as
another member's identity or pseudonym (bot/services/privacy.py sends it and audits the export).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from storage import privacy as privacy_db
from storage.people.tables import Center, Member, Staff

EXPORT_VERSION = 1


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def collect(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    """Everything stored about ``member``; other people appear only as staff names (who treat them)."""
    mid = member.id or 0
    center = session.get(Center, member.center_id)
    counsellor = session.get(Staff, member.counsellor_id) if member.counsellor_id else None
    staff_names: dict[int, str] = {}

    def staff_name(staff_id: int | None) -> str | None:
        if staff_id is None:
            return None
        if staff_id not in staff_names:
            staff = session.get(Staff, staff_id)
            staff_names[staff_id] = staff.name if staff else "-"
        return staff_names[staff_id]

    escalations = privacy_db.escalations_of(session, mid)
    events = privacy_db.events_of(session, [e.id or 0 for e in escalations])
    by_escalation: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        by_escalation.setdefault(event.escalation_id, []).append(
            {"kind": event.kind, "by": staff_name(event.staff_id), "detail": event.detail, "at": _iso(event.created_at)}
        )
    sponsor_row = privacy_db.sponsor_row_of(session, mid)
    return {
        "format": f"saathi-member-data/{EXPORT_VERSION}",
        "exported_at": _iso(now),
        "profile": {
            "display_name": member.display_name,
            "telegram_user_id": member.telegram_user_id,
            "pseudonym": member.pseudonym,
            "centre": center.name if center else None,
            "counsellor": counsellor.name if counsellor else None,
            "language": member.language,
            "timezone": member.timezone,
            "checkin_time": member.checkin_time,
            "sobriety_start": _iso(member.sobriety_start),
            "last_use_date": _iso(member.last_use_date),
            "status": member.status,
            "paused_until": _iso(member.paused_until),
            "high_risk_windows": [w for w in member.high_risk_windows.split(",") if w],
            "joined_at": _iso(member.created_at),
        },
        "consents": [
            {"version": c.version, "accepted": c.accepted, "language": c.language, "at": _iso(c.created_at)}
            for c in privacy_db.consents_of(session, mid)
        ],
        "checkins": [
            {
                "date": _iso(c.local_date),
                "status": c.status,
                "mood": c.mood,
                "craving": c.craving,
                "triggers": [x for x in (c.triggers or "").split(",") if x],
                "used": c.used,
                "note": c.note,
                "coping_suggestion": c.coping_id,
                "completed_at": _iso(c.completed_at),
            }
            for c in privacy_db.checkins_of(session, mid)
        ],
        "cravings": [
            {"strength": c.strength, "trigger": c.trigger, "source": c.source, "at": _iso(c.created_at)}
            for c in privacy_db.cravings_of(session, mid)
        ],
        "circles": [
            {"circle": name, "joined_at": _iso(m.joined_at), "left_at": _iso(m.left_at)}
            for m, name in privacy_db.memberships_of(session, mid)
        ],
        "circle_messages": [
            {
                "circle": name,
                "kind": m.kind,
                "status": m.status,
                "text": m.text,
                "at": _iso(m.created_at),
                "edited_at": _iso(m.edited_at),
                "unsent_at": _iso(m.unsent_at),
            }
            for m, name in privacy_db.circle_messages_by(session, mid)
        ],
        "escalations": [
            {
                "id": e.id,
                "level": e.level,
                "source": e.source,
                "reasons": e.reasons,
                "excerpt": e.excerpt,
                "state": e.state,
                "created_at": _iso(e.created_at),
                "acknowledged_at": _iso(e.acknowledged_at),
                "acknowledged_by": staff_name(e.acknowledged_by),
                "resolved_at": _iso(e.resolved_at),
                "resolved_by": staff_name(e.resolved_by),
                "resolution_note": e.resolution_note,
                "events": by_escalation.get(e.id or 0, []),
            }
            for e in escalations
        ],
        "screening_followups": [
            {
                "answers": f.answers,
                "excerpt": f.source_excerpt,
                "at": _iso(f.created_at),
                "finished_at": _iso(f.finished_at),
            }
            for f in privacy_db.followups_of(session, mid)
        ],
        # The sponsor is not named here: their identity is theirs.
        "sponsor_links": [
            {
                "role": "mentee",
                "state": link.state,
                "proposed_at": _iso(link.created_at),
                "accepted_at": _iso(link.accepted_at),
                "ended_at": _iso(link.ended_at),
                "ended_by": link.ended_by,
                "your_shared_username": link.mentee_username,
            }
            for link in privacy_db.links_as_mentee(session, mid)
        ]
        + (
            [
                {
                    "role": "sponsor",
                    "state": link.state,
                    "proposed_at": _iso(link.created_at),
                    "accepted_at": _iso(link.accepted_at),
                    "ended_at": _iso(link.ended_at),
                    "ended_by": link.ended_by,
                    "your_shared_username": link.sponsor_username,
                }
                for link in privacy_db.links_as_sponsor(session, sponsor_row.id or 0)
            ]
            if sponsor_row
            else []
        ),
        "talk_requests": [
            {"to": r.target, "state": r.state, "at": _iso(r.created_at), "ended_at": _iso(r.ended_at)}
            for r in privacy_db.talk_requests_of(session, mid)
        ],
        "access_log": [
            {
                "action": entry.action,
                "by": staff.name if staff else ("you" if entry.staff_id is None else "-"),
                "role": staff.role if staff else None,
                "at": _iso(entry.created_at),
            }
            for entry, staff in privacy_db.audit_about(session, mid)
        ],
    }
