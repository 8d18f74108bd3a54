"""Print pip constraints pinning every direct dependency (and the test extra) to its declared lower bound.

The lowest-versions test session installs with them (`pip install -c`), so the bounds in
pyproject.toml are the one source of what it tests; tests/test_ci.py checks that each
declared requirement has a lower bound and appears here.

    python3 .ci/lowest.py > lowest.txt && pip install -c lowest.txt -e '.[test]'
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: nox and pytest both bring tomli there
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def requirements(pyproject: Path = PYPROJECT, extras: tuple[str, ...] = ("test",)) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    out = list(project["dependencies"])
    for extra in extras:
        out += project["optional-dependencies"][extra]
    return out


def lower_bounds(pyproject: Path = PYPROJECT, extras: tuple[str, ...] = ("test",)) -> dict[str, str]:
    """Normalised name -> its lower bound, for every direct requirement."""
    out: dict[str, str] = {}
    for req in requirements(pyproject, extras):
        match = REQUIREMENT.match(req.split(";")[0])
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        bound = re.search(r">=\s*([0-9][^,\s]*)", match.group(2))
        if bound is None:
            raise SystemExit(f"pyproject.toml: {req!r} has no lower bound (>=)")
        if name in out and out[name] != bound.group(1):
            raise SystemExit(f"pyproject.toml: {name} has two lower bounds, {out[name]} and {bound.group(1)}")
        out[name] = bound.group(1)
    return dict(sorted(out.items()))


def constraints(pyproject: Path = PYPROJECT) -> str:
    return "".join(f"{name}=={version}\n" for name, version in lower_bounds(pyproject).items())


if __name__ == "__main__":
    sys.stdout.write(constraints())
