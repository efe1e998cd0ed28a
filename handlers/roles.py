"""The role gate every command handler goes through (the table is bot.services.access.COMMAND_ROLES).

``handlers.add_handlers`` registers each command with :func:`command`, so a command cannot be
added without passing the gate; a test checks every registered command is in the table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.services import access
from handlers.common import SaathiContext, person_of

Callback = Callable[[Update, SaathiContext], Coroutine[Any, Any, None]]


def command_name(update: Update) -> str | None:
    """``"/Queue@saathi_bot 12"`` → ``"queue"``."""
    message = update.effective_message
    text = (message.text or message.caption) if message is not None else None
    if not text or not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0][1:].split("@")[0].lower()


def guarded(callback: Callback) -> Callback:
    """Run ``callback`` only when the sender's role may run the command they typed."""

    @functools.wraps(callback)
    async def run(update: Update, context: SaathiContext) -> None:
        person, name = person_of(update), command_name(update)
        if person is None or name is None:
            return
        if not await context.saathi.call(access.check_command, person, name):
            context.saathi.kick()
            return
        await callback(update, context)

    run.role_guarded = True  # type: ignore[attr-defined]  # a mark the role test reads on every registered command
    return run


def command(names: str | Sequence[str], callback: Callback, extra: filters.BaseFilter | None = None) -> CommandHandler:
    """A private-chat command behind the role gate."""
    names = [names] if isinstance(names, str) else list(names)
    unknown = [name for name in names if name not in access.COMMAND_ROLES]
    if unknown:  # fail at start, not at the first press: every command needs a row in the table
        raise ValueError(f"commands without roles in bot.services.access.COMMAND_ROLES: {unknown}")
    private = filters.ChatType.PRIVATE
    return CommandHandler(names, guarded(callback), filters=private & extra if extra is not None else private)
