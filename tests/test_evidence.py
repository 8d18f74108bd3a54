"""Anchoring quotes and explaining bad spans."""

from __future__ import annotations

import pytest

from libyadata.evidence import anchor, occurrences, prefix_at, span_problems, suffix_at

TEXT = "=x Haftar met Sarraj. Haftar left for Moscow - again."


def test_anchor_returns_offsets_and_context():
    span = anchor(TEXT, "Haftar", occurrence=1)
    assert TEXT[span.char_start:span.char_end] == "Haftar"
    assert span.quote_prefix == prefix_at(TEXT, span.char_start)
    assert anchor(TEXT, "Haftar", after=5).char_start == span.char_start
    with pytest.raises(LookupError, match="occurs 0 time"):
        anchor(TEXT, "Lavrov")


def test_prefix_never_starts_like_a_formula():
    assert prefix_at(TEXT, 3) == "x "          # '=' trimmed
    assert prefix_at("abc", 0) is None and suffix_at("abc", 3) is None
    assert len(prefix_at("y" * 100, 90)) == 32


def test_span_problems_suggest_the_right_offsets():
    [msg] = span_problems(TEXT, "Sarraj", 0, 6, None, None)
    assert "did you mean char_start=14, char_end=20?" in msg
    [msg] = span_problems(TEXT, "Lavrov", 0, 6, None, None)
    assert "occurs nowhere" in msg
    assert span_problems(TEXT, "", 0, 0, None, None) == ["quote is empty: cite the words that support the record"]
    s = anchor(TEXT, "Moscow")
    assert span_problems(TEXT, "Moscow", s.char_start, s.char_end, s.quote_prefix, s.quote_suffix) == []
    problems = span_problems(TEXT, "Moscow", s.char_start, s.char_end, "wrong", s.quote_suffix)
    assert problems == [f"quote_prefix 'wrong' does not match the text before the quote: expected {s.quote_prefix!r}"]


def test_occurrences_include_overlaps():
    assert occurrences("aaaa", "aa") == [0, 1, 2]
