"""One WhatsApp outbox row as one Cloud API call through ``pywa_async``, and what came of it.

The sender (``sender.py``) hands every row whose ``channel`` is ``whatsapp`` to
:meth:`WhatsAppSender.deliver` and records the :class:`Outcome` it returns. Per account (a
business number) there is one ``pywa_async.WhatsApp`` client and one limiter: 79 messages/s of
Meta's 80 and one message per 6.05 s to the same person (Meta's pair rate, error 131056).

What goes, decided by ``bot/domain/whatsapp/window.py`` from the person's last message:

* inside the 24-hour window (or a reply to what they just did): the message, its choices shaped by
  ``bot/domain/whatsapp/render.py`` (3 reply buttons, a list of 10 rows, or numbered text beyond;
  the main menu as a list whose rows answer as its labels typed);
* outside it, a check-in, reminder, sponsor ping or alert: its utility template; the row itself
  waits (``delivery_status`` "template") and goes the moment the person answers (the inbound side
  releases it), so the flow continues where it was;
* anything else outside the window waits for the person's next message ("held").

A row's ``reply_to`` (a circle reply threaded on the recipient's own copy of what it answers: that
copy's outbox row id) goes as Meta's ``context``, the copy's wamid, looked up in the recipient's own
chat only; a context Meta refuses costs the thread, the message goes again at once without it.

WhatsApp cannot edit or delete a message for the recipient: edits and deletions are done without a
call (the new words of an edit were already sent as the next message by the flow). Meta's errors:
131056 (pair rate) and 130429 (throughput) → retried after the pause, not counted; 131047 (outside
the window) → held; 131026 (undeliverable) → given up as unreachable; 132001 (template not approved
yet) → held, logged and counted (:attr:`WhatsAppSender.templates_missing`); other Graph errors →
backoff. Production passes no ``session_factory``: pywa talks to ``graph.facebook.com``; the
sandbox and tests pass one whose transport reaches the emulator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from pywa_async import WhatsApp
from pywa_async.errors import (
    MessageUndeliverable,
    RateLimitHit,
    ReEngagementMessage,
    TemplateNotExists,
    TooManyMessages,
    WhatsAppError,
)
from pywa_async.types import Button, Section, SectionList, SectionRow
from pywa_async.types.templates import BodyText, QuickReplyButton, TemplateLanguage

from bot.blocking import run_blocking
from bot.clock import Clock
from bot.delivery.limiter import Limits, RateLimiter, memory_limiter, redis_limiter
from bot.domain import channels
from bot.domain.whatsapp import render, templates, window
from bot.i18n import t
from storage.channels import queries as channels_db
from storage.db import SessionFactory
from storage.outbox.tables import OutboxMessage

log = logging.getLogger(__name__)

# Meta: 80 messages/s per number by default; about one message per 6 s to the same person.
WHATSAPP_LIMITS = Limits(overall_per_sec=79.0, ceiling=80.0, burst=1.0, per_chat_interval=6.05, per_group_interval=6.05)
HOLD_FOR = timedelta(hours=24)  # a held row waits this long for the person's next message, then is tried again
PAIR_PAUSE = 6.05
# After a 130429 every send on the number waits this long. Meta refuses "until you are within your
# allowed level again": below 80/s a refusal is a few calls bunched by a late loop, and a whole
# second's pause cost 0.51 → 0.81 of 80/s in the both-channels benchmark (docs/performance.md).
THROUGHPUT_PAUSE = 0.25
# Meta's refusals that say nothing about a reply's context: they are what they are with or without one
NOT_ABOUT_CONTEXT = (TooManyMessages, RateLimitHit, ReEngagementMessage, MessageUndeliverable, TemplateNotExists)
_LANGUAGES = {"en": TemplateLanguage.ENGLISH, "hi": TemplateLanguage.HINDI, "mr": TemplateLanguage.MARATHI}


@dataclass(frozen=True)
class Outcome:
    """``sent`` (``provider_id`` the wamid; None: nothing to call), ``retry`` after ``delay`` (counted
    or not), ``hold`` until the person writes (``state``), or ``give_up`` (``unreachable``: 131026)."""

    kind: str
    provider_id: str | None = None
    delay: timedelta = timedelta(0)
    counted: bool = False
    reason: str = ""
    state: str = ""
    unreachable: bool = False


SENT_NOTHING = Outcome("sent")


class WhatsAppSender:
    def __init__(
        self,
        uow: SessionFactory,
        clock: Clock,
        *,
        session_factory: Callable[[], httpx.AsyncClient] | None = None,
        limits: Limits = WHATSAPP_LIMITS,
        limiter_factory: Callable[[int, Limits], RateLimiter] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._session_factory = session_factory
        self._limits = limits
        # (account id, limits) → its limiter: in memory, or in Redis when several workers send
        # (bot/app.py: whatsapp_limiter_factory)
        self._limiter_factory = limiter_factory or (lambda _account, limits: memory_limiter(limits))
        self._clients: dict[int, WhatsApp] = {}
        self._sessions: list[httpx.AsyncClient] = []
        self.limiters: dict[int, RateLimiter] = {}
        self.templates_missing = 0

    @property
    def rate(self) -> float:
        """One number's messages a second (the sender sizes WhatsApp's claims by it)."""
        return self._limits.overall_per_sec

    def has_accounts(self) -> bool:
        """Whether any WhatsApp number is configured (one short query, at the sender's start)."""
        with self._uow() as session:
            return bool(channels_db.accounts(session, channels.WHATSAPP))

    async def aclose(self) -> None:
        for session in self._sessions:
            await session.aclose()
        for limiter in self.limiters.values():
            await limiter.aclose()

    def client(self, account_id: int, phone_id: str, token: str) -> WhatsApp:
        """The account's pywa client: Meta's host, or the session the sandbox gave (its transport)."""
        found = self._clients.get(account_id)
        if found is None:
            session = self._session_factory() if self._session_factory is not None else None
            if session is not None:
                self._sessions.append(session)
            found = self._clients[account_id] = WhatsApp(phone_id=phone_id, token=token, session=session)
        return found

    async def deliver(self, row: OutboxMessage) -> Outcome:
        """Send the row (or not), note what Meta gave (the wamid; a hold) and say what the sender records."""
        outcome = await self._deliver(row)
        if outcome.kind == "hold" or (
            outcome.kind == "sent" and (outcome.provider_id or row.payload.get("forget_chat"))
        ):
            await run_blocking(self._uow, self._note, row, outcome)
        return outcome

    def _note(self, row: OutboxMessage, outcome: Outcome) -> None:
        with self._uow() as session:
            if outcome.kind == "hold":
                until = self._clock.now() + outcome.delay
                channels_db.hold(session, row.id or 0, until, outcome.state, outcome.reason, outcome.provider_id)
            elif row.payload.get("forget_chat"):
                # the goodbye after "forget me" is delivered: the number goes too (the row's own address
                # goes when the sender marks it, as for Telegram)
                channels_db.forget_contact(session, channels.contact_of(row.chat_id) or 0)
            elif outcome.provider_id:
                channels_db.mark_provider_sent(session, row.id or 0, outcome.provider_id)
            session.commit()

    async def _deliver(self, row: OutboxMessage) -> Outcome:
        if row.method in ("edit", "delete"):
            return SENT_NOTHING  # WhatsApp cannot change what the person already has
        contact_id = channels.contact_of(row.chat_id)
        recipient, context = (
            await run_blocking(self._uow, self._recipient, contact_id, row.chat_id, row.payload.get("reply_to"))
            if contact_id is not None
            else (None, None)
        )
        if recipient is None:
            return Outcome("give_up", reason="wa_no_contact")
        if row.method != "send":
            return Outcome("give_up", reason=f"wa_unsupported_{row.method}")
        now = self._clock.now()
        decision = window.how_to_send(row.purpose, recipient.last_inbound_at, now)
        if decision.route == window.Route.HOLD or (
            decision.route == window.Route.TEMPLATE and row.delivery_status in channels_db.HELD_STATES
        ):
            # nothing (more) may go until they write: their next message releases the row
            return Outcome("hold", delay=HOLD_FOR, state=row.delivery_status or "held", reason="wa_window")
        client = self.client(recipient.account_id, recipient.phone_id, recipient.token)
        limiter = self._limiter(recipient.account_id)
        await limiter.reserve_chat(row.chat_id)
        await limiter.acquire(row.chat_id, row.priority, chat_reserved=True, counted=True)
        try:
            if decision.route == window.Route.TEMPLATE and decision.template is not None:
                with limiter.calling():
                    wamid = await self._send_template(client, recipient, decision.template)
                await self._restart_pair_interval(limiter, row.chat_id)
                return Outcome("hold", provider_id=wamid, delay=HOLD_FOR, state="template", reason="wa_template_sent")
            wamid = await self._send_free_form(client, recipient, row, limiter, context)
            await self._restart_pair_interval(limiter, row.chat_id)
        except TooManyMessages:
            await limiter.retry_after(row.chat_id, PAIR_PAUSE, everyone=False)
            return Outcome("retry", delay=timedelta(seconds=PAIR_PAUSE), reason="wa_131056")
        except RateLimitHit:
            await limiter.retry_after(row.chat_id, THROUGHPUT_PAUSE, everyone=True)
            return Outcome("retry", delay=timedelta(seconds=THROUGHPUT_PAUSE), reason="wa_130429")
        except ReEngagementMessage:
            return Outcome("hold", delay=HOLD_FOR, state="held", reason="wa_131047")
        except MessageUndeliverable:
            return Outcome("give_up", reason="wa_131026", unreachable=True)
        except TemplateNotExists:
            self.templates_missing += 1
            log.warning("WhatsApp template for outbox row %s (%s) is not approved yet; held", row.id, row.purpose)
            return Outcome("hold", delay=HOLD_FOR, state="held", reason=channels_db.NOT_APPROVED)
        except WhatsAppError as exc:
            return Outcome("retry", counted=True, reason=f"wa_{exc.code}")
        return Outcome("sent", provider_id=wamid)

    @staticmethod
    async def _restart_pair_interval(limiter: RateLimiter, chat_id: int) -> None:
        """Meta counts a person's 6 s from when a message reached it; the limiter from when the token
        was granted. A call that waited in the connection pool would leave the next message less than
        6 s behind it at Meta (131056): the interval starts again when Meta answered."""
        limits = limiter.limits
        await limiter.retry_after(chat_id, limits.interval_for(chat_id) * limits.time_scale, everyone=False)

    def _recipient(
        self, contact_id: int, chat_id: int, reply_to: int | None
    ) -> tuple[channels_db.WhatsAppRecipient | None, str | None]:
        """Who, and (a reply) the wamid of the recipient's own copy of what it answers: WhatsApp's context."""
        with self._uow() as session:
            recipient = channels_db.whatsapp_recipient(session, contact_id, chat_id)
            context = channels_db.provider_id_of(session, chat_id, reply_to) if reply_to is not None else None
            return recipient, context

    def _limiter(self, account_id: int) -> RateLimiter:
        limiter = self.limiters.get(account_id)
        if limiter is None:
            limiter = self.limiters[account_id] = self._limiter_factory(account_id, self._limits)
        return limiter

    async def _send_template(self, client: WhatsApp, recipient: channels_db.WhatsAppRecipient, name: str) -> str | None:
        template = templates.by_name(name)
        assert template is not None  # window.py names only catalogued templates
        language = _LANGUAGES.get(recipient.language, TemplateLanguage.ENGLISH)
        sent = await client.send_template(
            to=recipient.number,
            name=name,
            language=language,
            params=[
                # pywa declares params without @staticmethod, so mypy reads the name as "self"
                BodyText.params(recipient.name or template.example),  # type: ignore[arg-type]
                QuickReplyButton.params(callback_data=template.payload, index=0),
            ],
        )
        return sent.id

    async def _send_free_form(
        self,
        client: WhatsApp,
        recipient: channels_db.WhatsAppRecipient,
        row: OutboxMessage,
        limiter: RateLimiter,
        context: str | None = None,
    ) -> str | None:
        """The row as wa-edges' render shapes it: buttons, a list or numbered text, after any text
        too long for an interactive body (each further message paced like the first). ``context``: the
        wamid the first message replies to (threaded on the phone)."""
        lang = recipient.language
        words = render.Words(
            list_button=t(lang, "wa-list-button"),
            menu_button=t(lang, "wa-menu-button"),
            reply_number=t(lang, "wa-reply-number"),
        )
        rendering = render.render(
            row.payload["text"], words, buttons=row.payload.get("buttons"), keyboard=row.payload.get("keyboard")
        )
        wamid: str | None = None
        for index, message in enumerate(rendering.messages):
            if index:
                await limiter.reserve_chat(row.chat_id)
                await limiter.acquire(row.chat_id, row.priority, chat_reserved=True, counted=True)
            with limiter.calling():
                wamid = await self._send_one(
                    client, recipient.number, _pywa_message(message), context if not index else None, row
                )
            if index + 1 < len(rendering.messages):  # the render's next message is paced from this answer
                await self._restart_pair_interval(limiter, row.chat_id)
        # a typed "2" answers these choices as a tap would (bot/whatsapp_inbox.py); a message without
        # choices ends them, so a later "no" to the circle is not read as an old question's answer
        offered = rendering.offered.to_json() if rendering.offered.choices else None
        if offered is not None or recipient.offered:
            await run_blocking(self._uow, self._offer, recipient.contact_id, offered)
        return wamid

    @staticmethod
    async def _send_one(
        client: WhatsApp, number: str, message: dict[str, Any], context: str | None, row: OutboxMessage
    ) -> str:
        """One message; with ``context`` a reply to it. A context Meta will not take (a message too old
        to quote, say) costs the thread, never the message: it goes again at once without one."""
        if context is None:
            return (await client.send_message(to=number, **message)).id
        try:
            return (await client.send_message(to=number, reply_to_message_id=context, **message)).id
        except NOT_ABOUT_CONTEXT:
            raise
        except WhatsAppError as exc:
            log.warning("WhatsApp refused the reply context of outbox row %s (%s); sent unthreaded", row.id, exc.code)
            return (await client.send_message(to=number, **message)).id

    def _offer(self, contact_id: int, offered: list[list[str]] | None) -> None:
        with self._uow() as session:
            channels_db.set_offered(session, contact_id, offered)
            session.commit()


def _pywa_message(message: render.Message) -> dict[str, Any]:
    """A rendered message as ``send_message`` keywords (pywa's own types build the Graph body)."""
    if isinstance(message, render.ButtonsMessage):
        return {"text": message.body, "buttons": [Button(title, callback_data=id_) for id_, title in message.buttons]}
    if isinstance(message, render.ListMessage):
        rows = [SectionRow(title=r.title, callback_data=r.id, description=r.description) for r in message.rows]
        return {
            "text": message.body,
            "buttons": SectionList(button_title=message.button, sections=[Section(title=message.button, rows=rows)]),
        }
    return {"text": message.body}


def whatsapp_limiter_factory(redis_url: str | None) -> Callable[[int, Limits], RateLimiter]:
    """Each number's limiter: shared through Redis by every worker (keys of its own per account), or in
    memory for one worker."""
    if not redis_url:
        return lambda _account, limits: memory_limiter(limits)
    return lambda account, limits: redis_limiter(redis_url, limits, prefix=f"saathi:rl:wa:{account}")
