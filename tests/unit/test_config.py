"""Settings: defaults, and one readable error line naming the setting."""

from __future__ import annotations

import pytest

from bot.config import SettingsError, parse_settings

TOKEN = "123456789:AAE-abcdefghijklmnopqrstuvwxyz012"


def test_defaults() -> None:
    settings = parse_settings({})
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.default_timezone == "Asia/Kolkata"
    assert settings.reminder_delay_minutes == 120


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"TELEGRAM_API_URL": "not a url"}, "TELEGRAM_API_URL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"REMINDER_DELAY_MINUTES": "soon"}, "REMINDER_DELAY_MINUTES"),
        ({"WEBHOOK_LISTEN": "everywhere"}, "WEBHOOK_LISTEN"),
    ],
)
def test_a_malformed_value_names_the_setting(values: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        parse_settings(values)
    assert named in str(error.value) and "\n" not in str(error.value)


def test_run_requires_a_token() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        parse_settings({}, require_token=True)
    assert parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, require_token=True).telegram_bot_token == TOKEN


def test_redacted_never_shows_the_token_or_password() -> None:
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "postgresql+psycopg://u:secret@h/db"})
    shown = str(settings.redacted())
    assert TOKEN not in shown and "secret" not in shown


def test_the_console_listens_on_loopback_by_default_and_can_be_turned_off() -> None:
    settings = parse_settings({})
    assert (settings.web_listen, settings.web_base_url) == ("127.0.0.1:8080", "http://127.0.0.1:8080")
    assert parse_settings({"WEB_LISTEN": "off"}).web_listen is None
    assert parse_settings({"WEB_LISTEN": ""}).web_listen is None
    assert parse_settings({"WEB_BASE_URL": "https://console.example.org/"}).web_base_url == (
        "https://console.example.org"
    )
    for bad in ({"WEB_LISTEN": "everywhere"}, {"WEB_BASE_URL": "console.example.org"}):
        with pytest.raises(SettingsError, match=next(iter(bad))):
            parse_settings(bad)
