"""One rule for showing untrusted text: every control, format (bidi, zero-width), surrogate,
private-use, unassigned and line/paragraph separator character is shown as an escape.

A name or cell from a contribution then cannot start a new line (and so a GitHub workflow
command such as ``::add-mask::``), move the cursor, recolour a terminal or hide text. Every
message that can carry contributed text goes through :func:`inert` before it is printed:
the validate and diff renderers and the CLI's error lines.

>>> inert("x\\n::warning::y")
'x\\\\x0a::warning::y'
"""

from __future__ import annotations

import unicodedata

_HIDDEN = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))


def inert(s: str) -> str:
    """``s`` with every invisible or line-breaking character shown as an escape.

    >>> inert("data/x\\x1b[31m.csv\\u202e")
    'data/x\\\\x1b[31m.csv\\\\u202e'
    """
    if s.isprintable() or all(_visible(c) for c in s):
        return s
    return "".join(c if _visible(c) else (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}") for c in s)


def _visible(c: str) -> bool:
    return unicodedata.category(c) not in _HIDDEN
