"""Reading dates members type, in any of the scripts they use."""

from __future__ import annotations

import re
from datetime import date

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")


def parse_date_text(text: str) -> date | None:
    """``01/10/2026``, ``1-10-26``, ``2026-10-01`` or ``०१/१०/२०२६`` → a date; day first, as in India."""
    cleaned = text.strip().translate(_DEVANAGARI_DIGITS).replace(" ", "")
    if match := _ISO.match(cleaned):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(cleaned):
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
