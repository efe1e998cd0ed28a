"""The message templates Saathi sends on WhatsApp outside the 24-hour window, ready for Meta.

Outside the customer-service window (:mod:`.window`) WhatsApp delivers only templates a centre has
submitted and Meta has approved, in the *utility* category (billed per message in India). Each
template here has one parameter, ``{{1}}``, the name the person chose to be called by, and one
quick-reply button whose press comes back as a message: it reopens the window, and its payload
(:attr:`Template.payload`) tells the bot which flow to continue (start the check-in, show what was
waiting).

The words themselves live in the Fluent catalogs (``bot/i18n/locales/*/whatsapp.ftl``, ids
``wa-tpl-<key>-body`` and ``wa-tpl-<key>-button``), like every other word the bot says; this module
is standard library only, so :func:`catalogue` takes the translating function. Bodies never say
what the centre treats: a family member may see the lock screen.

Names follow Meta's rule (lower case, digits and underscores); languages are Meta's codes, which
for Saathi's three are the same as ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "CATEGORY",
    "LANGUAGES",
    "TEMPLATES",
    "Template",
    "TemplateText",
    "by_name",
    "by_purpose",
    "catalogue",
    "graph_template",
    "opened_flow",
]

CATEGORY = "utility"
LANGUAGES = ("en", "hi", "mr")
# What a send fills in for {{1}}: a body's parameters are numbered from 1 without gaps (Meta's rule).
PARAMETER = "{{1}}"
_NAME = re.compile(r"[a-z0-9_]{1,512}")
# Meta's limits: a body of at most 1,024 characters, a quick-reply button of at most 25.
MAX_BODY = 1024
MAX_BUTTON = 25

OPEN_PREFIX = "wa:open:"  # a button payload: the flow the press opens

Translate = Callable[..., str]  # (lang, message id, **args) -> text, as bot.i18n.t


@dataclass(frozen=True, slots=True)
class Template:
    """One template: its name at Meta, the outbox purposes it stands in for, and its button."""

    key: str  # the catalog ids' middle part: wa-tpl-<key>-body
    name: str
    purposes: tuple[str, ...]
    payload: str  # what its quick-reply button carries back
    example: str = "Asha"  # a made-up first name, the example value Meta asks for

    @property
    def body_id(self) -> str:
        return f"wa-tpl-{self.key}-body"

    @property
    def button_id(self) -> str:
        return f"wa-tpl-{self.key}-button"


@dataclass(frozen=True, slots=True)
class TemplateText:
    """A template in one language, as it is submitted and as the emulator registers it."""

    name: str
    language: str
    category: str
    body: str  # with {{1}}
    example: str
    quick_replies: tuple[str, ...]
    payload: str

    def render(self, name: str) -> str:
        """The message as the person will read it."""
        return self.body.replace(PARAMETER, name)


TEMPLATES: tuple[Template, ...] = (
    # the daily check-in, when the member has not written for a day or more
    Template("checkin", "saathi_checkin", ("checkin",), "wa:open:checkin"),
    # a nudge: the check-in still open, a high-risk hour, a circle meeting soon
    Template("reminder", "saathi_reminder", ("reminder", "craving_prompt", "circle_meeting"), "wa:open:waiting"),
    # a sponsor or mentee has something for them
    Template(
        "sponsor",
        "saathi_message_waiting",
        ("sp_talk", "sp_gap", "sp_relay", "sp_summary", "sp_consent", "sp_linked"),
        "wa:open:waiting",
    ),
    # a counsellor is needed: an alert, a reach-out request, a notice for staff
    Template(
        "staff",
        "saathi_staff_alert",
        ("escalation", "reach_out", "call_request", "sp_gap_staff", "circle_staff", "privacy_staff"),
        "wa:open:waiting",
    ),
)


def opened_flow(payload: str) -> str | None:
    """What a template's button press asks for: "checkin" (start today's check-in) or "waiting" (show
    what was held for them); None for a payload that is not one of ours."""
    for template in TEMPLATES:
        if payload == template.payload:
            return template.payload.removeprefix(OPEN_PREFIX)
    return None


def by_purpose(purpose: str) -> Template | None:
    """The template that may carry a message of this outbox purpose outside the window, if any."""
    for template in TEMPLATES:
        if purpose in template.purposes:
            return template
    return None


def by_name(name: str) -> Template | None:
    return next((template for template in TEMPLATES if template.name == name), None)


def catalogue(translate: Translate, languages: Sequence[str] = LANGUAGES) -> list[TemplateText]:
    """Every template in every language, bodies filled from the catalogs, checked against Meta's rules.

    Raises ValueError for a body Meta would refuse (too long, starting or ending with the
    parameter, without it) or a button label too long, so a bad translation fails a test here and
    not at Meta's review.
    """
    texts: list[TemplateText] = []
    for template in TEMPLATES:
        if not _NAME.fullmatch(template.name):
            raise ValueError(f"{template.name!r}: a template name is lower case letters, digits and _")
        for language in languages:
            body = translate(language, template.body_id, name=PARAMETER).strip()
            button = translate(language, template.button_id).strip()
            _check(template.name, language, body, button)
            texts.append(
                TemplateText(
                    name=template.name,
                    language=language,
                    category=CATEGORY,
                    body=body,
                    example=template.example,
                    quick_replies=(button,),
                    payload=template.payload,
                )
            )
    return texts


def _check(name: str, language: str, body: str, button: str) -> None:
    where = f"{name} ({language})"
    if body.count(PARAMETER) != 1 or "{{2}}" in body:
        raise ValueError(f"{where}: the body must hold {PARAMETER} once and no other parameter")
    if body.startswith(PARAMETER) or body.endswith(PARAMETER):
        raise ValueError(f"{where}: Meta refuses a body that starts or ends with a parameter")
    if len(body) > MAX_BODY:
        raise ValueError(f"{where}: the body is longer than {MAX_BODY} characters")
    if not 1 <= len(button) <= MAX_BUTTON:
        raise ValueError(f"{where}: a quick-reply button is 1 to {MAX_BUTTON} characters")


def graph_template(text: TemplateText, name: str) -> dict[str, object]:
    """The ``template`` object of a Cloud API send: the body's {{1}} and the button's payload.

    ``name`` is how the person is addressed (their pseudonym). Meta refuses an empty parameter
    (131008), so an empty name is the caller's bug and raises here, before the send.
    """
    if not name.strip():
        raise ValueError("a template is sent with the name the person is called by")
    return {
        "name": text.name,
        "language": {"code": text.language},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": name}]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": text.payload}],
            },
        ],
    }
