"""Sponsors and mentees: linking with the mentee's consent, what a sponsor sees, relayed messages.

The privacy promise: a sponsor sees a mentee's pseudonym, whether they checked in each day,
the streak, and what the mentee chooses to send (or share). Never answers, notes, cravings or
escalations. :mod:`.links` (consent, ending), :mod:`.threads` (relayed messages: the one builder,
:func:`~bot.services.sponsors.threads.relay_text`), :mod:`.contacts` (swapping usernames, sharing
a check-in), :mod:`.summaries` (what a sponsor sees), :mod:`.volunteers`, and :mod:`.common`
(policy, the people on a link, sending within quiet hours).

Callers import the module that owns a use case; the names below are re-exported for scripts and
tests.
"""

from __future__ import annotations

from bot.services.sponsors.common import SETTLED, SponsorSide, policy, sponsor_side
from bot.services.sponsors.contacts import offer_share, share_checkin, swap_contacts
from bot.services.sponsors.links import (
    LinkRefused,
    answer_proposal,
    ask_end,
    end_link,
    propose_link,
    staff_link,
    staff_unlink,
)
from bot.services.sponsors.summaries import mentees_text, show_mentees, show_my_sponsor
from bot.services.sponsors.threads import (
    encourage,
    relay_text,
    reply_command,
    reply_in_thread,
    send_suggestion,
    thread_replied_to,
)
from bot.services.sponsors.volunteers import bind_volunteer, new_volunteer_code, new_volunteer_pseudonym

__all__ = [
    "SETTLED",
    "LinkRefused",
    "SponsorSide",
    "answer_proposal",
    "ask_end",
    "bind_volunteer",
    "encourage",
    "end_link",
    "mentees_text",
    "new_volunteer_code",
    "new_volunteer_pseudonym",
    "offer_share",
    "policy",
    "propose_link",
    "relay_text",
    "reply_command",
    "reply_in_thread",
    "send_suggestion",
    "share_checkin",
    "show_mentees",
    "show_my_sponsor",
    "sponsor_side",
    "staff_link",
    "staff_unlink",
    "swap_contacts",
    "thread_replied_to",
]
