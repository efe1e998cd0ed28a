"""The console's invite sheet for a centre with a WhatsApp number: the same codes print as WhatsApp
cards (``?channel=whatsapp``) whose QR codes decode to ``https://wa.me/<number>?text=START%20<CODE>``;
a centre without a number has no WhatsApp sheet (404), and the Telegram sheet is unchanged."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from starlette.testclient import TestClient

from bot.services import channels
from storage.channels.tables import Channel
from tests.web.conftest import CENTRE, ConsoleWorld, csrf_of

NUMBER = "919800000001"


def _create(client: TestClient, count: int = 9) -> tuple[str, list[str]]:
    response = client.post(
        "/invites", data={"csrf": csrf_of(client), "circle": "", "count": str(count), "expires": "14", "lang": "mr"}
    )
    assert response.status_code == 200
    return response.text, re.findall(r"<td><code>([A-Z0-9]{8})</code></td><td class=\"meta\">https", response.text)


def _add_number(console: ConsoleWorld) -> None:
    channels.add_account(
        console.ctx,
        Channel.WHATSAPP,
        CENTRE,
        token="EAAtoken",
        phone_id="106540352242922",
        app_secret="app-secret",
        verify_token="verify",
        number="+91 98000 00001",
    )


def test_whatsapp_cards_decode_to_wa_me_links(console: ConsoleWorld, admin_client: TestClient) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (a dev dependency) decodes the QR codes")
    _add_number(console)
    page, codes = _create(admin_client)
    assert len(codes) == 9
    for code in codes:  # both links beside each new code
        assert f"https://t.me/saathi_demo_bot?start={code}" in page
        assert f"https://wa.me/{NUMBER}?text=START%20{code}" in page
    pdf_link = re.search(r'href="(/invites/sheet\.pdf\?[^"]*channel=whatsapp[^"]*)"', page)
    assert pdf_link is not None
    query = pdf_link.group(1).replace("&amp;", "&")
    pdf = admin_client.get(query)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and b"/Count 2" in pdf.content
    decoded = []
    for number in (1, 2):
        png = admin_client.get(query.replace("sheet.pdf", "sheet.png") + f"&page={number}")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        decoded += [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]
    assert sorted(decoded) == sorted(f"https://wa.me/{NUMBER}?text=START%20{code}" for code in codes)
    # the Telegram sheet of the same codes is unchanged
    telegram = admin_client.get(query.replace("sheet.pdf", "sheet.png").replace("channel=whatsapp&", "") + "&page=1")
    assert {r.text.split("?start=")[0] for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(telegram.content)))} == {
        "https://t.me/saathi_demo_bot"
    }
    # the open codes can be printed again as WhatsApp cards, in every language
    assert admin_client.get("/invites").text.count("channel=whatsapp") == 3


def test_no_whatsapp_sheet_without_a_number(console: ConsoleWorld, admin_client: TestClient) -> None:
    page, codes = _create(admin_client, count=2)
    assert "wa.me" not in page and "channel=whatsapp" not in page
    query = "&".join(f"code={code}" for code in codes)
    assert admin_client.get(f"/invites/sheet.pdf?channel=whatsapp&{query}").status_code == 404
    assert admin_client.get(f"/invites/sheet.pdf?channel=signal&{query}").status_code == 404
    assert admin_client.get(f"/invites/sheet.pdf?{query}").status_code == 200
