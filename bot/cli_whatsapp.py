"""``saathi whatsapp templates``: the message templates to submit to Meta, in en, hi and mr.

A centre's WhatsApp number can write to a member more than 24 hours after their last message only
with templates Meta has approved; this prints them as the WhatsApp Manager form asks (name,
category, language, body, example value, quick-reply button), or with ``--json`` as the bodies of
the Message Templates API (``POST /<WABA id>/message_templates``), one per language.
"""

from __future__ import annotations

import argparse
import json

from bot.domain.whatsapp.templates import TemplateText, catalogue
from bot.i18n import LANGUAGES, t
from bot.services.context import ServiceContext

COMMAND = "whatsapp"


def add_parser(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("whatsapp", help="WhatsApp Business set-up").add_subparsers(dest="action", required=True)
    templates = group.add_parser(
        "templates",
        help="print the message templates to submit to Meta",
        description="Print the utility templates Saathi sends outside WhatsApp's 24-hour window, in every "
        "language, ready to submit in WhatsApp Manager (or, with --json, to the Message Templates API).",
    )
    templates.add_argument("--json", action="store_true", help="one JSON array of Message Templates API bodies")
    templates.add_argument("--language", choices=LANGUAGES, help="only this language")


def run(ctx: ServiceContext, args: argparse.Namespace) -> int:
    del ctx  # the templates are the same for every centre; nothing is read from the database
    languages = (args.language,) if args.language else LANGUAGES
    texts = catalogue(t, languages)
    print(json.dumps([api_body(text) for text in texts], ensure_ascii=False, indent=2) if args.json else listing(texts))
    return 0


def api_body(text: TemplateText) -> dict[str, object]:
    """What ``POST /<WABA id>/message_templates`` takes to create one template in one language."""
    return {
        "name": text.name,
        "language": text.language,
        "category": text.category.upper(),
        "components": [
            {"type": "BODY", "text": text.body, "example": {"body_text": [[text.example]]}},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": label} for label in text.quick_replies]},
        ],
    }


def listing(texts: list[TemplateText]) -> str:
    lines = [
        f"{len(texts)} templates to create in WhatsApp Manager (Account tools → Message templates).",
        "Category Utility for each; the body's {{1}} is the name the person chose, e.g. the example value.",
        "",
    ]
    for text in texts:
        lines += [
            f"{text.name}  [{text.language}]  category: {text.category}",
            f"  body:    {text.body}",
            f"  example: {{{{1}}}} = {text.example}",
            f"  button:  quick reply “{text.quick_replies[0]}”",
            "",
        ]
    return "\n".join(lines).rstrip()
