"""`import libyadata` stays light; load() needs nothing heavier than pydantic."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["pyarrow", "pandas", "polars", "duckdb", "frictionless", "pooch", "matplotlib", "pydantic"]


def loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys, json; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_is_light():
    assert loaded_after("import libyadata; libyadata.__version__") == []


def test_load_needs_only_pydantic():
    assert loaded_after("import libyadata; libyadata.load(); libyadata.source_text()") == ["pydantic"]


def test_cli_parser_is_light():
    assert loaded_after("from libyadata.cli import build_parser; build_parser()") == []


def test_arrow_is_imported_when_used():
    assert "pyarrow" in loaded_after("import libyadata; libyadata.arrow('events')")
    assert "pandas" not in loaded_after("import libyadata; libyadata.arrow('events')")
