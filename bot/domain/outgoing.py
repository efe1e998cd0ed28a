"""What a message to send looks like before it becomes an outbox row."""

from __future__ import annotations

from enum import IntEnum


class Priority(IntEnum):
    """Outbox lanes: lower goes first."""

    URGENT = 0  # escalation alerts
    REPLY = 1  # answers to a person's own action
    SCHEDULED = 2  # check-ins, reminders, prompts
    BULK = 3  # circle relays, summaries
