"""Cost of `import libyadata; libyadata.load()` in a fresh process, against pydantic's own import.

Target (issue 2): at most 1.5x `from pydantic import BaseModel`. Each statement runs in
a new interpreter N times; the interpreter's own start-up (`pass`) is subtracted and the
median reported.

    python benchmarks/import_load.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "python -c pass": "pass",
    "from pydantic import BaseModel": "from pydantic import BaseModel",
    "import libyadata": "import libyadata",
    "import libyadata; libyadata.load()": "import libyadata; libyadata.load()",
    "... + source_text()": "import libyadata; libyadata.load(); libyadata.source_text()",
    "import libyadata; libyadata.arrow('events')": "import libyadata; libyadata.arrow('events')",
}


def timed(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for code in CASES.values():  # warm the OS file cache
        timed(code)
    medians = {name: statistics.median(timed(code) for _ in range(args.runs)) for name, code in CASES.items()}
    base = medians["python -c pass"]
    pyd = medians["from pydantic import BaseModel"] - base
    print(f"{'statement':<46} {'median s':>9} {'minus start-up':>15} {'x pydantic':>11}")
    for name, t in medians.items():
        net = t - base
        print(f"{name:<46} {t:9.3f} {net:15.3f} {net / pyd:11.2f}")
    ours = medians["import libyadata; libyadata.load()"]
    whole = ours / medians["from pydantic import BaseModel"]
    net = (ours - base) / pyd
    print("\nimport + load() vs `from pydantic import BaseModel` (target <= 1.5x):")
    print(f"  whole process, as a user waits:  {whole:.2f}x  {'OK' if whole <= 1.5 else 'MISSED'}")
    print(f"  interpreter start-up subtracted: {net:.2f}x  {'OK' if net <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
