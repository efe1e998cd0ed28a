"""python-telegram-bot's HTTP requests over aiohttp instead of httpx.

Every message, edit and button answer is one Bot API call. A call through python-telegram-bot's
default ``HTTPXRequest`` costs several times the CPU of the same call over aiohttp (figures in
docs/performance.md, "Figures behind design choices"); httpcore's pool also checks every idle
connection with system calls on every request. A member's press costs three calls (the answer,
the ticked keyboard, the next question), so the transport was the largest single cost of a reply.
aiohttp is already a dependency (the emulator).

The contract is python-telegram-bot's :class:`~telegram.request.BaseRequest`: ``do_request`` returns
the status and the body, and python-telegram-bot turns them into results or its errors (429 →
``RetryAfter``, 403 → ``Forbidden``, …). Transport failures become ``TimedOut`` or ``NetworkError``
whose message names the exception class only: an aiohttp message can hold the URL, and the URL
holds the bot's token.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """``connection_pool_size`` calls at once (more wait up to ``pool_timeout`` for a connection)."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        if files:
            write = MEDIA_WRITE_TIMEOUT if isinstance(write_timeout, DefaultValue) else write_timeout
            read = max(read or 0.0, write or 0.0) or None  # aiohttp has no write timeout: allow it in the read
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body: aiohttp.FormData | dict[str, str] | None = form
        else:
            body = fields
        # aiohttp counts the wait for a free connection in the connect timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_read=read,
            connect=None if connect is None and pool is None else (connect or 0) + (pool or 0),
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut(f"aiohttp: {type(err).__name__}") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}") from err
