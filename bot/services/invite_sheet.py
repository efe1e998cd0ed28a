"""Printable invite cards: an A4 sheet as PDF (fpdf2) or PNG pages (pillow).

Each card carries the invite link as a QR code, the 8-letter code in large type and three lines of
"how to join" in the language the centre chose for the sheet. A Telegram card's link is the bot's
t.me deep link; a WhatsApp card's is ``https://wa.me/<number>?text=START%20<CODE>``, which opens a
chat with the centre's number with "START CODE" typed. Where things go is decided by
``bot/domain/invite_sheet.py``; this module only draws.

Devanagari needs a font that has it and a shaping engine that joins its letters: the font is Noto
Sans Devanagari (SIL Open Font License, with Latin too) from the ``fontpkg-noto-sans-devanagari``
package; fpdf2 shapes with HarfBuzz (``uharfbuzz``), pillow with its bundled libraqm, which needs the
system's FriBiDi library (``PNG_SHAPES_TEXT`` says whether it was found; without it Hindi and Marathi
lines on the PNG are drawn unshaped, and the PDF is the one to print).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import segno
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont, features

from bot.domain.invite_sheet import A4, PT_PER_MM, Box, CardLayout, SheetGeometry, card_layouts, fit_text, paginate
from bot.i18n import t

# the package ships the variable font (weights 100-900) as files/NotoSansDevanagari[wdth,wght].ttf
FONT_PATH: Path = next(Path(str(files("fontpkg_noto_sans_devanagari") / "files")).glob("NotoSansDevanagari*.ttf"))
PNG_SHAPES_TEXT: bool = bool(features.check("raqm"))
QUIET_MODULES = 4  # the white border a QR reader needs, in modules
CODE_PT = 26.0
GREY = (120, 120, 120)


@dataclass(frozen=True)
class InviteCard:
    code: str
    link: str
    lines: tuple[str, ...]


def invite_cards(
    invites: Sequence[tuple[str, str]], language: str, bot_username: str, *, whatsapp_number: str | None = None
) -> list[InviteCard]:
    """Cards for ``(code, link)`` pairs, with the how-to-join lines in ``language``: for Telegram
    (a t.me link), or with ``whatsapp_number`` for WhatsApp (the link a wa.me link to that number)."""
    return [
        InviteCard(
            code=code,
            link=link,
            lines=(
                (
                    t(language, "console-invite-card-scan-whatsapp"),
                    t(language, "console-invite-card-type-whatsapp", number=f"+{whatsapp_number}", code=code),
                )
                if whatsapp_number
                else (
                    t(language, "console-invite-card-scan"),
                    t(language, "console-invite-card-type", bot=bot_username, code=code),
                )
            )
            + (t(language, "console-invite-card-once"),),
        )
        for code, link in invites
    ]


def _qr_modules(link: str) -> list[list[bool]]:
    qr = segno.make_qr(link, error="m")
    return [[bool(cell) for cell in row] for row in qr.matrix]


def _dark_runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row: one rectangle per run, not per module."""
    runs, start = [], None
    for i, dark in enumerate([*row, False]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            runs.append((start, i - start))
            start = None
    return runs


# --- PDF -------------------------------------------------------------------------------------------


def render_pdf(cards: Sequence[InviteCard], geometry: SheetGeometry = A4) -> bytes:
    pdf = FPDF(unit="mm", format=(geometry.page_w, geometry.page_h))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("noto", "", FONT_PATH)
    pdf.add_font("noto", "B", FONT_PATH, variations={"wght": 700.0})
    pdf.set_text_shaping(True)
    pdf.set_title("Saathi invitations")
    layouts = card_layouts(geometry)
    for page in paginate(cards, geometry.per_page) or [[]]:
        pdf.add_page()
        for card, layout in zip(page, layouts, strict=False):
            _pdf_card(pdf, card, layout)
    return bytes(pdf.output())


def _pdf_measure(pdf: FPDF, style: str) -> Callable[[str, float], float]:
    def measure(text: str, size_pt: float) -> float:
        pdf.set_font("noto", style, size_pt)
        return float(pdf.get_string_width(text))

    return measure


def _pdf_card(pdf: FPDF, card: InviteCard, layout: CardLayout) -> None:
    box = layout.card
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.rect(box.x, box.y, box.w, box.h)
    pdf.set_dash_pattern()
    # the code, centred in its band, as large as fits
    pdf.set_text_color(0, 0, 0)
    size = CODE_PT
    pdf.set_font("noto", "B", size)
    while pdf.get_string_width(card.code) > layout.code.w and size > 10:
        size -= 1
        pdf.set_font("noto", "B", size)
    pdf.set_xy(layout.code.x, layout.code.y)
    pdf.cell(layout.code.w, layout.code.h, card.code, align="C")
    # the QR code, one rectangle per run of dark modules
    modules = _qr_modules(card.link)
    unit = layout.qr.w / (len(modules) + 2 * QUIET_MODULES)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(modules):
        for start, length in _dark_runs(row):
            x = layout.qr.x + (start + QUIET_MODULES) * unit
            y = layout.qr.y + (r + QUIET_MODULES) * unit
            pdf.rect(x, y, length * unit, unit, style="F")
    # how to join
    measure = _pdf_measure(pdf, "")
    fitted = fit_text(card.lines, layout.text, measure)
    pdf.set_font("noto", "", fitted.size_pt)
    y = layout.text.y
    for paragraph in fitted.paragraphs:
        for line in paragraph:
            pdf.set_xy(layout.text.x, y)
            pdf.cell(layout.text.w, fitted.line_h, line)
            y += fitted.line_h
        y += fitted.line_h * 0.4


# --- PNG -------------------------------------------------------------------------------------------


@cache
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if PNG_SHAPES_TEXT else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(FONT_PATH), size_px, layout_engine=engine)
    font.set_variation_by_axes([700 if bold else 400, 100])
    return font


def render_png_pages(cards: Sequence[InviteCard], *, dpi: int = 150, geometry: SheetGeometry = A4) -> list[bytes]:
    """One PNG per page of cards (at 150 dpi an A4 page is 1240 × 1754 pixels)."""
    layouts = card_layouts(geometry)
    scale = dpi / 25.4  # pixels per millimetre
    pages = []
    for page in paginate(cards, geometry.per_page) or [[]]:
        image = Image.new("L", (round(geometry.page_w * scale), round(geometry.page_h * scale)), 255)
        draw = ImageDraw.Draw(image)
        for card, layout in zip(page, layouts, strict=False):
            _png_card(draw, card, layout, scale)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=True)
        pages.append(buffer.getvalue())
    return pages


def _px(box: Box, scale: float) -> tuple[int, int, int, int]:
    return round(box.x * scale), round(box.y * scale), round(box.right * scale), round(box.bottom * scale)


def _png_card(draw: ImageDraw.ImageDraw, card: InviteCard, layout: CardLayout, scale: float) -> None:
    x0, y0, x1, y1 = _px(layout.card, scale)
    dash = max(round(1.5 * scale), 1)
    for x in range(x0, x1, 2 * dash):
        draw.line([(x, y0), (min(x + dash, x1), y0)], fill=GREY[0])
        draw.line([(x, y1), (min(x + dash, x1), y1)], fill=GREY[0])
    for y in range(y0, y1, 2 * dash):
        draw.line([(x0, y), (x0, min(y + dash, y1))], fill=GREY[0])
        draw.line([(x1, y), (x1, min(y + dash, y1))], fill=GREY[0])
    # the code
    cx0, cy0, cx1, cy1 = _px(layout.code, scale)
    size_pt = CODE_PT
    font = _font(round(size_pt / 72 * 25.4 * scale), True)
    while font.getlength(card.code) > cx1 - cx0 and size_pt > 10:
        size_pt -= 1
        font = _font(round(size_pt / 72 * 25.4 * scale), True)
    draw.text(((cx0 + cx1) / 2, (cy0 + cy1) / 2), card.code, font=font, fill=0, anchor="mm")
    # the QR code: whole pixels per module, centred in its square, so a reader sees sharp edges
    modules = _qr_modules(card.link)
    qx0, qy0, qx1, _ = _px(layout.qr, scale)
    unit = max((qx1 - qx0) // (len(modules) + 2 * QUIET_MODULES), 1)
    offset = ((qx1 - qx0) - unit * len(modules)) // 2
    for r, row in enumerate(modules):
        for start, length in _dark_runs(row):
            left, top = qx0 + offset + start * unit, qy0 + offset + r * unit
            draw.rectangle([left, top, left + length * unit - 1, top + unit - 1], fill=0)

    # how to join
    def measure(text: str, size_pt: float) -> float:
        return _font(round(size_pt / PT_PER_MM * scale), False).getlength(text) / scale

    fitted = fit_text(card.lines, layout.text, measure)
    font = _font(round(fitted.size_pt / PT_PER_MM * scale), False)
    line_y = layout.text.y
    for paragraph in fitted.paragraphs:
        for line in paragraph:
            middle = (line_y + fitted.line_h / 2) * scale
            draw.text((layout.text.x * scale, middle), line, font=font, fill=0, anchor="lm")
            line_y += fitted.line_h
        line_y += fitted.line_h * 0.4


__all__ = ["FONT_PATH", "PNG_SHAPES_TEXT", "InviteCard", "invite_cards", "render_pdf", "render_png_pages"]
