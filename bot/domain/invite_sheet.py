"""Where things go on a printed sheet of invite cards: plain geometry in millimetres, no drawing.

An A4 page holds a grid of cards (2 across, 4 down by default), to be cut apart and handed to people
joining. Each card has the 8-letter code in large type across the top, the QR code of the invite link
below it on the left, and three short lines of "how to join" beside the QR code. The renderers
(``bot/services/invite_sheet.py``: PDF and PNG) draw into these boxes; both use ``fit_text`` with their
own way of measuring a string, so the two outputs wrap the same words the same way.

Coordinates start at the page's top-left corner, x to the right and y down, as in PDF and PNG.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "A4",
    "Box",
    "CardLayout",
    "FittedText",
    "SheetGeometry",
    "card_layouts",
    "fit_text",
    "mm_to_px",
    "paginate",
    "wrap",
]

T = TypeVar("T")
MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def contains(self, other: Box) -> bool:
        eps = 1e-9
        return (
            other.x >= self.x - eps
            and other.y >= self.y - eps
            and other.right <= self.right + eps
            and other.bottom <= self.bottom + eps
        )

    def overlaps(self, other: Box) -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


@dataclass(frozen=True)
class SheetGeometry:
    """A page of ``cols`` × ``rows`` cards; lengths in millimetres."""

    page_w: float = 210.0
    page_h: float = 297.0
    cols: int = 2
    rows: int = 4
    margin: float = 10.0  # printers cannot print to the edge
    gutter: float = 4.0  # room for the scissors between cards
    pad: float = 4.0  # inside a card, around its contents
    code_h: float = 11.0  # the band across the top that holds the code

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    @property
    def card_w(self) -> float:
        return (self.page_w - 2 * self.margin - (self.cols - 1) * self.gutter) / self.cols

    @property
    def card_h(self) -> float:
        return (self.page_h - 2 * self.margin - (self.rows - 1) * self.gutter) / self.rows


A4 = SheetGeometry()


@dataclass(frozen=True)
class CardLayout:
    card: Box
    code: Box
    qr: Box
    text: Box


def card_layouts(geometry: SheetGeometry = A4) -> list[CardLayout]:
    """The cards of one page, row by row, each with its code band, QR square and text box."""
    g = geometry
    if g.cols < 1 or g.rows < 1:
        raise ValueError("a sheet needs at least one card")
    card_w, card_h = g.card_w, g.card_h
    qr_side = min(card_h - 2 * g.pad - g.code_h - g.pad / 2, (card_w - 3 * g.pad) / 2)
    if qr_side <= 0:
        raise ValueError("the cards are too small for a QR code")
    layouts = []
    for row in range(g.rows):
        for col in range(g.cols):
            x = g.margin + col * (card_w + g.gutter)
            y = g.margin + row * (card_h + g.gutter)
            inner_x, inner_y = x + g.pad, y + g.pad
            below_code = inner_y + g.code_h + g.pad / 2
            text_x = inner_x + qr_side + g.pad
            layouts.append(
                CardLayout(
                    card=Box(x, y, card_w, card_h),
                    code=Box(inner_x, inner_y, card_w - 2 * g.pad, g.code_h),
                    qr=Box(inner_x, below_code, qr_side, qr_side),
                    text=Box(text_x, below_code, x + card_w - g.pad - text_x, y + card_h - g.pad - below_code),
                )
            )
    return layouts


def paginate(items: Sequence[T], per_page: int) -> list[list[T]]:
    """Items in pages of ``per_page``; no items, no pages."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return [list(items[start : start + per_page]) for start in range(0, len(items), per_page)]


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break ``text`` at spaces into lines no wider than ``width`` as ``measure`` sees them.

    A single word wider than the line stays whole on its own line (it is cut by nobody: the
    caller shrinks the type until it fits, see ``fit_text``)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class FittedText:
    size_pt: float
    line_h: float  # millimetres from one baseline to the next
    paragraphs: tuple[tuple[str, ...], ...]  # each paragraph's lines

    @property
    def height(self) -> float:
        lines = sum(len(p) for p in self.paragraphs)
        gaps = max(len(self.paragraphs) - 1, 0)
        return lines * self.line_h + gaps * self.line_h * 0.4


def fit_text(
    paragraphs: Sequence[str],
    box: Box,
    measure: Callable[[str, float], float],
    *,
    largest_pt: float = 10.0,
    smallest_pt: float = 5.0,
    line_factor: float = 1.5,
) -> FittedText:
    """The largest type size (in half points) at which the paragraphs, wrapped, fit the box.

    ``measure(text, size_pt)`` is a string's width in millimetres. ``line_factor`` leaves room for
    Devanagari's marks above and below the line. At ``smallest_pt`` the text is returned even if it
    overflows: a card with small print is better than no card."""
    size = largest_pt
    while True:
        line_h = size / PT_PER_MM * line_factor

        def at_size(text: str, size: float = size) -> float:
            return measure(text, size)

        wrapped = tuple(tuple(wrap(p, box.w, at_size)) for p in paragraphs)
        fitted = FittedText(size, line_h, wrapped)
        fits_width = all(measure(line, size) <= box.w for p in wrapped for line in p)
        if (fits_width and fitted.height <= box.h) or size <= smallest_pt:
            return fitted
        size -= 0.5


def mm_to_px(mm: float, dpi: int) -> int:
    return round(mm * dpi / MM_PER_INCH)
