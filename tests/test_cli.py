"""The command line: every verb has --help; errors are one line, never a traceback."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from libyadata import __version__
from libyadata.cli import build_parser, main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "libyadata.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def verbs():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


def test_core_verbs_exist():
    assert {"info", "coverage", "schema", "anchor"} <= set(verbs())


@pytest.mark.parametrize("verb", verbs())
def test_every_verb_has_help(verb, capsys):
    with pytest.raises(SystemExit) as exc:
        main([verb, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: libyadata {verb}") and "Example" in out


def test_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"libyadata {__version__}"


def test_python_m_libyadata_is_the_command():
    # Where the scripts folder is not on PATH (a user install, some venvs), `python -m libyadata`
    # must do what `libyadata` does: same verbs, same exit statuses.
    done = subprocess.run([sys.executable, "-m", "libyadata", "--version"], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout.strip()) == (0, f"libyadata {__version__}")
    bad = subprocess.run([sys.executable, "-m", "libyadata", "validate", "no-such-folder"], capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and "does not exist" in bad.stdout + bad.stderr, bad


def test_info_text_and_json(capsys, data):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"libyadata {__version__}" in out and "future-center-2017-08-28" in out
    assert main(["info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["tables"] == data.counts() and info["version"] == __version__


def test_coverage_passes_on_the_real_data(capsys):
    assert main(["coverage"]) == 0
    assert "0 uncited" in capsys.readouterr().out


def test_coverage_fails_and_lists_sentences(package_copy, capsys):
    spans = []
    for name in ("claims", "relationships"):  # every sentence these cite alone goes uncited
        path = package_copy / "data" / f"{name}.csv"
        with open(path, encoding="utf-8", newline="") as f:
            spans += [(int(r["char_start"]), int(r["char_end"])) for r in csv.DictReader(f)]
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert main(["coverage", str(package_copy), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["uncited"]
    for s in report["uncited"]:
        start = package_copy.joinpath("sources", "future-center-2017-08-28.txt").read_text(encoding="utf-8").index(s["text"])
        assert any(a < start + len(s["text"]) and start < b for a, b in spans), s["text"]


def test_schema_check_passes(capsys):
    assert main(["schema", "--check"]) == 0


def test_anchor(capsys, text):
    assert main(["anchor", "his visit to Moscow"]) == 0
    span = json.loads(capsys.readouterr().out)
    assert text[span["char_start"]:span["char_end"]] == "his visit to Moscow"
    assert main(["anchor", "not in the article"]) == 1
    assert "occurs 0 time(s)" in capsys.readouterr().err


def test_bad_data_is_a_one_line_error_without_traceback(package_copy):
    actors = package_copy / "data" / "actors.csv"
    actors.write_text(actors.read_text(encoding="utf-8").replace(",person,", ",human,", 1), encoding="utf-8")
    result = run("info", str(package_copy))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("libyadata info: error: data/actors.csv, row 2, field kind:")


def test_missing_directory_is_reported(tmp_path):
    result = run("info", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "data/sources.csv: file is missing" in result.stderr


def test_usage_errors_exit_2():
    result = run("info", "--format", "yaml")
    assert result.returncode == 2 and "invalid choice" in result.stderr
