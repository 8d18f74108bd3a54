"""Unicode hygiene of a cell: the characters it may not hold, and Normalization Form C.

A reader cannot see a default-ignorable character, a bidi control or a private-use
code point, so a cell holding one can say something other than what it shows (the
"Trojan Source" bidi trick, an id that differs from another by a zero-width space).
The refused classes follow the Unicode guidance on invisible characters: UAX #44's
``Default_Ignorable_Code_Point`` (DI), the general categories of UTS #39 section 3.1
("Characters that are not recommended": Cc, Cf, Co, Cn, Zl, Zp) and UTS #55. Only line
feed is allowed among the controls: cells may span lines.

Python's ``unicodedata`` has the general categories but not the DI property, so the DI
ranges are shipped below from ``DerivedCoreProperties.txt``. NFC is decided with
``unicodedata.is_normalized``: pyarrow 25's ``utf8_normalize`` decomposes U+0623
ARABIC LETTER ALEF WITH HAMZA ABOVE, which would call the shipped Arabic text wrong.

>>> cell_fault("Haftar") is None
True
>>> cell_fault("\\u0623\\u062d\\u0645\\u062f") is None   # Arabic, NFC
True
>>> cell_fault("abc\\u200b")
'the cell holds U+200B ZERO WIDTH SPACE at position 3, an invisible default-ignorable character; remove it'
>>> cell_fault("e\\u0301te")
'the cell is not in Unicode NFC: from position 0 it is written decomposed (U+0065 U+0301); retype it or normalise the text to NFC'
"""

from __future__ import annotations

import re
import unicodedata

#: Default_Ignorable_Code_Point from DerivedCoreProperties.txt, Unicode 15.1.0
#: (https://www.unicode.org/Public/15.1.0/ucd/DerivedCoreProperties.txt), inclusive ranges.
#: UAX #44 derives it as Other_Default_Ignorable_Code_Point + Cf + Variation_Selector
#: - White_Space - FFF9..FFFB - 13430..1343F - Prepended_Concatenation_Mark; a test checks
#: the Cf part against Python's own categories.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),  # SOFT HYPHEN
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x061C, 0x061C),  # ARABIC LETTER MARK
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ..AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
    (0x200B, 0x200F),  # ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),  # LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x206F),  # WORD JOINER..NOMINAL DIGIT SHAPES (bidi isolates included)
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..16
    (0xFEFF, 0xFEFF),  # ZERO WIDTH NO-BREAK SPACE (byte order mark)
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # reserved
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT LETTER OVERLAP..UP STEP
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN BEAM..END PHRASE
    (0xE0000, 0xE0FFF),  # LANGUAGE TAG, TAG characters, VARIATION SELECTOR-17..256, reserved
)

#: Each refused class, as the data dictionary states it (``libyadata docs``).
REFUSED_CLASSES = (
    ("default-ignorable", "Default_Ignorable_Code_Point (UAX #44): zero-width characters, bidi marks, "
     "embeddings, overrides and isolates, soft hyphen, variation selectors, tag characters, fillers, "
     "the byte order mark"),
    ("control", "control characters (Cc) other than line feed: tab, carriage return, NUL, C1 controls"),
    ("format", "other format characters (Cf), such as the Arabic number signs"),
    ("line separator", "LINE SEPARATOR and PARAGRAPH SEPARATOR (Zl, Zp): line breaks a CSV reader does not see"),
    ("private-use", "private-use code points (Co): they have no meaning between two parties"),
    ("unassigned", "unassigned code points and noncharacters (Cn), as of the Unicode version of Python's "
     "unicodedata"),
)

_DI = re.compile("[" + "".join(f"\\U{lo:08X}-\\U{hi:08X}" for lo, hi in DEFAULT_IGNORABLE) + "]")
_CATEGORY_CLASS = {"Cc": "control", "Cf": "format", "Zl": "line separator", "Zp": "line separator",
                   "Co": "private-use", "Cn": "unassigned", "Cs": "unassigned"}
_ARTICLE = {"default-ignorable": "an invisible default-ignorable", "control": "a control",
            "format": "an invisible format", "line separator": "an invisible line-separator",
            "private-use": "a private-use", "unassigned": "an unassigned"}


def refused_class(ch: str) -> str | None:
    """The refused class of one character (see REFUSED_CLASSES), or None when it is allowed.

    >>> refused_class("\\u202e"), refused_class("\\t"), refused_class("\\n"), refused_class("a")
    ('default-ignorable', 'control', None, None)
    """
    if ch == "\n":
        return None
    if _DI.match(ch):
        return "default-ignorable"
    return _CATEGORY_CLASS.get(unicodedata.category(ch))


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character' if ord(ch) < 0xA0 else 'unnamed')}"


def refused_character(text: str) -> tuple[int, str, str] | None:
    """(position, character, class) of the first refused character of ``text``, or None.

    ``str.isprintable`` (one C pass) clears most text at once: every refused class but a
    few printable default-ignorables (fillers, variation selectors) is non-printable.
    """
    if text.replace("\n", "").isprintable() and not _DI.search(text):
        return None
    for pos, ch in enumerate(text):
        kind = refused_class(ch)
        if kind is not None:
            return pos, ch, kind
    return None


def cell_fault(text: str) -> str | None:
    """Why a cell breaks the hygiene rules (a refused character, or not NFC), or None.

    One message per cell: the first refused character, else the first place where the
    text differs from its NFC form.
    """
    found = refused_character(text)
    if found is not None:
        pos, ch, kind = found
        return f"the cell holds {_name(ch)} at position {pos}, {_ARTICLE[kind]} character; remove it"
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return None
    nfc = unicodedata.normalize("NFC", text)
    pos = next((i for i, (a, b) in enumerate(zip(text, nfc)) if a != b), min(len(text), len(nfc)))
    start = max(0, pos - 1) if unicodedata.combining(text[pos:pos + 1] or " ") else pos
    written = " ".join(f"U+{ord(c):04X}" for c in text[start:start + 2])
    return (f"the cell is not in Unicode NFC: from position {start} it is written decomposed ({written}); "
            "retype it or normalise the text to NFC")
