"""Facts of the shipped package read independently of the code under test (the csv module,
the release registry's JSON), for the tests of the generated metadata."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

from libyadata.resources import datapackage_dir

PACKAGE = datapackage_dir()


def csv_rows(table: str, package: Path = PACKAGE) -> list[dict[str, str]]:
    with open(package / "data" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def drop_last_row(path: Path) -> None:
    """Rewrite a CSV without its last record (cells may hold newlines: not the last line)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows[:-1])


def released_on(version: str) -> str | None:
    """The release day the shipped registry records for ``version`` (None: not released)."""
    listed = json.loads(resources.files("libyadata").joinpath("releases.json").read_text(encoding="utf-8"))
    return next((r["date"] for r in listed["releases"] if r["version"] == version), None)
