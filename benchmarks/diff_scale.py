"""Time and memory of `libyadata.diff` on a synthetic package of N event rows.

Builds OLD (N rows copied from the real events table under new ids) and NEW (1% of the
rows changed, 1% removed, 1% added, one field's constraint tightened) in a temporary
folder, then times reading both and comparing them, and every output format.

    python benchmarks/diff_scale.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from libyadata import diff
from libyadata.csvio import read_rows, to_csv_bytes
from libyadata.resources import datapackage_dir


def build(root: Path, rows: int) -> tuple[Path, Path]:
    src = datapackage_dir()
    header, base = read_rows(src / "data" / "events.csv")
    table = [{**base[i % len(base)], "event_id": f"event-{i}"} for i in range(rows)]
    desc = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"] = [r for r in desc["resources"] if r["name"] == "events"]
    old, new = root / "old", root / "new"
    for d in (old, new):
        (d / "data").mkdir(parents=True)
    (old / "data" / "events.csv").write_bytes(to_csv_bytes(header, table))
    (old / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    step = 100
    changed = [{**r, "summary": r["summary"] + " (corrected)"} if i % step == 1 else r
               for i, r in enumerate(table) if i % step != 0]
    changed += [{**base[0], "event_id": f"new-event-{i}"} for i in range(rows // step)]
    (new / "data" / "events.csv").write_bytes(to_csv_bytes(header, changed))
    for f in desc["resources"][0]["schema"]["fields"]:
        if f["name"] == "summary":
            f["constraints"]["maxLength"] = 4000
    desc["version"] = "2.0.0"
    (new / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    return old, new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="libyadata-bench-"))
    try:
        old, new = build(root, args.rows)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        result = diff.diff(old, new)
        t1 = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        td = result.tables["events"]
        print(f"{args.rows} rows: diff {t1 - t0:.2f} s, peak RSS {peak / 1024:.0f} MiB "
              f"(+{(peak - before) / 1024:.0f} MiB over the build); "
              f"{len(td.added)} added, {len(td.removed)} removed, {len(td.changed)} changed; bump {result.bump}")
        for name, render in diff.RENDERERS.items():
            t = time.perf_counter()
            size = len(render(result))
            print(f"  {name:<8} {time.perf_counter() - t:.2f} s, {size / 1024:.0f} KiB")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
