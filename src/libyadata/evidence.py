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
from pathlib import Path

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


# --- near misses --------------------------------------------------------------------

#: Characters typed for one another: apostrophes and single quotes, double quotes, dashes, spaces.
_LOOKALIKES = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
})


def _loose(s: str) -> tuple[str, list[int]]:
    """``s`` folded for a near match, and the offset in ``s`` of every folded character.

    Look-alike apostrophes, quotes and dashes become one character each, case is
    folded, and every run of white space (spaces, newlines, no-break spaces) is one space.
    """
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(s):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        for folded in ch.translate(_LOOKALIKES).casefold():
            out.append(folded)
            where.append(i)
    return "".join(out), where


def near_matches(text: str, quote: str, limit: int = 10) -> list[Span]:
    """Spans of ``text`` equal to ``quote`` but for look-alike punctuation, case and spacing.

    For the quote a contributor typed when it is not in the text as typed:

    >>> [s.quote for s in near_matches("after Haftar\u2019s  visit", "haftar's visit")]
    ['Haftar\u2019s  visit']
    """
    wanted, _ = _loose(quote.strip())
    if not wanted:
        return []
    folded, where = _loose(text)
    spans: list[Span] = []
    i = folded.find(wanted)
    while i != -1 and len(spans) < limit:
        s, e = where[i], where[i + len(wanted) - 1] + 1
        spans.append(Span(text[s:e], s, e, prefix_at(text, s), suffix_at(text, e)))
        i = folded.find(wanted, i + 1)
    return spans


def differences(typed: str, found: str) -> str:
    """What sets ``found`` (the text's words) apart from ``typed``, in words.

    >>> differences("Haftar's", "Haftar\u2019s")
    "the text has \u2019 (RIGHT SINGLE QUOTATION MARK) where you typed ' (APOSTROPHE)"
    """
    import unicodedata

    if len(typed) != len(found):
        return "the spacing differs"
    pairs = dict.fromkeys((t, f) for t, f in zip(typed, found) if t != f)
    if not pairs:
        return "nothing"
    return "; ".join(f"the text has {f} ({unicodedata.name(f, hex(ord(f)))}) where you typed "
                     f"{t} ({unicodedata.name(t, hex(ord(t)))})" for t, f in pairs)


def not_found_hint(text: str, quote: str) -> str:
    """Why ``quote`` is not in ``text``: the near matches there are, or that there is none."""
    near = near_matches(text, quote)
    if not near:
        return f"quote {quote!r} occurs nowhere in the source text, not even with other quotes, dashes, case or spacing"
    found = "; ".join(f"{s.quote!r} at char_start={s.char_start}" for s in near)
    return f"quote {quote!r} is not in the source text as typed; did you mean {found}? ({differences(quote, near[0].quote)})"


# --- re-anchoring ---------------------------------------------------------------------


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def reanchor(text: str, quote: str, char_start: int | None = None, quote_prefix: str | None = None,
             quote_suffix: str | None = None) -> Span:
    """Where ``quote`` is in ``text``, found as a W3C TextQuoteSelector finds it.

    The quote must match exactly. Among several occurrences, the one whose surrounding
    text matches ``quote_prefix`` and ``quote_suffix`` over the most characters wins;
    among equals, the one nearest the old ``char_start``. Raises ``LookupError`` with
    the reason when the quote is not there or no occurrence stands out.

    >>> text = "Haftar met Sarraj. Later Haftar met Putin."
    >>> reanchor(text, "Haftar met", 0, "Later ", " Putin").char_start
    25
    >>> reanchor(text, "Haftar met", 20).char_start
    25
    """
    starts = occurrences(text, quote)
    if not quote:
        raise LookupError("quote is empty")
    if not starts:
        raise LookupError(not_found_hint(text, quote))
    before, after = quote_prefix or "", quote_suffix or ""

    def fit(s: int) -> int:
        e = s + len(quote)
        return (_common_prefix(before[::-1], text[max(0, s - len(before)):s][::-1])
                + _common_prefix(after, text[e:e + len(after)]))

    def rank(s: int) -> tuple[int, int]:
        return (-fit(s), abs(s - char_start) if char_start is not None else 0)

    ranked = sorted(starts, key=rank)
    if len(ranked) > 1 and rank(ranked[0]) == rank(ranked[1]):
        tied = [s for s in ranked if rank(s) == rank(ranked[0])]
        raise LookupError(f"quote {quote!r} occurs {len(starts)} times and its prefix, suffix and old offset do not "
                          f"tell which it is (char_start={', '.join(map(str, tied))}); "
                          "set the row's char_start near the right one, or lengthen the quote")
    s = ranked[0]
    return Span(quote, s, s + len(quote), prefix_at(text, s), suffix_at(text, s + len(quote)))


EVIDENCE_CELLS = ("source_id", "quote", "char_start", "char_end", "quote_prefix", "quote_suffix")


@dataclass(frozen=True)
class RowFix:
    """What ``fix_spans`` did to one row: the cells it changed, or why it could not."""

    file: str
    #: The row's number in the file (the header is 1); 0 for the whole file.
    row: int
    #: The record's id, "" when its row could not be read.
    record_id: str
    #: (field, old cell, new cell) for every cell rewritten.
    changes: tuple[tuple[str, str, str], ...] = ()
    #: Why the row was left alone (its quote is not in the text, or not in one place only).
    problem: str | None = None

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row else "") + (f" ({self.record_id})" if self.record_id else "")
        if self.problem is not None:
            return f"{where}: not fixed: {self.problem}"
        return f"{where}: " + "; ".join(f"{f} {old!r} -> {new!r}" for f, old, new in self.changes)


def _fixed_cells(row: dict[str, str], text: str) -> dict[str, str]:
    """The evidence cells ``row`` must have; raises ``LookupError`` when its quote cannot be placed."""
    quote = row["quote"]
    try:
        start: int | None = int(row["char_start"])
        end: int | None = int(row["char_end"])
    except ValueError:
        start = end = None
    if start is not None and end is not None and 0 <= start <= end and text[start:end] == quote and quote:
        span = Span(quote, start, end, prefix_at(text, start), suffix_at(text, end))
    else:
        span = reanchor(text, quote, start, row["quote_prefix"] or None, row["quote_suffix"] or None)
    return {"char_start": str(span.char_start), "char_end": str(span.char_end),
            "quote_prefix": span.quote_prefix or "", "quote_suffix": span.quote_suffix or ""}


def fix_spans(package_dir: str | Path, *, write: bool = True) -> list[RowFix]:
    """Re-anchor every evidence row of every table whose span no longer fits its quote.

    A row whose quote is not at its char_start..char_end gets the span, prefix and
    suffix of the quote's place in its source text (see :func:`reanchor`); a row whose
    quote is in place but whose prefix or suffix is off gets those. Only these four cells
    change. Files are rewritten atomically in the project's CSV dialect, and only when a
    row changed (``write=False`` changes nothing on disk). Rows that cannot be fixed are
    returned with their ``problem`` and left as they are. Needs only the source texts:
    it works on a package that is invalid in other ways.
    """
    from . import csvio, models
    from .dataset import source_text
    from .errors import DataError

    package_dir = Path(package_dir)
    texts: dict[str, str | Exception] = {}
    results: list[RowFix] = []
    for name, model in models.TABLES.items():
        if not set(EVIDENCE_CELLS) <= set(model.columns):
            continue
        rel = f"data/{name}.csv"
        path = package_dir / rel
        if not path.is_file():
            continue
        try:
            header, rows = csvio.read_rows(path, rel)
        except DataError as exc:
            # The row is named once, by RowFix; validate explains the fault (a comma left out, a quote not closed).
            results.append(RowFix(rel, exc.row or 0, "", problem=f"the file cannot be read: {exc.message}; "
                                  "`libyadata validate` says what is wrong with the row"))
            continue
        except UnicodeDecodeError as exc:
            results.append(RowFix(rel, 0, "", problem=f"the file cannot be read: it is not UTF-8 (byte offset "
                                  f"{exc.start}: {exc.reason})"))
            continue
        if not set(EVIDENCE_CELLS) <= set(header):
            results.append(RowFix(rel, 1, "", problem=f"the header lacks {', '.join(set(EVIDENCE_CELLS) - set(header))}"))
            continue
        changed = False
        for number, row in enumerate(rows, start=2):
            key = [row[k] for k in model.primary_key if k in row]
            record_id = "/".join(key) if key else row[header[0]]
            sid = row["source_id"]
            if sid not in texts:
                try:
                    texts[sid] = source_text(sid, path=package_dir)
                except (KeyError, DataError, OSError, UnicodeDecodeError) as exc:
                    texts[sid] = exc
            text = texts[sid]
            if isinstance(text, Exception):
                results.append(RowFix(rel, number, record_id, problem=f"source {sid!r} cannot be read: {text}"))
                continue
            try:
                cells = _fixed_cells(row, text)
            except LookupError as exc:
                results.append(RowFix(rel, number, record_id, problem=str(exc.args[0])))
                continue
            changes = tuple((f, row[f], new) for f, new in cells.items() if row[f] != new)
            if changes:
                row.update(cells)
                changed = True
                results.append(RowFix(rel, number, record_id, changes))
        if changed and write:
            csvio.atomic_write(path, csvio.to_csv_bytes(header, rows))
    return results
