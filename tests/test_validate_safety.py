"""``libyadata.validate.safety``: path rules, size limits before any parse, links never followed,
the descriptor's depth."""

from __future__ import annotations

import os

import pytest

from libyadata.validate import validate_package
from libyadata.validate.safety import Limits, json_depth, path_problem


def test_symlinked_source_text_is_never_read(small_package, tmp_path):
    pkg = small_package
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    text = pkg / "sources" / "test-source.txt"
    text.unlink()
    os.symlink(secret, text)
    report = validate_package(pkg)
    types = {(p.type, p.file) for p in report.problems}
    assert ("unsafe-path", "sources/test-source.txt") in types
    assert all("outside" not in (p.message + (p.cell or "")) for p in report.problems)


def test_size_limits_refuse_before_parsing(small_package):
    pkg = small_package
    report = validate_package(pkg, limits=Limits(csv_bytes=100))
    assert {p.type for p in report.problems} == {"size-limit"}
    report = validate_package(pkg, limits=Limits(descriptor_bytes=100))
    assert [(p.type, p.file) for p in report.problems] == [("size-limit", "datapackage.json")]


@pytest.mark.parametrize("path, safe", [
    ("data/events.csv", True), ("sources/a.txt", True), ("../x.csv", False), ("/etc/passwd", False),
    ("C:/x.csv", False), ("file:///etc/passwd", False), ("https://example.org/x.csv", False),
    ("data/.hidden.csv", False), ("~/x.csv", False), ("$HOME/x.csv", False), ("data\\x.csv", False),
    ("", False), (None, False), (["data/a.csv"], False), ("data/x\x00.csv", False),
])
def test_path_safety(path, safe):
    assert (path_problem(path) is None) is safe


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth(b'{"a": "[[[[{{{{", "b": [[1]]}') == 3


@pytest.mark.parametrize("damage, message, line", [
    (lambda d: d.replace(b'"name": "libyadata"', b'"name": "liby\xffadata"', 1), "invalid UTF-8 at byte {at} (line {line}); "
     "save it as UTF-8", None),
    (lambda d: b"\xef\xbb\xbf" + d, "starts with a byte order mark; save as UTF-8 without BOM", 1),
])
def test_a_descriptor_that_is_not_utf8_names_its_line(small_package, damage, message, line):
    path = small_package / "datapackage.json"
    data = damage(path.read_bytes())
    path.write_bytes(data)
    [p] = [p for p in validate_package(small_package).problems if p.type == "encoding-error"]
    if line is None:
        at = data.index(b"\xff")
        line = data.count(b"\n", 0, at) + 1
        message = message.format(at=at, line=line)
    assert (p.file, p.message, p.line) == ("datapackage.json", message, line)
