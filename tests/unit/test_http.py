"""bot/http.py: python-telegram-bot's requests over aiohttp (the happy path runs in every e2e test)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram.error import NetworkError, TimedOut

from bot.http import AiohttpRequest

TOKEN = "1000000009:SECRET-token-never-in-an-error"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_refused_connection_is_a_network_error_without_the_token() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{_free_port()}/bot{TOKEN}/getMe", "POST")
        assert TOKEN not in str(raised.value) and "SECRET" not in repr(raised.value)
    finally:
        await request.shutdown()


async def test_a_server_that_never_answers_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut) as raised:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
        assert TOKEN not in str(raised.value)
    finally:
        await request.shutdown()
        server.close()


async def test_it_must_be_initialized_and_can_be_reused_after_a_shutdown() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:1/x", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    await request.initialize()
    assert request.read_timeout == 5.0
    await request.shutdown()
