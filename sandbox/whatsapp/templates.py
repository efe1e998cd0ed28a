"""Message templates the tests register, and the checks Meta makes when one is sent.

Outside the 24-hour customer-service window only an approved template may be sent. A template is
addressed by (name, language); its body holds positional parameters ``{{1}}``, ``{{2}}`` … that the
send fills in order. Quick-reply buttons carry a payload the send sets per button; pressing one
comes back as a ``button`` message, which opens the window like any message from the person.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from .errors import GraphError, invalid

_PARAM = re.compile(r"\{\{(\d+)\}\}")
CATEGORIES = ("utility", "marketing", "authentication")
STATUSES = ("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED")


@dataclasses.dataclass(slots=True)
class Template:
    name: str
    language: str
    body: str
    category: str = "utility"
    status: str = "APPROVED"
    quick_replies: tuple[str, ...] = ()

    @property
    def param_count(self) -> int:
        return len(set(_PARAM.findall(self.body)))

    def render(self, params: list[str]) -> str:
        return _PARAM.sub(lambda m: params[int(m.group(1)) - 1], self.body)


@dataclasses.dataclass(slots=True)
class FilledTemplate:
    template: Template
    params: list[str]
    payloads: list[str]

    @property
    def text(self) -> str:
        return self.template.render(self.params)


class TemplateRegistry:
    def __init__(self) -> None:
        self._templates: dict[tuple[str, str], Template] = {}

    def add(self, template: Template) -> Template:
        if template.category not in CATEGORIES:
            raise ValueError(f"category must be one of {CATEGORIES}")
        if template.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        numbers = sorted({int(n) for n in _PARAM.findall(template.body)})
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("template parameters must be {{1}}, {{2}}, … without gaps")
        if len(template.quick_replies) > 10:
            raise ValueError("a template has at most 10 quick-reply buttons")
        self._templates[(template.name, template.language)] = template
        return template

    def set_status(self, name: str, language: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        self._templates[(name, language)].status = status

    def get(self, name: str, language: str) -> Template | None:
        return self._templates.get((name, language))

    def all(self) -> list[Template]:
        return list(self._templates.values())

    def fill(self, payload: Any) -> FilledTemplate:
        """Check a send's ``template`` object the way Meta does; the template and its values."""
        if not isinstance(payload, dict):
            raise invalid("Param template must be an object.")
        name = payload.get("name")
        language = payload.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not isinstance(name, str) or not name:
            raise invalid("The parameter template['name'] is required.")
        if not isinstance(code, str) or not code:
            raise invalid("The parameter template['language']['code'] is required.")
        template = self.get(name, code)
        if template is None or template.status != "APPROVED":
            # pending, rejected and unknown templates look the same to a sender
            raise GraphError(132001, f"template name ({name}) does not exist in {code}", http_status=404)
        body_params: list[str] | None = None
        payloads = [""] * len(template.quick_replies)
        components = payload.get("components", [])
        if not isinstance(components, list):
            raise invalid("Param template['components'] must be an array.")
        for component in components:
            if not isinstance(component, dict):
                raise invalid("Each template component must be an object.")
            kind = str(component.get("type", "")).lower()
            parameters = component.get("parameters", [])
            if not isinstance(parameters, list):
                raise invalid("Param template['components'][]['parameters'] must be an array.")
            if kind == "body":
                body_params = [_text_param(p) for p in parameters]
            elif kind == "header":
                if parameters:
                    raise _count_mismatch("header", len(parameters), 0)
            elif kind == "button":
                index = _button_index(component, len(template.quick_replies))
                payloads[index] = _payload_param(parameters)
            else:
                raise invalid(f"Unknown template component type {kind!r}.")
        given = body_params or []
        if len(given) != template.param_count:
            raise _count_mismatch("body", len(given), template.param_count)
        return FilledTemplate(template, given, payloads)


def _count_mismatch(component: str, given: int, expected: int) -> GraphError:
    return GraphError(
        132000,
        f"{component}: number of localizable_params ({given}) "
        f"does not match the expected number of params ({expected})",
    )


def _text_param(parameter: Any) -> str:
    if not isinstance(parameter, dict) or str(parameter.get("type", "")).lower() != "text":
        raise invalid("The emulator supports only text parameters in a template body.")
    text = parameter.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GraphError(131008, "Parameter text of a body component is required and cannot be empty.")
    return text


def _button_index(component: dict[str, Any], count: int) -> int:
    if str(component.get("sub_type", "")).lower() != "quick_reply":
        raise invalid("The emulator supports only quick_reply template buttons.")
    try:
        index = int(component.get("index", -1))
    except (TypeError, ValueError):
        raise invalid("Param template button index must be an integer.") from None
    if not 0 <= index < count:
        raise _count_mismatch(f"button at index {index}", 1, 0)
    return index


def _payload_param(parameters: list[Any]) -> str:
    if len(parameters) != 1 or not isinstance(parameters[0], dict) or parameters[0].get("type") != "payload":
        raise invalid("A quick_reply button takes one parameter of type payload.")
    return str(parameters[0].get("payload", ""))
