"""The test sessions CI runs (.github/workflows/tests.yml), to run locally: `nox -s tests lowest`.

- ``tests``: the README's test command, with the latest dependencies, then the release-path
  tests (``-m slow``: the wheel built in isolation, clones of the repository, external validators);
- ``lowest``: the suite (not the release-path tests: they test packaging, not dependency
  versions), with every direct dependency at the lowest version pyproject.toml allows
  (constraints generated from its lower bounds by .ci/lowest.py). .ci/run runs it too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent / ".ci"))
from lowest import constraints as lowest_constraints  # noqa: E402

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
nox.options.sessions = ["tests"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)
    session.run("python", "-m", "pytest", "-m", "slow", *session.posargs)


@nox.session(python=PYTHONS)
def lowest(session: nox.Session) -> None:
    constraints = Path(session.create_tmp()) / "lowest.txt"
    constraints.write_text(lowest_constraints(), encoding="utf-8")
    session.install("-c", str(constraints), "-e", ".[test]")
    session.run("python", "-m", "pytest", "-q", "-m", "not slow", *session.posargs, env={"LIBYADATA_LOWEST": "1"})

