"""Playing people on phones against the emulator: type, press a button by its label, wait to see.

Used by the sandbox's demo day and by the end-to-end tests, so both drive the bot
the same way a person would.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.sandbox.emulator import BotApiEmulator
    from bot.sandbox.models import SentMessage

Match = str | Callable[[str], bool]


async def wait_until(condition: Callable[[], bool], *, timeout: float = 5.0, stable: int = 1,
                     interval: float = 0.03) -> None:
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

    async def expect(self, chat_id: int, contains: Match, *, timeout: float = 5.0) -> SentMessage:
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

    async def press(self, user_id: int, label: str, *, chat_id: int | None = None, timeout: float = 5.0) -> str:
        """Press a button on the newest message that shows buttons, the way a person would.

        ``label`` matches a button exactly, or (unless it is a bare number, so "5" never
        presses "5 😄") as whole words of its text, so "No" never presses "None today" on a
        keyboard that is about to be replaced. Waits until such a button is on the newest
        keyboard, so a question that is still on its way is not confused with the last one.
        Returns the toast the bot answered with ("" for none).
        """
        chat = chat_id or user_id
        found: list[tuple[int, str]] = []

        def find() -> bool:
            keyboards = [m for m in self.emu.messages(chat) if m.buttons() and not m.deleted]
            if not keyboards:
                return False
            newest = keyboards[-1]
            words = re.compile(rf"(?<!\w){re.escape(label)}(?!\w)")
            for text, data in newest.buttons():
                if text == label or (not label.isdigit() and words.search(text)):
                    found.append((newest.message_id, data))
                    return True
            return False

        try:
            await wait_until(find, timeout=timeout)
        except TimeoutError:
            raise AssertionError(
                f"no button {label!r} in chat {chat}: {[m.buttons() for m in self.emu.messages(chat)]}"
            ) from None
        message_id, data = found[-1]
        if self._on_event:
            self._on_event(user_id, "→", f"[{label}]")
        before = len(self.emu.callback_answers)
        query_id = self.emu.press_button(user_id, message_id, data)

        def answered() -> bool:
            return any(a.get("callback_query_id") == query_id for a in self.emu.callback_answers[before:])

        await wait_until(answered, timeout=timeout)
        answer = next(a for a in self.emu.callback_answers[before:] if a.get("callback_query_id") == query_id)
        return answer.get("text") or ""

    def texts(self, chat_id: int) -> list[str]:
        return [m.text or "" for m in self.emu.messages(chat_id) if not m.deleted]
