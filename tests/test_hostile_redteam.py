"""Hostile corpus, the red team's open findings (its review of the PR gate, issue 11): each case is
made here in ``tmp_path`` and run as CI runs it, in a fresh process where the work must stay bounded.
"""

from __future__ import annotations

import hashlib
import json
import shutil

from hostile_kit import bounded, cli, csv_rows, regenerate, validate, write_rows


def test_a_sources_csv_too_large_to_compare_with_the_base_is_an_error(tmp_path, package_copy):
    """Finding 1: above 16 MiB the base pin returned silently, so the article could be swapped."""
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    sources = package_copy / "data" / "sources.csv"
    rows = csv_rows(sources)
    pad = "p" * 4999
    rows += [{**rows[0], "source_id": f"pad-{i:04d}", "notes": pad, "rights": pad} for i in range(1800)]
    write_rows(sources, rows)
    assert sources.stat().st_size > 16 * 2**20
    regenerate(package_copy)
    r = validate(package_copy, "--base", str(base))
    assert r.code == 1 and "source-text-error" in r.types()
    assert "cannot be compared with the base package" in r.messages()
    bounded(r, f"--base with a {sources.stat().st_size // 2**20} MiB sources.csv")


def test_a_sources_row_the_pin_cannot_parse_is_an_error(tmp_path, package_copy):
    """Finding 1, the other silent return: a csv.Error (a cell over the csv module's field limit)."""
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    sources = package_copy / "data" / "sources.csv"
    rows = csv_rows(sources)
    rows[0]["notes"] = "n" * 140_000
    write_rows(sources, rows)
    regenerate(package_copy)
    r = validate(package_copy, "--base", str(base))
    # The cell is sources.csv's own error, which fails the contribution: the comparison it prevents
    # is a note, not a second error (and never a silent skip).
    assert r.code == 1 and r.types() == {"size-limit"}
    assert [e["file"] for t in r.report()["tasks"] for e in t["errors"]] == ["data/sources.csv"]
    assert "the source texts were not compared with the base package: data/sources.csv could not be read" \
        in r.report()["notes"]


INJECTED = "x\n::warning title=injected::from stderr\n::add-mask::libyadata\n::stop-commands::tok"


def test_diff_errors_carry_no_workflow_command_on_stderr(tmp_path, package_copy):
    """Finding 2: cli.main printed a DataError built from a contributed key raw on stderr."""
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    events = package_copy / "data" / "events.csv"
    rows = csv_rows(events)
    rows[0]["event_id"] = rows[1]["event_id"] = INJECTED
    write_rows(events, rows)
    for args in (("--format", "markdown"), ("--check-version",)):
        r = cli("diff", str(base), str(package_copy), *args)
        assert r.code == 2 and "error:" in r.err, r.err
        assert "duplicate primary key" in r.err
        for line in (r.out + r.err).splitlines():
            assert not line.lstrip().startswith("::"), line
        assert "\\x0a::warning" in r.err


def test_a_primary_key_name_with_a_newline_is_inert_on_stderr(tmp_path, package_copy):
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    path = package_copy / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    events = next(r for r in desc["resources"] if r["name"] == "events")
    events["schema"]["primaryKey"] = ["id\n::error title=pk::injected via primaryKey"]
    path.write_text(json.dumps(desc), encoding="utf-8")
    r = cli("diff", str(base), str(package_copy), "--check-version")
    assert r.code in (1, 2)
    for line in (r.out + r.err).splitlines():
        assert not line.lstrip().startswith("::"), line
    v = cli("validate", str(package_copy), "--format", "github")
    assert v.code == 1
    for line in v.err.splitlines():
        assert not line.lstrip().startswith("::"), line
    for line in v.out.splitlines():
        assert not line.startswith("::") or line.startswith(("::error ", "::warning ", "::notice ")), line
        assert "::error title=pk" not in line


def test_many_source_rows_citing_one_large_text_keep_one_copy(package_copy):
    """Finding 3: 200 rows citing one 20 MiB text kept 200 decoded copies (4.2 GB)."""
    big = package_copy / "sources" / "big.txt"
    data = b"a" * (20 * 2**20)
    big.write_bytes(data)
    sources = package_copy / "data" / "sources.csv"
    rows = csv_rows(sources)
    rows += [{**rows[0], "source_id": f"amp-{i:03d}", "text_path": "sources/big.txt",
              "sha256": hashlib.sha256(data).hexdigest(), "char_count": str(len(data))} for i in range(200)]
    write_rows(sources, rows)
    regenerate(package_copy)
    r = validate(package_copy)
    assert "size-limit" not in r.types() and "source-text-error" not in r.types(), r.messages()[:2000]
    bounded(r, "200 source rows citing one 20 MiB text")


def test_the_source_texts_together_are_capped(package_copy):
    """Finding 3: distinct texts are bounded in total (Limits.texts_total_bytes), failing closed."""
    from libyadata.validate import validate_package
    from libyadata.validate.safety import Limits

    sources = package_copy / "data" / "sources.csv"
    rows = csv_rows(sources)
    for i in range(3):
        data = f"text {i} ".encode() * 1000
        (package_copy / "sources" / f"t{i}.txt").write_bytes(data)
        rows.append({**rows[0], "source_id": f"t-{i}", "text_path": f"sources/t{i}.txt",
                     "sha256": hashlib.sha256(data).hexdigest(), "char_count": str(len(data))})
    write_rows(sources, rows)
    regenerate(package_copy)
    first = (package_copy / rows[0]["text_path"]).stat().st_size
    report = validate_package(package_copy, max_errors=None, limits=Limits(texts_total_bytes=first + 15_000))
    assert report.exit_code == 1
    capped = [p for p in report.problems if p.type == "size-limit"]
    assert capped and "the source texts together" in capped[0].message
    assert validate_package(package_copy, max_errors=None).exit_code == 0


def test_a_descriptor_of_many_keys_is_parsed_in_linear_time(package_copy):
    """Finding 4: the duplicate-key check was quadratic (40000 keys: 124 s)."""
    path = package_copy / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    keys = ",".join(f'"k{i}":0' for i in range(400_000))
    path.write_text(text.replace("{", "{" + keys + ',"k7":1,', 1), encoding="utf-8")
    assert path.stat().st_size < 10 * 2**20
    r = validate(package_copy)
    assert r.code == 1 and "package-error" in r.types() and "duplicate key(s) k7" in r.messages()
    bounded(r, f"a {path.stat().st_size // 2**10} KB descriptor of 400000 keys")


def test_a_source_file_no_row_cites_is_refused(package_copy):
    """Finding 6 of the review: sources/*.txt that no source row cites were accepted unchecked."""
    (package_copy / "sources" / "notes.txt").write_bytes(b"just some notes.\x7fELF" + b"\xff\xfe\0\0" * 1000)
    (package_copy / "sources" / "readme.txt").write_bytes(b"x" * 16 + b"PK\x03\x04" + bytes(range(256)) * 100)
    regenerate(package_copy)
    r = validate(package_copy)
    assert r.code == 1 and "forbidden-file" in r.types()
    assert "sources/notes.txt is not cited" in r.messages() and "sources/readme.txt is not cited" in r.messages()


def test_the_diff_summary_is_capped_and_the_article_change_comes_first(tmp_path, package_copy):
    """Finding 7: one "Why" line per added source made a 1.46 MB summary, which GitHub drops whole,
    hiding the "stored text changed" line."""
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    sources = package_copy / "data" / "sources.csv"
    rows = csv_rows(sources)
    text = package_copy / rows[0]["text_path"]
    data = text.read_bytes() + b" Turkey."
    text.write_bytes(data)
    rows[0].update(sha256=hashlib.sha256(data).hexdigest(), char_count=str(len(data.decode("utf-8"))))
    rows += [{**rows[0], "source_id": f"pad-{i:05d}", "notes": "", "rights": ""} for i in range(20_000)]
    write_rows(sources, rows)
    regenerate(package_copy)
    r = cli("diff", str(base), str(package_copy), "--format", "markdown")
    assert r.code == 0, r.err
    assert len(r.out.encode("utf-8")) <= 512 * 2**10
    lines = r.out.splitlines()
    assert lines[0].startswith("### libyadata diff") and "**Required bump: major**" in r.out
    why = lines.index("#### Why")
    assert "stored text changed" in lines[why + 2], lines[why:why + 4]
    assert "more reasons not shown" in r.out
    bounded(r, "diff --format markdown, 20000 added sources")


def test_the_markdown_cap_keeps_the_head_and_says_what_was_cut():
    from libyadata import diff as D

    lines = ["### libyadata diff: `1.0.0` → `2.0.0`", "", "**Required bump: major**."] + ["x" * 1000] * 2000
    out = D._capped(lines, 3)
    assert len(out.encode("utf-8")) <= D.MARKDOWN_BYTES
    assert out.startswith(lines[0]) and "**Required bump: major**." in out
    assert "**Cut:** this summary stops at 512 KiB" in out and "more line(s)" in out


def _edit_descriptor(pkg, edit):
    path = pkg / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    edit({r["name"]: r for r in desc["resources"]})
    path.write_text(json.dumps(desc), encoding="utf-8")


def test_the_version_check_reports_unreadable_input_without_an_internal_error(tmp_path, package_copy):
    """Finding 10: a 140000-character cell, a field without a name, a non-object field ended in
    "internal error" (exit 2, no usable message)."""
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    cases = {
        "cell": lambda pkg: write_rows(pkg / "data" / "claims.csv",
                                   [{**row, "notes": "x" * 140_000} for row in csv_rows(pkg / "data" / "claims.csv")[:1]]),
        "no name": lambda pkg: _edit_descriptor(pkg, lambda r: r["events"]["schema"]["fields"][0].pop("name")),
        "fields object": lambda pkg: _edit_descriptor(pkg, lambda r: r["events"]["schema"].update(fields={"a": 1})),
        "field string": lambda pkg: _edit_descriptor(pkg, lambda r: r["actors"]["schema"]["fields"].__setitem__(0, "x")),
        "primaryKey number": lambda pkg: _edit_descriptor(pkg, lambda r: r["actors"]["schema"].update(primaryKey=7)),
    }
    for what, make in cases.items():
        pr = tmp_path / what.replace(" ", "-")
        shutil.copytree(package_copy, pr)
        make(pr)
        r = cli("diff", str(base), str(pr), "--check-version")
        assert r.code == 2 and "error:" in r.err and "internal error" not in r.err, (what, r.err)


def test_diff_meaning_comparison_is_bounded(tmp_path, package_copy):
    """Finding 11: difflib cost about 17 s per MB of changed text (3.3 MB: 57 s per diff step)."""
    import random

    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    events = package_copy / "data" / "events.csv"
    rows = csv_rows(events)
    rng = random.Random(11)
    # about 3.3 MB of changed text whatever the row count, each cell under the csv field limit
    each = (3 * 2**20 + 2**18) // (2 * len(rows)) + 1
    assert each < 131_072
    for row in rows:
        alphabet = sorted(set(row["summary"])) or ["a"]
        for name in ("summary", "notes"):
            row[name] = "".join(rng.choice(alphabet) for _ in range(each))
    write_rows(events, rows)
    assert events.stat().st_size > 2 * 2**20  # the red team used 3.3 MB
    regenerate(package_copy)
    r = cli("diff", str(base), str(package_copy), "--format", "markdown")
    assert r.code == 0, r.err
    bounded(r, f"diff of {events.stat().st_size // 2**20} MB of changed summaries")
    assert r.seconds < 20, r.seconds


def test_a_version_with_a_newline_is_inert_in_every_diff_output(tmp_path, package_copy):
    """Finding 2, the other places that print PR text: NEW's version on stdout and stderr."""
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    path = package_copy / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["version"] = "0.0.1\n::warning title=v::injected via version"
    path.write_text(json.dumps(desc), encoding="utf-8")
    for fmt in ("text", "markdown"):
        r = cli("diff", str(base), str(package_copy), "--format", fmt, "--check-version")
        assert r.code in (1, 2), r.err
        for line in (r.out + r.err).splitlines():
            assert not line.lstrip().startswith("::"), (fmt, line)
