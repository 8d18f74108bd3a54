"""Error types are documented (docs/validation-errors.md is generated from them) and rendered three ways."""

from __future__ import annotations

import json
from pathlib import Path

from libyadata.validate.report import ERROR_TYPES, Report, error_types_markdown, render

DOC = Path(__file__).resolve().parent.parent / "docs" / "validation-errors.md"

FRICTIONLESS = {"encoding-error", "duplicate-label", "incorrect-label", "missing-label", "extra-cell", "missing-cell",
                "blank-row", "type-error", "constraint-error", "unique-error", "primary-key", "foreign-key",
                "hash-count", "byte-count"}
OWN = {"evidence-mismatch", "date-error", "vocabulary-error", "unicode-error", "formula-injection", "unsafe-path",
       "forbidden-file", "size-limit"}


def test_issue_types_exist_and_frictionless_names_are_reused():
    assert FRICTIONLESS | OWN <= set(ERROR_TYPES)
    for name in FRICTIONLESS:
        assert ERROR_TYPES[name].frictionless == name


def test_every_type_has_description_fix_and_example():
    for t in ERROR_TYPES.values():
        assert t.title and len(t.description) > 30 and t.fix and t.example, t.name


def test_docs_are_generated_from_the_types():
    assert DOC.read_text(encoding="utf-8") == error_types_markdown(), \
        "docs/validation-errors.md is stale: python3 -c 'from libyadata.validate.report import *; ...'"
    for name in ERROR_TYPES:
        assert f"\n## {name}\n" in DOC.read_text(encoding="utf-8")


def sample() -> Report:
    r = Report("pkg", max_errors=2)
    r.add("type-error", "'x' is not integer", file="data/motives.csv", row=3, field="rank", cell="x")
    r.add("forbidden-file", "data/a.parquet: binary file refused", file="data/a.parquet")
    r.add("blank-row", "row is blank", file="data/motives.csv", row=4)
    return r


def test_max_errors_keeps_the_first_and_counts_the_rest():
    r = sample()
    assert len(r.problems) == 2 and r.dropped == 1 and r.error_count == 3 and r.exit_code == 1


def test_json_is_shaped_like_frictionless():
    doc = json.loads(render(sample(), "json"))
    assert doc["valid"] is False and doc["stats"]["errors"] == 3 and doc["stats"]["truncated"] == 1
    err = next(e for t in doc["tasks"] for e in t["errors"] if e["type"] == "type-error")
    assert (err["rowNumber"], err["fieldName"], err["cell"], err["message"]) == (3, "rank", "x", "'x' is not integer")


def test_github_annotations_escape_untrusted_text():
    r = Report("pkg")
    r.add("type-error", "bad\nvalue 100%", file="data/a,b.csv", row=2, field="rank")
    line = r.to_github().splitlines()[0]
    assert line == "::error file=pkg/data/a%2Cb.csv,line=2,title=type-error (rank)::row 2, field rank: bad%0Avalue 100%25"


def test_text_has_colour_only_when_asked():
    assert "\033[" not in render(sample(), "text") and "\033[" in render(sample(), "text", colour=True)
    assert "data/motives.csv: 1 error(s) (1 type-error)" in render(sample(), "text")
