"""Speed, memory and findings of `libyadata validate` against `frictionless validate` and a bare typed read.

Generates a synthetic contribution: the real package plus N events (valid spans into
the real source text, day-precision dates before publication) and N participants,
with a sprinkling of faults (misspelt vocabulary, impossible dates, duplicate ids,
shifted spans, zero-width spaces, reversed intervals, dangling references, dates after
publication). Then, on the same files, each in a fresh process:

- ``libyadata validate PKG --format json --max-errors 0``
- ``frictionless validate --json PKG/datapackage.json``
- the floor: ``pyarrow.csv.read_csv`` of every table with its declared column types

and prints wall time (median, best and worst of --repeat alternating runs), peak memory
(max RSS of the process), the ratios (on the medians) and whether the same faults were found. Targets (issue 4, 2 cores, 1M rows): >= 40x faster than
frictionless, <= 3x the bare read, peak < 1 GB, every planted fault and every
frictionless finding reported.

    python benchmarks/validate.py [--rows 1000000] [--dir DIR] [--repeat 5] [--skip-frictionless]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from libyadata import models, vocab
from libyadata.dataset import load
from libyadata.evidence import anchor
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
                       parse_options=pacsv.ParseOptions(newlines_in_values=True),
                       convert_options=pacsv.ConvertOptions(column_types=types, null_values=["", BAD_DATE],
                                                            strings_can_be_null=True))
    print(m.table, t.num_rows)
""" % BAD_DATE


def span_pool(text: str, size: int, rng: random.Random) -> list:
    """Valid evidence spans: the real records' quotes plus random word-aligned spans."""
    data = load()
    pool = {}
    for name in models.TABLES:
        for r in data.table(name):
            if isinstance(r, models.Evidence) and r.source_id == data.sources[0].source_id:
                pool[(r.char_start, r.char_end)] = anchor(text, r.quote, after=r.char_start)
    starts = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i].isalpha()]
    while len(pool) < size:
        s = rng.choice(starts)
        e = text.find(" ", s + rng.randint(10, 80))
        if e == -1 or "\n" in text[s:e]:
            continue
        span = anchor(text, text[s:e], after=s)
        pool[(span.char_start, span.char_end)] = span
    return list(pool.values())


def generate(root: Path, rows: int, seed: int = 4) -> dict[str, list]:
    """Write the synthetic package; return the planted faults as (type, file, row, field)."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(datapackage_dir(), root, ignore=shutil.ignore_patterns("parquet"))
    data = load()
    source = data.sources[0]
    text = data.source_text()
    pool = span_pool(text, 2000, rng)
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
    with open(ev_path, "a", encoding="utf-8", newline="") as fe, \
            open(ea_path, "a", encoding="utf-8", newline="") as fa:
        we = csv.writer(fe, lineterminator="\n")
        wa = csv.writer(fa, lineterminator="\n")
        for i in range(rows):
            span = pool[i % len(pool)]
            day = (first_day + dt.timedelta(days=i % PUBLISHED_DAYS)).isoformat()
            ev = {"event_id": f"synthetic-event-{i:07d}", "event_type": types[i % len(types)],
                  "summary": f"Synthetic event number {i}.", "location": "Moscow", "country": "RUS", "notes": "",
                  "date_start": day, "date_end": day, "date_precision": "day", "date_text": "a day",
                  "date_basis": "stated", "source_id": source.source_id, "quote": span.quote,
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
            we.writerow(ev.values())
            wa.writerow(ea.values())
    (root / "datapackage.json").write_text(json.dumps(descriptor(root), indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return planted


def measure(cmd: list[str]) -> tuple[float, float, str, int]:
    """Wall seconds, peak RSS (MB) of the command's process tree, stdout, exit status."""
    wrapper = ("import resource, subprocess, sys, time, json\n"
               "t = time.perf_counter()\n"
               "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
               "w = time.perf_counter() - t\n"
               "sys.stderr.write(json.dumps([w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode]))\n"
               "sys.stdout.buffer.write(p.stdout)\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True)
    wall, rss_kb, code = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    return wall, rss_kb / 1024, proc.stdout.decode("utf-8", "replace"), code


def _summary(label: str, runs: list[tuple[float, float, str, int]]) -> tuple[float, float]:
    """Print and return (median wall seconds, highest peak MB) of repeated runs."""
    walls = sorted(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"{label:32s}: median {statistics.median(walls):6.2f} s, best {walls[0]:6.2f} s, worst {walls[-1]:6.2f} s "
          f"({len(runs)} runs), peak {peak:5.0f} MB")
    return statistics.median(walls), peak


def findings_libyadata(report: dict) -> set[tuple]:
    return {(e.get("frictionlessType", e["type"]), e["type"], t["name"], e.get("rowNumber"), e.get("fieldName"))
            for t in report["tasks"] for e in t["errors"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="synthetic events (and participants)")
    ap.add_argument("--dir", type=Path, default=None, help="where to write the package (default: a temp dir)")
    ap.add_argument("--skip-frictionless", action="store_true", help="do not run frictionless (it is slow)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of libyadata and of the bare read (median used)")
    ap.add_argument("--frictionless-repeat", type=int, default=1, help="runs of frictionless (about 1 min each)")
    args = ap.parse_args()

    tmp = None if args.dir else tempfile.mkdtemp(prefix="libyadata-bench-")
    root = (args.dir or Path(tmp)) / "datapackage"
    t = time.perf_counter()
    planted = generate(root, args.rows)
    size = sum(p.stat().st_size for p in root.rglob("*.csv")) / 2**20
    print(f"generated {args.rows} events + {args.rows} participants, {len(planted)} planted faults, "
          f"{size:.0f} MB of CSV in {time.perf_counter() - t:.1f} s: {root}")

    # This machine's timings swing by a third from run to run (the host's cost of handing out
    # memory pages varies), so the fast commands run --repeat times, alternating, and the median
    # is what the ratios use; frictionless takes a minute a run and its spread is a few per cent.
    floor_runs, ly_runs = [], []
    for _ in range(args.repeat):
        floor_runs.append(measure([sys.executable, "-c", FLOOR, str(root)]))
        ly_runs.append(measure([sys.executable, "-m", "libyadata.cli", "validate", str(root),
                                "--format", "json", "--max-errors", "0"]))
    if any(r[3] for r in floor_runs):
        raise SystemExit("the bare read failed")
    floor_wall, floor_rss = _summary("bare typed pyarrow.csv.read_csv", floor_runs)
    ly_wall, ly_rss = _summary("libyadata validate", ly_runs)
    out, code = ly_runs[-1][2], ly_runs[-1][3]
    ours = findings_libyadata(json.loads(out))
    print(f"  exit {code}, {len(ours)} errors")
    missed = [p for p in planted if not any(o[1] == p[0] and o[2] == p[1] and o[3] == p[2]
                                            and (p[3] is None or o[4] == p[3]) for o in ours)]
    print(f"  planted faults found           : {len(planted) - len(missed)}/{len(planted)}"
          + (f"; missed {missed[:5]}" if missed else ""))
    ratios = [f"{ly_wall / floor_wall:.2f}x the bare read (target <= 3x)"]
    if not args.skip_frictionless:
        fl_runs = [measure(["frictionless", "validate", "--json", str(root / "datapackage.json")])
                   for _ in range(args.frictionless_repeat)]
        fl_wall, _ = _summary("frictionless validate", fl_runs)
        out, code = fl_runs[-1][2], fl_runs[-1][3]
        theirs = set()
        for task in json.loads(out).get("tasks", []):
            name = f"data/{task['name']}.csv"
            for e in task["errors"]:
                theirs.add((e["type"], name, e.get("rowNumber"), e.get("fieldName") or None))
        print(f"  exit {code}, {len(theirs)} errors")
        unmatched = [f for f in theirs if not any(o[0] == f[0] and o[2] == f[1] and (f[2] is None or o[3] == f[2])
                                                  and (f[3] is None or o[4] == f[3]) for o in ours)]
        print(f"  frictionless findings libyadata also reports: {len(theirs) - len(unmatched)}/{len(theirs)}"
              + (f"; not matched: {sorted(unmatched)[:5]}" if unmatched else ""))
        best = min(r[0] for r in ly_runs)
        ratios.insert(0, f"{fl_wall / ly_wall:.1f}x faster than frictionless on the median "
                         f"({fl_wall / best:.1f}x on the best run; target >= 40x)")
    print("ratios: " + "; ".join(ratios) + f"; peak {ly_rss:.0f} MB (target < 1024 MB)")
    if tmp:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
