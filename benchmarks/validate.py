"""Speed, memory and findings of `libyadata validate` against `frictionless validate` and a bare typed read.

    python benchmarks/validate.py [--rows 100000 1000000] [--repeat 5] [--skip-frictionless] [--compare]


Generates a synthetic contribution: the real package plus N events (valid spans into a
synthetic source, the article eight times, each pair of event type and span once so that
no two events assert the same thing; day-precision dates before publication) and N participants,
with a sprinkling of faults (misspelt vocabulary, impossible dates, duplicate ids,
shifted spans, zero-width spaces, reversed intervals, dangling references, dates after
publication). Then, on the same files, each in a fresh process:

- ``libyadata validate PKG --format json --max-errors 0``
- ``frictionless validate --json PKG/datapackage.json``
- the floor: ``pyarrow.csv.read_csv`` of every table with its declared column types

(``newlines_in_values=True``: quoted line feeds parsed, as libyadata does)

and prints wall time (median, min and max of --repeat runs, all commands alternated),
peak memory (max RSS of the process), and PASS/FAIL per target (issue 13, 2 cores):

- at the largest size, libyadata <= 2.5x the bare read's median time;
- at the largest size, >= 20x faster than frictionless;
- peak memory <= 2x the bare read's;
- the libyadata/bare-read ratio at the largest size within 10% of the ratio at the smallest;
- on the shipped package, `libyadata validate` <= 2x `python -c "import pyarrow.csv, pydantic"`;
- every planted fault reported.

``--compare`` adds libyadata runs with its threads off (LIBYADATA_THREADS=1), to measure them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from libyadata import vocab
from libyadata.dataset import load
from libyadata.resources import datapackage_dir
from libyadata.schema import descriptor

FAULT_EVERY = 100_000
PUBLISHED_DAYS = 600  # dates are drawn from the 600 days before publication

BAD_DATE = "2017-13-01"
FLOOR = """
BAD_DATE = %r
import sys, pyarrow as pa, pyarrow.csv as pacsv
from libyadata import models
from libyadata.schema import arrow_schema
root = sys.argv[1]
for m in models.MODELS:
    target = arrow_schema(m)
    # The bare read: declared scalar types, no checks (the list column is read as text). A typed
    # reader stops at the first bad cell, so the planted impossible date reads as null here.
    types = {f.name: (pa.string() if pa.types.is_list(f.type) else f.type) for f in target}
    t = pacsv.read_csv(f"{root}/data/{m.table}.csv",
                       parse_options=pacsv.ParseOptions(newlines_in_values=True),  # as libyadata parses
                       convert_options=pacsv.ConvertOptions(column_types=types, null_values=["", BAD_DATE],
                                                            strings_can_be_null=True))
    print(m.table, t.num_rows)
""" % BAD_DATE


#: Copies of the article in the synthetic source: events cite distinct spans of it, so that no two
#: synthetic events assert the same thing (the duplicate-assertion check would report them all).
COPIES = 8


def distinct_spans(text: str, rows: int, kinds: int) -> list:
    """At least ``rows / kinds`` distinct word-aligned evidence spans of ``text`` (10 to 120 characters,
    no line break); each event type pairs once with each span."""
    from libyadata.evidence import Span, prefix_at, suffix_at

    want = -(-rows // kinds)
    out = []
    for s in (i for i in range(1, len(text)) if text[i - 1] == " " and text[i].isalpha()):
        e = s + 10
        while len(out) < want and (e := text.find(" ", e)) != -1 and e - s <= 120 and "\n" not in text[s:e]:
            out.append(Span(text[s:e], s, e, prefix_at(text, s), suffix_at(text, e)))
            e += 1
        if len(out) >= want:
            return out
    raise ValueError(f"{len(out)} distinct spans in the synthetic text, {want} needed: raise COPIES")


def generate(root: Path, rows: int) -> dict[str, list]:
    """Write the synthetic package; return the planted faults as (type, file, row, field)."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(datapackage_dir(), root, ignore=shutil.ignore_patterns("parquet"))
    data = load()
    source = data.sources[0]
    # The events cite a synthetic source: the article's text COPIES times, a source row of its own.
    text = "\n\n".join([data.source_text()] * COPIES)
    text_rel = "sources/synthetic.txt"
    (root / text_rel).write_text(text, encoding="utf-8", newline="")
    from libyadata.csvio import read_rows, to_csv_bytes
    from libyadata.hashing import digest

    src_header, src_rows = read_rows(root / "data" / "sources.csv")
    synthetic = {**src_rows[0], "source_id": "synthetic", "text_path": text_rel, "url": "",
                 "sha256": digest(text.encode("utf-8")), "char_count": str(len(text))}
    (root / "data" / "sources.csv").write_bytes(to_csv_bytes(src_header, [*src_rows, synthetic]))
    pool = distinct_spans(text, rows, len(vocab.EVENT_TYPES))
    actors = [a.actor_id for a in data.actors]
    types, roles = list(vocab.EVENT_TYPES), list(vocab.EVENT_ROLES)
    import datetime as dt
    first_day = source.published - dt.timedelta(days=PUBLISHED_DAYS)
    planted = []
    ev_path, ea_path = root / "data" / "events.csv", root / "data" / "event_actors.csv"
    base_events = len(data.events)
    base_pairs = len(data.event_actors)
    # Nine kinds of fault, each once per FAULT_EVERY rows (at least once), never in the first row.
    blocks = max(1, rows // FAULT_EVERY)
    stride = min(FAULT_EVERY, rows) // 10 or 1
    fault_at = {b * FAULT_EVERY + (f + 1) * stride: f for b in range(blocks) for f in range(9)}
    fault_at = {i: f for i, f in fault_at.items() if 0 < i < rows}
    # Rows are grown from the first real row of each table (every field the models have), then
    # given their own ids, spans, dates and faults.
    ev_header, ev_rows = read_rows(ev_path)
    ea_header, ea_rows = read_rows(ea_path)
    with open(ev_path, "a", encoding="utf-8", newline="") as fe, \
            open(ea_path, "a", encoding="utf-8", newline="") as fa:
        we = csv.writer(fe, lineterminator="\n")
        wa = csv.writer(fa, lineterminator="\n")
        for i in range(rows):
            span = pool[i // len(types)]  # with types[i % len(types)]: each (type, span) once
            day = (first_day + dt.timedelta(days=i % PUBLISHED_DAYS)).isoformat()
            ev = {"event_id": f"synthetic-event-{i:07d}", "event_type": types[i % len(types)],
                  "summary": f"Synthetic event number {i}.", "location": "Moscow", "country": "RUS", "notes": "",
                  "date_start": day, "date_end": day, "date_precision": "day", "date_text": "a day",
                  "date_basis": "stated", "source_id": "synthetic", "quote": span.quote,
                  "char_start": str(span.char_start), "char_end": str(span.char_end),
                  "quote_prefix": span.quote_prefix or "", "quote_suffix": span.quote_suffix or ""}
            ea = {"event_id": ev["event_id"], "actor_id": actors[i % len(actors)], "role": roles[i % len(roles)],
                  "notes": ""}
            row_ev, row_ea = base_events + i + 2, base_pairs + i + 2
            fault = fault_at.get(i)
            if fault == 0:
                ev["event_type"] = "vist"
                planted.append(("vocabulary-error", "data/events.csv", row_ev, "event_type"))
            elif fault == 1:
                ev["date_start"] = ev["date_end"] = BAD_DATE
                planted += [("type-error", "data/events.csv", row_ev, "date_start"),
                            ("type-error", "data/events.csv", row_ev, "date_end")]
            elif fault == 2:
                ev["event_id"] = f"synthetic-event-{i - 1:07d}"
                ea["event_id"] = ev["event_id"]
                planted.append(("primary-key", "data/events.csv", row_ev, "event_id"))
            elif fault == 3:
                ev["char_start"] = str(span.char_start + 1)
                ev["char_end"] = str(span.char_end + 1)
                planted.append(("evidence-mismatch", "data/events.csv", row_ev, None))
            elif fault == 4:
                ev["summary"] = "Synthetic\u200b event."
                planted.append(("unicode-error", "data/events.csv", row_ev, "summary"))
            elif fault == 5:
                ev["date_precision"] = "month"
                planted.append(("date-error", "data/events.csv", row_ev, "date_start"))
            elif fault == 6:
                ea["actor_id"] = "nobody"
                planted.append(("foreign-key", "data/event_actors.csv", row_ea, "actor_id"))
            elif fault == 7:
                ea["event_id"] = "no-such-event"
                planted.append(("foreign-key", "data/event_actors.csv", row_ea, "event_id"))
            elif fault == 8:
                ev["date_start"] = ev["date_end"] = (source.published + dt.timedelta(days=1)).isoformat()
                planted.append(("date-error", "data/events.csv", row_ev, "date_start"))
            we.writerow([{**ev_rows[0], **ev}[c] for c in ev_header])
            wa.writerow([{**ea_rows[0], **ea}[c] for c in ea_header])
    (root / "datapackage.json").write_text(json.dumps(descriptor(root), indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return planted


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str, int]:
    """Wall seconds, peak RSS (MB) of the command's process tree, stdout, exit status."""
    wrapper = ("import resource, subprocess, sys, time, json\n"
               "t = time.perf_counter()\n"
               "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
               "w = time.perf_counter() - t\n"
               "sys.stderr.write(json.dumps([w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode]))\n"
               "sys.stdout.buffer.write(p.stdout)\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True,
                          env={**os.environ, **(env or {})})
    wall, rss_kb, code = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    return wall, rss_kb / 1024, proc.stdout.decode("utf-8", "replace"), code


def _summary(label: str, runs: list[tuple[float, float, str, int]]) -> tuple[float, float]:
    """Print and return (median wall seconds, highest peak MB) of repeated runs."""
    walls = sorted(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"  {label:34s}: median {statistics.median(walls):6.2f} s, min {walls[0]:6.2f}, max {walls[-1]:6.2f} "
          f"({len(runs)} runs), peak {peak:5.0f} MB", flush=True)
    return statistics.median(walls), peak


def findings_libyadata(report: dict) -> set[tuple]:
    return {(e.get("frictionlessType", e["type"]), e["type"], t["name"], e.get("rowNumber"), e.get("fieldName"))
            for t in report["tasks"] for e in t["errors"]}


def _verdict(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    return ok


LIBYADATA = [sys.executable, "-m", "libyadata.cli", "validate"]
IMPORTS = [sys.executable, "-c", "import pyarrow.csv, pydantic"]


def run_size(root: Path, rows: int, repeat: int, frictionless: bool, compare: bool) -> dict:
    """Generate ``rows`` events and participants, then run every command ``repeat`` times, alternated."""
    t = time.perf_counter()
    planted = generate(root, rows)
    size = sum(p.stat().st_size for p in root.rglob("*.csv")) / 2**20
    print(f"{rows} events + {rows} participants, {len(planted)} planted faults, {size:.0f} MB of CSV "
          f"(generated in {time.perf_counter() - t:.1f} s)", flush=True)
    # The files just written are flushed before any run, so that no measured run shares the CPUs
    # with the kernel writing back a few hundred MB of them.
    os.sync()
    commands = {"bare typed pyarrow read": ([sys.executable, "-c", FLOOR, str(root)], None),
                "libyadata validate": ([*LIBYADATA, str(root), "--format", "json", "--max-errors", "0"], None)}
    if compare:
        commands["libyadata, threads off"] = (commands["libyadata validate"][0], {"LIBYADATA_THREADS": "1"})
    runs: dict[str, list] = {name: [] for name in commands}
    fl_runs = []
    for k in range(repeat):
        for name, (cmd, env) in commands.items():
            runs[name].append(measure(cmd, env))
        if frictionless and k == repeat // 2:  # once, in the middle of the alternation (about a minute at 1M)
            fl_runs.append(measure(["frictionless", "validate", "--json", str(root / "datapackage.json")]))
    if any(r[3] for r in runs["bare typed pyarrow read"]):
        raise SystemExit("the bare read failed")
    out = {name: _summary(name, r) for name, r in runs.items()}
    if fl_runs:
        out["frictionless"] = _summary("frictionless validate", fl_runs)
    ours = findings_libyadata(json.loads(runs["libyadata validate"][-1][2]))
    out["missed"] = [p for p in planted if not any(o[1] == p[0] and o[2] == p[1] and o[3] == p[2]
                                                   and (p[3] is None or o[4] == p[3]) for o in ours)]
    out["planted"] = len(planted)
    return out


def _compile_libyadata() -> None:
    """Compile libyadata's modules to bytecode, as installing the wheel does (pip compiles them).

    An editable install under PYTHONDONTWRITEBYTECODE=1 (or a read-only checkout) would
    otherwise compile every changed module in each measured run: 70 ms of the shipped
    package's time, which no installed copy pays (pyarrow and pydantic are compiled).
    """
    import libyadata

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(libyadata.__file__).parent)],
                   env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                    help="synthetic events (and participants), smallest first")
    ap.add_argument("--dir", type=Path, default=None, help="where to write the package (default: a temp dir)")
    ap.add_argument("--skip-frictionless", action="store_true", help="do not run frictionless (it is slow)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each fast command (median used)")
    ap.add_argument("--compare", action="store_true", help="also run with the threads off")
    args = ap.parse_args()

    tmp = None if args.dir else tempfile.mkdtemp(prefix="libyadata-bench-")
    root = (args.dir or Path(tmp)) / "datapackage"
    _compile_libyadata()
    print("shipped package", flush=True)
    shipped = {"libyadata validate": [], "python -c 'import pyarrow.csv, pydantic'": []}
    for _ in range(args.repeat):
        shipped["libyadata validate"].append(measure([*LIBYADATA, str(datapackage_dir())]))
        shipped["python -c 'import pyarrow.csv, pydantic'"].append(measure(IMPORTS))
    small = {name: _summary(name, r) for name, r in shipped.items()}
    sizes = {rows: run_size(root, rows, args.repeat, not args.skip_frictionless, args.compare) for rows in args.rows}
    if tmp:
        shutil.rmtree(tmp)

    print()
    hi = sizes[max(sizes)]
    ratio = {n: s["libyadata validate"][0] / s["bare typed pyarrow read"][0] for n, s in sizes.items()}
    ok = [_verdict(f"at {max(sizes)} events, <= 2.5x the bare read", ratio[max(sizes)] <= 2.5,
                   f"{ratio[max(sizes)]:.2f}x")]
    if "frictionless" in hi:
        speedup = hi["frictionless"][0] / hi["libyadata validate"][0]
        ok.append(_verdict(f"at {max(sizes)} events, >= 20x faster than frictionless", speedup >= 20,
                           f"{speedup:.1f}x"))
    for n, s in sizes.items():
        mem = s["libyadata validate"][1] / s["bare typed pyarrow read"][1]
        ok.append(_verdict(f"at {n} events, peak memory <= 2x the bare read's", mem <= 2,
                           f"{s['libyadata validate'][1]:.0f} MB vs {s['bare typed pyarrow read'][1]:.0f} MB, "
                           f"{mem:.2f}x"))
    if len(sizes) > 1:
        growth = ratio[max(sizes)] / ratio[min(sizes)] - 1
        ok.append(_verdict(f"ratio at {max(sizes)} within 10% of the ratio at {min(sizes)}", abs(growth) <= 0.10,
                           f"{ratio[max(sizes)]:.2f}x vs {ratio[min(sizes)]:.2f}x ({growth:+.0%})"))
    startup = small["libyadata validate"][0] / small["python -c 'import pyarrow.csv, pydantic'"][0]
    ok.append(_verdict("shipped package, <= 2x importing pyarrow.csv and pydantic", startup <= 2, f"{startup:.2f}x"))
    for n, s in sizes.items():
        ok.append(_verdict(f"at {n} events, every planted fault reported", not s["missed"],
                           f"{s['planted'] - len(s['missed'])}/{s['planted']}"
                           + (f"; missed {s['missed'][:3]}" if s["missed"] else "")))
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
