"""Playing people on phones against the emulator: type, press a button by its label, wait to see.

Used by the sandbox's demo day and by the end-to-end tests, so both drive the bot
the same way a person would.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sandbox.emulator import BotApiEmulator
    from sandbox.models import SentMessage

Match = str | Callable[[str], bool]
T = TypeVar("T")
# How long a phone waits for what it needs before saying the bot is stuck. Generous: on a loaded
# two-core machine a step takes seconds, and the wait ends as soon as the message is there.
DEADLINE = 60.0
ANSWER_POLL = 0.05


async def wait_until(
    condition: Callable[[], bool], *, timeout: float = 5.0, stable: int = 1, interval: float = 0.03
) -> None:
    """Poll ``condition`` until it holds ``stable`` times in a row."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    streak = 0
    while True:
        streak = streak + 1 if condition() else 0
        if streak >= stable:
            return
        if loop.time() > deadline:
            raise TimeoutError("condition not reached in time")
        await asyncio.sleep(interval)


class Phones:
    def __init__(self, emu: BotApiEmulator, *, on_event: Callable[[int, str, str], None] | None = None) -> None:
        self.emu = emu
        self._cursor: dict[int, int] = {}
        self._on_event = on_event  # (chat_id, direction, text) for the sandbox's transcript

    def add(self, user_id: int, first_name: str, language_code: str = "en") -> int:
        self.emu.add_user(user_id, first_name, language_code=language_code)
        return user_id

    def send(self, user_id: int, text: str) -> int:
        if self._on_event:
            self._on_event(user_id, "→", text)
        return self.emu.send_text(user_id, text)

    async def expect(self, chat_id: int, contains: Match, *, timeout: float = DEADLINE) -> SentMessage:
        """The next message (after those earlier calls consumed) whose text matches."""

        def match(message: SentMessage) -> bool:
            text = message.text or message.caption or ""
            return contains(text) if callable(contains) else contains in text

        after = self._cursor.get(chat_id, 0)
        message = await self.emu.wait_for_message(chat_id, match, timeout=timeout, after=after)
        messages = self.emu.messages(chat_id)
        index = next(i for i, m in enumerate(messages) if m.message_id == message.message_id)
        self._cursor[chat_id] = index + 1
        return message

    async def press(self, user_id: int, label: str, *, chat_id: int | None = None, timeout: float = DEADLINE) -> str:
        """Press a button on the newest message that shows it, the way a person would.

        ``label`` matches a button exactly, or (unless it is a bare number, so "5" never
        presses "5 😄") as whole words of its text, so "No" never presses "None today".
        Waits (on the emulator's change events) until a message shows such a button, so a
        question still on its way is pressed when it arrives, whatever other keyboards came
        and went meanwhile. An older message may show the same label ("6" on a craving scale
        and on a check-in) until the new one arrives: a caller waits for the bot's whole answer
        to its previous step first (the sandbox's day and the end-to-end harness do). Then
        waits for the bot to answer the press, and returns its toast ("" for none).
        """
        chat = chat_id or user_id
        words = re.compile(rf"(?<!\w){re.escape(label)}(?!\w)")

        def find() -> tuple[int, str] | None:
            for message in reversed(self.emu.messages(chat)):
                if message.deleted:
                    continue
                for text, data in message.buttons():
                    if text == label or (not label.isdigit() and words.search(text)):
                        return message.message_id, data
            return None

        found = await self._until(find, timeout)
        if found is None:
            shown = [m.buttons() for m in self.emu.messages(chat) if m.buttons() and not m.deleted]
            raise AssertionError(f"no button {label!r} in chat {chat} within {timeout:g} s; it shows {shown}")
        message_id, data = found
        if self._on_event:
            self._on_event(user_id, "→", f"[{label}]")
        before = len(self.emu.callback_answers)
        query_id = self.emu.press_button(user_id, message_id, data)

        def answered() -> dict[str, Any] | None:
            return next((a for a in self.emu.callback_answers[before:] if a.get("callback_query_id") == query_id), None)

        answer = await self._until(answered, timeout)
        if answer is None:
            raise AssertionError(f"the bot did not answer the press of {label!r} in chat {chat} within {timeout:g} s")
        return answer.get("text") or ""

    async def _until(self, probe: Callable[[], T | None], timeout: float) -> T | None:
        """``probe()`` once it is not None, re-checked on every change the emulator reports
        (and every ANSWER_POLL, for answers to presses, which are no chat change); None at the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := probe()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self.emu.wait_changed(min(remaining, ANSWER_POLL))
        return found

    def texts(self, chat_id: int) -> list[str]:
        return [m.text or "" for m in self.emu.messages(chat_id) if not m.deleted]
