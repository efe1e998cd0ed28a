"""What a channel can do, so a service asks "can this channel protect content?" and never "is this
WhatsApp?". Figures are the channels' documented limits (see render.py for WhatsApp's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["TELEGRAM", "WHATSAPP", "Capabilities"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    name: str
    # choices shown as tappable buttons under one message
    buttons_max: int
    # choices shown in a pop-up list (0: the channel has no lists; buttons_max covers it)
    list_max: int
    # forwarding and saving blocked (Telegram's protect_content)
    can_protect: bool = False
    # a sent message removed from the recipient's phone
    can_delete: bool = False
    # how long after sending the bot may change its own message: None no limit, zero never
    edit_window: timedelta | None = timedelta(0)
    # hours after the person's last message in which the bot may write freely (None: always)
    window_hours: int | None = 24
    # a reply keyboard that stays under the typing field (the main menu)
    persistent_menu: bool = False
    text_max: int = 4096
    # the least time between two messages to the same person (Telegram about 1 s per chat; WhatsApp's
    # pair rate about 6 s, error 131056): circle copies are planned this far apart (bot/domain/relay.py)
    chat_interval: timedelta = timedelta(seconds=1)

    @property
    def can_edit(self) -> bool:
        return self.edit_window is None or self.edit_window > timedelta(0)

    @property
    def choices_max(self) -> int:
        """The most choices one message shows as buttons or a list; beyond, numbered text."""
        return max(self.buttons_max, self.list_max)


# Inline keyboards take up to 100 buttons; a bot edits and deletes its own messages in a private chat.
TELEGRAM = Capabilities(
    name="telegram",
    buttons_max=100,
    list_max=0,
    can_protect=True,
    can_delete=True,
    edit_window=None,
    window_hours=None,
    persistent_menu=True,
)
# Cloud API: 3 reply buttons or a list of 10 rows; no protection, no deleting or editing for the
# recipient; free-form messages only within 24 hours of the person's last message.
WHATSAPP = Capabilities(name="whatsapp", buttons_max=3, list_max=10, chat_interval=timedelta(seconds=6))
