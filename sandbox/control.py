"""The emulator's control API over HTTP: JSON endpoints under ``/_control/``.

Tests that run the bot in a *subprocess* (the real ``saathi`` entry point) still need to
play users and inspect what the bot sent; these endpoints mirror the Python control methods
of :class:`~sandbox.emulator.BotApiEmulator` one to one, and
:class:`~sandbox.client.EmulatorClient` wraps them. Answers are
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}`` with status 400.

The endpoints are unauthenticated; the emulator only ever listens on loopback.

| endpoint                         | control method                     |
| -------------------------------- | ---------------------------------- |
| GET    /_control/health          | addresses and bot user             |
| POST   /_control/users           | add_user                           |
| POST   /_control/groups          | create_group                       |
| POST   /_control/text            | send_text -> {"update_id"}         |
| POST   /_control/press           | press_button -> {"callback_query_id"} |
| POST   /_control/press_many      | press_buttons ({"presses": [[user, message, data], ...], "strict"}) -> [ids] |
| POST   /_control/edit            | edit_user_message -> {"update_id"} |
| POST   /_control/updates         | send_update -> {"update_id"}       |
| POST   /_control/resend          | resend_update -> {"update_id"}     |
| GET    /_control/messages        | messages (?chat_id=)               |
| GET    /_control/wait            | long-poll a chat change (?chat_id=&version=&timeout=) |
| GET    /_control/callback_answers| callback_answers (?after=N: from the N-th on) |
| GET    /_control/chat_actions    | chat_actions                       |
| POST   /_control/blocked         | set_blocked                        |
| GET/POST/DELETE /_control/limits | limits / set_limits / clear_limits |
| POST   /_control/failure_rate    | set_failure_rate                   |
| GET/DELETE /_control/stats       | stats / reset_stats                |
| GET    /_control/webhook         | webhook                            |
| GET    /_control/commands        | commands (?scope=<json>&language_code=) |
| POST   /_control/reset           | reset                              |
| GET/POST/DELETE /_control/kill   | kill_hooks / kill_on / clear_kill_hooks (crash tests) |
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .emulator import BotApiEmulator

_MAX_WAIT = 30.0

_Endpoint = Callable[[web.Request], Awaitable[Any]]


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _guard(endpoint: _Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Turn a control misuse (ValueError/TypeError) into a 400 the client re-raises."""

    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            return _ok(await endpoint(request))
        except (ValueError, TypeError, KeyError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)

    return handler


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError as exc:
        raise ValueError(f"control body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("control body must be a JSON object")
    return body


def _query_int(request: web.Request, name: str, default: int | None = None) -> int:
    value = request.query.get(name)
    if value is None:
        if default is None:
            raise ValueError(f"query parameter {name} is required")
        return default
    return int(value)


def add_control_routes(app: web.Application, emulator: BotApiEmulator) -> None:
    """Mount the control endpoints for ``emulator`` on ``app``."""
    emu = emulator

    async def health(request: web.Request) -> Any:
        return {
            "base_url": emu.base_url,
            "file_url": emu.file_url,
            "control_url": emu.control_url,
            "bot_username": emu.bot_username,
            "bot_user": emu.bot_user,
        }

    async def users(request: web.Request) -> Any:
        return emu.add_user(**await _body(request))

    async def groups(request: web.Request) -> Any:
        return emu.create_group(**await _body(request))

    async def text(request: web.Request) -> Any:
        return {"update_id": emu.send_text(**await _body(request))}

    async def press(request: web.Request) -> Any:
        return {"callback_query_id": emu.press_button(**await _body(request))}

    async def press_many(request: web.Request) -> Any:
        body = await _body(request)
        presses = body.get("presses")
        if not isinstance(presses, list):
            raise ValueError("press_many needs a list of [user_id, message_id, callback_data] presses")
        return emu.press_buttons(presses, strict=bool(body.get("strict", True)))

    async def edit(request: web.Request) -> Any:
        return {"update_id": emu.edit_user_message(**await _body(request))}

    async def updates(request: web.Request) -> Any:
        body = await _body(request)
        return {"update_id": emu.send_update(body.get("update", body))}

    async def resend(request: web.Request) -> Any:
        return {"update_id": emu.resend_update(int((await _body(request))["update_id"]))}

    async def messages(request: web.Request) -> Any:
        return [m.to_dict() for m in emu.messages(_query_int(request, "chat_id"))]

    async def wait(request: web.Request) -> Any:
        """Answer once the chat's version differs from ?version= (or at the timeout)."""
        chat_id = _query_int(request, "chat_id")
        version = _query_int(request, "version", -1)
        timeout = min(float(request.query.get("timeout", "10")), _MAX_WAIT)
        end = asyncio.get_running_loop().time() + timeout
        while emu.chat_version(chat_id) == version and emu.running:
            remaining = end - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await emu.wait_changed(remaining)
        return {
            "version": emu.chat_version(chat_id),
            "messages": [m.to_dict() for m in emu.messages(chat_id)],
        }

    async def callback_answers(request: web.Request) -> Any:
        """``?after=N`` skips the first N answers, so a poller fetches each answer once."""
        return emu.callback_answers[max(_query_int(request, "after", 0), 0) :]

    async def chat_actions(request: web.Request) -> Any:
        return emu.chat_actions

    async def blocked(request: web.Request) -> Any:
        body = await _body(request)
        emu.set_blocked(int(body["chat_id"]), bool(body.get("blocked", True)))
        return True

    async def get_limits(request: web.Request) -> Any:
        return emu.limits

    async def set_limits(request: web.Request) -> Any:
        emu.set_limits(**await _body(request))
        return emu.limits

    async def clear_limits(request: web.Request) -> Any:
        emu.clear_limits()
        return True

    async def failure_rate(request: web.Request) -> Any:
        body = await _body(request)
        emu.set_failure_rate(float(body["rate"]), seed=body.get("seed"))
        return True

    async def stats(request: web.Request) -> Any:
        return emu.stats

    async def reset_stats(request: web.Request) -> Any:
        emu.reset_stats()
        return True

    async def webhook(request: web.Request) -> Any:
        return emu.webhook

    async def commands(request: web.Request) -> Any:
        scope = request.query.get("scope")
        return emu.commands(json.loads(scope) if scope else None, request.query.get("language_code", ""))

    async def reset(request: web.Request) -> Any:
        await emu.reset()
        return True

    async def get_kills(request: web.Request) -> Any:
        return emu.kill_hooks

    async def kill_on(request: web.Request) -> Any:
        body = await _body(request)
        emu.kill_on(str(body["method"]), int(body["nth"]), int(body["pid"]))
        return emu.kill_hooks

    async def clear_kills(request: web.Request) -> Any:
        emu.clear_kill_hooks()
        return True

    routes: list[tuple[str, str, _Endpoint]] = [
        ("GET", "health", health),
        ("POST", "users", users),
        ("POST", "groups", groups),
        ("POST", "text", text),
        ("POST", "press", press),
        ("POST", "press_many", press_many),
        ("POST", "edit", edit),
        ("POST", "updates", updates),
        ("POST", "resend", resend),
        ("GET", "messages", messages),
        ("GET", "wait", wait),
        ("GET", "callback_answers", callback_answers),
        ("GET", "chat_actions", chat_actions),
        ("POST", "blocked", blocked),
        ("GET", "limits", get_limits),
        ("POST", "limits", set_limits),
        ("DELETE", "limits", clear_limits),
        ("POST", "failure_rate", failure_rate),
        ("GET", "stats", stats),
        ("DELETE", "stats", reset_stats),
        ("GET", "webhook", webhook),
        ("GET", "commands", commands),
        ("POST", "reset", reset),
        ("GET", "kill", get_kills),
        ("POST", "kill", kill_on),
        ("DELETE", "kill", clear_kills),
    ]
    for method, path, endpoint in routes:
        app.router.add_route(method, f"/_control/{path}", _guard(endpoint))
