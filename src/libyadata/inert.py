"""One rule for showing untrusted text: every control, format (bidi, zero-width), surrogate,
private-use, unassigned and line/paragraph separator character is shown as an escape.

A name or cell from a contribution then cannot start a new line (and so a GitHub workflow
command such as ``::add-mask::``), move the cursor, recolour a terminal or hide text. Every
message that can carry contributed text goes through :func:`inert` before it is printed:
the validate and diff renderers and the CLI's error lines. JSON output goes through
:func:`json_text`, whose one difference from ``json.dumps`` is that a lone surrogate (from a
descriptor's ``"\\ud800"`` or a file name that is not UTF-8) is written as its escape.

>>> inert("x\\n::warning::y")
'x\\\\x0a::warning::y'
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

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


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(obj: Any, **options: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, **options)`` that can always be written as UTF-8.

    Outside strings JSON holds no surrogate, so each one left in the text is escaped where it stands.

    >>> json_text({"\\ud800": "a\\udcff"})
    '{"\\\\ud800": "a\\\\udcff"}'
    >>> json.loads(json_text(["\\ud800"])) == ["\\ud800"]
    True
    """
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False, **options))
