"""Decoding Bot API request parameters the way Telegram does.

python-telegram-bot sends every parameter as a *string*: plain strings as-is, everything else
JSON-encoded (``"123"``, ``"true"``, ``'{"inline_keyboard": ...}'``), as form fields, or as
multipart/form-data when a file is uploaded (see ``telegram/request/_requestparameter.py``
and ``_requestdata.py``). Other clients post a JSON body with native types, or use a query
string. So a value's type cannot come from the wire: each method asks for the type it
expects, and :class:`Params` coerces both representations.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from aiohttp import BodyPartReader, web

from .models import ApiError, bad_request

# Telegram accepts uploads up to 50 MB from bots; anything bigger is a bug in the caller.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@dataclasses.dataclass(slots=True)
class Upload:
    """One multipart file part."""

    filename: str | None
    content: bytes
    content_type: str | None


class Params:
    """Typed access to one request's parameters; raises Telegram-style 400s on bad values."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        return str(value).strip().lower() in {"true", "1", "yes", "on"}

    def get_json(self, name: str, *, error: str | None = None) -> Any:
        """A nested object/array parameter, given as JSON text (forms) or natively (JSON body)."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id: an integer, or "@username" for public chats."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.strip().startswith("@"):
            return value.strip()
        chat_id = self.get_int(name)
        assert chat_id is not None
        return chat_id


async def read_params(request: web.Request) -> Params:
    """Merge query string and body (form, multipart or JSON) into :class:`Params`."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    content_type = request.content_type
    if content_type == "multipart/form-data":
        reader = await request.multipart()
        total = 0
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read(decode=True)
            total += len(data)
            if total > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            if part.filename is not None:
                files[part.name] = Upload(part.filename, bytes(data), part.headers.get("Content-Type"))
            else:
                values[part.name] = bytes(data).decode(part.get_charset("utf-8"))
    elif content_type == "application/json":
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            values.update(body)
    elif request.can_read_body:
        values.update(await request.post())
    return Params(values, files)
