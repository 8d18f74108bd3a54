"""``libyadata.paths``: the one set of path rules, and how a package file is opened.

The hostile corpus (tests/test_hostile_paths.py) drives these rules through every reader
(validate, diff, load, download); this module tests the functions themselves.
"""

from __future__ import annotations

import os

import pytest

from libyadata import paths


@pytest.mark.parametrize("path, why", [
    ("data/events.csv", None),
    ("sources/future-center-2017-08-28.txt", None),
    ("", "is not a non-empty string path"),
    (None, "is not a non-empty string path"),
    ("data/\x00.csv", "control characters"),
    ("HTTPS://example.org/x.csv", "is a URL"),
    ("file:data/x.csv", "file: reference"),
    ("/etc/passwd", "is absolute"),
    ("C:data.csv", "is absolute"),
    ("s3:bucket/x.csv", "URI scheme"),
    ("data\\events.csv", "backslashes"),
    ("~/x.csv", "expanded by a shell"),
    ("data/$HOME.csv", "expanded by a shell"),
    ("data/../../x.csv", "leaves the package"),
    ("data//x.csv", "empty or '.' component"),
    ("data/.git/config", "hidden file or folder"),
])
def test_problem_names_the_rule(path, why):
    found = paths.problem(path)
    assert (found is None) if why is None else (why in found), found


def test_check_relative_raises_with_the_reason():
    assert paths.check_relative("data/x.csv") == "data/x.csv"
    with pytest.raises(paths.UnsafePath, match="leaves the package"):
        paths.check_relative("../x.csv")


def test_a_long_path_is_shown_cut():
    why = paths.problem("/" + "a" * 1000)
    assert len(why) < 300 and "…" in why


def test_root_problem_refuses_a_linked_folder_anywhere_on_the_path(tmp_path):
    real = tmp_path / "real" / "datapackage"
    real.mkdir(parents=True)
    os.symlink(tmp_path / "real", tmp_path / "pr")
    assert paths.root_problem(real) is None
    assert "is a symbolic link" in paths.root_problem(tmp_path / "pr" / "datapackage")
    assert "does not exist" in paths.root_problem(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    assert "is not a directory" in paths.root_problem(tmp_path / "file")


def test_file_problem_says_what_the_file_is(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ok.csv").write_text("a\n")
    os.symlink(tmp_path / "data" / "ok.csv", tmp_path / "data" / "link.csv")
    os.mkfifo(tmp_path / "data" / "fifo.csv")
    (tmp_path / "data" / "dir.csv").mkdir()
    assert paths.file_problem(tmp_path, "data/ok.csv") is None
    assert "symbolic link" in paths.file_problem(tmp_path, "data/link.csv")
    assert "FIFO" in paths.file_problem(tmp_path, "data/fifo.csv")
    assert "is a folder" in paths.file_problem(tmp_path, "data/dir.csv")
    assert "is not a folder" in paths.file_problem(tmp_path, "data/ok.csv/x")
    assert "does not exist" in paths.file_problem(tmp_path, "data/none.csv")
    assert paths.safe_file(tmp_path, "data/ok.csv") == tmp_path / "data" / "ok.csv"
    assert paths.safe_file(tmp_path, "data/link.csv") is None


def test_read_bytes_applies_the_rules_and_the_limit(tmp_path):
    (tmp_path / "t.txt").write_bytes(b"12345")
    assert paths.read_bytes(tmp_path, "t.txt") == b"12345"
    assert paths.read_bytes(tmp_path, "t.txt", limit=5) == b"12345"
    with pytest.raises(paths.UnsafePath, match="larger than 4 bytes"):
        paths.read_bytes(tmp_path, "t.txt", limit=4)
    with pytest.raises(paths.UnsafePath, match="leaves the package"):
        paths.read_bytes(tmp_path, "../t.txt")


def test_open_found_neither_follows_a_link_nor_blocks_on_a_fifo_swapped_in(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("a\n")
    fd = paths.open_found(target)
    os.close(fd)
    target.unlink()
    os.symlink(tmp_path / "elsewhere", target)
    with pytest.raises(paths.UnsafePath, match="cannot be opened"):
        paths.open_found(target)
    target.unlink()
    os.mkfifo(target)
    with pytest.raises(paths.UnsafePath, match="not a regular file"):
        paths.open_found(target)
