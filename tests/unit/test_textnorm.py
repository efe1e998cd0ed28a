"""One normalisation for every text filter (issue 14): contact details in any of the usual disguises
never pass the contact filter (the one circles and the sponsor relay use), ordinary messages with
numbers do, and the abuse lists and risk rules read the same cleaned text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import moderation
from bot.domain.relay import contains_contact_details
from bot.domain.risk import normalise
from bot.domain.textnorm import TLDS, filter_text

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u2061"]

# Telegram usernames: 5–32 letters, digits and single underscores, starting with a letter.
names = st.from_regex(r"[a-z][a-z0-9]{4,9}(_[a-z0-9]{1,4})?", fullmatch=True)
domains = st.sampled_from(["gmail", "yahoo", "outlook", "rediffmail", "protonmail", "example"])
tlds = st.sampled_from(["com", "in", "org", "net", "co.in", "io"])
around = st.sampled_from(
    [
        ("", ""),
        ("call me on ", ""),
        ("my id is ", " ok"),
        ("text me ", " tonight 🙏"),
        ("यहाँ लिखो ", ""),
        ("", " thanks"),
    ]
)


def _hide(text: str, data: st.DataObject) -> str:
    """Zero-width characters at a few random places (never at the very ends, where they change nothing)."""
    chars = list(text)
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(1, max(1, len(chars) - 1)))
        chars.insert(at, data.draw(st.sampled_from(INVISIBLE)))
    return "".join(chars)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    digits = str(draw(st.integers(6, 9))) + "".join(str(draw(st.integers(0, 9))) for _ in range(9))
    cuts = sorted(draw(st.sets(st.integers(1, 9), max_size=6)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, 10], strict=True)]
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from([" ", "-", ".", "\u200b", " - ", "  ", "\u2060", " (", ") ", "·"])) + group
    prefix = draw(st.sampled_from(["", "+91 ", "+91-", "0", "(+91) "]))
    return prefix + text


@st.composite
def emails(draw: st.DrawFn) -> str:
    at = draw(st.sampled_from(["@", " @ ", " [at] ", " (at) ", " {at} ", " at ", " AT ", "[@]", " <at> "]))
    dot = draw(st.sampled_from([".", " [dot] ", " (dot) ", " dot ", " DOT ", "[.]", " . "]))
    tld = draw(tlds).replace(".", dot)
    return f"{draw(names)}{at}{draw(domains)}{dot}{tld}"


@st.composite
def handles(draw: st.DrawFn) -> str:
    name = draw(names)
    form = draw(st.sampled_from(["plain", "spaced", "dotted", "fullwidth"]))
    if form == "spaced":
        return "@ " + " ".join(name)
    if form == "dotted":
        return "@" + ".".join(name)
    if form == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in "@" + name)
    return "@" + name


@st.composite
def links(draw: st.DrawFn) -> str:
    name = draw(names)
    return draw(
        st.sampled_from(
            [
                f"t.me/{name}",
                f"t . me / {name}",
                f"t . m e / {name}",
                f"telegram.me/{name}",
                f"T.ME/{name}",
                f"https://{name}.com",
                f"https : / / {name} . com",
                f"www.{name}.in",
                f"www . {name} . com",
                f"instagram.com/{name}",
                f"instagram . com / {name}",
                f"wa.me/91{name}",
                f"tg://resolve?domain={name}",
            ]
        )
    )


@settings(max_examples=400)
@given(contact=st.one_of(phone_numbers(), emails(), handles(), links()), around=around, data=st.data())
def test_no_contact_detail_in_any_disguise_passes_the_filter(
    contact: str, around: tuple[str, str], data: st.DataObject
) -> None:
    message = around[0] + _hide(contact, data) + around[1]
    assert contains_contact_details(message), repr(message)


ordinary = st.one_of(
    st.builds("my craving was {} today".format, st.integers(0, 10)),
    st.builds("{} days clean, craving {}/10".format, st.integers(1, 3650), st.integers(0, 10)),
    st.builds("meeting at {}:{:02d}, I'll be there".format, st.integers(0, 23), st.integers(0, 59)),
    st.builds(
        "slept {} hours, walked {} km at {}:{:02d}".format,
        st.integers(1, 12),
        st.integers(1, 20),
        st.integers(0, 23),
        st.integers(0, 59),
    ),
    st.builds(
        "{} days. I was at work. In the evening craving {} at {}:30".format,
        st.integers(1, 999),
        st.integers(0, 10),
        st.integers(1, 12),
    ),
    st.builds(
        "on {:02d}/{:02d}/2026 I had {} cups of tea @ home".format,
        st.integers(1, 28),
        st.integers(1, 12),
        st.integers(1, 9),
    ),
    st.builds("I owe {} rupees, {}% paid".format, st.integers(1, 99_999_999), st.integers(0, 100)),
    st.builds(
        "day {} of {}. Mood {}/5. Tired . Then better".format,
        st.integers(1, 90),
        st.integers(90, 365),
        st.integers(1, 5),
    ),
)


@settings(max_examples=300)
@given(text=ordinary)
def test_ordinary_messages_with_numbers_pass(text: str) -> None:
    assert not contains_contact_details(text), text


def test_filter_text_removes_what_hides_and_keeps_line_ends() -> None:
    assert filter_text("98\u200b76\u2060543210") == "9876543210"
    assert filter_text("ｒａｖｉ＠ｍａｉｌ") == "ravi@mail"
    assert filter_text("one\rtwo\u2028three\tfour\x00five\x07") == "one\ntwo\nthree fourfive"
    assert filter_text("सुबह\u200dअच्छी") == "सुबहअच्छी"


def test_risk_and_abuse_read_the_same_cleaned_text() -> None:
    hidden = "I want to k\u200bi\u200cll my\u2060self"
    assert normalise.normalise_text(hidden) == normalise.normalise_text("I want to kill myself")
    assert moderation.is_abusive("you b\u200bi\u200btch") and moderation.is_abusive("ｂｉｔｃｈ")


def test_the_spelled_out_forms_need_a_real_domain() -> None:
    assert all(tld.isalpha() for tld in TLDS)
    for text in (
        "I was at work. In the evening I felt better",
        "looked at me. Com'on",
        "meet @ home",
        "polka dot dress at 7",
        "he was at gym dot later",
    ):
        assert not contains_contact_details(text), text
