"""HTTP client for the emulator's control API (see :mod:`sandbox.control`).

For tests where the emulator and the code driving it live in different processes - e.g. the
bot runs as ``saathi`` in a subprocess while the test plays the users. Method names and
arguments match :class:`~sandbox.emulator.BotApiEmulator`; every call is async.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from .models import SentMessage

_INT_KEYED_STATS = ("sent_per_chat", "rate_limited_per_chat")


class ControlError(RuntimeError):
    """The emulator refused a control call (the in-process API would raise ValueError)."""


class EmulatorClient:
    """Async client for ``control_url`` (e.g. ``http://127.0.0.1:8081/_control``)."""

    def __init__(self, control_url: str, *, timeout: float = 10.0) -> None:
        self.control_url = control_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout, trust_env=False)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = timeout
        response = await self._http.request(
            method,
            f"{self.control_url}/{path}",
            content=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"} if body is not None else None,
            params=params,
            **extra,
        )
        try:
            data = response.json()
        except ValueError:
            raise ControlError(f"HTTP {response.status_code}: {response.text[:200]}") from None
        if not isinstance(data, dict) or not data.get("ok"):
            error = data.get("error") if isinstance(data, dict) else None
            raise ControlError(error or f"HTTP {response.status_code}")
        return data["result"]

    @staticmethod
    def _drop_none(**kwargs: Any) -> dict[str, Any]:
        return {k: v for k, v in kwargs.items() if v is not None}

    # ------------------------------------------------------------------------------ world
    async def health(self) -> dict[str, Any]:
        return await self._call("GET", "health")

    async def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        body = self._drop_none(user_id=user_id, first_name=first_name, last_name=last_name, username=username)
        body["language_code"] = language_code
        return await self._call("POST", "users", body=body)

    async def create_group(self, chat_id: int, title: str, *, type: str = "group") -> dict[str, Any]:
        body = {"chat_id": chat_id, "title": title, "type": type}
        return await self._call("POST", "groups", body=body)

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        body = self._drop_none(user_id=user_id, text=text, chat_id=chat_id, reply_to_message_id=reply_to_message_id)
        return int((await self._call("POST", "text", body=body))["update_id"])

    async def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        strict: bool = True,
    ) -> str:
        body = self._drop_none(user_id=user_id, message_id=message_id, callback_data=callback_data, chat_id=chat_id)
        body["strict"] = strict
        return str((await self._call("POST", "press", body=body))["callback_query_id"])

    async def press_buttons(self, presses: Sequence[tuple[int, int, str]], *, strict: bool = True) -> list[str]:
        """Many presses in one call, queued together; see ``BotApiEmulator.press_buttons``."""
        body = {"presses": [list(press) for press in presses], "strict": strict}
        return [str(query_id) for query_id in await self._call("POST", "press_many", body=body)]

    async def edit_user_message(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> int:
        body = self._drop_none(user_id=user_id, message_id=message_id, new_text=new_text, chat_id=chat_id)
        return int((await self._call("POST", "edit", body=body))["update_id"])

    async def send_update(self, update: dict[str, Any]) -> int:
        return int((await self._call("POST", "updates", body={"update": update}))["update_id"])

    async def resend_update(self, update_id: int) -> int:
        return int((await self._call("POST", "resend", body={"update_id": update_id}))["update_id"])

    # ----------------------------------------------------------------------- observations
    async def messages(self, chat_id: int) -> list[SentMessage]:
        data = await self._call("GET", "messages", params={"chat_id": chat_id})
        return [SentMessage.from_dict(item) for item in data]

    async def last_message(self, chat_id: int) -> SentMessage | None:
        sent = await self.messages(chat_id)
        return sent[-1] if sent else None

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> SentMessage:
        """Same contract as the in-process method; the predicate runs here, in the client.

        Long-polls ``/_control/wait`` for any change in the chat, so edits that make an
        earlier message match are seen too.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        version = -1
        sent: list[SentMessage] = []
        while True:
            remaining = max(deadline - loop.time(), 0.0)
            data = await self._call(
                "GET",
                "wait",
                params={"chat_id": chat_id, "version": version, "timeout": remaining},
                timeout=remaining + 10.0,
            )
            version = int(data["version"])
            sent = [SentMessage.from_dict(item) for item in data["messages"]]
            for message in sent[after:]:
                if predicate is None or predicate(message):
                    return message
            if loop.time() >= deadline:
                lines = "\n".join("  " + m.describe() for m in sent)
                raise TimeoutError(
                    f"no matching message in chat {chat_id} at index >= {after} within "
                    f"{timeout:g}s; the chat received {len(sent)} message(s)" + (":\n" + lines if sent else "")
                )

    async def callback_answers(self, *, after: int = 0) -> list[dict[str, Any]]:
        """The answers from the ``after``-th on (all by default), with ``pressed_at``/``answered_at``."""
        params = {"after": after} if after else None
        return await self._call("GET", "callback_answers", params=params)

    async def chat_actions(self) -> list[dict[str, Any]]:
        return await self._call("GET", "chat_actions")

    async def webhook(self) -> dict[str, Any] | None:
        return await self._call("GET", "webhook")

    async def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, str]]:
        params = {"language_code": language_code}
        if scope is not None:
            params["scope"] = json.dumps(scope)
        return await self._call("GET", "commands", params=params)

    async def stats(self) -> dict[str, Any]:
        """As ``BotApiEmulator.stats``; per-chat counters get their int keys back."""
        data: dict[str, Any] = await self._call("GET", "stats")
        for key in _INT_KEYED_STATS:
            data[key] = {int(k): v for k, v in data.get(key, {}).items()}
        return data

    # ------------------------------------------------------------------------------ faults
    async def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        await self._call("POST", "blocked", body={"chat_id": chat_id, "blocked": blocked})

    async def set_limits(
        self,
        *,
        overall_per_sec: float | None = 30,
        per_chat_per_sec: float | None = 1,
        per_group_per_min: float | None = 20,
        time_scale: float = 1.0,
        paid_per_sec: float | None = 1000,
    ) -> None:
        body = {
            "overall_per_sec": overall_per_sec,
            "per_chat_per_sec": per_chat_per_sec,
            "per_group_per_min": per_group_per_min,
            "time_scale": time_scale,
            "paid_per_sec": paid_per_sec,
        }
        await self._call("POST", "limits", body=body)

    async def clear_limits(self) -> None:
        await self._call("DELETE", "limits")

    async def set_failure_rate(self, rate: float, *, seed: int | None = None) -> None:
        await self._call("POST", "failure_rate", body={"rate": rate, "seed": seed})

    async def reset_stats(self) -> None:
        await self._call("DELETE", "stats")

    async def reset(self) -> None:
        await self._call("POST", "reset")
