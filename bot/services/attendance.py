"""Missed check-ins turned into timely, humane pings: the sponsor first, the counsellor when it lasts.

Scheduled work is data: each member's ``AttendanceWatch`` row holds when to look at their
calendar next (once the local day is over and quiet hours have ended, 07:00 by default),
and what was already said about the current gap, so every notice goes out once per gap
however often the scan runs. The pure rules are in :mod:`bot.domain.gaps`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.domain.callbacks import encode
from bot.domain.gaps import (
    Day,
    Notice,
    Notified,
    Thresholds,
    current_gap,
    day_outcome,
    next_scan_at,
    next_weekly,
    notices_due,
    rate_dropped,
    same_gap,
)
from bot.domain.outgoing import Priority
from bot.domain.risk import Reason, RiskAssessment, RiskLevel
from bot.domain.scheduling import local_date
from bot.domain.sponsorship import SponsorPolicy
from bot.i18n import t
from bot.services import safety
from bot.services.context import ServiceContext
from bot.services.sponsors.common import (
    centre_timezone,
    counsellor_for,
    policy,
    quiet_hours,
    sponsor_side,
    to_sponsor,
    to_staff,
)
from bot.services.sponsors.summaries import mentees_text
from bot.services.sponsors.threads import SUGGESTIONS
from storage.checkins import queries as checkins_db
from storage.circles.tables import UnreachableNotice
from storage.outbox.tables import OutboxStatus
from storage.people import queries as people_db
from storage.people.tables import Member, MemberStatus
from storage.sponsors import queries as sponsors_db
from storage.sponsors.tables import AttendanceWatch, LinkState, Sponsor, SponsorLink

log = logging.getLogger(__name__)

LOOKBACK_DAYS = 35
RATE_NOTICE_EVERY = timedelta(days=14)


# --- reading the calendar --------------------------------------------------------------------------


def calendar(session: Session, member: Member, today: date, horizon: date) -> dict[date, Day]:
    """Each day since ``horizon``: done, missed, or neutral (paused, not delivered, nothing sent)."""
    checkins = checkins_db.recent_checkins(session, member.id or 0, today, days=(today - horizon).days + 1)
    # The dedupe key views.send_checkin_question gives each day's scheduled check-in.
    keys = {c.local_date: f"checkin:{member.id}:{c.local_date.isoformat()}" for c in checkins}
    deliveries = sponsors_db.checkin_deliveries(session, list(keys.values()))
    paused = people_db.paused_days(session, member.id or 0, horizon, today)
    days: dict[date, Day] = {}
    for checkin in checkins:
        status = deliveries.get(keys[checkin.local_date])
        days[checkin.local_date] = day_outcome(
            checkin_status=checkin.status,
            # No row at all (cleaned up): it was sent. "dead"/"failed", or still retrying: it never arrived.
            delivered=status is None or status == OutboxStatus.SENT,
            paused=member.status == MemberStatus.PAUSED or checkin.local_date in paused,
            day_over=checkin.local_date < today,
        )
    return days


# --- the scan ----------------------------------------------------------------------------------------


def run_attendance_scan(ctx: ServiceContext, limit: int = 500) -> int:
    """Look at the calendars that are due; returns how many notices were written.

    Watches start when onboarding finishes (``watch_unwatched`` is the hourly safety net), so this
    per-minute scan reads only the due watches."""
    now = ctx.clock.now()
    written = 0
    with ctx.uow() as session:
        for watch in sponsors_db.claim_due_watches(session, now, limit):
            member = session.get(Member, watch.member_id)
            if member is None or member.status not in sponsors_db.WATCHED_STATUSES:
                session.delete(watch)
                continue
            written += scan_member(session, member, watch, now)
        session.commit()
    return written


def watch_unwatched(ctx: ServiceContext, limit: int = 5000) -> int:
    """Hourly: watched members without a watch (after an upgrade, or not onboarded through the bot) get
    one, due at once. It reads every watched member, which is why it is not in the per-minute scan."""
    now = ctx.clock.now()
    with ctx.uow() as session:
        members = sponsors_db.claim_unwatched_members(session, limit)
        for member in members:
            session.add(AttendanceWatch(member_id=member.id or 0, next_scan_at=now))
        session.commit()
    return len(members)


def scan_member(session: Session, member: Member, watch: AttendanceWatch, now: datetime) -> int:
    pol = policy(session, member.center_id)
    watch.next_scan_at = next_scan_at(now, member.timezone, quiet_hours(pol))
    if member.status == MemberStatus.UNREACHABLE:
        # One notice per block: the circles step (every scan, circles.run_unreachable_notices) or this
        # one (in the morning), whichever comes first; the UnreachableNotice row says it was given.
        if watch.unreachable_notified_at is not None or session.get(UnreachableNotice, member.id) is not None:
            return 0
        watch.unreachable_notified_at = now
        staff = counsellor_for(session, member)
        session.add(UnreachableNotice(member_id=member.id or 0, staff_id=staff.id if staff else None, told_at=now))
        _watch_escalation(session, member, now, "ATTEND-UNREACHABLE", "sp-reason-unreachable")
        return 1
    watch.unreachable_notified_at = None
    if member.status == MemberStatus.PAUSED:
        return 0  # a pause is the member's choice, not a miss
    today = local_date(now, member.timezone)
    days = calendar(session, member, today, today - timedelta(days=LOOKBACK_DAYS))
    written = _rate_notice(session, member, watch, days, today, now)
    gap = current_gap(days, today, today - timedelta(days=LOOKBACK_DAYS))
    if gap is None:
        _forget_gap(watch)
        return written
    if not same_gap(days, watch.gap_start):
        _forget_gap(watch)
        watch.gap_start = gap.start
    watch.gap_missed = gap.missed
    link = sponsors_db.active_link_of_mentee(session, member.id or 0)
    sponsor = session.get(Sponsor, link.sponsor_id) if link else None
    side = sponsor_side(session, sponsor) if sponsor else None
    has_sponsor = link is not None and side is not None and side.reachable
    notified = Notified(
        sponsor=watch.sponsor_notified_at is not None,
        counsellor=watch.counsellor_notified_at is not None,
        dropout=watch.dropout_notified_at is not None,
    )
    thresholds = Thresholds(pol.sponsor_after_missed, pol.counsellor_after_missed)
    due = notices_due(gap.missed, notified, has_sponsor=has_sponsor, thresholds=thresholds)
    if Notice.SPONSOR in due and link is not None and side is not None:
        number = SUGGESTIONS[gap.start.toordinal() % len(SUGGESTIONS)]
        lang = side.language
        text = t(
            lang,
            "sp-gap-sponsor",
            pseudonym=member.pseudonym,
            days=gap.missed,
            suggestion=t(lang, f"sp-suggest-{number}"),
        )
        to_sponsor(
            session,
            side,
            text,
            now,
            pol=pol,
            purpose="sp_gap",
            thread=f"link:{link.id}",
            buttons=[[(t(lang, "btn-sp-send-suggestion"), encode("sp", "enc", link.id or 0, number))]],
        )
        watch.sponsor_notified_at, watch.sponsor_link_id = now, link.id
        written += 1
    if Notice.COUNSELLOR in due:
        staff = counsellor_for(session, member)
        if staff is not None:
            to_staff(
                session,
                staff,
                t(
                    staff.language,
                    "sp-gap-counsellor",
                    pseudonym=member.pseudonym,
                    name=member.display_name or "-",
                    days=gap.missed,
                ),
                now,
                tz=centre_timezone(session, member.center_id),
                pol=pol,
                purpose="sp_gap_staff",
            )
            written += 1
        watch.counsellor_notified_at = now
    if Notice.DROPOUT in due:
        _watch_escalation(session, member, now, "ATTEND-MISSED", "sp-reason-missed", days=gap.missed)
        watch.dropout_notified_at = now
        written += 1
    return written


def _forget_gap(watch: AttendanceWatch) -> None:
    watch.gap_start, watch.gap_missed = None, 0
    watch.sponsor_notified_at = watch.counsellor_notified_at = watch.dropout_notified_at = None
    watch.sponsor_link_id = None


def _rate_notice(
    session: Session, member: Member, watch: AttendanceWatch, days: dict[date, Day], today: date, now: datetime
) -> int:
    """A sharp drop in the check-in rate: a dropout-risk notice, at most once a fortnight."""
    if watch.dropout_notified_at is not None or not rate_dropped(days, today):
        return 0
    if watch.rate_notified_on is not None and today - watch.rate_notified_on < RATE_NOTICE_EVERY:
        return 0
    watch.rate_notified_on = today
    _watch_escalation(session, member, now, "ATTEND-RATE", "sp-reason-rate")
    return 1


def _watch_escalation(session: Session, member: Member, now: datetime, rule_id: str, key: str, **args: object) -> None:
    """The counsellor's dropout-risk notice: a watch-level escalation, in the same queue as the others."""
    staff = counsellor_for(session, member)
    matched = t(staff.language if staff else "en", key, **args)
    result = RiskAssessment(
        level=RiskLevel.WATCH,
        reasons=(Reason(rule_id=rule_id, category="attendance", matched=matched),),
        needs_followup=False,
    )
    safety.escalate(session, member, result, now, source="attendance", excerpt=None)


# --- back on track -----------------------------------------------------------------------------------


def back_on_track(session: Session, member: Member, now: datetime) -> None:
    """Called when a check-in completes: whoever was told about the gap hears that it ended."""
    watch = session.get(AttendanceWatch, member.id)
    if watch is None or watch.gap_start is None:
        return
    pol = policy(session, member.center_id)
    if watch.sponsor_notified_at is not None and watch.sponsor_link_id is not None:
        link = session.get(SponsorLink, watch.sponsor_link_id)
        sponsor = session.get(Sponsor, link.sponsor_id) if link and link.state == LinkState.ACTIVE else None
        side = sponsor_side(session, sponsor) if sponsor else None
        if side is not None and link is not None:
            to_sponsor(
                session,
                side,
                t(side.language, "sp-back-on-track", pseudonym=member.pseudonym),
                now,
                pol=pol,
                purpose="sp_gap",
                thread=f"link:{link.id}",
            )
    if watch.counsellor_notified_at is not None or watch.dropout_notified_at is not None:
        staff = counsellor_for(session, member)
        if staff is not None:
            to_staff(
                session,
                staff,
                t(staff.language, "sp-back-on-track-staff", pseudonym=member.pseudonym, days=watch.gap_missed),
                now,
                tz=centre_timezone(session, member.center_id),
                pol=pol,
                purpose="sp_gap_staff",
            )
    _forget_gap(watch)


# --- the weekly summary ---------------------------------------------------------------------------------


def run_weekly_summaries(ctx: ServiceContext, limit: int = 500) -> int:
    """Each sponsor, on the centre's chosen day: their mentees' week and streaks."""
    now = ctx.clock.now()
    sent = 0
    with ctx.uow() as session:
        for sponsor in sponsors_db.sponsors_due_summary(session, now, limit):
            side = sponsor_side(session, sponsor)
            pol: SponsorPolicy = policy(session, sponsor.center_id)
            body, active = mentees_text(session, sponsor, side.language, now) if side else ("", [])
            if side is None or not active:
                sponsor.next_summary_at = None  # starts again with the next link
                continue
            sponsor.next_summary_at = next_weekly(now, side.timezone, pol.summary_weekday)
            if side.reachable:
                to_sponsor(
                    session,
                    side,
                    t(side.language, "sp-weekly", lines=body),
                    now,
                    pol=pol,
                    purpose="sp_summary",
                    priority=Priority.BULK,
                )
                sent += 1
        session.commit()
    return sent
