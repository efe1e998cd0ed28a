"""A loopback TCP proxy in front of PostgreSQL that a test can cut: the database "goes away".

    with DatabaseProxy.for_url(postgres_url) as proxy:   # proxy.url: the same database, through the proxy
        ...; proxy.cut(); ...; proxy.restore()

While cut, every open connection is dropped and every new one is accepted and closed at once (as
when a server restarts or a network path fails: the client sees its connection reset). It runs an
event loop in a thread of its own: the bot's synchronous database calls block the test's event
loop, and a proxy on that loop would wait for them while they wait for it. ``events`` records
when it was cut and restored (``time.monotonic()``), for tests that decide from recorded times.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from types import TracebackType

from sqlalchemy.engine import make_url


class DatabaseProxy:
    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="db-proxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._down = False
        self.port = 0
        self.url = ""
        self.events: list[tuple[str, float]] = []
        self.refused = 0  # connections dropped at once while cut

    @classmethod
    def for_url(cls, url: str) -> DatabaseProxy:
        parsed = make_url(url)
        proxy = cls(parsed.host or "127.0.0.1", parsed.port or 5432)
        proxy.start()
        proxy.url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        return proxy

    def start(self) -> None:
        self._thread.start()
        self._server = self._run(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]

    def cut(self) -> None:
        self._down = True
        self._run(self._drop_all())
        self.events.append(("cut", time.monotonic()))

    def restore(self) -> None:
        self._down = False
        self.events.append(("restored", time.monotonic()))

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._run(self._drop_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self) -> DatabaseProxy:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _run(self, coroutine):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._down:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers.discard(writer)
        self._writers.discard(up_writer)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
