"""What every handler shares: who is speaking, the dedupe guard, the error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext, ExtBot

from bot.i18n import normalise_language, t
from bot.runtime import Saathi
from bot.services import conversation, updates
from bot.services.context import Person

log = logging.getLogger(__name__)
RESENT = "update %s already handled; ignoring the re-send"


class SaathiContext(CallbackContext[ExtBot, dict, dict, dict]):  # type: ignore[type-arg]
    """Hands handlers their dependencies."""

    @property
    def saathi(self) -> Saathi:
        return self.bot_data["saathi"]  # type: ignore[no-any-return]


def person_of(update: Update) -> Person | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return Person(telegram_user_id=user.id, chat_id=chat.id, display_name=name or None,
                  language_code=user.language_code)


async def for_person(update: Update, context: SaathiContext, use_case: Callable[..., object], *args: object) -> None:
    """The shape of most command handlers: who is speaking → one use case → send what it enqueued."""
    person = person_of(update)
    if person is not None:
        await context.saathi.call(use_case, person, *args)
        context.saathi.kick()


async def answer_button(update: Update, context: SaathiContext, toast_key: str | None) -> None:
    """Every button press gets an answer (or the phone shows a spinner); a refusal gets a kind toast."""
    query = update.callback_query
    if query is None:
        return
    text = None
    if toast_key is not None:
        person = person_of(update)
        lang = conversation.language_for(context.saathi.services, person) if person else None
        text = t(lang, toast_key)
    try:
        await query.answer(text)
    except TelegramError as exc:  # an old query can no longer be answered: nothing to do
        log.info("could not answer callback: %s", type(exc).__name__)


async def guard_update(update: Update, context: SaathiContext) -> None:
    """Group -1: the update's id goes with the handler's first commit, and groups and channels are left.

    A re-sent update that was handled before is not looked up here (a query per update for a rare
    case): its handler's commit finds the id stored, rolls back whole and ``error_handler`` drops
    it; a handler that wrote nothing finds it in ``record_update``."""
    saathi = context.saathi
    updates.end()
    saathi.record_sent()
    # the handler's first commit records this update id with its own writes (bot/services/updates.py)
    chat = update.effective_chat
    user = update.effective_user
    private = chat is not None and chat.type == ChatType.PRIVATE
    # ... and that whoever wrote or pressed in their private chat is reachable (they may have unblocked the bot)
    updates.begin(saathi.services, update.update_id, user.id if private and user is not None else None)
    if chat is not None and chat.type != ChatType.PRIVATE:
        updates.mark_handled(saathi.services, update.update_id)
        # Say so and leave once, in the background: Telegram allows 20 messages a minute to a
        # group, and waiting for that here would hold up every member's update behind it.
        if saathi.remember_left_chat(chat.id):
            context.application.create_task(_leave(update, context), update=update)
        raise ApplicationHandlerStop


async def _leave(update: Update, context: SaathiContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    if chat.type == ChatType.CHANNEL:
        log.info("ignoring a channel update")
    lang = normalise_language(update.effective_user.language_code if update.effective_user else None)
    try:
        if chat.type != ChatType.CHANNEL:
            await context.bot.send_message(chat.id, t(lang, "private-only"))
        await context.bot.leave_chat(chat.id)
    except TelegramError as exc:
        log.info("could not leave a non-private chat: %s", type(exc).__name__)


async def record_update(update: Update, context: SaathiContext) -> None:
    """Group 1: the update is handled; a re-send of it will be ignored. Usually the handler's own
    commit has recorded it already; this covers handlers that wrote nothing."""
    if not updates.mark_handled(context.saathi.services, update.update_id):
        log.info(RESENT, update.update_id)
    updates.end()


async def error_handler(update: object, context: SaathiContext) -> None:
    """Nothing escapes a handler: log the kind (never the content) and answer kindly."""
    error = context.error
    if isinstance(error, updates.UpdateAlreadyHandled):
        # an earlier life of this process (or another worker) committed this update; ours rolled back
        log.info(RESENT, error.args[0] if error.args else "?")
        raise ApplicationHandlerStop
    log.error("handler failed: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update):
        return
    saathi = context.saathi
    person = person_of(update)
    try:
        if update.callback_query is not None:
            await answer_button(update, context, "error-generic")
        elif person is not None and update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
            # its commit records the update id together with the apology (if the handler's did not)
            conversation.reply_plain(saathi.services, person, "error-generic")
            saathi.kick()
    except Exception as exc:  # the error handler itself must never raise
        log.error("error handler could not answer: %s", type(exc).__name__)
    try:
        updates.mark_handled(saathi.services, update.update_id)
    except Exception as exc:
        log.error("could not record a failed update: %s", type(exc).__name__)
