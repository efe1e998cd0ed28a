"""Serving the console with uvicorn inside a process that already runs an event loop (the bot's):
no loop of its own, no signal handlers (the bot's own handle SIGTERM and SIGINT, then stop this)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator

import uvicorn
from starlette.applications import Starlette

log = logging.getLogger(__name__)

# On stop, requests in flight get this long to finish before uvicorn cancels them: a page that never
# answers (a browser that stalls mid-request, a query stuck behind a lock) must not keep the bot from
# stopping, which waited on it for good before (uvicorn's default is no limit).
GRACEFUL_SECONDS = 5


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the bot owns the signals; it stops this server through ``WebServer.stop``


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class WebServer:
    """``start()`` begins serving ``app`` on ``listen`` as a task of the running loop; ``stop()`` ends it."""

    def __init__(self, app: Starlette, listen: str) -> None:
        host, port = parse_listen(listen)
        # no access log: paths carry sign-in tokens; lifespan off: the bot starts and stops what the app uses
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
        )
        self.server = _EmbeddedServer(config)
        self.listen = listen
        self._task: asyncio.Task[None] | None = None

    async def _serve(self) -> None:
        try:
            await self.server.serve()
        except SystemExit:  # uvicorn exits when it cannot bind: the bot goes on without its console
            log.error("the console could not listen on %s (is the port taken?)", self.listen)

    async def start(self) -> bool:
        """True once listening; False when the address could not be bound (logged; the bot runs on)."""
        self._task = asyncio.create_task(self._serve(), name="web-console")
        while not self.server.started:
            if self._task.done():
                return False
            await asyncio.sleep(0.02)
        log.info("console listening on %s", self.listen)
        return True

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await self._task
        self._task = None
