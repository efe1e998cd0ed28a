"""What every handler shares: who is speaking, the dedupe guard, the error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext, ExtBot

from bot.accounts import keyed
from bot.domain.textnorm import storable, unstorable
from bot.i18n import normalise_language, t
from bot.inbox import is_transient as inbox_transient
from bot.runtime import Saathi
from bot.services import conversation, updates
from bot.services.context import Person

log = logging.getLogger(__name__)


class SaathiContext(CallbackContext[ExtBot, dict, dict, dict]):
    """Hands handlers their dependencies."""

    @property
    def saathi(self) -> Saathi:
        return self.bot_data["saathi"]


def person_of(update: Update) -> Person | None:
    """Who is speaking; on a centre's own bot their ids are that bot's conversation keys (bot/accounts.py)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    name = storable(" ".join(part for part in (user.first_name, user.last_name) if part)).strip()
    return Person(
        telegram_user_id=keyed(update, user.id),
        chat_id=keyed(update, chat.id),
        display_name=name or None,
        language_code=user.language_code,
    )


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
        lang = await context.saathi.call(conversation.language_for, person) if person else None
        text = t(lang, toast_key)
    try:
        await query.answer(text)
    except TelegramError as exc:  # an old query can no longer be answered: nothing to do
        log.info("could not answer callback: %s", type(exc).__name__)


async def guard_update(update: Update, context: SaathiContext) -> None:
    """Group -1: groups and channels are left (the update is marked handled, nothing else runs).

    A re-sent update that was handled before is not looked up here (a query per update for a rare
    case): its handler's commit finds its inbox row handled, rolls back whole and ``error_handler``
    drops it."""
    saathi = context.saathi
    chat = update.effective_chat
    user = update.effective_user
    private = chat is not None and chat.type == ChatType.PRIVATE
    handling = updates.current()
    if handling is not None and private and user is not None:
        # the first commit also says whoever wrote or pressed in their private chat is reachable again
        handling.user_id = keyed(update, user.id)
    if chat is not None and chat.type != ChatType.PRIVATE:
        await saathi.call(updates.mark_handled)
        # Say so and leave once, in the background: Telegram allows 20 messages a minute to a
        # group, and waiting for that here would hold up every member's update behind it.
        if saathi.remember_left_chat(chat.id):
            context.application.create_task(_leave(update, context), update=update)
        raise ApplicationHandlerStop
    if await reject_unstorable(update, context):
        raise ApplicationHandlerStop


async def reject_unstorable(update: Update, context: SaathiContext) -> bool:
    """A text, caption or button carrying characters the database refuses (a NUL byte) is answered
    kindly before any handler reaches the database; True when it was."""
    message = update.effective_message
    query = update.callback_query
    texts = [message.text, message.caption] if message is not None else []
    if query is not None:
        texts.append(query.data if isinstance(query.data, str) else None)
    if not any(unstorable(text) for text in texts):
        return False
    log.info("update %s carries characters the database refuses; answered without handling", update.update_id)
    person = person_of(update)
    if query is not None:
        await answer_button(update, context, "input-unstorable")
        await context.saathi.call(updates.mark_handled)
    elif person is not None:
        await context.saathi.call(conversation.reply_plain, person, "input-unstorable")  # records the update too
        context.saathi.kick()
    return True


async def _leave(update: Update, context: SaathiContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    if chat.type == ChatType.CHANNEL:
        log.info("ignoring a channel update")
    lang = normalise_language(update.effective_user.language_code if update.effective_user else None)
    bot = update.get_bot()  # the bot that is in the group: the .env bot or a centre's own
    try:
        if chat.type != ChatType.CHANNEL:
            await bot.send_message(chat.id, t(lang, "private-only"))
        await bot.leave_chat(chat.id)
    except TelegramError as exc:
        log.info("could not leave a non-private chat: %s", type(exc).__name__)


async def error_handler(update: object, context: SaathiContext) -> None:
    """Nothing escapes a handler: log the kind (never the content) and leave the update to the inbox.

    The failed update is not marked handled: the inbox (bot/inbox.py) tries it again, and after
    a few failures gives up and answers the member kindly (:func:`apologise`). Nothing here writes
    to the database, so a database that is away cannot make it worse. Later groups do not run."""
    error = context.error
    if isinstance(error, updates.UpdateAlreadyHandled):
        # an earlier life of this process (or another worker) committed this update; ours rolled back
        raise ApplicationHandlerStop
    if not isinstance(update, Update):
        log.error("job failed: %s", type(error).__name__, exc_info=error)
        return
    if error is not None:
        updates.failed(error)
    log.error(
        "handler failed on update %s: %s",
        update.update_id,
        type(error).__name__,
        exc_info=error if not inbox_transient(error) else None,
    )
    raise ApplicationHandlerStop


async def apologise(saathi: Saathi, update: Update) -> None:
    """The inbox gave up on this update: tell the person kindly, by a message in their chat (for a
    button press too: the moment for its toast has passed)."""
    person = person_of(update)
    chat = update.effective_chat
    if person is not None and chat is not None and chat.type == ChatType.PRIVATE:
        await saathi.call(conversation.reply_plain, person, "error-generic")
        saathi.kick()
