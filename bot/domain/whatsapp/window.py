"""The 24-hour customer-service window, and how a message may go given it.

WhatsApp lets a business write freely for 24 hours after the person's last message; after that
only an approved template goes through (a free-form send is accepted and then fails with 131047).
The window is open while ``now - last_inbound_at < 24 h``: at exactly 24 hours it is closed, as in
Meta's rules and the sandbox emulator.

:func:`how_to_send` decides per outbox purpose:

* a reply to the person's own action goes free-form (they have just written);
* inside the window, anything goes free-form;
* outside, a check-in, a reminder, a sponsor's ping or a counsellor's alert goes as its utility
  template (:mod:`.templates`), whose button reopens the window and continues the flow;
* anything else waits until the person writes again (HOLD): a circle post or a weekly summary is
  not worth a paid template, and would not fit one.

A template stands in for the message, it does not carry it: the template goes now, and the message
itself waits like a held one until the person answers (a tap on the template's button is an answer,
and :func:`.templates.opened_flow` says what it asks for); then it goes free-form. So the check-in's
first question follows the tap on "Check in now", and a sponsor's words follow "Read it".

Scheduled messages close to the edge go as templates: the sender may need a few minutes to reach
them (:data:`SEND_MARGIN`), and a free-form message landing after the window closed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .templates import by_purpose

__all__ = [
    "FREE_FORM",
    "HOLD",
    "REPLY_PURPOSES",
    "SEND_MARGIN",
    "WINDOW",
    "Route",
    "SendDecision",
    "how_to_send",
    "is_open",
    "template",
    "window_closes_at",
]

WINDOW = timedelta(hours=24)
SEND_MARGIN = timedelta(minutes=5)
# Outbox purposes that answer something the person just did: the window is open by definition.
# Onboarding steps are "ob_<step>"; an onboarding re-consent asked by the centre is not a reply.
REPLY_PURPOSES = frozenset({"reply", "safety_reply", "safety_ack", "console_link", "data_export"})
_REPLY_PREFIX = "ob_"
_NOT_A_REPLY = frozenset({"ob_reconsent"})


class Route(StrEnum):
    FREE_FORM = "free_form"
    TEMPLATE = "template"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class SendDecision:
    route: Route
    template: str | None = None  # the template's name at Meta, with Route.TEMPLATE


FREE_FORM = SendDecision(Route.FREE_FORM)
HOLD = SendDecision(Route.HOLD)


def template(name: str) -> SendDecision:
    return SendDecision(Route.TEMPLATE, name)


def window_closes_at(last_inbound_at: datetime | None) -> datetime | None:
    return None if last_inbound_at is None else last_inbound_at + WINDOW


def is_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while less than 24 hours have passed since the person last wrote (never: closed)."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


def is_reply(purpose: str) -> bool:
    return purpose in REPLY_PURPOSES or (purpose.startswith(_REPLY_PREFIX) and purpose not in _NOT_A_REPLY)


def how_to_send(purpose: str, last_inbound_at: datetime | None, now: datetime) -> SendDecision:
    """FREE_FORM, a TEMPLATE by name, or HOLD until the person writes, for an outbox purpose."""
    if is_reply(purpose):
        return FREE_FORM
    if is_open(last_inbound_at, now + SEND_MARGIN):
        return FREE_FORM
    stand_in = by_purpose(purpose)
    return template(stand_in.name) if stand_in is not None else HOLD
