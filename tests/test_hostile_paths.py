"""Hostile corpus, paths: the pull request is data, read inside its own folder only.

Every case is made in tmp_path (links, FIFOs, outside files); each asserts the exit code, the
error type, that the secret planted outside never appears in the output, and (hostile_kit) that no
connection was attempted and no traceback printed. Readers covered: validate, diff (the version
workflow's commands), load.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hostile_kit import (  # noqa: F401 - no_network: autouse fixture
    check, cli, no_network, plant_secret, regenerate, validate)

from libyadata import paths
from libyadata.errors import DataError


@pytest.fixture()
def base(tmp_path, package_copy):
    dest = tmp_path / "base" / "datapackage"
    shutil.copytree(package_copy, dest)
    return dest


def _diff(base, pr, *extra):
    return cli("diff", str(base), str(pr), "--format", "markdown", *extra)


# --- the package folder and its descriptor -----------------------------------------------


def test_package_folder_replaced_by_a_link_to_the_base_package(tmp_path, base):
    """The critical case: a PR whose datapackage/ is a link to the base package validated 'valid'."""
    pr = tmp_path / "pr"
    pr.mkdir()
    (pr / "datapackage").symlink_to(base, target_is_directory=True)
    r = validate(pr / "datapackage", "--base", str(base))
    assert r.code == 1 and r.types() == {"unsafe-path"}
    assert "symbolic link" in r.messages()
    d = _diff(base, pr / "datapackage", "--check-version")
    assert d.code == 2 and "symbolic link" in d.err


def test_descriptor_that_is_a_link_to_an_outside_file(tmp_path, package_copy, base):
    """version.yml printed an outside file's values through a linked datapackage.json."""
    secret, token = plant_secret(tmp_path)
    outside = secret.with_name("datapackage.json")
    outside.write_text('{"name": "%s", "version": "9.9.9", "resources": []}' % token, encoding="utf-8")
    (package_copy / "datapackage.json").unlink()
    (package_copy / "datapackage.json").symlink_to(outside)
    r = validate(package_copy)
    assert r.code == 1 and "unsafe-path" in r.types() and token not in r.text
    d = _diff(base, package_copy)
    assert d.code == 2 and token not in d.text


def test_a_parent_folder_that_is_a_link(tmp_path, base):
    link = tmp_path / "pr"
    link.symlink_to(base.parent, target_is_directory=True)
    r = check(link / "datapackage")
    assert r.code == 1 and r.types == {"unsafe-path"}


# --- files and folders inside ------------------------------------------------------------


@pytest.mark.parametrize("where", ["data/events.csv", "data", "sources/future-center-2017-08-28.txt"])
def test_a_link_inside_the_package(tmp_path, package_copy, base, where):
    secret, token = plant_secret(tmp_path)
    target = package_copy / where
    if target.is_dir():
        shutil.rmtree(target)
        target.symlink_to(secret.parent, target_is_directory=True)
    else:
        target.unlink()
        target.symlink_to(secret)
    r = check(package_copy)
    assert r.code == 1 and "unsafe-path" in r.types and token not in r.text
    from libyadata import diff as D

    try:  # a link the diff reads is refused, never followed
        shown = D.render_markdown(D.diff(base, package_copy)) + D.render_text(D.diff(base, package_copy))
    except DataError as exc:
        shown = str(exc)
        assert "symbolic link" in shown
    assert token not in shown
    import libyadata

    with pytest.raises(DataError):  # load() reads the tables, source_text() the text
        libyadata.load(package_copy)
        libyadata.source_text(path=package_copy)


def test_a_fifo_is_refused_without_blocking(package_copy):
    fifo = package_copy / "sources" / "future-center-2017-08-28.txt"
    fifo.unlink()
    os.mkfifo(fifo)
    r = validate(package_copy, timeout=60)
    assert r.code == 1 and "forbidden-file" in r.types() and r.seconds < 30


def test_a_fifo_as_the_descriptor_is_refused_without_blocking(package_copy, base):
    (package_copy / "datapackage.json").unlink()
    os.mkfifo(package_copy / "datapackage.json")
    r = validate(package_copy, timeout=60)
    # one error: the walk's (a descriptor that is not a regular file is not read, nor reported again)
    assert r.code == 1 and r.types() == {"forbidden-file"}, r.types()
    d = cli("diff", str(base), str(package_copy), timeout=60)
    assert d.code == 2


def test_a_source_text_replaced_by_a_directory(package_copy):
    text = package_copy / "sources" / "future-center-2017-08-28.txt"
    text.unlink()
    text.mkdir()
    (text / "inner.txt").write_text("x", encoding="utf-8")
    r = check(package_copy)
    assert r.code == 1 and {"source-text-error", "missing-file"} <= r.types


def test_a_hard_link_is_read_as_the_regular_file_it_is(tmp_path, package_copy):
    """Decision: hard links are not refused. git never stores one (a checkout cannot make one),
    installers such as uv hard-link the installed package from their cache, and a hard link
    reaches only a file its maker could already read. The content is judged as any file is."""
    events = package_copy / "data" / "events.csv"
    copy = tmp_path / "elsewhere.csv"
    shutil.copy(events, copy)
    events.unlink()
    os.link(copy, events)
    assert paths.file_problem(package_copy, "data/events.csv") is None
    assert check(package_copy).code == 0


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize("rel, why", [
    ("data/x\x00.csv", "control characters"),
    ("C:/data/events.csv", "absolute"),
    ("c:events.csv", "absolute"),
    ("data\\events.csv", "backslashes"),
    ("\\\\server\\share\\x.csv", "absolute"),
    ("data/../data/events.csv", "leaves the package"),
    ("data/./events.csv", "'.' component"),
    ("data//events.csv", "empty"),
    ("data/", "empty"),
    ("/etc/passwd", "absolute"),
    ("~/x.csv", "shell"),
    ("$HOME/x.csv", "shell"),
    ("HTTP://example.org/x.csv", "URL"),
    ("ftp:x.csv", "URL"),
    ("file:///etc/passwd", "file:"),
    ("data:text/csv,a", "URI scheme"),
    ("data/.hidden.csv", "hidden"),
    (".git/config", "hidden"),
    ("data/events.csv\x7f", "control characters"),
    ("", "not a non-empty string"),
    (None, "not a non-empty string"),
    (["data/events.csv"], "not a non-empty string"),
])
def test_path_rules(rel, why):
    assert why in (paths.problem(rel) or "")
    with pytest.raises(paths.UnsafePath):
        paths.check_relative(rel)


@pytest.mark.parametrize("rel", ["data/events.csv", "sources/future-center-2017-08-28.txt", "data/é.csv"])
def test_path_rules_accept_plain_relative_paths(rel):
    assert paths.problem(rel) is None


@pytest.mark.parametrize("rel", ["data/../data/events.csv", "C:/x.csv", "data\\events.csv", "data/x\x00.csv"])
def test_descriptor_path_tricks_are_unsafe_paths(package_copy, rel):
    import json

    desc = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"][2]["path"] = rel
    (package_copy / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    r = check(package_copy)
    assert r.code == 1 and "unsafe-path" in r.types


@pytest.mark.parametrize("name", ["data/Events.csv", "data/EVENTS.CSV", "data/ev\u0435nts.csv",
                                  "data/events.csv\u200b", "data/events\u2024csv"])
def test_lookalike_and_case_colliding_names_are_not_part_of_the_package(package_copy, name):
    """A second events table under a name that looks the same, or collides on a case-insensitive disk."""
    shutil.copy(package_copy / "data" / "events.csv", package_copy / name)
    r = check(package_copy)
    assert r.code == 1 and "forbidden-file" in r.types
    assert "\u200b" not in r.shown  # shown escaped in the terminal and in annotations


def test_regenerated_package_is_still_valid(package_copy):
    """The corpus' baseline: an untouched copy, its descriptor regenerated, is valid."""
    regenerate(package_copy)
    assert check(package_copy).code == 0


@pytest.mark.parametrize("linked", ["datapackage.json", "sources", "data/motives.csv"])
def test_a_link_is_one_error_not_also_the_files_it_hides(package_copy, tmp_path, linked):
    # The walk reports the link; the descriptor, the tables and the source texts behind it are not
    # reported again as missing, as an undeclared resource or as a missing source text.
    target = tmp_path / "moved"
    shutil.move(package_copy / linked, target)
    os.symlink(target, package_copy / linked)
    from libyadata.validate import validate_package

    report = validate_package(package_copy)
    assert [(p.type, p.file) for p in report.problems] == [("unsafe-path", linked)], \
        [(p.type, p.file, p.message) for p in report.problems]


@pytest.mark.parametrize("linked", ["parquet", "parquet/actors.parquet", "sources",
                                    "sources/future-center-2017-08-28.txt"])
def test_a_link_is_one_error_with_a_base_too(tmp_path, linked):
    # With --base the generated files and the source texts are compared with the base's: a link the
    # walk refused is not also a missing generated file or a text that "goes through a symbolic link".
    from libyadata.resources import datapackage_dir

    base, package_copy = tmp_path / "base", tmp_path / "pr"
    shutil.copytree(datapackage_dir(), base)
    shutil.copytree(datapackage_dir(), package_copy)
    target = tmp_path / "moved"
    shutil.move(package_copy / linked, target)
    os.symlink(target, package_copy / linked)
    from libyadata.validate import validate_package

    report = validate_package(package_copy, base=base)
    assert [(p.type, p.file) for p in report.problems] == [("unsafe-path", linked)], \
        [(p.type, p.file, p.message) for p in report.problems]


@pytest.mark.parametrize("name", ["\ud800", "a" * 300])
def test_a_declared_text_behind_a_linked_folder_with_an_impossible_name_is_no_internal_error(package_copy, tmp_path,
                                                                                             name):
    # The descriptor the models would generate is built in a temporary folder: a declared name no
    # file can have (a lone surrogate, 300 characters) must not make it fail (exit 2).
    import json

    target = tmp_path / "moved"
    shutil.move(package_copy / "sources", target)
    os.symlink(target, package_copy / "sources")
    desc = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    text = next(r for r in desc["resources"] if r["path"].startswith("sources/"))
    desc["resources"].append({**text, "name": "evil", "path": f"sources/{name}.txt"})
    (package_copy / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    from libyadata.validate import validate_package

    report = validate_package(package_copy)
    assert report.exit_code == 1 and "source-error" not in {p.type for p in report.problems}
    assert ("unsafe-path", "sources") in {(p.type, p.file) for p in report.problems}
