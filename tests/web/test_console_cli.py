"""``saathi console link``: a one-time link for a staff member, printed for the first admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.cli import main
from bot.services import admin
from bot.services import console as console_service
from bot.services.context import ServiceContext
from tests.web.conftest import ConsoleWorld


def test_the_printed_link_signs_the_admin_in(
    console: ConsoleWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(console.ctx.uow.engine.url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WEB_BASE_URL", "http://127.0.0.1:8080")
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    assert main(["console", "link", "--name", "director asha"]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith("http://127.0.0.1:8080/signin/")
    client = TestClient(console.app)
    assert client.get(link.removeprefix("http://127.0.0.1:8080"), follow_redirects=False).status_code == 303
    assert main(["console", "link", "--name", "Nobody"]) == 1
    assert "no active staff member" in capsys.readouterr().err


def test_a_name_at_two_centres_needs_the_centre(console: ConsoleWorld) -> None:
    ctx: ServiceContext = console.ctx
    admin.add_counsellor(ctx, "Disha Kendra", "Counsellor Meera", telegram_id=9005)
    with pytest.raises(ValueError, match="add --center"):
        console_service.link_for(ctx, "Counsellor Meera")
    link = console_service.link_for(ctx, "Counsellor Meera", "Disha Kendra")
    assert link.startswith("http://127.0.0.1:8080/signin/")
