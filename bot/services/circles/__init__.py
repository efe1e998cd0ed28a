"""Peer circles: relaying members' words anonymously, and the structure around them.

A member's words reach their circle through :mod:`.relay` (screened, checked, paced, remembered
copy by copy); everything that reaches a circle goes through the fan-out in :mod:`.common`.
Around the relay: :mod:`.meetings` (reminder, opener, the next one planned), :mod:`.milestones`
(shared on the member's say-so, encouraged by the circle), :mod:`.moderation` (reports, held
messages, mutes, staff's /mute /remove /move), :mod:`.facilitation` (/circle, circle health, the
facilitator's /say /goal /pin), :mod:`.membership` (join, leave, welcome, quiet invitation, a
counsellor told when a member blocked the bot), :mod:`.admin` (schedule, settings, closing) and
:mod:`.buttons` (the ``cir:`` buttons).

Callers import the module that owns a use case; the names below are re-exported for scripts and
tests.
"""

from __future__ import annotations

from bot.services.circles.admin import close, configure
from bot.services.circles.buttons import button
from bot.services.circles.common import CircleError, circle_of
from bot.services.circles.facilitation import facilitator_post, post_as_facilitator, show_circle
from bot.services.circles.meetings import run_due_meetings
from bot.services.circles.membership import (
    QUIET_DAYS,
    join,
    leave,
    run_quiet_invitations,
    run_unreachable_notices,
    run_welcomes,
)
from bot.services.circles.milestones import milestone_reached
from bot.services.circles.moderation import report, split_pseudonym, staff_action
from bot.services.circles.relay import (
    MEDIA_KINDS,
    edit_in_circle,
    facilitates_reply,
    media_in_circle,
    relay_reply,
    relay_screened_text,
    reply_target,
    unsend,
)

__all__ = [
    "MEDIA_KINDS",
    "QUIET_DAYS",
    "CircleError",
    "button",
    "circle_of",
    "close",
    "configure",
    "edit_in_circle",
    "facilitates_reply",
    "facilitator_post",
    "join",
    "leave",
    "media_in_circle",
    "milestone_reached",
    "post_as_facilitator",
    "relay_reply",
    "relay_screened_text",
    "reply_target",
    "report",
    "run_due_meetings",
    "run_quiet_invitations",
    "run_unreachable_notices",
    "run_welcomes",
    "show_circle",
    "split_pseudonym",
    "staff_action",
    "unsend",
]
