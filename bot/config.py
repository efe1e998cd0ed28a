"""Settings from the environment and ``.env``, validated once at start.

A malformed value stops the start with one readable line naming the setting
(:class:`SettingsError`), never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

TELEGRAM_API_DEFAULT = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite:///./data/saathi.db"
TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ENVIRONMENTS = ("development", "production")


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
    # development | production; production refuses to start without encryption keys.
    environment: str = "development"
    # Fernet keys for members' texts at rest: the first encrypts, all decrypt (storage/crypto.py).
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    # Run although the keys do not read the stored key check (a lost key): old texts show as
    # [unreadable]. The operator's explicit choice (SAATHI_ALLOW_UNREADABLE_DATA=yes or
    # ``saathi run --allow-unreadable-data``); storage/keys/check.py.
    allow_unreadable_data: bool = False
    # Tests only (refused in production): a child process's clock and how often it scans for due work.
    clock_start: datetime | None = None
    clock_speed: float = 1.0
    clock_anchor: float | None = None
    due_scan_seconds: float = 30.0
    # The outbox sender's own limit (Telegram allows about 30/s) and, for several workers, the
    # Redis that shares it (unset: each process limits itself).
    rate_limit_per_second: float = 29.0
    rate_limit_redis_url: str | None = None
    # Tests and benchmarks only (refused in production): SAATHI_RATE_SCALE runs those limits N times
    # faster, against an emulator whose limits are scaled the same (a child ``saathi run``).
    rate_scale: float = 1.0
    # The web console: where it listens (None: not served) and the address staff open, the start
    # of every sign-in link (https: the session cookie is marked Secure).
    web_listen: str | None = "127.0.0.1:8080"
    web_base_url: str = "http://127.0.0.1:8080"

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
            "SAATHI_ENV": self.environment,
            "SAATHI_ENCRYPTION_KEYS": f"{len(self.encryption_keys)} keys",
            "SAATHI_ALLOW_UNREADABLE_DATA": "yes" if self.allow_unreadable_data else "no",
            "RATE_LIMIT_PER_SECOND": f"{self.rate_limit_per_second:g}",
            "RATE_LIMIT_REDIS_URL": _redact_url(self.rate_limit_redis_url) if self.rate_limit_redis_url else "not set",
            "WEB_LISTEN": self.web_listen or "off",
            "WEB_BASE_URL": self.web_base_url,
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

    environment, encryption_keys = _encryption(values)
    raw_allow = (values.get("SAATHI_ALLOW_UNREADABLE_DATA") or "no").strip().lower()
    if raw_allow not in ("yes", "no", "true", "false", "1", "0"):
        raise SettingsError("SAATHI_ALLOW_UNREADABLE_DATA must be yes or no (default no)")
    clock_start, clock_speed, clock_anchor = _test_clock(values)
    raw_scan = (values.get("SAATHI_DUE_SCAN_SECONDS") or "30").strip()
    try:
        due_scan_seconds = float(raw_scan)
    except ValueError:
        due_scan_seconds = 0.0
    if not 0.1 <= due_scan_seconds <= 3600:
        raise SettingsError("SAATHI_DUE_SCAN_SECONDS must be a number of seconds between 0.1 and 3600 (default 30)")

    rate_limit_per_second, rate_limit_redis_url = _rate_limit(values)
    rate_scale = _rate_scale(values)
    web_listen, web_base_url = _web(values)

    return Settings(
        web_listen=web_listen,
        web_base_url=web_base_url,
        rate_scale=rate_scale,
        rate_limit_per_second=rate_limit_per_second,
        rate_limit_redis_url=rate_limit_redis_url,
        clock_start=clock_start,
        clock_speed=clock_speed,
        clock_anchor=clock_anchor,
        due_scan_seconds=due_scan_seconds,
        bot_username=username,
        environment=environment,
        encryption_keys=encryption_keys,
        allow_unreadable_data=raw_allow in ("yes", "true", "1"),
        telegram_bot_token=token,
        telegram_api_url=api_url,
        database_url=database_url,
        default_timezone=tz,
        log_level=level,
        reminder_delay_minutes=int(raw_delay),
        webhook_listen=listen,
    )


def _web(values: Mapping[str, str]) -> tuple[str | None, str]:
    """``WEB_LISTEN`` (host:port, default 127.0.0.1:8080; empty or ``off``: no console) and
    ``WEB_BASE_URL`` (the console's address as staff open it, default http://127.0.0.1:8080)."""
    raw = values.get("WEB_LISTEN")
    listen: str | None = "127.0.0.1:8080" if raw is None else raw.strip()
    if listen in ("", "off"):
        listen = None
    elif listen is not None and not re.match(r"^[\w.:\[\]-]+:\d{1,5}$", listen):
        raise SettingsError("WEB_LISTEN must be host:port, for example 127.0.0.1:8080 (empty or off: no console)")
    base = (values.get("WEB_BASE_URL") or "http://127.0.0.1:8080").strip().rstrip("/")
    parsed = urlparse(base)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError("WEB_BASE_URL must be an http(s) address, for example https://console.example.org")
    return listen, base


def _rate_limit(values: Mapping[str, str]) -> tuple[float, str | None]:
    """``RATE_LIMIT_PER_SECOND`` (1–30, default 29: one a second under Telegram's 30) and
    ``RATE_LIMIT_REDIS_URL`` (optional)."""
    raw = (values.get("RATE_LIMIT_PER_SECOND") or "29").strip()
    try:
        rate = float(raw)
    except ValueError:
        rate = 0.0
    if not 1 <= rate <= 30:
        raise SettingsError(
            "RATE_LIMIT_PER_SECOND must be a number of messages per second between 1 and 30 "
            "(Telegram allows about 30; default 29)"
        )
    url = (values.get("RATE_LIMIT_REDIS_URL") or "").strip() or None
    if url is not None and not re.match(r"^rediss?://[^\s]+$", url):
        raise SettingsError("RATE_LIMIT_REDIS_URL must look like redis://127.0.0.1:6379/0")
    return rate, url


def _encryption(values: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """``SAATHI_ENV`` and ``SAATHI_ENCRYPTION_KEYS``; errors name the setting, never a key."""
    from storage.crypto import parse_keys

    environment = (values.get("SAATHI_ENV") or "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError("SAATHI_ENV must be development or production")
    try:
        keys = parse_keys(values.get("SAATHI_ENCRYPTION_KEYS"))
    except ValueError as exc:
        raise SettingsError(f"SAATHI_ENCRYPTION_KEYS: {exc}") from None
    if environment == "production" and not keys:
        raise SettingsError(
            "SAATHI_ENCRYPTION_KEYS is not set: production needs a key to encrypt members' texts"
            " (make one with `saathi keys generate`, keep a copy apart from the database backups)"
        )
    return environment, keys


def _rate_scale(values: Mapping[str, str]) -> float:
    raw = (values.get("SAATHI_RATE_SCALE") or "").strip()
    if not raw:
        return 1.0
    if (values.get("SAATHI_ENV") or "development").strip().lower() == "production":
        raise SettingsError("SAATHI_RATE_SCALE is for tests only and is refused when SAATHI_ENV=production")
    try:
        scale = float(raw)
    except ValueError:
        scale = 0.0
    if not 0 < scale <= 1000:
        raise SettingsError("SAATHI_RATE_SCALE must be a positive factor up to 1000 (tests and benchmarks only)")
    return scale


def _test_clock(values: Mapping[str, str]) -> tuple[datetime | None, float, float | None]:
    """``SAATHI_CLOCK_START`` (an ISO instant with its offset), ``SAATHI_CLOCK_SPEED`` (default 1) and
    ``SAATHI_CLOCK_ANCHOR`` (the Unix time at which the clock reads START; default: the start of the
    process) let a test run the real ``saathi run`` through a simulated day. Refused in production."""
    raw_start = (values.get("SAATHI_CLOCK_START") or "").strip()
    if not raw_start:
        return None, 1.0, None
    if (values.get("SAATHI_ENV") or "development").strip().lower() == "production":
        raise SettingsError("SAATHI_CLOCK_START is for tests only and is refused when SAATHI_ENV=production")
    try:
        start = datetime.fromisoformat(raw_start.replace("Z", "+00:00"))
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise SettingsError(
            "SAATHI_CLOCK_START must be an ISO instant with a time zone, e.g. 2026-11-25T14:00:00+00:00"
        )
    try:
        speed = float((values.get("SAATHI_CLOCK_SPEED") or "1").strip())
        raw_anchor = (values.get("SAATHI_CLOCK_ANCHOR") or "").strip()
        anchor = float(raw_anchor) if raw_anchor else None
    except ValueError:
        raise SettingsError("SAATHI_CLOCK_SPEED and SAATHI_CLOCK_ANCHOR must be numbers") from None
    if not 0 < speed <= 10_000:
        raise SettingsError("SAATHI_CLOCK_SPEED must be a positive factor (1 = real time)")
    return start, speed, anchor
