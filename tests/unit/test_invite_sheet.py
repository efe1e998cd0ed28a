"""The printed invite sheet: every QR code on the PNG decodes to its invite link, in every language."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from PIL import Image

from bot.domain.invite_sheet import A4
from bot.domain.whatsapp.invite import parse_start, wa_me_link
from bot.services.admin import deep_link
from bot.services.invite_sheet import invite_cards, render_pdf, render_png_pages

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (a dev dependency) decodes the QR codes")

CODES = ["ABCDEFGH", "KMNPQRST", "UVWXYZ23", "456789AB", "CDEFGHJK", "MNPQRSTU", "VWXYZ234", "56789ABC", "DEFGHJKM"]


def _cards(lang: str) -> list:
    return invite_cards([(code, deep_link("saathi_demo_bot", code)) for code in CODES], lang, "saathi_demo_bot")


@pytest.mark.parametrize("lang", ["en", "hi", "mr"])
def test_every_qr_on_the_png_decodes_to_its_invite_link(lang: str) -> None:
    pages = render_png_pages(_cards(lang))
    assert len(pages) == 2  # 8 cards a page
    decoded = []
    for png in pages:
        image = Image.open(io.BytesIO(png))
        assert image.size == (1240, 1754)  # A4 at 150 dpi
        decoded += [result.text for result in zxingcpp.read_barcodes(image)]
    assert sorted(decoded) == sorted(f"https://t.me/saathi_demo_bot?start={code}" for code in CODES)


def test_cards_carry_the_code_and_three_lines_in_the_language() -> None:
    english, hindi = _cards("en")[0], _cards("hi")[0]
    assert english.code == "ABCDEFGH" and english.link.endswith("?start=ABCDEFGH")
    assert len(english.lines) == len(hindi.lines) == 3
    assert "/start ABCDEFGH" in english.lines[1] and "@saathi_demo_bot" in english.lines[1]
    assert any("\u0900" <= ch <= "\u097f" for ch in "".join(hindi.lines))  # Devanagari


def test_the_pdf_has_one_page_per_eight_cards_and_embeds_the_font() -> None:
    pdf = render_pdf(_cards("mr"))
    assert pdf.startswith(b"%PDF-")
    assert b"/Count 2" in pdf  # the page tree: 9 cards on two pages
    assert b"NotoSansDevanagari" in pdf
    assert render_pdf([]).startswith(b"%PDF-")  # an empty sheet is a blank page, not an error
    assert A4.per_page == 8


# --- WhatsApp cards: the QR code opens WhatsApp with "START CODE" typed -----------------------------

WA_NUMBER = "919800000001"


@pytest.mark.parametrize("lang", ["en", "hi", "mr"])
def test_every_qr_on_a_whatsapp_sheet_decodes_to_its_wa_me_link(lang: str) -> None:
    cards = invite_cards(
        [(code, wa_me_link(WA_NUMBER, code)) for code in CODES], lang, "saathi_demo_bot", whatsapp_number=WA_NUMBER
    )
    decoded = []
    for png in render_png_pages(cards):
        decoded += [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert sorted(decoded) == sorted(f"https://wa.me/{WA_NUMBER}?text=START%20{code}" for code in CODES)
    assert parse_start(unquote(decoded[0].split("text=", 1)[1])) in CODES  # what the phone types, the bot reads


def test_whatsapp_cards_say_how_to_join_on_whatsapp_not_telegram() -> None:
    link = wa_me_link(WA_NUMBER, "ABCDEFGH")
    (card,) = invite_cards([("ABCDEFGH", link)], "en", "saathi_demo_bot", whatsapp_number=WA_NUMBER)
    assert len(card.lines) == 3
    assert "WhatsApp" in card.lines[0] and "Telegram" not in " ".join(card.lines)
    assert "+919800000001" in card.lines[1] and "START ABCDEFGH" in card.lines[1]
    assert "@saathi_demo_bot" not in " ".join(card.lines)
