"""The printed invite sheet: every QR code on the PNG decodes to its invite link, in every language."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.domain.invite_sheet import A4
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
