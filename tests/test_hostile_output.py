"""Hostile corpus, output and random input: what a contribution controls reaches a job summary, an
annotation or a terminal inert; random bytes and cells end in exit 0 or 1, never an internal error.
"""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from libyadata import diff as D
from libyadata.validate import validate_package
from libyadata.validate.report import Report, render
from hostile_kit import csv_rows, write_rows

HOSTILE = ["[click](https://evil.example/x)", "![img](https://evil.example/p.png)", "<img src=x onerror=alert(1)>",
           "<script>alert(1)</script>", "@maintainer", "`code` and ``more``", "a|b|c", "line\nbreak",
           "x\r\n::error::forged", "%0A::warning::forged", "\x1b[31mred\x1b[0m", "\u202eevil\u202c",
           "https://evil.example/bare", "<https://evil.example/auto>", "&lt;img&gt;", "#123"]


@pytest.fixture()
def hostile_diff(tmp_path, package_copy):
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    events = package_copy / "data" / "events.csv"
    rows = csv_rows(events)
    for i, value in enumerate(HOSTILE):
        rows.append({**rows[0], "event_id": value})
        rows[i % len(rows)]["summary"] = value
    write_rows(events, rows)
    return D.diff(base, package_copy)


def test_markdown_summary_is_inert(hostile_diff):
    md = D.render_markdown(hostile_diff)
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    for tag in ("<a ", "<img", "<script", "<https"):
        assert tag not in html, tag
    for line in md.splitlines():
        assert not line.startswith("::")
    assert "\x1b" not in md and "\u202e" not in md


def test_markdown_puts_every_contributed_value_in_a_code_span(hostile_diff):
    md = D.render_markdown(hostile_diff)
    for value in ("[click](https://evil.example/x)", "<img src=x onerror=alert(1)>", "@maintainer"):
        i = md.index(value)
        line = md[md.rfind("\n", 0, i) + 1:md.find("\n", i)]
        before = line[:line.index(value)]
        assert before.count("`") % 2 == 1 or before.rstrip().endswith("`"), line  # inside a code span


def test_text_output_escapes_control_characters(hostile_diff):
    text = D.render_text(hostile_diff)
    assert "\x1b" not in text and "\u202e" not in text


def test_github_annotations_cannot_forge_a_workflow_command():
    r = Report("pr/datapackage")
    for value in HOSTILE:
        r.add("type-error", f"bad {value}", file=f"data/{value}.csv", row=2, field=value, cell=value)
    out = r.to_github()
    lines = out.splitlines()
    assert len(lines) == len(HOSTILE) + 1
    assert all(line.startswith("::error file=") for line in lines[:-1])
    assert "\x1b" not in out and "\u202e" not in out and "\r" not in out
    text = render(r, "text")
    assert "\x1b" not in text and "\u202e" not in text


# --- random bytes and cells: exit 0 or 1, never 2, never a traceback ------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    from libyadata.resources import datapackage_dir

    dest = tmp_path_factory.mktemp("fuzz") / "pristine"
    shutil.copytree(datapackage_dir(), dest, ignore=shutil.ignore_patterns("parquet"))
    return dest


def _fresh(pristine, name):
    dest = pristine.parent / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(pristine, dest)
    return dest


TARGETS = ["data/events.csv", "data/sources.csv", "datapackage.json", "sources/future-center-2017-08-28.txt"]


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), data=st.binary(max_size=3000))
@example(target="data/events.csv", data=b"event_id\x00,x\n\xff\xfe,\x00\n")
@example(target="datapackage.json", data=b'{"resources": [{"name": "events", "path": {"a": 1}}]}')
@example(target="datapackage.json", data=b'{"resources": [null, 1, "x", [], {"name": 5}]}')
def test_random_bytes_in_a_file_never_end_in_an_internal_error(pristine, target, data):
    pkg = _fresh(pristine, "bytes")
    (pkg / target).write_bytes(data)
    report = validate_package(pkg, max_errors=None)
    assert report.exit_code in (0, 1), [p.message for p in report.problems][:5]
    for fmt in ("text", "json", "github"):
        render(report, fmt)


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(["event_id", "summary", "char_start", "char_end", "quote", "date_start",
                              "source_id", "quote_prefix"]),
       value=st.text(max_size=200) | st.sampled_from(["-1", "99999999999999999999", "1e308", "NaN", "\x00",
                                                        "=cmd", "\ufeff", "2017-02-30"]))
def test_random_cells_never_end_in_an_internal_error(pristine, field, value):
    pkg = _fresh(pristine, "cells")
    events = pkg / "data" / "events.csv"
    rows = csv_rows(events)
    rows[0][field] = value
    write_rows(events, rows)
    report = validate_package(pkg, max_errors=None)
    assert report.exit_code in (0, 1), [p.message for p in report.problems][:5]
    render(report, "github")


def _run(*args: str, env: dict[str, str] | None = None):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "libyadata.cli", *args], capture_output=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("strict", [False, True])
def test_a_lone_surrogate_leaves_every_json_report_readable(tmp_path, package_copy, strict):
    # A descriptor key "\ud800" (JSON reads it as a lone surrogate) and a file name that is not
    # UTF-8 reach the JSON reports of validate and diff: they are written as escapes, so the report
    # is UTF-8 and JSON, not an internal error (exit 2) and an empty report.
    import json
    import os

    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    desc = package_copy / "datapackage.json"
    desc.write_text(desc.read_text(encoding="utf-8").replace('"name": "libyadata",', '"name": "libyadata", "\\ud800": 1,', 1),
                    encoding="utf-8")
    (package_copy / os.fsdecode(b"data/\xff.csv")).write_bytes(b"a\n1\n")
    env = {"PYTHONIOENCODING": "utf-8:strict"} if strict else {}
    done = _run("validate", str(package_copy), "--format", "json", "--max-errors", "0", env=env)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout.decode("utf-8"))
    fields = {e.get("fieldName") for t in report["tasks"] for e in t["errors"]}
    assert "/\ud800" in fields
    assert any("\udcff" in e["message"] for t in report["tasks"] for e in t["errors"])
    done = _run("diff", str(base), str(package_copy), "--format", "json", env=env)
    assert done.returncode in (0, 1), done.stderr
    json.loads(done.stdout.decode("utf-8"))
