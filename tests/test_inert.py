"""``libyadata.inert``: what untrusted text becomes before it is printed.

Every control, format (bidi, zero-width), surrogate, private-use, unassigned and line or
paragraph separator character becomes a visible escape (``\\xNN`` below 256, ``\\uNNNN``
above); everything else, markup included, is left exactly as written, however long the text.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from libyadata.inert import inert

#: One character of every hidden category, with the escape it must become.
HIDDEN = [
    ("\x00", "\\x00"),          # Cc: NUL
    ("\t", "\\x09"),            # Cc: a tab would shift a column in a terminal table
    ("\r", "\\x0d"),            # Cc: a carriage return rewrites the line already shown
    ("\x1b", "\\x1b"),          # Cc: ESC starts every ANSI sequence
    ("\x7f", "\\x7f"),          # Cc: DEL
    ("\x85", "\\x85"),          # Cc: NEL, a line break for str.splitlines
    ("\x9b", "\\x9b"),          # Cc: the one-byte CSI some terminals obey
    ("\xad", "\\xad"),          # Cf: soft hyphen, invisible
    ("\u061c", "\\u061c"),      # Cf: Arabic letter mark, a bidi control
    ("\u200b", "\\u200b"),      # Cf: zero-width space
    ("\u200d", "\\u200d"),      # Cf: zero-width joiner
    ("\u202e", "\\u202e"),      # Cf: right-to-left override
    ("\u2066", "\\u2066"),      # Cf: left-to-right isolate
    ("\ufeff", "\\ufeff"),      # Cf: byte order mark / zero-width no-break space
    ("\u2028", "\\u2028"),      # Zl: line separator
    ("\u2029", "\\u2029"),      # Zp: paragraph separator
    ("\ud800", "\\ud800"),      # Cs: a lone surrogate (surrogateescape'd bytes end up here)
    ("\ue000", "\\ue000"),      # Co: private use
    ("\u0378", "\\u0378"),      # Cn: unassigned
    ("\U000e0001", "\\ue0001"),  # Cf beyond the BMP: language tag
    ("\U0010ffff", "\\u10ffff"),  # Cn beyond the BMP: the last code point
]

HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


@pytest.mark.parametrize("char, escape", HIDDEN, ids=[f"U+{ord(c):04X}" for c, _ in HIDDEN])
def test_every_hidden_category_becomes_its_escape(char, escape):
    assert unicodedata.category(char) in HIDDEN_CATEGORIES
    assert inert(f"a{char}b") == f"a{escape}b"


def test_an_ansi_colour_sequence_is_shown_not_obeyed():
    assert inert("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"


def test_a_bidi_override_cannot_reorder_a_file_name():
    # The classic "Trojan source" name: exe shown as gpj.
    assert inert("data/report\u202egpj.exe") == "data/report\\u202egpj.exe"


def test_a_newline_cannot_start_a_workflow_command_on_its_own_line():
    shown = inert("row\r\n::add-mask::secret\n::stop-commands::tok")
    assert shown == "row\\x0d\\x0a::add-mask::secret\\x0a::stop-commands::tok"
    assert shown.splitlines() == [shown]


@pytest.mark.parametrize("text", [
    "Khalifa Haftar",
    "خليفة حفتر",                    # Arabic letters
    "مُحَمَّد",                        # Arabic with harakat (Mn combining marks)
    "e\u0301",                       # a combining accent
    "Ελλάδα, Россия, 中国",
    "🇱🇾 and 🇷🇺",                    # regional indicators (So)
    "a\u00a0b\u2009c\u3000d",       # no-break, thin and ideographic spaces (Zs): visible gaps
    "",
])
def test_visible_text_in_any_script_is_unchanged(text):
    assert inert(text) == text
    # Beside a hidden character each character is judged on its own: the visible ones still stay.
    assert inert(text + "\x00" + text) == text + "\\x00" + text


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](https://evil.example/x)",
    "![p](https://evil.example/p.png)", "`code` | a | b", "&lt;b&gt; &amp;", "*bold* _it_ # h", "@maintainer",
    "::warning::not at a line start", "%0A::error::", "\\x0a is typed, not a newline", "{{ x }} ${y}",
])
def test_markdown_and_html_characters_are_not_its_concern(text):
    # inert makes text unable to move the cursor or break a line; quoting it for Markdown or HTML
    # is the renderer's job, so nothing visible may be altered here.
    assert inert(text) == text


def test_an_emoji_sequence_keeps_its_pictures_and_shows_its_joiner():
    # The joiner is zero-width (Cf): it can glue or hide text, so it is shown like any other.
    assert inert("👩\u200d💻") == "👩\\u200d💻"


def test_very_long_text_is_neither_cut_nor_altered_away_from_its_hidden_characters():
    body = "a" * 1_000_000
    assert inert(body) == body
    shown = inert(body + "\n" + body + "\x1b")
    assert shown == body + "\\x0a" + body + "\\x1b"


def test_a_long_run_of_controls_is_escaped_one_by_one():
    shown = inert("\x00\x01\x02" * 50_000)
    assert shown == "\\x00\\x01\\x02" * 50_000


def _hidden(c: str) -> bool:
    return unicodedata.category(c) in HIDDEN_CATEGORIES


@given(st.text(st.characters(exclude_categories=())))  # surrogates included
@example("x\n\u2028\x85\x1c\x1d\x1e\x0b\x0c")  # every line boundary str.splitlines knows
def test_no_hidden_character_and_no_line_break_survives(text):
    shown = inert(text)
    assert not any(_hidden(c) for c in shown)
    assert len(shown.splitlines()) <= 1
    assert inert(shown) == shown  # an escape is plain ASCII: escaping twice changes nothing
    visible = [c for c in text if not _hidden(c)]
    assert [c for c in shown if not c.isascii()] == [c for c in visible if not c.isascii()]
