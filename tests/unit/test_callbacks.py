"""Callback data: round-trips, the 64-byte limit, and forged or stale data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.callbacks import MAX_BYTES, NAMESPACES, CallbackData, decode, encode

PRINTABLE_NO_COLON = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != ":")
parts = st.one_of(
    st.text(alphabet=PRINTABLE_NO_COLON, min_size=1, max_size=8),
    st.integers(min_value=-(10**6), max_value=10**9),
)


class TestEncode:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (("ci", 123, "mood", 4), "ci:v1:123:mood:4"),
            (("ci", 123, "trg", "stress"), "ci:v1:123:trg:stress"),
            (("ci", 123, "trgdone"), "ci:v1:123:trgdone"),
            (("ci", 123, "use", "no"), "ci:v1:123:use:no"),
            (("ci", 123, "note", "skip"), "ci:v1:123:note:skip"),
            (("ob", "lang", "hi"), "ob:v1:lang:hi"),
            (("ob", "consent", "yes"), "ob:v1:consent:yes"),
            (("ob", "time", "evening"), "ob:v1:time:evening"),
            (("ob", "sob", "skip"), "ob:v1:sob:skip"),
            (("cr", "strength", 8), "cr:v1:strength:8"),
            (("menu",), "menu:v1"),
        ],
    )
    def test_format(self, args: tuple, expected: str) -> None:
        assert encode(*args) == expected

    def test_exactly_64_bytes_is_fine(self) -> None:
        data = encode("ci", "x" * (MAX_BYTES - len("ci:v1:")))
        assert len(data.encode()) == MAX_BYTES

    @pytest.mark.parametrize(
        "args",
        [
            ("ci", "x" * (MAX_BYTES - len("ci:v1:") + 1)),  # 65 bytes
            ("ci", "a:b"),
            ("ci", ""),
            ("ci", "ok", ""),
            ("ci", "तनाव"),
            ("ci", "line\nbreak"),
            ("nope", "x"),
            ("ci", True),
            ("ci", None),
            ("ci", 1.5),
        ],
    )
    def test_rejects(self, args: tuple) -> None:
        with pytest.raises(ValueError):
            encode(*args)

    @pytest.mark.parametrize("ns", sorted(NAMESPACES))
    def test_every_namespace(self, ns: str) -> None:
        assert decode(encode(ns, "a", 1)) == CallbackData(ns, ("a", "1"))


class TestDecode:
    def test_fields(self) -> None:
        data = decode("ci:v1:123:mood:4")
        assert data == CallbackData("ci", ("123", "mood", "4"))
        assert data.part(0) == "123"
        assert data.part(2) == "4"
        assert data.part(3) is None
        assert data.part(-1) is None

    @pytest.mark.parametrize(
        "data",
        [
            None,
            "",
            ":",
            "ci",
            "ci:",
            "ci:v1:",  # empty part
            "ci:v1::mood",
            "ci:v2:123:mood:4",  # unknown version
            "ci:V1:123",
            "xx:v1:123",  # unknown namespace
            "CI:v1:123",
            " ci:v1:123",
            "ci:v1:123:mood:४",  # non-ASCII
            "ci:v1:123:mood:\x00",
            "ci:v1:123:\tmood",
            "ci:v1:" + "1" * 59,  # 65 bytes
            "v1:ci:123",
        ],
    )
    def test_forged_or_malformed_is_none(self, data: str | None) -> None:
        assert decode(data) is None

    def test_non_string_is_none(self) -> None:
        assert decode(b"ci:v1:1") is None  # type: ignore[arg-type]
        assert decode(123) is None  # type: ignore[arg-type]

    @given(st.text())
    def test_never_raises_on_text(self, data: str) -> None:
        result = decode(data)
        assert result is None or isinstance(result, CallbackData)

    @given(st.text(alphabet=st.sampled_from(list(":civ1obsetrmnuxyz0123-_ "))))
    def test_never_raises_on_near_misses(self, data: str) -> None:
        result = decode(data)
        if result is not None:
            assert encode(result.ns, *result.parts) == data

    @given(st.sampled_from(sorted(NAMESPACES)), st.lists(parts, max_size=6))
    def test_round_trip(self, ns: str, fields: list) -> None:
        try:
            data = encode(ns, *fields)
        except ValueError:
            assert len(":".join([ns, "v1", *map(str, fields)]).encode()) > MAX_BYTES
            return
        assert len(data.encode()) <= MAX_BYTES
        assert decode(data) == CallbackData(ns, tuple(str(f) for f in fields))


def test_numbers_too_big_for_a_database_integer_are_refused() -> None:
    from bot.domain.callbacks import MAX_NUMBER

    assert decode(f"esc:v1:{MAX_NUMBER}:ack") is not None
    assert decode(f"esc:v1:{MAX_NUMBER + 1}:ack") is None
    assert decode("ci:v1:99999999999999999999:mood:4") is None
    with pytest.raises(ValueError):
        encode("esc", MAX_NUMBER + 1, "ack")
