"""Hostile corpus, descriptor and article: everything in datapackage.json is pinned to what the models
generate, and with --base the stored article cannot change.

Expected descriptors are never written here by hand: each case edits the generated one.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from hostile_kit import Listener, check, csv_rows, no_network, regenerate, write_rows  # noqa: F401 - no_network: autouse fixture

from libyadata import diff as D
from libyadata.validate.descriptor import differences, expected_descriptor, pointer


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.close()
    assert server.connections == 0


def _edit(pkg, change):
    path = pkg / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    change(desc)
    path.write_text(json.dumps(desc, indent=2), encoding="utf-8")


def _table(desc, name):
    return next(r for r in desc["resources"] if r["name"] == name)


def _text(desc):
    return next(r for r in desc["resources"] if r["path"].startswith("sources/"))


CHANGES = {
    # what frictionless would obey: half the events dropped as comments
    "dialect commentChar": (lambda d, url: _table(d, "events")["dialect"].update(commentChar="R"),
                            "/resources/2/dialect/commentChar"),
    "encoding": (lambda d, url: _table(d, "events").update(encoding="latin-1"), "/resources/2/encoding"),
    "compression": (lambda d, url: _table(d, "events").update(compression="gz"), "/resources/2/compression"),
    "format": (lambda d, url: _table(d, "events").update(format="parquet"), "/resources/2/format"),
    "licence of the data": (lambda d, url: d["licenses"][0].update(name="proprietary"), "/licenses/0/name"),
    "licence of the text": (lambda d, url: _text(d)["licenses"].clear(), "/licenses/0"),
    "package title": (lambda d, url: d.update(title="Something else"), "/title"),
    "unknown package key": (lambda d, url: d.update({"x-extra": 1}), "/x-extra"),
    "unknown resource key": (lambda d, url: _table(d, "actors").update({"x-note": "hi"}), "/x-note"),
    "dialect as a URL": (lambda d, url: _table(d, "events").update(dialect=url + "dialect.json"), "/dialect"),
    "extrapaths URL": (lambda d, url: _table(d, "events").update(extrapaths=[url + "extra.csv"]), "/extrapaths"),
    "profile URL": (lambda d, url: d.update(profile=url + "profile.json"), "/profile"),
    "$schema URL": (lambda d, url: d.update({"$schema": url + "schema.json"}), "/$schema"),
    "pattern of the PR": (lambda d, url: _table(d, "actors")["schema"]["fields"][0].setdefault(
        "constraints", {}).update(pattern="(a+)+$"), "constraints.pattern"),
    "resource order": (lambda d, url: d["resources"].reverse(), "/resources/0"),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_any_difference_from_the_generated_descriptor_is_named(package_copy, listener, change):
    mutate, where = CHANGES[change]
    _edit(package_copy, lambda d: mutate(d, listener.url))
    r = check(package_copy)
    assert r.code == 1 and "package-error" in r.types, r.messages
    # the fix command is named (`libyadata schema` still regenerates the descriptor, as part of `generate`)
    assert where in r.messages and ("libyadata generate" in r.messages or "libyadata schema" in r.messages)


def test_an_extra_resource_with_a_schema_url(package_copy, listener):
    _edit(package_copy, lambda d: d["resources"].append(
        {"name": "extra", "path": "data/events.csv", "schema": listener.url + "schema.json"}))
    r = check(package_copy)
    assert r.code == 1 and "package-error" in r.types


@pytest.mark.parametrize("value, word", [(None, "missing"), ("", "empty"), ("sha256:", "64 hex"),
                                         ("md5:" + "0" * 32, "64 hex"), ("0" * 64, "64 hex"), (7, "string")])
def test_an_empty_or_missing_hash_is_an_error_not_a_skipped_check(package_copy, value, word):
    def change(d):
        if value is None:
            del _table(d, "events")["hash"]
        else:
            _table(d, "events")["hash"] = value

    _edit(package_copy, change)
    r = check(package_copy)
    assert r.code == 1 and word in r.messages


def test_a_missing_bytes_is_an_error(package_copy):
    _edit(package_copy, lambda d: _table(d, "events").pop("bytes"))
    r = check(package_copy)
    assert r.code == 1 and "bytes is missing" in r.messages


def test_the_version_stamp_is_checked_for_form_only(package_copy):
    _edit(package_copy, lambda d: d.update(version="2.0.0", created="2027-01-01T00:00:00Z"))
    assert check(package_copy).code == 0  # a bump; the version check judges its size
    _edit(package_copy, lambda d: d.update(version="latest"))
    r = check(package_copy)
    assert r.code == 1 and "/version" in r.messages


def test_expected_descriptor_never_opens_a_contributed_file(package_copy, tmp_path):
    """The generator runs on empty placeholders: a FIFO or a link in the package cannot reach it."""
    import os

    fifo = package_copy / "sources" / "x.txt"
    os.mkfifo(fifo)
    files = {"sources/x.txt": fifo}
    want = expected_descriptor(files)
    assert not any(r["path"] == "sources/x.txt" for r in want["resources"])  # a FIFO is not a text
    assert all("hash" not in r and "bytes" not in r for r in want["resources"])


def test_differences_is_iterative_and_capped():
    deep = current = {}
    for _ in range(5000):  # deeper than Python's recursion limit
        current["a"] = {}
        current = current["a"]
    found, total = differences(deep, {})
    assert total == 1 and found[0][0] == "/a"
    many = {f"k{i}": i for i in range(10_000)}
    found, total = differences(many, {})
    assert total == 10_000 and len(found) == 20
    assert pointer(["a/b", "c~d"]) == "/a~1b/c~0d"


def test_json_with_duplicate_keys_nan_and_deep_nesting(package_copy):
    desc = package_copy / "datapackage.json"
    for data, word in [(b'{"name": "a", "name": "b", "resources": []}', "duplicate"),
                       (b'{"x": NaN, "resources": []}', "not JSON"),
                       (b"[" * 100_000 + b"]" * 100_000, "nesting depth"),
                       (b'{"x": "\\ud800", "resources": []}', ""),
                       (b"\xef\xbb\xbf{}", "byte order mark"),
                       (b"\xff\xfe{}", "UTF-8")]:
        desc.write_bytes(data)
        r = check(package_copy)
        assert r.code == 1 and word in r.messages, (data[:20], r.messages)


def test_a_huge_number_of_resources(package_copy):
    _edit(package_copy, lambda d: d["resources"].extend(
        {"name": f"r{i}", "path": f"sources/r{i}.txt"} for i in range(50_000)))
    r = check(package_copy)
    assert r.code == 1 and r.types == {"size-limit"}


def test_many_resources_below_the_cap_are_each_named(package_copy):
    _edit(package_copy, lambda d: d["resources"].extend(
        {"name": f"r{i}", "path": f"sources/r{i}.txt"} for i in range(500)))
    r = check(package_copy)
    assert r.code == 1 and "package-error" in r.types


# --- the article is pinned ---------------------------------------------------------------


def _rewrite_article(pkg, old="Russia", new="Turkey"):
    """Rewrite a word in the article and in every cell, recompute sha256 and char_count: a
    perfectly consistent forgery."""
    text_path = next((pkg / "sources").glob("*.txt"))
    text = text_path.read_text(encoding="utf-8")
    assert old in text
    text_path.write_text(text.replace(old, new), encoding="utf-8")
    for table in (pkg / "data").glob("*.csv"):
        table.write_text(table.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    sources = pkg / "data" / "sources.csv"
    rows = csv_rows(sources)
    data = text_path.read_bytes()
    rows[0].update(sha256=hashlib.sha256(data).hexdigest(), char_count=str(len(data.decode("utf-8"))))
    write_rows(sources, rows)
    regenerate(pkg)


@pytest.fixture()
def base(tmp_path, package_copy):
    dest = tmp_path / "base" / "datapackage"
    shutil.copytree(package_copy, dest)
    return dest


def test_rewriting_the_article_is_refused_against_the_base(package_copy, base):
    _rewrite_article(package_copy)
    r = check(package_copy, base=base)
    assert r.code == 1 and "source-text-error" in r.types
    assert "sha256 changed from '458edef5" in r.messages  # the same length: char_count did not change
    assert "differs from the base package's text" in r.messages
    d = D.diff(base, package_copy)
    assert d.bump == "major" and "source_text_changed" in {c.kind for c in d.changes}


def test_changing_the_text_bytes_alone_is_refused(package_copy, base):
    text_path = next((package_copy / "sources").glob("*.txt"))
    text_path.write_bytes(text_path.read_bytes().replace(b"Russia", b"Rus\xd1\x81ia", 1))  # Cyrillic s
    r = check(package_copy, base=base)
    assert r.code == 1 and "source-text-error" in r.types


def test_removing_a_source_is_refused(package_copy, base):
    sources = package_copy / "data" / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    r = check(package_copy, base=base)
    assert r.code == 1 and "was removed" in r.messages


def test_a_new_source_is_its_own_kind_of_change(package_copy, base):
    text = "A second article.\n"
    (package_copy / "sources" / "second.txt").write_text(text, encoding="utf-8")
    sources = package_copy / "data" / "sources.csv"
    rows = csv_rows(sources)
    rows.append({**rows[0], "source_id": "second", "text_path": "sources/second.txt", "url": "https://example.org/2",
                 "sha256": hashlib.sha256(text.encode()).hexdigest(), "char_count": str(len(text))})
    write_rows(sources, rows)
    regenerate(package_copy)
    from libyadata.validate import validate_package

    report = validate_package(package_copy, base=base)
    assert "source-text-error" not in {p.type for p in report.problems}
    assert any("new source(s): 'second'" in n for n in report.notes)
    d = D.diff(base, package_copy)
    kinds = {c.kind: c.bump for c in d.changes}
    assert kinds.get("source_added") == "minor" and D.BUMPS.index(d.bump) >= D.BUMPS.index("minor")
