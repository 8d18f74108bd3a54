"""Every code block of docs/cookbook.md runs and prints exactly the output the cookbook shows.

Within a question (a ``## `` section), a ``text`` block right after a ``python`` block
is that block's expected output; a ``python`` block without one must print the same as
the question's first answer, so the four tools are held to one answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from libyadata.docs import cookbook_answers, printed

COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "cookbook.md"
TOOLS = ["Library", "pandas", "polars", "DuckDB"]
NEEDS = {"pandas": "pandas", "polars": "polars", "DuckDB": "duckdb"}

ANSWERS = cookbook_answers(COOKBOOK.read_text(encoding="utf-8"))


def test_every_question_is_answered_with_each_tool():
    questions = dict.fromkeys(a.question for a in ANSWERS)
    assert len(questions) >= 4
    assert "Every event Haftar took part in, with its evidence" in questions
    assert "Russia's motives, ranked" in questions
    for q in questions:
        assert [a.tool for a in ANSWERS if a.question == q] == TOOLS, q


def test_parse_rejects_an_answer_without_expected_output():
    with pytest.raises(ValueError, match="no expected output"):
        cookbook_answers("## Q\n\n### Library\n\n```python\nprint(1)\n```\n")


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.question[:30]}-{a.tool}")
def test_answer_prints_the_shown_output(answer):
    if answer.tool in NEEDS:
        pytest.importorskip(NEEDS[answer.tool])
    # The first answer's output is written by `libyadata docs`; the others must print the same.
    assert printed(answer.code, f"cookbook: {answer.question} / {answer.tool}") == answer.expected, \
        "a change of the data changes the answer: run `libyadata docs`"
