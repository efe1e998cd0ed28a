"""Settings from the environment and ``.env``, validated once at start.

A malformed value stops the start with one readable line naming the setting
(:class:`SettingsError`), never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

TELEGRAM_API_DEFAULT = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite:///./data/saathi.db"
TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str | None
    telegram_api_url: str
    database_url: str
    default_timezone: str
    log_level: str
    reminder_delay_minutes: int
    webhook_listen: str
    bot_username: str | None = None

    @property
    def telegram_file_url(self) -> str:
        """The file endpoint that sits beside the API endpoint (``…/bot`` → ``…/file/bot``)."""
        base = self.telegram_api_url.rstrip("/")
        head, _, tail = base.rpartition("/")
        return f"{head}/file/{tail}"

    def redacted(self) -> dict[str, str]:
        """What is safe to print: never the token."""
        return {
            "TELEGRAM_BOT_TOKEN": "set" if self.telegram_bot_token else "not set",
            "TELEGRAM_API_URL": self.telegram_api_url,
            "DATABASE_URL": _redact_url(self.database_url),
            "DEFAULT_TIMEZONE": self.default_timezone,
            "LOG_LEVEL": self.log_level,
        }


def _redact_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def load_settings(
    env: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env", require_token: bool = False
) -> Settings:
    """Read settings: real environment first, then ``.env`` for what is not set."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if env is None else env)
    return parse_settings(values, require_token=require_token)


def parse_settings(values: Mapping[str, str], *, require_token: bool = False) -> Settings:
    token = (values.get("TELEGRAM_BOT_TOKEN") or "").strip() or None
    if token is not None and not TOKEN_RE.match(token):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon, then letters,"
            " as given by @BotFather)"
        )
    if require_token and token is None:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather and put it in .env")

    api_url = (values.get("TELEGRAM_API_URL") or TELEGRAM_API_DEFAULT).strip()
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"TELEGRAM_API_URL must be an http(s) URL such as {TELEGRAM_API_DEFAULT}")

    database_url = (values.get("DATABASE_URL") or DEFAULT_DATABASE_URL).strip()
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        raise SettingsError(
            "DATABASE_URL must start with sqlite:/// or postgresql+psycopg:// (for example sqlite:///./data/saathi.db)"
        )

    tz = (values.get("DEFAULT_TIMEZONE") or "Asia/Kolkata").strip()
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"DEFAULT_TIMEZONE {tz!r} is not a known time zone (for example Asia/Kolkata)") from None

    level = (values.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")

    raw_delay = (values.get("REMINDER_DELAY_MINUTES") or "120").strip()
    if not raw_delay.isdigit() or not 1 <= int(raw_delay) <= 24 * 60:
        raise SettingsError("REMINDER_DELAY_MINUTES must be a whole number of minutes between 1 and 1440")

    listen = (values.get("WEBHOOK_LISTEN") or "127.0.0.1:8443").strip()
    if not re.match(r"^[\w.:\[\]-]+:\d{1,5}$", listen):
        raise SettingsError("WEBHOOK_LISTEN must be host:port, for example 127.0.0.1:8443")

    username = (values.get("TELEGRAM_BOT_USERNAME") or "").strip().lstrip("@") or None
    if username is not None and not re.match(r"^[A-Za-z][A-Za-z0-9_]{3,31}$", username):
        raise SettingsError("TELEGRAM_BOT_USERNAME must be the bot's username, for example saathi_centre_bot")

    return Settings(
        bot_username=username,
        telegram_bot_token=token,
        telegram_api_url=api_url,
        database_url=database_url,
        default_timezone=tz,
        log_level=level,
        reminder_delay_minutes=int(raw_delay),
        webhook_listen=listen,
    )
