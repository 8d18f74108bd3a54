"""Evidence spans: anchoring quotes in the source text and checking them.

Offsets are code points (Python ``str`` indices), end exclusive. The context kept
around a quote is the W3C TextQuoteSelector's prefix and suffix, at most 32 code
points each; leading characters a spreadsheet would run as a formula are trimmed
from the prefix so that no cell starts with one.

>>> text = "Haftar met Sarraj in Paris."
>>> span = anchor(text, "Sarraj")
>>> (span.char_start, span.char_end, span.quote_prefix, span.quote_suffix)
(11, 17, 'Haftar met ', ' in Paris.')
>>> span_problems(text, "Sarraj", 12, 18, None, None)[0]
"quote 'Sarraj' is not at char_start=12, char_end=18 (the text there is 'arraj '); did you mean char_start=11, char_end=17?"
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import CONTEXT_CHARS

FORMULA_TRIGGERS = "=+-@\t\r"


@dataclass(frozen=True)
class Span:
    quote: str
    char_start: int
    char_end: int
    quote_prefix: str | None
    quote_suffix: str | None


def prefix_at(text: str, start: int) -> str | None:
    """The canonical prefix: up to 32 code points before ``start``."""
    return text[max(0, start - CONTEXT_CHARS):start].lstrip(FORMULA_TRIGGERS) or None


def suffix_at(text: str, end: int) -> str | None:
    """The canonical suffix: up to 32 code points from ``end``."""
    return text[end:end + CONTEXT_CHARS] or None


def occurrences(text: str, quote: str, limit: int | None = None) -> list[int]:
    """Every offset where ``quote`` starts in ``text`` (overlaps included); the first ``limit`` only if given.

    >>> occurrences("aaaa", "aa"), occurrences("aaaa", "aa", limit=1)
    ([0, 1, 2], [0])
    """
    found, i = [], text.find(quote)
    while i != -1 and quote and (limit is None or len(found) < limit):
        found.append(i)
        i = text.find(quote, i + 1)
    return found


#: Offsets suggested in a "did you mean" hint.
HINTS = 3


def anchor(text: str, quote: str, occurrence: int = 0, after: int = 0) -> Span:
    """Locate ``quote`` in ``text`` and return its full evidence span.

    ``after`` skips matches that start before that offset; ``occurrence`` then picks
    the n-th remaining match. Raises ``LookupError`` if there is none.
    """
    starts = [i for i in occurrences(text, quote) if i >= after]
    if len(starts) <= occurrence:
        raise LookupError(f"quote {quote!r} occurs {len(starts)} time(s) after offset {after}")
    s = starts[occurrence]
    e = s + len(quote)
    return Span(quote, s, e, prefix_at(text, s), suffix_at(text, e))


def span_problems(
    text: str,
    quote: str,
    char_start: int,
    char_end: int,
    quote_prefix: str | None,
    quote_suffix: str | None,
    where: list[int] | None = None,
    hint: bool = True,
) -> list[str]:
    """Everything wrong with one evidence span, as messages (empty when it is exact).

    ``where``: the quote's first offsets in the text, when the caller has them (a search it
    shares between spans); by default they are searched for here. ``hint=False``: no search,
    and no "did you mean" (the caller's search budget is spent).
    """
    problems: list[str] = []
    if not quote:
        return ["quote is empty: cite the words that support the record"]
    if char_end > len(text) or char_start < 0 or text[char_start:char_end] != quote:
        # Quoted in the message cut short: a span of a million code points is not copied per faulty row.
        there = text[char_start:min(char_end, char_start + SHOWN)] if 0 <= char_start < len(text) else ""
        if where is None and hint:
            where = occurrences(text, quote, HINTS)
        if not hint:
            suggestion = "; not searched for elsewhere in the text (too many faulty spans in this run)"
        elif where:
            suggestion = "; did you mean " + ", ".join(f"char_start={s}, char_end={s + len(quote)}"
                                                       for s in where[:HINTS]) + "?"
        else:
            suggestion = "; the quote occurs nowhere in the source text (check curly quotes, apostrophes and spaces)"
        problems.append(
            f"quote {_shown(quote)} is not at char_start={char_start}, char_end={char_end} "
            f"(the text there is {_shown(there)}){suggestion}"
        )
        return problems
    want_prefix, want_suffix = prefix_at(text, char_start), suffix_at(text, char_end)
    if quote_prefix != want_prefix:
        problems.append(f"quote_prefix {_shown(quote_prefix)} does not match the text before the quote: "
                        f"expected {want_prefix!r}")
    if quote_suffix != want_suffix:
        problems.append(f"quote_suffix {_shown(quote_suffix)} does not match the text after the quote: "
                        f"expected {want_suffix!r}")
    return problems


#: Code points of a quote or text quoted in a message.
SHOWN = 200


def _shown(value: str | None) -> str:
    if value is None or len(value) <= SHOWN:
        return repr(value)
    return repr(value[:SHOWN]) + f"… ({len(value)} code points)"
