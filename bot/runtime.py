"""The running bot's dependencies in one object, handed to handlers and jobs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.delivery.sender import OutboxSender
from bot.services import checkins, cravings, member_settings, updates
from bot.services.context import ServiceContext

log = logging.getLogger(__name__)


@dataclass
class Saathi:
    services: ServiceContext
    sender: OutboxSender | None = None
    stats: dict[str, int] = field(default_factory=dict)

    def run_due_work(self) -> dict[str, int]:
        """Everything that falls due by the clock: resumes, check-ins, prompts, reminders, closes."""
        ctx = self.services
        done = {
            "resumed": member_settings.run_resumes(ctx),
            "checkins": checkins.run_due_checkins(ctx),
            "craving_prompts": cravings.run_craving_prompts(ctx),
            "reminders": checkins.run_reminders(ctx),
            "missed": checkins.close_missed(ctx),
        }
        if any(done.values()):
            log.info("due work: %s", done)
            self.kick()
        return done

    def housekeeping(self) -> None:
        updates.forget_old(self.services)

    def kick(self) -> None:
        if self.sender is not None:
            self.sender.kick()
