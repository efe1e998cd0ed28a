"""The template catalogue: Meta's rules, the emulator's shape, and words that reveal nothing."""

from __future__ import annotations

import json
import re

import pytest

from bot import cli, cli_whatsapp
from bot.domain.whatsapp.templates import (
    LANGUAGES,
    TEMPLATES,
    by_name,
    by_purpose,
    catalogue,
    graph_template,
    opened_flow,
)
from bot.i18n import t
from sandbox.whatsapp.errors import GraphError
from sandbox.whatsapp.templates import Template, TemplateRegistry

# Words that would tell a family member glancing at the phone what the centre is for.
REVEALING = re.compile(
    r"addict|recover|sober|relapse|rehab|alcohol|drug|drink|craving|de-?addiction|counsell|therap|"
    r"नशा|नशे|व्यसन|शराब|दारू|ड्रग|मुक्ति|पुनर्वास|परामर्श|समुपदेश|उपचार|इलाज",
    re.IGNORECASE,
)


def registered() -> TemplateRegistry:
    registry = TemplateRegistry()
    for text in catalogue(t):
        registry.add(
            Template(
                name=text.name,
                language=text.language,
                body=text.body,
                category=text.category,
                quick_replies=text.quick_replies,
            )
        )
    return registry


def test_every_template_exists_in_every_language_and_the_emulator_registers_it():
    texts = catalogue(t)
    assert {(x.name, x.language) for x in texts} == {(tpl.name, lang) for tpl in TEMPLATES for lang in LANGUAGES}
    registry = registered()
    assert len(registry.all()) == len(TEMPLATES) * len(LANGUAGES)
    assert all(tpl.category == "utility" and tpl.param_count == 1 for tpl in registry.all())


@pytest.mark.parametrize("text", catalogue(t), ids=lambda x: f"{x.name}-{x.language}")
def test_the_send_this_module_builds_is_accepted_by_the_emulator(text):
    filled = registered().fill(graph_template(text, "Asha"))
    assert filled.params == ["Asha"]
    assert filled.payloads == [text.payload]
    assert filled.text == text.render("Asha")
    assert "Asha" in filled.text and "{{" not in filled.text


@pytest.mark.parametrize("text", catalogue(t), ids=lambda x: f"{x.name}-{x.language}")
def test_no_template_says_what_the_centre_treats(text):
    assert not REVEALING.search(text.body), text.body
    assert not REVEALING.search(text.quick_replies[0]), text.quick_replies


def test_an_empty_name_is_refused_before_meta_would():
    text = catalogue(t)[0]
    with pytest.raises(ValueError):
        graph_template(text, "  ")
    payload = graph_template(text, "Asha")
    payload["components"][0]["parameters"][0]["text"] = " "
    with pytest.raises(GraphError):
        registered().fill(payload)


def test_a_body_meta_would_refuse_fails_here():
    def starts_with_parameter(lang: str, key: str, **args: object) -> str:
        return "{{1}}, hello" if key.endswith("-body") else "Open"

    def no_parameter(lang: str, key: str, **args: object) -> str:
        return "Hello there" if key.endswith("-body") else "Open"

    def long_button(lang: str, key: str, **args: object) -> str:
        return f"Hi {args.get('name')}, hello." if key.endswith("-body") else "x" * 26

    for translate in (starts_with_parameter, no_parameter, long_button):
        with pytest.raises(ValueError):
            catalogue(translate)


def test_lookups_by_name_and_purpose():
    assert by_name("saathi_checkin") is TEMPLATES[0]
    assert by_name("nope") is None
    assert by_purpose("checkin") is TEMPLATES[0]
    assert by_purpose("circle") is None


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """The command as a director runs it, on a fresh database, with no token and no .env."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'saathi.db'}")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_command_prints_every_template_ready_to_submit(offline, capsys):
    assert cli.main(["whatsapp", "templates"]) == 0
    out = capsys.readouterr().out
    for text in catalogue(t):
        assert text.name in out and text.body in out and text.quick_replies[0] in out
    assert "utility" in out.lower() and "Asha" in out


def test_the_command_prints_json_that_round_trips(offline, capsys):
    assert cli.main(["whatsapp", "templates", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == len(TEMPLATES) * len(LANGUAGES)
    first = data[0]
    assert first["name"] == "saathi_checkin" and first["category"] == "UTILITY" and first["language"] == "en"
    body = next(c for c in first["components"] if c["type"] == "BODY")
    assert body["example"] == {"body_text": [["Asha"]]}
    buttons = next(c for c in first["components"] if c["type"] == "BUTTONS")
    assert buttons["buttons"] == [{"type": "QUICK_REPLY", "text": t("en", "wa-tpl-checkin-button")}]
    assert cli_whatsapp.COMMAND == "whatsapp"


def test_the_command_prints_one_language_when_asked(offline, capsys):
    assert cli.main(["whatsapp", "templates", "--json", "--language", "mr"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {entry["language"] for entry in data} == {"mr"} and len(data) == len(TEMPLATES)
    assert data[0]["components"][0]["text"] == t("mr", "wa-tpl-checkin-body", name="{{1}}")


def test_a_button_press_says_which_flow_it_opens():
    assert opened_flow(by_name("saathi_checkin").payload) == "checkin"
    assert {opened_flow(tpl.payload) for tpl in TEMPLATES[1:]} == {"waiting"}
    assert opened_flow("wa:open:anything") is None
    assert opened_flow("") is None
