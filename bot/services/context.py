"""What every use case needs, handed in (never imported as globals)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.clock import Clock
from storage.db import SessionFactory


@dataclass
class ServiceContext:
    uow: SessionFactory
    clock: Clock
    default_timezone: str = "Asia/Kolkata"
    reminder_delay_minutes: int = 120
    bot_username: str = "saathi_bot"
    # where the web console is reached: the start of the sign-in links /console sends
    web_base_url: str = "http://127.0.0.1:8080"
    rng: random.Random = field(default_factory=random.SystemRandom)


@dataclass(frozen=True)
class Person:
    """Who sent an update, as far as the use cases care. No Telegram types past this point."""

    telegram_user_id: int
    chat_id: int
    display_name: str | None = None
    language_code: str | None = None
