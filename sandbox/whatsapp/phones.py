"""Playing WhatsApp users against the Cloud API emulator: type, tap a button or a list row by its
title, and see what arrived, with the times the emulator recorded.

The WhatsApp twin of :mod:`sandbox.phones`: tests and the sandbox's demo drive a member the way a
person would, and read what their phone shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .emulator import CloudApiEmulator
    from .models import WaMessage

Match = str | Callable[[str], bool]
DEADLINE = 60.0
POLL = 0.02


class WhatsAppPhones:
    def __init__(self, emu: CloudApiEmulator) -> None:
        self.emu = emu
        self._cursor: dict[str, int] = {}

    def add(self, wa_id: str, name: str) -> str:
        self.emu.add_user(wa_id, name)
        return wa_id

    def send(self, wa_id: str, text: str, *, reply_to: str | None = None) -> str:
        return self.emu.send_text(wa_id, text, reply_to=reply_to)

    def inbox(self, wa_id: str) -> list[WaMessage]:
        return self.emu.messages(wa_id)

    def texts(self, wa_id: str) -> list[str]:
        return [m.text for m in self.emu.messages(wa_id) if m.kind != "reaction"]

    async def expect(self, wa_id: str, contains: Match, *, timeout: float = DEADLINE) -> WaMessage:
        """The next message (after those earlier calls consumed) whose text matches."""

        def match(message: WaMessage) -> bool:
            return contains(message.text) if callable(contains) else contains in message.text

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            inbox = self.emu.messages(wa_id)
            after = self._cursor.get(wa_id, 0)
            for index, message in enumerate(inbox[after:], start=after):
                if match(message):
                    self._cursor[wa_id] = index + 1
                    return message
            if loop.time() > deadline:
                shown = "\n".join("  " + m.describe() for m in inbox) or "  (nothing)"
                raise AssertionError(f"no matching message for {wa_id} within {timeout:g} s; the phone shows:\n{shown}")
            await asyncio.sleep(POLL)

    def press(self, wa_id: str, title: str) -> str:
        """Tap the button, quick reply or list row titled ``title`` on the newest message showing it;
        the wamid of the reply the phone sends."""
        for message in reversed(self.emu.messages(wa_id)):
            if any(t == title for _, t in message.buttons):
                return self.emu.press_button(wa_id, message.id, title)
            if any(r[1] == title for r in message.rows):
                return self.emu.choose_row(wa_id, message.id, title)
        shown = [[t for _, t in m.choices()] for m in self.emu.messages(wa_id) if m.choices()]
        raise AssertionError(f"{wa_id}'s phone shows no choice {title!r}; it shows {shown}")

    def read(self, wa_id: str) -> list[str]:
        return self.emu.read(wa_id)
