"""What the WhatsApp Cloud API emulator records: users, the messages their phones got, every API call.

Every record carries times from the emulator's clock (any object with ``now() -> datetime``, such as
``bot.clock.FakeClock``), so a test decides what happened when from the records, never from sleeps.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time (benchmarks and demos); tests pass a clock they advance themselves."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclasses.dataclass(slots=True)
class BusinessNumber:
    """A business phone number of the emulated Cloud API, with the app settings of its webhook."""

    phone_number_id: str
    display_phone_number: str
    token: str
    app_secret: str
    waba_id: str
    webhook_url: str | None = None


@dataclasses.dataclass(slots=True)
class WaUser:
    """A WhatsApp user: ``wa_id`` is the phone number in digits; ``bsuid`` the business-scoped user id."""

    wa_id: str
    name: str
    bsuid: str
    reachable: bool = True

    def contact(self) -> dict[str, Any]:
        """The ``contacts`` entry of a webhook about this user (pywa 4.x reads ``user_id`` and ``wa_id``)."""
        return {"profile": {"name": self.name}, "wa_id": self.wa_id, "user_id": self.bsuid}


def make_bsuid(wa_id: str, country: str = "IN") -> str:
    digest = int(hashlib.sha256(wa_id.encode()).hexdigest()[:15], 16)
    return f"{country}.{digest}"


@dataclasses.dataclass(slots=True)
class WaMessage:
    """One message the business sent that reached (or was meant for) a user's phone.

    ``text`` is what the person reads: a text's body, an interactive message's body, or a template's
    body with its parameters filled in. ``buttons`` are (id, title) of reply buttons or of a
    template's quick-reply buttons (id = the payload the send set); ``rows`` (id, title, description)
    of a list. ``statuses`` holds (status, time) in the order the webhooks were queued.
    """

    id: str
    phone_number_id: str
    wa_id: str
    kind: str  # text | interactive | template | reaction
    accepted_at: datetime
    text: str = ""
    interactive_type: str | None = None  # button | list
    header: str | None = None
    footer: str | None = None
    buttons: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    list_button: str | None = None
    rows: list[tuple[str, str, str | None]] = dataclasses.field(default_factory=list)
    template: str | None = None
    language: str | None = None
    category: str | None = None
    params: list[str] = dataclasses.field(default_factory=list)
    reply_to: str | None = None
    emoji: str | None = None
    tracker: str | None = None
    statuses: list[tuple[str, datetime]] = dataclasses.field(default_factory=list)
    error_code: int | None = None
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.statuses[-1][0] if self.statuses else "accepted"

    @property
    def delivered(self) -> bool:
        return any(s in ("delivered", "read") for s, _ in self.statuses)

    def choices(self) -> list[tuple[str, str]]:
        """(id, title) of everything the person can tap: reply buttons, list rows, quick replies."""
        return [*self.buttons, *((row_id, title) for row_id, title, _ in self.rows)]

    def describe(self) -> str:
        """One line for assertion messages (test output only, never logs: it holds text)."""
        shown = self.text[:80].replace("\n", "\\n")
        choices = f" choices={[t for _, t in self.choices()]}" if self.choices() else ""
        name = f" template={self.template}" if self.template else ""
        return f"{self.id} {self.kind}{name} [{self.status}] {shown!r}{choices}"


@dataclasses.dataclass(slots=True)
class InboundMessage:
    """A message a user's phone sent to a business number (what the webhook carried)."""

    id: str
    phone_number_id: str
    wa_id: str
    kind: str  # text | interactive | button
    sent_at: datetime
    text: str | None = None
    choice_id: str | None = None
    choice_title: str | None = None
    reply_to: str | None = None


@dataclasses.dataclass(slots=True)
class ApiCall:
    """One POST to ``/{version}/{phone_number_id}/messages``, accepted or refused.

    ``outcome`` is "accepted" or the Graph API error code; ``http_status`` what the answer carried.
    """

    at: datetime
    phone_number_id: str
    to: str | None
    kind: str
    outcome: str | int
    http_status: int
    message_id: str | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome == "accepted"
