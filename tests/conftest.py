"""Shared fixtures: the real data package and its source text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import libyadata
from libyadata.resources import datapackage_dir

ROOT = Path(__file__).resolve().parent.parent


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
