"""Every code block of docs/cookbook.md runs and prints exactly the output the cookbook shows.

Within a question (a ``## `` section), a ``text`` block right after a ``python`` block
is that block's expected output; a ``python`` block without one must print the same as
the question's first answer, so the four tools are held to one answer.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "cookbook.md"
TOOLS = ["Library", "pandas", "polars", "DuckDB"]
NEEDS = {"pandas": "pandas", "polars": "polars", "DuckDB": "duckdb"}
FENCE = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)


@dataclass
class Answer:
    question: str
    tool: str
    code: str
    expected: str


def parse(markdown: str) -> list[Answer]:
    answers = []
    for section in re.split(r"^## ", markdown, flags=re.M)[1:]:
        question = section.splitlines()[0].strip()
        reference = None
        for part in re.split(r"^### ", section, flags=re.M)[1:]:
            tool = part.splitlines()[0].strip()
            blocks = FENCE.findall(part)
            assert blocks and blocks[0][0] == "python", f"{question} / {tool}: no python block"
            if len(blocks) > 1 and blocks[1][0] == "text":
                reference = blocks[1][1]
            assert reference is not None, f"{question} / {tool}: no expected output before it"
            answers.append(Answer(question, tool, blocks[0][1], reference))
    return answers


ANSWERS = parse(COOKBOOK.read_text(encoding="utf-8"))


def test_every_question_is_answered_with_each_tool():
    questions = dict.fromkeys(a.question for a in ANSWERS)
    assert len(questions) >= 4
    assert "Every event Haftar took part in, with its evidence" in questions
    assert "Russia's motives, ranked" in questions
    for q in questions:
        assert [a.tool for a in ANSWERS if a.question == q] == TOOLS, q


def test_parse_rejects_an_answer_without_expected_output():
    with pytest.raises(AssertionError, match="no expected output"):
        parse("## Q\n\n### Library\n\n```python\nprint(1)\n```\n")


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.question[:30]}-{a.tool}")
def test_answer_prints_the_shown_output(answer):
    if answer.tool in NEEDS:
        pytest.importorskip(NEEDS[answer.tool])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(answer.code, f"cookbook: {answer.question} / {answer.tool}", "exec"), {"__name__": "cookbook"})
    assert out.getvalue() == answer.expected
