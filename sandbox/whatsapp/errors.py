"""Graph API errors as the WhatsApp Cloud API answers them.

Shape (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes)::

    {"error": {"message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
               "type": "OAuthException", "code": 131056,
               "error_data": {"messaging_product": "whatsapp", "details": "..."},
               "fbtrace_id": "..."}}

Meta asks clients to branch on ``code`` and ``error_data.details``, not on the title in ``message``;
the titles and details here are the ones Meta's answers carry (as quoted in public bug reports and
client test suites). Some errors come back on the send request itself; others (131047 outside the
customer-service window, 131026 undeliverable) are accepted first and reported later as a
``failed`` status webhook, as Meta does: see :func:`status_error`.
"""

from __future__ import annotations

import itertools
from typing import Any

ERROR_DOCS = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
_trace = itertools.count(1)

# code -> title (the part of ``message`` after "(#code) ")
TITLES = {
    100: "Invalid parameter",
    130429: "Rate limit hit",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
}
DETAILS = {
    130429: "Cloud API message throughput has been reached.",
    131026: "Message Undeliverable.",
    131047: (
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
    ),
    131056: (
        "Message failed to send because there were too many messages sent from this phone number "
        "to the same phone number in a short period of time."
    ),
}


class GraphError(Exception):
    """A refused Graph API request: raised while checking a request, answered as Meta's JSON."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        http_status: int = 400,
        message: str | None = None,
        type: str = "OAuthException",
        subcode: int | None = None,
    ) -> None:
        self.code = code
        self.http_status = http_status
        self.message = message if message is not None else f"(#{code}) {TITLES.get(code, 'Error')}"
        self.details = details if details is not None else DETAILS.get(code)
        self.type = type
        self.subcode = subcode
        super().__init__(f"{code} {self.message}")

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = f"AemuTrace{next(_trace):08d}"
        return {"error": error}


def invalid(details: str) -> GraphError:
    """100: the request does not follow the API's schema (missing or unknown fields, wrong types)."""
    return GraphError(100, details)


def not_valid(details: str) -> GraphError:
    """131009: a value breaks one of WhatsApp's rules (button count, title length, row count)."""
    return GraphError(131009, details)


def missing(details: str) -> GraphError:
    return GraphError(131008, details)


def bad_token() -> GraphError:
    return GraphError(190, None, http_status=401, message="Invalid OAuth access token - Cannot parse access token")


def unknown_object(object_id: str) -> GraphError:
    return GraphError(
        100,
        None,
        message=(
            f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
            "missing permissions, or does not support this operation."
        ),
        type="GraphMethodException",
        subcode=33,
    )


def status_error(code: int) -> dict[str, Any]:
    """The ``errors`` entry of a ``failed`` status webhook."""
    title = TITLES[code]
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": DETAILS[code]},
        "href": ERROR_DOCS,
    }
