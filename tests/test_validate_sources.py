"""``libyadata.validate.sources``: against a base package, every base source keeps its row's ``text_path``,
``sha256`` and ``char_count`` and its text's bytes; a removed source is an error, a new one a note; a
comparison that cannot be made (sources.csv or a text unreadable, linked, too large) is an error.

Packages are written in ``tmp_path``: only ``data/sources.csv`` and ``sources/*.txt``, all the pin reads.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pytest

from libyadata import models
from libyadata.validate import sources
from libyadata.validate.report import Report

ARTICLE = b"The article, stored byte for byte.\n"
LIMIT = 1_000


def row(sid: str, text_path: str = "sources/a.txt", data: bytes = ARTICLE, **changes: str) -> dict[str, str]:
    out = {"source_id": sid, "title": "T", "publisher": "P", "publisher_basis": "", "published": "2017-08-28",
           "language": "en", "url": "https://example.org/a", "text_path": text_path,
           "sha256": hashlib.sha256(data).hexdigest(), "char_count": str(len(data.decode("utf-8"))),
           "rights": "R", "notes": ""}
    out.update(changes)
    return out


def package(root: Path, rows: list[dict[str, str]], texts: dict[str, bytes]) -> Path:
    (root / "data").mkdir(parents=True)
    with (root / sources.SOURCES_CSV).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(models.Source.columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for rel, data in texts.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


@pytest.fixture()
def base(tmp_path) -> Path:
    return package(tmp_path / "base", [row("a")], {"sources/a.txt": ARTICLE})


def compare(root: Path, base: Path, limit: int = LIMIT) -> Report:
    report = Report(str(root))
    sources.check_against_base(root, base, report, limit)
    return report


def found(report: Report) -> list[tuple]:
    return [(p.type, p.file, p.field, p.message) for p in report.problems]


def test_an_unchanged_package_is_no_problem_and_no_note(tmp_path, base):
    report = compare(package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE}), base)
    assert report.problems == [] and report.notes == []


def test_a_change_to_a_field_that_does_not_pin_the_text_is_allowed(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a", title="A better title", notes="checked", rights="CC0")],
                 {"sources/a.txt": ARTICLE})
    assert compare(pr, base).problems == []


@pytest.mark.parametrize("name, value", [("text_path", "sources/b.txt"), ("sha256", "0" * 64), ("char_count", "36")])
def test_each_pinning_field_changed_is_one_error_on_that_field(tmp_path, base, name, value):
    # the text under its base path is unchanged, so the field is the only fault
    pr = package(tmp_path / "pr", [row("a", **{name: value})], {"sources/a.txt": ARTICLE, "sources/b.txt": ARTICLE})
    report = compare(pr, base)
    before = row("a")[name]
    assert found(report) == [("source-text-error", "data/sources.csv", name,
                              (f"source 'a': {name} changed from {before!r} to {value!r}; a stored source text is "
                               "never changed by a contribution"))]
    assert report.problems[0].cell == value


def test_text_bytes_that_differ_from_the_base_are_an_error_even_with_the_fields_unchanged(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE.replace(b"byte", b"Byte")})
    why = "source 'a': sources/a.txt differs from the base package's text; the article is stored byte for byte and "
    assert found(compare(pr, base)) == [("source-text-error", "sources/a.txt", None, why + "never edited")]


def test_a_consistent_rewrite_reports_every_changed_field_and_the_bytes(tmp_path, base):
    forged = b"The article, stored word for word, edited.\n"
    pr = package(tmp_path / "pr", [row("a", data=forged)], {"sources/a.txt": forged})
    assert [(p.field, p.file) for p in compare(pr, base).problems] == [
        ("sha256", "data/sources.csv"), ("char_count", "data/sources.csv"), (None, "sources/a.txt")]


def test_a_removed_source_is_an_error_and_its_text_is_not_compared(tmp_path):
    base = package(tmp_path / "base", [row("a"), row("b", "sources/b.txt")],
                   {"sources/a.txt": ARTICLE, "sources/b.txt": ARTICLE})
    pr = package(tmp_path / "pr", [row("b", "sources/b.txt")], {"sources/b.txt": ARTICLE})
    assert found(compare(pr, base)) == [
        ("source-text-error", "data/sources.csv", None,
         "source 'a' of the base package was removed; the article's stored texts are never removed by a contribution")]


def test_ids_are_compared_as_written(tmp_path, base):
    # sources.csv is compared as text: an id spelled otherwise is the base source removed and a new one added
    pr = package(tmp_path / "pr", [row("A")], {"sources/a.txt": ARTICLE})
    report = compare(pr, base)
    assert [p.message for p in report.problems] == [
        "source 'a' of the base package was removed; the article's stored texts are never removed by a contribution"]
    assert report.notes == ["new source(s): 'A': a new resource, at least a minor version bump"]


def test_new_sources_are_named_in_a_note_not_as_errors(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a"), row("z", "sources/z.txt"), row("m", "sources/m.txt")],
                 {"sources/a.txt": ARTICLE})
    report = compare(pr, base)
    assert report.problems == []
    assert report.notes == ["new source(s): 'm', 'z': a new resource, at least a minor version bump"]


@pytest.mark.parametrize("count, shown, more", [(20, 20, False), (21, 20, True)])
def test_the_note_names_at_most_20_new_sources(tmp_path, base, count, shown, more):
    pr = package(tmp_path / "pr", [row("a")] + [row(f"n{i:02d}") for i in range(count)], {"sources/a.txt": ARTICLE})
    (note,) = compare(pr, base).notes
    assert note.count("'n") == shown and note.startswith("new source(s): 'n00', 'n01'")
    assert note.endswith(("' …" if more else "'") + ": a new resource, at least a minor version bump")


def test_a_base_without_sources_csv_is_an_error_and_nothing_else_is_compared(tmp_path, base):
    (base / sources.SOURCES_CSV).unlink()
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": b"edited"})
    why = "the source texts cannot be compared with the base package: its data/sources.csv: 'data/sources.csv' "
    assert found(compare(pr, base)) == [("source-text-error", "data/sources.csv", None, why + "does not exist; refused")]


@pytest.mark.parametrize("damage, why", [
    (lambda p: p.unlink(), "'data/sources.csv' does not exist"),
    (lambda p: p.write_bytes(p.read_bytes().replace(b"T,P", b"\xff,P")), "can't decode byte 0xff"),
    (lambda p: p.write_text("source_id,notes\na," + "n" * 140_000 + "\n", encoding="utf-8"), "field larger than"),
])
def test_a_contributed_sources_csv_that_cannot_be_read_fails_closed(tmp_path, base, damage, why):
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE})
    damage(pr / sources.SOURCES_CSV)
    (problem,) = compare(pr, base).problems
    assert (problem.type, problem.file) == ("source-text-error", "data/sources.csv")
    assert problem.message.startswith("the source texts cannot be compared with the base package: data/sources.csv: ")
    assert why in problem.message
    assert problem.message.endswith("; refused (a contribution changes the article's sources only through a "
                                    "maintainer)")


def test_a_linked_sources_csv_is_refused_not_followed(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE})
    (pr / sources.SOURCES_CSV).unlink()
    os.symlink(base / sources.SOURCES_CSV, pr / sources.SOURCES_CSV)  # the same rows, through a link
    (problem,) = compare(pr, base).problems
    assert "data/sources.csv: 'data/sources.csv' goes through a symbolic link" in problem.message


def test_a_sources_csv_over_the_cap_is_refused_and_said_once(tmp_path, base, monkeypatch):
    monkeypatch.setattr(sources, "SOURCES_CSV_BYTES", 100)
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE})
    (problem,) = compare(pr, base).problems
    # the base's file is over the cap too: it is read first
    assert problem.message == ("the source texts cannot be compared with the base package: its data/sources.csv: "
                               "'data/sources.csv' is larger than 100 bytes; refused")


def test_a_base_text_that_cannot_be_read_is_an_error_on_that_text(tmp_path, base):
    (base / "sources" / "a.txt").unlink()
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE})
    assert found(compare(pr, base)) == [
        ("source-text-error", "sources/a.txt", None,
         "source 'a': the base package's text cannot be compared: 'sources/a.txt' does not exist; refused")]


def test_a_base_row_without_a_text_path_fails_closed(tmp_path):
    base = package(tmp_path / "base", [row("a", text_path="")], {})
    pr = package(tmp_path / "pr", [row("a", text_path="")], {})
    (problem,) = compare(pr, base).problems
    assert problem.file == "" and "'' is not a non-empty string path" in problem.message


def test_a_contributed_text_that_is_missing_is_an_error(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a")], {})
    assert found(compare(pr, base)) == [
        ("source-text-error", "sources/a.txt", None, "source 'a': the stored text 'sources/a.txt' does not exist")]


def test_a_contributed_text_that_is_a_link_to_the_same_bytes_is_refused(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a")], {})
    (pr / "sources").mkdir()
    os.symlink(base / "sources" / "a.txt", pr / "sources" / "a.txt")
    (problem,) = compare(pr, base).problems
    assert problem.message.startswith("source 'a': the stored text 'sources/a.txt' goes through a symbolic link")


def test_texts_are_read_up_to_the_limit_and_one_byte_over_is_refused(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE})
    assert compare(pr, base, limit=len(ARTICLE)).problems == []
    # the base's text is read first: with both over the limit, it is the one named
    (problem,) = compare(pr, base, limit=len(ARTICLE) - 1).problems
    assert problem.message.startswith(f"source 'a': the base package's text cannot be compared: 'sources/a.txt' is "
                                      f"larger than {len(ARTICLE) - 1} bytes; refused")


def test_a_base_text_over_the_limit_says_refused_once(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE})
    (problem,) = compare(pr, base, limit=len(ARTICLE) - 1).problems
    assert problem.message.count("refused") == 1, problem.message


def test_a_contributed_text_grown_past_the_limit_is_refused(tmp_path, base):
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE + b"x"})
    (problem,) = compare(pr, base, limit=len(ARTICLE)).problems
    assert problem.message == f"source 'a': the stored text 'sources/a.txt' is larger than {len(ARTICLE)} bytes"


def test_every_base_source_is_checked_in_the_base_order(tmp_path):
    texts = {"sources/a.txt": ARTICLE, "sources/b.txt": ARTICLE, "sources/c.txt": ARTICLE}
    base = package(tmp_path / "base", [row(s, f"sources/{s}.txt") for s in "cab"], texts)
    pr = package(tmp_path / "pr", [row("a", "sources/a.txt"), row("c", "sources/c.txt", sha256="1" * 64)],
                 {**texts, "sources/a.txt": b"changed"})
    assert [(p.field, p.message.split(":")[0].split(" of ")[0]) for p in compare(pr, base).problems] == [
        ("sha256", "source 'c'"), (None, "source 'a'"), (None, "source 'b'")]


def test_a_sources_csv_with_an_error_of_its_own_is_not_refused_again(tmp_path, base):
    # Its own error (here bad UTF-8) fails the contribution: the comparison it prevents is a note.
    pr = package(tmp_path / "pr", [row("a")], {"sources/a.txt": ARTICLE})
    path = pr / sources.SOURCES_CSV
    path.write_bytes(path.read_bytes().replace(b"T,P", b"\xff,P"))
    report = Report(str(pr))
    report.add("encoding-error", "invalid UTF-8 at byte 9", file=sources.SOURCES_CSV)
    sources.check_against_base(pr, base, report, LIMIT)
    assert [p.type for p in report.problems] == ["encoding-error"]
    assert report.notes == ["the source texts were not compared with the base package: data/sources.csv could not "
                            "be read"]
