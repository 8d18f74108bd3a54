"""Hostile corpus, bounded work: each case runs the command CI runs, in a fresh process, and must end
with its exit code within generous bounds (seconds, peak RSS) that still catch a quadratic blow-up.

The bounds are safety nets on a shared machine, not benchmarks; the measured figures are printed
(``pytest -s``) and reported in the closing note of issue 11.
"""

from __future__ import annotations

import hashlib
import re
import time

from hostile_kit import bounded, cli, csv_rows, regenerate, validate, write_rows


def test_a_1mb_descriptor_of_escaped_quotes(package_copy):
    """It hung safety.json_depth's quadratic regex."""
    (package_copy / "datapackage.json").write_bytes(b'{"x": "' + b'\\"' * 500_000 + b'", "resources": []}')
    r = validate(package_copy)
    assert r.code == 1 and "package-error" in r.types()
    bounded(r, "1 MB descriptor of escaped quotes")


def test_a_1mb_descriptor_nested_deep(package_copy):
    (package_copy / "datapackage.json").write_bytes(b"[" * 500_000 + b"]" * 500_000)
    r = validate(package_copy)
    assert r.code == 1 and r.types() >= {"size-limit"}
    bounded(r, "1 MB descriptor nested 500000 deep")


def test_max_errors_0_on_1mb_of_faulty_rows_is_capped_and_says_so(package_copy):
    """--max-errors 0 (CI's JSON report) cost 3.4 GB per MB of faulty CSV."""
    path = package_copy / "data" / "event_actors.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    width = header.count(",") + 1
    body = "".join(",".join([f"x{i}"] + ["=bad"] * (width - 1)) + "\n" for i in range(60_000))
    path.write_text(header + "\n" + body, encoding="utf-8")
    assert path.stat().st_size > 2**20
    r = validate(package_copy)
    doc = r.report()
    assert r.code == 1 and doc["stats"]["reported"] == doc["stats"]["limit"] == 20_000
    assert doc["stats"]["truncated"] > 0
    bounded(r, f"--max-errors 0, {path.stat().st_size // 1024} KB of faulty rows")
    text = cli("validate", str(package_copy), "--max-errors", "0")
    assert "a report keeps at most 20000 problems" in text.out


def test_a_1mb_header(package_copy):
    path = package_copy / "data" / "actors.csv"
    head, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(head + "," + ",".join(f"h{i}" for i in range(120_000)) + "\n" + rest, encoding="utf-8")
    r = validate(package_copy)
    assert r.code == 1 and "size-limit" in r.types()
    bounded(r, "1 MB header (120000 labels)")


def test_a_header_label_longer_than_the_csv_field_limit(package_copy):
    """Ended in internal error (exit 2): 'field larger than field limit (131072)'."""
    path = package_copy / "data" / "actors.csv"
    head, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(head + "," + "x" * 200_000 + "\n" + rest, encoding="utf-8")
    r = validate(package_copy)
    assert r.code == 1 and "size-limit" in r.types()
    bounded(r, "a 200000-character header label")


def test_many_faulty_spans_over_a_long_text(package_copy):
    """evidence.occurrences searched the whole text once per faulty row."""
    text_path = next((package_copy / "sources").glob("*.txt"))
    data = text_path.read_bytes() + b"a" * 10_000_000
    text_path.write_bytes(data)
    sources = package_copy / "data" / "sources.csv"
    rows = csv_rows(sources)
    rows[0].update(sha256=hashlib.sha256(data).hexdigest(), char_count=str(len(data.decode("utf-8"))))
    write_rows(sources, rows)
    claims = package_copy / "data" / "claims.csv"
    first = csv_rows(claims)[0]
    faulty = []
    for i in range(10_000):  # each quote distinct, each nowhere in the text
        quote = f"b{i:05d}"
        faulty.append({**first, "claim_id": f"c-{i}", "quote": quote, "char_start": "1",
                       "char_end": str(1 + len(quote))})
    write_rows(claims, faulty)
    regenerate(package_copy)
    r = validate(package_copy)
    assert r.code == 1 and "evidence-mismatch" in r.types()
    bounded(r, "10000 faulty spans over a 10 MB text")


def test_repeated_rows_pointing_to_one_text(package_copy):
    claims = package_copy / "data" / "claims.csv"
    first = csv_rows(claims)[0]
    write_rows(claims, [{**first, "claim_id": f"c-{i}", "char_start": "3"} for i in range(20_000)])
    regenerate(package_copy)
    r = validate(package_copy)
    assert r.code == 1 and "evidence-mismatch" in r.types()
    bounded(r, "20000 rows citing one wrong span")


def test_diff_never_parses_a_parquet_file_of_the_pull_request(tmp_path, package_copy):
    """A 270 KB Parquet file in the PR made diff use 6 GB."""
    import json
    import shutil

    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    bomb = package_copy / "data" / "events.parquet"
    bomb.write_bytes(b"PAR1" + b"\0" * 270_000 + b"PAR1")
    desc = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in desc["resources"] if r["name"] == "events")
    events.update(path="data/events.parquet", format="parquet")
    (package_copy / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    (package_copy / "data" / "events.csv").unlink()
    r = cli("diff", str(base), str(package_copy), "--format", "markdown")
    assert r.code == 2 and "not read" in r.err
    bounded(r, "diff with a Parquet file in the PR")
    v = validate(package_copy)
    assert v.code == 1 and "forbidden-file" in v.types()


# --- every regular expression that sees contributed text is linear ------------------------


def _patterns():
    """Every compiled pattern of libyadata's modules, and the models' Table Schema patterns."""
    import importlib
    import pkgutil

    import libyadata
    from libyadata import models
    from libyadata.schema import table_schema

    found = {}
    for info in pkgutil.walk_packages(libyadata.__path__, "libyadata."):
        if info.name.endswith(("plot", "__main__")):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            continue
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found[f"{info.name}.{name}"] = value
    for model in models.MODELS:
        for f in table_schema(model)["fields"]:
            pattern = (f.get("constraints") or {}).get("pattern")
            if pattern:  # frictionless applies these with Python's re, anchored
                found[f"{model.table}.{f['name']}"] = re.compile(f"^(?:{pattern})$")
    return found


ADVERSARIAL = ["a" * 20_000 + "!", "-" * 20_000 + "!", "0" * 20_000 + "x", "1." * 10_000 + "x",
               "a-" * 10_000 + "-", "\\" * 20_000, '"' * 20_000, " " * 20_000 + "x", "Q1" * 10_000 + "!",
               "https://" + "a." * 10_000 + "!", "2017-" * 4_000 + "x", "a:" * 10_000, "/" * 20_000 + "\0"]


def test_every_regular_expression_is_linear_on_adversarial_strings():
    patterns = _patterns()
    assert len(patterns) > 5
    slow = {}
    for name, pattern in patterns.items():
        for s in ADVERSARIAL:
            started = time.perf_counter()
            pattern.search(s)
            pattern.match(s)
            took = time.perf_counter() - started
            if took > 0.5:  # 20000 characters: a quadratic pattern takes seconds, a linear one microseconds
                slow[name] = (s[:12], took)
    assert slow == {}
