"""Cost of `import libyadata; libyadata.load()` in a fresh process, against pydantic's own import.

Target (issue 2): at most 1.5x `from pydantic import BaseModel`. Each statement runs in a
new interpreter N times and the median is reported, both for the whole process (what a
user waits) and with the interpreter's own start-up (`pass`) subtracted.

Two installations are measured:

- the installed wheel, what `pip install libyadata` gives: the shipped tables are
  hash-verified and converted without re-validation (see `libyadata.load`);
- this source checkout, where every row is validated by its model.

The wheel is built here (`python -m build --no-isolation`) and installed into a temporary
virtual environment that takes the dependencies from this one, offline.

    python benchmarks/import_load.py [--runs 21]
"""

from __future__ import annotations

import argparse
import site
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "python -c pass": "pass",
    "from pydantic import BaseModel": "from pydantic import BaseModel",
    "import libyadata": "import libyadata",
    "import libyadata; libyadata.load()": "import libyadata; libyadata.load()",
    "... + source_text()": "import libyadata; libyadata.load(); libyadata.source_text()",
    "import libyadata; libyadata.arrow('events')": "import libyadata; libyadata.arrow('events')",
}


def installed_wheel_python(tmp: Path) -> Path:
    """A fresh venv with the wheel of this checkout installed; dependencies from this environment."""
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp / "dist"),
                    str(ROOT)], check=True, capture_output=True)
    env = tmp / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    outer = sorted(p for p in {*site.getsitepackages(), sysconfig.get_paths()["purelib"]} if Path(p).is_dir())
    (Path(purelib) / "_outer_dependencies.pth").write_text("\n".join(outer) + "\n")
    [wheel] = (tmp / "dist").glob("*.whl")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    return py


def timed(python: Path, code: str, cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(python), "-c", code], check=True, cwd=cwd)
    return time.perf_counter() - start


def measure(label: str, python: Path, runs: int, cwd: Path) -> None:
    for code in CASES.values():  # warm the OS file cache and the bytecode caches
        timed(python, code, cwd)
    medians = {name: statistics.median(timed(python, code, cwd) for _ in range(runs))
               for name, code in CASES.items()}
    base = medians["python -c pass"]
    pyd = medians["from pydantic import BaseModel"] - base
    print(f"\n{label}\n{'statement':<46} {'median s':>9} {'minus start-up':>15} {'x pydantic':>11}")
    for name, t in medians.items():
        print(f"{name:<46} {t:9.3f} {t - base:15.3f} {(t - base) / pyd:11.2f}")
    ours = medians["import libyadata; libyadata.load()"]
    whole = ours / medians["from pydantic import BaseModel"]
    net = (ours - base) / pyd
    print("import + load() vs `from pydantic import BaseModel` (target <= 1.5x):")
    print(f"  whole process, as a user waits:  {whole:.2f}x  {'OK' if whole <= 1.5 else 'MISSED'}")
    print(f"  interpreter start-up subtracted: {net:.2f}x  {'OK' if net <= 1.5 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel_python = installed_wheel_python(Path(tmp))
        measure("installed wheel (pip install libyadata)", wheel_python, args.runs, Path(tmp))
    measure("source checkout (every row validated)", Path(sys.executable), args.runs, ROOT)


if __name__ == "__main__":
    main()
