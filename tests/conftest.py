"""Shared fixtures: the real data package and its source text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import libyadata
from libyadata.resources import datapackage_dir

ROOT = Path(__file__).resolve().parent.parent
#: The corpus of invalid packages (tests/fixtures/make_invalid.py), each a small valid package with one fault.
CORPUS = ROOT / "tests" / "fixtures" / "invalid"

# Property tests are deterministic: the same examples on every run and machine, nothing read from or
# written to a .hypothesis/ database. An example they ever found is kept as an @example in its test.
settings.register_profile("libyadata", derandomize=True, database=None, max_examples=60, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("libyadata")


@pytest.fixture(scope="session")
def data() -> libyadata.Dataset:
    return libyadata.load()


@pytest.fixture(scope="session")
def text(data) -> str:
    return data.source_text()


@pytest.fixture()
def package_copy(tmp_path) -> Path:
    """A writable copy of the real data package."""
    dest = tmp_path / "datapackage"
    shutil.copytree(datapackage_dir(), dest, ignore=shutil.ignore_patterns("parquet"))
    return dest


@pytest.fixture()
def small_package(tmp_path) -> Path:
    """A writable copy of the corpus's small valid package (every table, a few rows each)."""
    dest = tmp_path / "package"
    shutil.copytree(CORPUS / "_valid" / "package", dest, symlinks=True)
    return dest
