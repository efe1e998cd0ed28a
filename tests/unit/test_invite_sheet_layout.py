"""The invite sheet's geometry: cards inside the page and apart, QR and text inside their card."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.invite_sheet import A4, Box, SheetGeometry, card_layouts, fit_text, mm_to_px, paginate, wrap


def test_a4_has_eight_cards_inside_the_margins_and_apart() -> None:
    layouts = card_layouts(A4)
    assert len(layouts) == 8
    page = Box(A4.margin, A4.margin, A4.page_w - 2 * A4.margin, A4.page_h - 2 * A4.margin)
    for i, layout in enumerate(layouts):
        assert page.contains(layout.card)
        for part in (layout.code, layout.qr, layout.text):
            assert layout.card.contains(part)
        assert not layout.qr.overlaps(layout.text)
        assert not layout.code.overlaps(layout.qr)
        assert layout.qr.w == layout.qr.h
        for other in layouts[i + 1 :]:
            assert not layout.card.overlaps(other.card)
    # the QR code is big enough to scan from a hand-held card: over 3.5 cm
    assert layouts[0].qr.w > 35


@given(st.integers(1, 4), st.integers(1, 6))
def test_any_grid_keeps_its_parts_inside_each_card(cols: int, rows: int) -> None:
    geometry = SheetGeometry(cols=cols, rows=rows)
    layouts = card_layouts(geometry)
    assert len(layouts) == cols * rows == geometry.per_page
    for layout in layouts:
        assert layout.card.contains(layout.qr) and layout.card.contains(layout.text)
        assert not layout.qr.overlaps(layout.text)


def test_paginate() -> None:
    assert paginate([], 8) == []
    assert paginate(list(range(9)), 8) == [list(range(8)), [8]]
    with pytest.raises(ValueError):
        paginate([1], 0)


def test_wrap_breaks_at_spaces_within_the_width() -> None:
    assert wrap("aa bb cc dd", 5, len) == ["aa bb", "cc dd"]
    assert wrap("a verylongword b", 4, len) == ["a", "verylongword", "b"]
    assert wrap("   ", 4, len) == []


def test_fit_text_shrinks_until_the_lines_fit_the_box() -> None:
    def measure(text: str, size_pt: float) -> float:
        return len(text) * size_pt * 0.2  # mm

    box = Box(0, 0, 30, 20)
    fitted = fit_text(["one two three four five six", "seven eight nine ten"], box, measure)
    assert fitted.size_pt < 10
    assert fitted.height <= box.h
    assert all(measure(line, fitted.size_pt) <= box.w for p in fitted.paragraphs for line in p)
    assert " ".join(" ".join(p) for p in fitted.paragraphs).split() == (
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    )
    # roomy box: the largest size
    assert fit_text(["hi"], Box(0, 0, 100, 100), measure).size_pt == 10


def test_mm_to_px() -> None:
    assert mm_to_px(25.4, 150) == 150
    assert mm_to_px(210, 150) == 1240
