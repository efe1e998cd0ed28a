"""Offline sandbox: a local Telegram Bot API emulator and its control client.

See :mod:`bot.sandbox.emulator` for why it exists and how to point python-telegram-bot at it.
"""

from .client import ControlError, EmulatorClient
from .emulator import BotApiEmulator
from .models import ApiError, SentFile, SentMessage

__all__ = ["ApiError", "BotApiEmulator", "ControlError", "EmulatorClient", "SentFile", "SentMessage"]
