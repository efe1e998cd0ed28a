"""Offline sandbox: a local Telegram Bot API emulator and its control client.

See :mod:`sandbox.emulator` for why it exists and how to point python-telegram-bot at it.
Names are imported lazily so that ``python -m sandbox.emulator`` does not import the
module twice.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import ControlError as ControlError
    from .client import EmulatorClient as EmulatorClient
    from .emulator import BotApiEmulator as BotApiEmulator
    from .models import ApiError as ApiError
    from .models import SentFile as SentFile
    from .models import SentMessage as SentMessage

_EXPORTS = {
    "ApiError": ".models",
    "BotApiEmulator": ".emulator",
    "ControlError": ".client",
    "EmulatorClient": ".client",
    "SentFile": ".models",
    "SentMessage": ".models",
}

__all__ = ["ApiError", "BotApiEmulator", "ControlError", "EmulatorClient", "SentFile", "SentMessage"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
