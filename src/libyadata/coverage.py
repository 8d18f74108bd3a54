"""Coverage: which sentences of the article no record cites.

The text is split into lines, a list marker ("1. ") is kept with its item, and each
line is split into sentences after ``.``, ``!`` or ``?`` (optionally closed by a
quotation mark) followed by whitespace and a capital, digit or opening quote. A
sentence is *cited* when any record's span overlaps it, and *excluded* when it lies
wholly inside a span the ``exclusions`` table declares (navigation, title, headings).

>>> [text[s:e] for text in ["One. Two “three.”\\n4. Five"] for s, e in sentences(text)]  # a list item
['One.', 'Two “three.”', '4. Five']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import TABLES, has_evidence

if TYPE_CHECKING:
    from .dataset import Dataset

_BOUNDARY = re.compile(r"""(?<=[.!?])["”’)]?\s+(?=[A-Z0-9“"‘(])""")
_LIST_MARKER = re.compile(r"\d{1,3}\.\s+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point spans of the sentences of ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        body = line.strip()
        if not body:
            continue
        offset = line_start + (len(line) - len(line.lstrip()))
        marker = _LIST_MARKER.match(body)
        skip = marker.end() if marker else 0
        cut = offset
        for m in _BOUNDARY.finditer(body, skip):
            # the closing quote belongs to the sentence it closes
            close = body[m.start():m.end()].strip()
            end = offset + m.start() + len(close)
            spans.append((cut, end))
            cut = offset + m.end()
        spans.append((cut, offset + len(body)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def uncited(text: str, cited: Iterable[tuple[int, int]], excluded: Iterable[tuple[int, int]] = ()) -> list[Sentence]:
    """Sentences that no cited span overlaps and no excluded span contains."""
    cited = sorted(cited)
    excluded = list(excluded)
    out = []
    for s, e in sentences(text):
        if any(xs <= s and e <= xe for xs, xe in excluded):
            continue
        if any(cs < e and s < ce for cs, ce in cited):
            continue
        out.append(Sentence(s, e, text[s:e]))
    return out


def uncited_sentences(data: Dataset, source_id: str | None = None) -> list[Sentence]:
    """Sentences of a source that no record of ``data`` cites and no exclusion covers.

    >>> from libyadata import load
    >>> uncited_sentences(load())
    []
    """
    text = data.source_text(source_id)
    sid = source_id or data.sources[0].source_id
    cited = [(r.char_start, r.char_end)
             for name, model in TABLES.items() if has_evidence(model) and name != "exclusions"
             for r in data.table(name) if r.source_id == sid]  # type: ignore[attr-defined]
    excluded = [(x.char_start, x.char_end) for x in data.exclusions if x.source_id == sid]
    return uncited(text, cited, excluded)
