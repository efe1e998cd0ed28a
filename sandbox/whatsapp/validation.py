"""The checks the Cloud API makes on a message before accepting it.

A request that does not follow the schema (missing field, wrong type, unknown message type) gets
code 100; one that follows it but breaks a WhatsApp rule gets 131009 with Meta's ``details``, e.g.
"Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3",
"Button title length invalid. Min length: 1, Max length: 20" and
"Total row count exceed max allowed count: 10" (Meta's exact words). Details for the rarer rules
(duplicate ids, section titles) follow the same pattern but are the emulator's wording.

:func:`check_message` answers the fields of the :class:`~sandbox.whatsapp.models.WaMessage` to record.
"""

from __future__ import annotations

from typing import Any

from .errors import GraphError, invalid, missing, not_valid
from .templates import TemplateRegistry

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_HEADER_FOOTER = 60
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_ROWS = 10
MAX_SECTIONS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
MAX_SECTION_TITLE = 24
MAX_LIST_BUTTON = 20
MESSAGE_TYPES = ("text", "interactive", "template", "reaction")


def check_message(body: dict[str, Any], templates: TemplateRegistry) -> dict[str, Any]:
    kind = body.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise invalid(f"Param type must be one of {{{', '.join(MESSAGE_TYPES)}}} in the emulator; got {kind!r}.")
    content = body.get(kind)
    if not isinstance(content, dict):
        raise invalid(f"The parameter {kind} is required.")
    fields: dict[str, Any] = {"kind": kind, "raw": body}
    context = body.get("context")
    if context is not None:
        if not isinstance(context, dict) or not isinstance(context.get("message_id"), str):
            raise invalid("Param context['message_id'] must be a string.")
        fields["reply_to"] = context["message_id"]
    tracker = body.get("biz_opaque_callback_data")
    if tracker is not None:
        fields["tracker"] = str(tracker)
    if kind == "text":
        fields["text"] = _text(content.get("body"), "text['body']", MAX_TEXT)
    elif kind == "interactive":
        fields.update(_interactive(content))
    elif kind == "template":
        filled = templates.fill(content)
        fields.update(
            text=filled.text,
            template=filled.template.name,
            language=filled.template.language,
            category=filled.template.category,
            params=filled.params,
            buttons=list(zip(filled.payloads, filled.template.quick_replies, strict=True)),
        )
    else:  # reaction
        message_id = content.get("message_id")
        emoji = content.get("emoji")
        if not isinstance(message_id, str) or not message_id:
            raise invalid("The parameter reaction['message_id'] is required.")
        if not isinstance(emoji, str):
            raise invalid("The parameter reaction['emoji'] is required.")
        fields.update(reply_to=message_id, emoji=emoji)
    return fields


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise invalid(f"The parameter {name} is required.")
    if len(value) > limit:
        raise not_valid(f"Param {name} must be at most {limit} characters long.")
    return value


def _interactive(content: dict[str, Any]) -> dict[str, Any]:
    kind = content.get("type")
    if kind not in ("button", "list"):
        raise invalid(f"Param interactive['type'] must be 'button' or 'list' in the emulator; got {kind!r}.")
    body = content.get("body")
    if not isinstance(body, dict) or not body.get("text"):
        raise missing("The parameter interactive['body']['text'] is required.")
    fields: dict[str, Any] = {
        "interactive_type": kind,
        "text": _text(body.get("text"), "interactive['body']['text']", MAX_INTERACTIVE_BODY),
    }
    header = content.get("header")
    if header is not None:
        if not isinstance(header, dict) or header.get("type") != "text":
            raise invalid("The emulator supports only text headers.")
        fields["header"] = _text(header.get("text"), "interactive['header']['text']", MAX_HEADER_FOOTER)
    footer = content.get("footer")
    if footer is not None:
        if not isinstance(footer, dict):
            raise invalid("Param interactive['footer'] must be an object.")
        fields["footer"] = _text(footer.get("text"), "interactive['footer']['text']", MAX_HEADER_FOOTER)
    action = content.get("action")
    if not isinstance(action, dict):
        raise invalid("The parameter interactive['action'] is required.")
    if kind == "button":
        fields["buttons"] = _buttons(action.get("buttons"))
    else:
        fields["list_button"], fields["rows"] = _list(action)
    return fields


def _buttons(buttons: Any) -> list[tuple[str, str]]:
    if not isinstance(buttons, list):
        raise invalid("The parameter interactive['action']['buttons'] is required.")
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise not_valid(f"Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: {MAX_BUTTONS}")
    result: list[tuple[str, str]] = []
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) and button.get("type") == "reply" else None
        if not isinstance(reply, dict):
            raise invalid("Each button must be {'type': 'reply', 'reply': {'id': ..., 'title': ...}}.")
        button_id, title = reply.get("id"), reply.get("title")
        if not isinstance(button_id, str) or not button_id or len(button_id) > MAX_BUTTON_ID:
            raise not_valid(f"Button id length invalid. Min length: 1, Max length: {MAX_BUTTON_ID}")
        if not isinstance(title, str) or not 1 <= len(title) <= MAX_BUTTON_TITLE:
            raise not_valid(f"Button title length invalid. Min length: 1, Max length: {MAX_BUTTON_TITLE}")
        result.append((button_id, title))
    if len({b for b, _ in result}) != len(result):
        raise not_valid("Button ids must be unique.")
    if len({t for _, t in result}) != len(result):
        raise not_valid("Button titles must be unique.")
    return result


def _list(action: dict[str, Any]) -> tuple[str, list[tuple[str, str, str | None]]]:
    button = action.get("button")
    if not isinstance(button, str) or not 1 <= len(button) <= MAX_LIST_BUTTON:
        raise not_valid(f"Button title length invalid. Min length: 1, Max length: {MAX_LIST_BUTTON}")
    sections = action.get("sections")
    if not isinstance(sections, list):
        raise invalid("The parameter interactive['action']['sections'] is required.")
    if not 1 <= len(sections) <= MAX_SECTIONS:
        raise not_valid(f"Invalid sections count. Min allowed sections: 1, Max allowed sections: {MAX_SECTIONS}")
    rows: list[tuple[str, str, str | None]] = []
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
            raise invalid("Each section must be an object with rows.")
        title = section.get("title")
        if len(sections) > 1 and (not isinstance(title, str) or not title):
            raise not_valid("Section title is required when there is more than one section.")
        if isinstance(title, str) and len(title) > MAX_SECTION_TITLE:
            raise not_valid(f"Section title length invalid. Min length: 1, Max length: {MAX_SECTION_TITLE}")
        if not section["rows"]:
            raise not_valid("Invalid rows count in a section. Min allowed rows: 1")
        for row in section["rows"]:
            rows.append(_row(row))
    if len(rows) > MAX_ROWS:
        raise not_valid(f"Total row count exceed max allowed count: {MAX_ROWS}")
    if len({r for r, _, _ in rows}) != len(rows):
        raise not_valid("Row ids must be unique.")
    return button, rows


def _row(row: Any) -> tuple[str, str, str | None]:
    if not isinstance(row, dict):
        raise invalid("Each row must be an object.")
    row_id, title, description = row.get("id"), row.get("title"), row.get("description")
    if not isinstance(row_id, str) or not 1 <= len(row_id) <= MAX_ROW_ID:
        raise not_valid(f"Row id length invalid. Min length: 1, Max length: {MAX_ROW_ID}")
    if not isinstance(title, str) or not 1 <= len(title) <= MAX_ROW_TITLE:
        raise not_valid(f"Row title length invalid. Min length: 1, Max length: {MAX_ROW_TITLE}")
    if description is not None and (not isinstance(description, str) or len(description) > MAX_ROW_DESCRIPTION):
        raise not_valid(f"Row description length invalid. Max length: {MAX_ROW_DESCRIPTION}")
    return row_id, title, description


__all__ = ["GraphError", "check_message"]
