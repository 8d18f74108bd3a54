"""libyadata validate: the real package is valid; exit codes, formats, safety, columnar rules match the models."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libyadata import models
from libyadata.cli import main
from libyadata.resources import datapackage_dir
from libyadata.validate import validate_package
from libyadata.validate.safety import Limits, json_depth, path_problem

CORPUS = Path(__file__).resolve().parent / "fixtures" / "invalid"
BASE = CORPUS / "_valid" / "package"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "libyadata.cli", "validate", *args], capture_output=True, text=True,
                          timeout=120)


def copy_base(tmp_path: Path) -> Path:
    dest = tmp_path / "package"
    shutil.copytree(BASE, dest, symlinks=True)
    return dest


def test_real_package_is_valid():
    report = validate_package(datapackage_dir())
    assert report.problems == [] and report.valid and report.exit_code == 0


def test_cli_default_is_the_repository_package_and_exits_0():
    proc = run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("valid: ")
    # one line on stderr says which package was found (tests/test_resources.py checks which)
    assert proc.stderr.startswith("libyadata: using ") and proc.stderr.count("\n") == 1


def test_cli_json_and_github_on_an_invalid_package():
    case = CORPUS / "vocabulary" / "package"
    proc = run(str(case), "--format", "json")
    assert proc.returncode == 1 and proc.stderr == ""
    doc = json.loads(proc.stdout)
    err = next(e for t in doc["tasks"] for e in t["errors"])
    assert (err["type"], err["rowNumber"], err["fieldName"], err["cell"]) == ("vocabulary-error", 2, "event_type", "vist")
    assert "did you mean 'visit'?" in err["message"]
    proc = run(str(case), "--format", "github")
    assert proc.returncode == 1
    # annotations name files from the current folder (the workspace a workflow runs in)
    assert proc.stdout.startswith(f"::error file={os.path.relpath(case)}/data/events.csv,line=2,col=")
    assert "title=vocabulary-error (event_type)::row 2, field event_type: 'vist'" in proc.stdout


def test_text_output_groups_by_file_without_colour_when_piped():
    proc = run(str(CORPUS / "evidence-offset" / "package"))
    assert proc.returncode == 1 and "\033[" not in proc.stdout
    assert proc.stdout.startswith("data/events.csv: 1 error(s) (1 evidence-mismatch)\n")
    assert "did you mean char_start=" in proc.stdout


@pytest.mark.parametrize("args", [["/nonexistent/package"], [str(BASE / "datapackage.json")]])
def test_unreadable_input_exits_2_with_a_report(args):
    proc = run(*args, "--format", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["errors"][0]["type"] == "source-error"


def test_bad_invocation_exits_2():
    proc = run("--max-errors", "-1")
    assert proc.returncode == 2 and "--max-errors" in proc.stderr and "Traceback" not in proc.stderr


def test_max_errors_bounds_the_report(tmp_path, capsys):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "event_actors.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("participant", "particpant"), encoding="utf-8")
    assert main(["validate", str(pkg), "--format", "json", "--max-errors", "2"]) == 1
    doc = json.loads(capsys.readouterr().out)
    # 2 vocabulary errors + byte-count + hash-count = 4 found, 2 shown
    assert doc["stats"]["errors"] == 4 and doc["stats"]["reported"] == 2 and doc["stats"]["truncated"] == 2


def test_no_pandas_and_no_network_modules_are_imported():
    code = ("import sys; from libyadata.validate import validate_package; r = validate_package(); "
            "assert r.valid; print(sorted(m for m in ('pandas', 'frictionless', 'requests', 'urllib3', 'http.client') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_generated_parquet_must_equal_the_base_when_given(tmp_path):
    pkg = copy_base(tmp_path)
    base = copy_base(tmp_path / "base")
    for p in (pkg, base):
        (p / "parquet").mkdir()
        (p / "parquet" / "events.parquet").write_bytes(b"PAR1 same PAR1")
    assert validate_package(pkg).valid
    assert validate_package(pkg, base=base).valid
    (pkg / "parquet" / "events.parquet").write_bytes(b"PAR1 evil PAR1")
    report = validate_package(pkg, base=base)
    assert [(p.type, p.file) for p in report.problems] == [("forbidden-file", "parquet/events.parquet")]


def test_symlinked_source_text_is_never_read(tmp_path):
    pkg = copy_base(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    text = pkg / "sources" / "test-source.txt"
    text.unlink()
    os.symlink(secret, text)
    report = validate_package(pkg)
    types = {(p.type, p.file) for p in report.problems}
    assert ("unsafe-path", "sources/test-source.txt") in types
    assert all("outside" not in (p.message + (p.cell or "")) for p in report.problems)


def test_size_limits_refuse_before_parsing(tmp_path):
    pkg = copy_base(tmp_path)
    report = validate_package(pkg, limits=Limits(csv_bytes=100))
    assert {p.type for p in report.problems} == {"size-limit"}
    report = validate_package(pkg, limits=Limits(descriptor_bytes=100))
    assert [(p.type, p.file) for p in report.problems] == [("size-limit", "datapackage.json")]


def test_oversized_cell_is_refused(tmp_path):
    pkg = copy_base(tmp_path)
    report = validate_package(pkg, limits=Limits(cell_bytes=20))
    got = {(p.type, p.file, p.field) for p in report.problems}
    assert ("size-limit", "data/actors.csv", "quote") in got
    assert {t for t, _, _ in got} == {"size-limit"}


def test_row_longer_than_a_block_is_read(tmp_path):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Dated by the visit.", "x" * 1_500_000),
                    encoding="utf-8")
    report = validate_package(pkg)
    assert ("size-limit", 3, "notes") in {(p.type, p.row, p.field) for p in report.problems}


def test_lines_and_columns_follow_multi_line_cells(tmp_path):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "events.csv"
    text = path.read_text(encoding="utf-8")
    # Row 2's quote_prefix already spans two lines ("Analysis\n..."); row 3 gets a two-line note:
    # row 4's event_type error is then on line 6, column 24.
    text = text.replace("Dated by the visit.", '"Dated by\nthe visit."').replace(",statement,", ",statment,")
    path.write_text(text, encoding="utf-8")
    report = validate_package(pkg)
    err = next(p for p in report.problems if p.type == "vocabulary-error")
    assert (err.row, err.line, err.col) == (4, 6, len("russia-supports-haftar,") + 1)


def test_unique_constraint_is_checked_when_declared(tmp_path):
    import numpy as np

    from libyadata.validate import keys, structure
    from libyadata.validate._arrow import strings
    from libyadata.validate.columns import Checked
    from libyadata.validate.report import Report

    import pyarrow as pa

    table = pa.Table.from_arrays([strings(["a", "b", "a\u200b"])], names=["motive_id"])
    raw = structure.RawTable("data/motives.csv", models.Motive, table, None, ["motive_id"])
    report = Report("pkg")
    keys.check_unique(report, raw, Checked(), ("motive_id",), "unique-error")
    assert [(p.type, p.row, p.field) for p in report.problems] == [("unique-error", 4, "motive_id")]
    assert "already used in row 2" in report.problems[0].message
    assert np.array_equal(raw.rows(np.array([0, 2])), [2, 4])


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


DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2150, 12, 31)),
                  st.sampled_from([dt.date(2016, 2, 1), dt.date(2016, 2, 29), dt.date(2017, 1, 1),
                                   dt.date(2017, 12, 31), dt.date(2017, 6, 1), dt.date(2017, 6, 30)]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(DATES, DATES, st.sampled_from(list(models.vocab.DATE_PRECISIONS)),
                          st.sampled_from(list(models.vocab.DATE_BASES))), min_size=1, max_size=20))
def test_columnar_date_rule_agrees_with_check_interval(rows):
    """The Arrow masks flag exactly the intervals models.check_interval rejects."""
    from libyadata.validate._arrow import strings
    from libyadata.validate.rules import interval_mask

    starts = _dates([r[0] for r in rows])
    ends = _dates([r[1] for r in rows])
    mask = interval_mask(starts, ends, strings([r[2] for r in rows]), strings([r[3] for r in rows])).to_pylist()
    for (s, e, p, b), flagged in zip(rows, mask):
        try:
            models.check_interval(s, e, p, b)
            ok = True
        except ValueError:
            ok = False
        assert flagged is (not ok), (s, e, p, b)


def _dates(values):
    import numpy as np
    import pyarrow as pa

    days = np.array([(v - dt.date(1970, 1, 1)).days if v else 0 for v in values], dtype=np.int32)
    valid = np.packbits(np.array([v is not None for v in values]), bitorder="little")
    return pa.Array.from_buffers(pa.date32(), len(values), [pa.py_buffer(valid), pa.py_buffer(days)])


def test_prefetch_hands_over_parses_and_errors_and_never_reads_a_file_twice(tmp_path):
    import pyarrow as pa

    from libyadata.validate import reading

    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,\xff\xfe\n")
    later = tmp_path / "later.csv"
    later.write_text("a\nx\n", encoding="utf-8")
    ahead = reading.Prefetch([("good.csv", good), ("bad.csv", bad), ("later.csv", later)])
    ahead._thread.join()  # every listed file parsed
    table, ragged = ahead.take("good.csv", 2)
    assert table.num_rows == 2 and ragged == []
    with pytest.raises(pa.ArrowInvalid):  # the reader reports it as an encoding error
        ahead.take("bad.csv", 2)
    assert ahead.take("later.csv", 3) is None  # another width than the header had: the caller reads it
    assert ahead.take("unlisted.csv", 1) is None
    ahead.close()


def _eventually(condition) -> None:
    import time

    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_prefetch_parses_a_second_large_file_only_when_allowed(tmp_path, monkeypatch):
    from libyadata.validate import reading

    monkeypatch.setattr(reading, "LARGE_FILE", 10)
    files = []
    for name in ("large1.csv", "small.csv", "large2.csv", "large3.csv", "small2.csv"):
        path = tmp_path / name
        path.write_text("a\n" + ("x\n" * (20 if name.startswith("large") else 1)), encoding="utf-8")
        files.append((name, path))
    ahead = reading.Prefetch(files)
    done = lambda *names: all(isinstance(ahead._state.get(n), tuple) for n in names)  # noqa: E731
    _eventually(lambda: done("small.csv", "small2.csv", "large1.csv"))  # small files first
    assert "large2.csv" not in ahead._state  # waits for the checks to free the first large table
    ahead.allow_another()
    _eventually(lambda: done("large2.csv"))
    assert "large3.csv" not in ahead._state
    assert ahead.take("large3.csv", 1) is None  # the checks got there first: they parse it themselves
    ahead._thread.join(10)
    assert not ahead._thread.is_alive() and ahead._state["large3.csv"] == "taken"
    assert ahead.take("small.csv", 1)[0].num_rows == 1
    assert ahead.take("large1.csv", 1)[0].num_rows == 20
    assert ahead.take("large2.csv", 1)[0].num_rows == 20
    ahead.close()


def test_closing_a_prefetch_that_waits_ends_its_thread(tmp_path, monkeypatch):
    from libyadata.validate import reading

    monkeypatch.setattr(reading, "LARGE_FILE", 10)
    files = []
    for name in ("large1.csv", "large2.csv"):
        (tmp_path / name).write_text("a\n" + "x\n" * 20, encoding="utf-8")
        files.append((name, tmp_path / name))
    ahead = reading.Prefetch(files)
    _eventually(lambda: isinstance(ahead._state.get("large1.csv"), tuple))
    ahead.close()
    assert not ahead._thread.is_alive() and "large2.csv" not in ahead._state


def test_the_command_tunes_memory_only_where_the_user_has_not(monkeypatch):
    from libyadata.commands import validate as command

    for name in ("ARROW_DEFAULT_MEMORY_POOL", "OPENBLAS_NUM_THREADS", "MIMALLOC_PURGE_DELAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # a user's glibc setting: mallopt is left alone
    command._tune_memory()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system" and os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    command._tune_memory()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "mimalloc"


def test_a_file_that_cannot_be_read_for_its_hash_is_named(tmp_path, monkeypatch):
    from libyadata.validate import safety

    pkg = copy_base(tmp_path)
    real = safety.scan

    def scan(path, algorithm, needle=b""):
        if path.name == "motives.csv":
            raise OSError(13, "Permission denied", str(path))
        return real(path, algorithm, needle)

    monkeypatch.setattr(safety, "scan", scan)
    report = validate_package(pkg)
    errors = [p for p in report.problems if p.type == "source-error"]
    assert [(p.message, p.file) for p in errors] == [("cannot read data/motives.csv: Permission denied",
                                                      "data/motives.csv")]
    assert report.exit_code == 2


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="no SCHED_IDLE on this system")
def test_the_hashing_thread_runs_on_idle_cores_and_is_woken_to_finish(tmp_path, monkeypatch):
    import threading

    from libyadata.validate import package

    seen: list[int] = []

    def policy_of_thread() -> None:
        package.scheduling(threading.get_native_id(), idle=True)
        seen.append(os.sched_getscheduler(0))

    t = threading.Thread(target=policy_of_thread)
    t.start()
    t.join()
    assert seen == [os.SCHED_IDLE]

    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "sched_setscheduler", lambda tid, policy, param: calls.append((tid, policy)))
    pkg = copy_base(tmp_path)
    assert validate_package(pkg).valid
    assert calls and calls[0][1] == os.SCHED_IDLE and calls[0][0] != threading.get_native_id()
    # A refusal (no privilege to raise a thread again, or no such policy) changes nothing and is not an error.
    monkeypatch.setattr(os, "sched_setscheduler", lambda *a: (_ for _ in ()).throw(PermissionError(1, "no")))
    assert package.scheduling(threading.get_native_id(), idle=False) is False
    assert validate_package(pkg).valid


def test_waiting_for_the_hashes_wakes_the_hashing_thread(tmp_path, monkeypatch):
    import threading

    from libyadata.validate import package, safety
    from libyadata.validate.report import Report

    started, woken, calls = threading.Event(), threading.Event(), []

    def scheduling(thread: int, idle: bool) -> bool:
        calls.append(idle)
        (started if idle else woken).set()
        return True

    def hash_slowly(*args, **kwargs) -> None:
        assert woken.wait(10)  # finishes only once the waiting thread has asked for full speed

    monkeypatch.setattr(package, "scheduling", scheduling)
    monkeypatch.setattr(safety, "check_bytes_and_hash", hash_slowly)
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    hashing = package._Hashing(Report(str(tmp_path)), [("a.txt", {}, 0)], {"a.txt": tmp_path / "a.txt"})
    assert started.wait(10)
    hashing.join()
    assert calls == [True, False] and hashing.results["a.txt"].problems == []


@pytest.mark.parametrize("seed", range(5))
def test_a_split_lookup_gives_the_same_answers_and_equal_codes_for_equal_keys(seed, monkeypatch):
    import random

    import numpy as np
    import pyarrow as pa

    from libyadata.validate import keys

    rng = random.Random(seed)
    alphabet = ["a", "b", "é", "ß", "z", "0", "1", "-", "\u200b"]
    words = ["".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in range(300)]
    parent = pa.array(rng.sample(words, 120))
    key = pa.chunked_array([pa.array([rng.choice(words + [None]) for _ in range(n)], pa.string()) for n in (400, 0, 350)])
    monkeypatch.setattr(keys, "WORKERS", 2)
    monkeypatch.setattr(keys, "SPLIT_AT", 10**9)
    parent_codes, codes, found = keys.lookup(parent, key)
    monkeypatch.setattr(keys, "SPLIT_AT", 0)
    split_parent_codes, split_codes, split_found = keys.lookup(parent, key)
    values = key.to_pylist()
    assert split_found.tolist() == found.tolist() == [v is not None and v in set(parent.to_pylist()) for v in values]
    assert (split_codes == -1).tolist() == [v is None for v in values]
    # Codes are equal exactly when the keys are.
    pairs = {(v, int(c)) for v, c in zip(parent.to_pylist() + values, np.concatenate([split_parent_codes, split_codes]))
             if v is not None}
    assert len({v for v, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert np.array_equal(split_codes >= 0, codes >= 0)


def _key_problems(report):
    return [(p.type, p.file, p.row, p.field, p.cell, p.message) for p in report.problems]


def test_keys_checked_per_distinct_value_report_what_per_row_keys_report(tmp_path, monkeypatch):
    """Repeating key columns are normalised and looked up once per distinct value; the report
    must be the per-row one, including ids that differ only by case or an invisible character."""
    from libyadata.validate import columns

    pkg = tmp_path / "package"  # the shipped package: tables long enough to be sampled
    shutil.copytree(datapackage_dir(), pkg)
    with open(pkg / "data" / "events.csv", encoding="utf-8", newline="") as f:
        ids = [row["event_id"] for row in csv.DictReader(f)]
    path = pkg / "data" / "event_actors.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    first = rows[0].split(",")
    planted = [
        ",".join([first[0], first[1].upper(), *first[2:]]),  # the first row's key, up to case
        ",".join([first[0], "nobody", *first[2:]]),  # no such actor
        ",".join([ids[1], "RUSSIA\u200b", "host", ""]),  # an existing actor behind case and a zero-width space
    ]
    # Leading rows that repeat actor and role make those columns sampled as repeating.
    path.write_text("\n".join([header, *[f"{i},russia,host," for i in ids], *planted, *rows]) + "\n",
                    encoding="utf-8")

    per_row = validate_package(pkg)
    seen = []
    real = columns.cells
    monkeypatch.setattr(columns, "SAMPLE_ROWS", 8)
    monkeypatch.setattr(columns, "cells", lambda col: seen.append(c := real(col)) or c)
    per_value = validate_package(pkg)
    assert sum(c.codes is not None for c in seen) >= 3  # actor_id, role, the events' source_id at least
    assert _key_problems(per_value) == _key_problems(per_row)
    found = {(p.type, p.row, p.field) for p in per_row.problems if p.file == "data/event_actors.csv"}
    n = len(ids)
    assert ("primary-key", n + 5, "event_id") in found  # the first original row: the planted one, up to case
    assert ("foreign-key", n + 3, "actor_id") in found
    assert ("foreign-key", n + 4, "actor_id") not in found  # RUSSIA + U+200B is russia
    assert ("unicode-error", n + 4, "actor_id") in found


def test_the_key_set_of_a_repeating_column_is_its_normalised_values(monkeypatch):
    import pyarrow as pa

    from libyadata.validate import columns, keys
    from libyadata.validate.structure import RawTable

    monkeypatch.setattr(columns, "SAMPLE_ROWS", 4)
    table = pa.table({"actor_id": pa.chunked_array([["russia"] * 4 + ["Russia", "Egypt\u200b"] * 3, [None, "egypt"]])})
    raw = RawTable("data/actors.csv", models.Actor, table)
    assert columns.column_cells(raw, "actor_id").codes is not None  # tested per distinct value
    # Each distinct cell once, normalised (repeats do no harm in a lookup set).
    assert sorted(keys.key_set(raw, ("actor_id",)).to_pylist()) == ["egypt", "egypt", "russia", "russia"]
    codes = keys.key_codes(raw, "actor_id")
    russia, egypt = codes[0], codes[5]
    assert russia != egypt and codes.tolist() == [russia] * 5 + [egypt, russia, egypt, russia, egypt, -1, egypt]


@pytest.mark.parametrize("descriptor", [True, False])
def test_crlf_line_ends_are_reported_once_whether_or_not_the_hashing_pass_reads_the_file(tmp_path, descriptor):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "motives.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    if not descriptor:  # an unusable descriptor declares nothing: the table's own read looks for CR bytes
        (pkg / "datapackage.json").write_text("{", encoding="utf-8")
    found = [(p.type, p.file, p.message) for p in validate_package(pkg).problems if p.type == "line-ending"]
    assert found == [("line-ending", "data/motives.csv", "line 1 ends with CR LF: the package uses LF line ends "
                      "only (convert the file with dos2unix or your editor)")]


def _csv_with_a_multiline_cell_at(tmp_path: Path, name: str, rows: int, multiline_row: int | None,
                                  ragged_row: int | None = None) -> Path:
    lines = ["a,b,c"]
    for i in range(rows):
        if i == multiline_row:
            # The cell in the middle row is long enough to hold the middle of the file.
            lines.append(f'{i},"a cell\nover' + "\nmany lines, with commas" * (80 if i == rows // 2 else 1) + '",x')
        elif i == ragged_row:
            lines.append(f"{i},too,many,cells")
        else:
            lines.append(f"{i},plain,x")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_file_without_a_line_end_near_its_middle_is_parsed_serially(tmp_path, monkeypatch):
    from libyadata.validate import reading

    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n2," + "y" * 500 + "\n3,z\n", encoding="utf-8")
    monkeypatch.setattr(reading, "SPLIT_FILE", 100)
    monkeypatch.setattr(reading, "MAX_BLOCK_SIZE", 64)  # rows longer than this are refused anyway
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert reading._parse_halves(path, 2) is None
    table, bad = reading.parse(path, 2, threads=True)
    assert table.column(0).to_pylist() == ["1", "2", "3"] and bad == []


@pytest.mark.parametrize("multiline_row, ragged_row, split", [
    (None, None, True),  # the cut falls between records: two halves
    (10, None, True),  # a multi-line cell far from the cut
    (100, None, False),  # the cut falls inside the multi-line cell: one serial parse
    (None, 150, False),  # a ragged row in the second half: one serial parse numbers it
])
def test_a_large_file_is_parsed_in_two_halves_only_when_the_cut_is_between_records(
        tmp_path, monkeypatch, multiline_row, ragged_row, split):
    from libyadata.validate import reading

    path = _csv_with_a_multiline_cell_at(tmp_path, "t.csv", 200, multiline_row, ragged_row)
    serial = reading.parse(path, 3, threads=False)
    monkeypatch.setattr(reading, "SPLIT_FILE", 100)
    monkeypatch.setattr(reading, "BLOCK_SIZE", 256)
    halves = []
    real = reading._parse_halves
    monkeypatch.setattr(reading, "_parse_halves", lambda *a: halves.append(r := real(*a)) or r)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    table, bad = reading.parse(path, 3, threads=True)
    assert len(halves) == 1 and (halves[0] is not None) == split
    assert table.to_pydict() == serial[0].to_pydict() and bad == serial[1]
    if multiline_row == 100:  # the middle of the file is inside that cell
        middle = path.stat().st_size // 2
        text = path.read_bytes()
        assert text.rfind(b'"', 0, middle) > text.rfind(b"\n100,", 0, middle) > 0 and b'"' in text[middle:]
    if ragged_row is not None:
        assert bad == [(ragged_row + 2, 4, f"{ragged_row},too,many,cells")]


def test_the_command_pauses_the_garbage_collector_only_while_it_runs(monkeypatch):
    import gc

    from libyadata.commands import validate as command

    seen = []
    monkeypatch.setattr(command, "_run", lambda args: seen.append(gc.isenabled()) or 0)
    assert gc.isenabled()
    assert main(["validate", str(BASE)]) == 0
    assert seen == [False] and gc.isenabled()


def test_ids_already_in_their_comparable_form_are_not_copied():
    import pyarrow as pa

    from libyadata.validate import keys

    lower = pa.chunked_array([["russia", None, "ev-1"], [], ["x2"]], pa.string())
    assert keys.normalized(lower) is lower
    mixed = pa.chunked_array([["russia"], ["Egypt", None]])
    assert keys._ascii_case(mixed) == "ascii" and keys.normalized(mixed).to_pylist() == ["russia", "egypt", None]
    # The buffers of a slice hold cells outside it: only the slice's bytes count.
    sliced = pa.array(["ABC", "abc", "Ünï"]).slice(1, 1)
    assert keys._ascii_case(sliced) == "lower" and keys.normalized(sliced).to_pylist() == ["abc"]
    assert keys._ascii_case(pa.array(["abc", "ﬁ"])) == "other"
    assert keys.normalized(pa.array(["abc\u200b", "ABC", "ﬁ"])).to_pylist() == ["abc", "abc", "fi"]
