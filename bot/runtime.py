"""The running bot's dependencies in one object, handed to handlers and jobs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.delivery.sender import OutboxSender
from bot.services import attendance, checkins, circles, cravings, member_settings, retention, safety, talk, updates
from bot.services.context import ServiceContext

log = logging.getLogger(__name__)


@dataclass
class Saathi:
    services: ServiceContext
    sender: OutboxSender | None = None
    stats: dict[str, int] = field(default_factory=dict)
    _left_chats: set[int] = field(default_factory=set)

    def remember_left_chat(self, chat_id: int) -> bool:
        """True the first time a group or channel is seen (so it is told and left once)."""
        if chat_id in self._left_chats:
            return False
        if len(self._left_chats) > 10_000:
            self._left_chats.clear()
        self._left_chats.add(chat_id)
        return True

    def run_due_work(self) -> dict[str, int]:
        """Everything that falls due by the clock: resumes, check-ins, prompts, reminders, closes, circle meetings."""
        ctx = self.services
        done = {
            "resumed": member_settings.run_resumes(ctx),
            "checkins": checkins.run_due_checkins(ctx),
            "craving_prompts": cravings.run_craving_prompts(ctx),
            "reminders": checkins.run_reminders(ctx),
            "missed": checkins.close_missed(ctx),
            "escalated": safety.run_deadlines(ctx),
            "circle_meetings": circles.run_due_meetings(ctx),
            "circle_welcomes": circles.run_welcomes(ctx),
            "circle_invitations": circles.run_quiet_invitations(ctx),
            "unreachable_told": circles.run_unreachable_notices(ctx),
            # after "missed": yesterday's check-ins are closed before the calendars are read
            "attendance_notices": attendance.run_attendance_scan(ctx),
            "sponsor_summaries": attendance.run_weekly_summaries(ctx),
            "talk_offered_to_counsellor": talk.run_timeouts(ctx),
        }
        if any(done.values()):
            log.info("due work: %s", done)
            self.kick()
        return done

    def housekeeping(self) -> None:
        """Hourly: forget old update ids and purge what retention says is due (cheap when nothing is)."""
        updates.forget_old(self.services)
        retention.purge_expired(self.services)

    def kick(self) -> None:
        if self.sender is not None:
            self.sender.kick()

