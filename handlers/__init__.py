"""Thin python-telegram-bot adapters: parse the update, call one use case, answer the button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import checkin, common, craving, fallback, onboarding, settings


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """All handlers in one ordered place. Group -1 guards, group 0 works, group 1 records."""
    application.add_handler(TypeHandler(Update, common.guard_update), group=-1)
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler("start", onboarding.start_cmd, filters=private),
            CommandHandler("help", fallback.help_cmd, filters=private),
            CommandHandler("craving", craving.craving_cmd, filters=private),
            CommandHandler("settings", settings.settings_cmd, filters=private),
            CallbackQueryHandler(onboarding.onboarding_cb, pattern=r"^ob:"),
            CallbackQueryHandler(checkin.checkin_cb, pattern=r"^ci:"),
            CallbackQueryHandler(craving.craving_cb, pattern=r"^cr:"),
            CallbackQueryHandler(settings.settings_cb, pattern=r"^set:"),
            CallbackQueryHandler(fallback.unknown_cb),
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, fallback.edited_msg),
            MessageHandler(private & filters.COMMAND, fallback.unknown_cmd),
            MessageHandler(private & filters.TEXT, fallback.text_msg),
            MessageHandler(private, fallback.unsupported_msg),
        ],
        group=0,
    )
    application.add_handler(TypeHandler(Update, common.record_update), group=1)
    application.add_error_handler(common.error_handler)
