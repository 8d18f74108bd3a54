"""libyadata.meta: the package's descriptive metadata, and the descriptor built from it."""

from __future__ import annotations

import datetime as dt
import uuid

from libyadata import __version__, meta
from libyadata.resources import datapackage_dir
from libyadata.schema import descriptor


def test_metadata_names_this_version_and_when_it_was_released():
    md = meta.package_metadata()
    assert md["version"] == meta.version() == __version__
    assert md["$comment"] == meta.GENERATED
    if "created" in md:  # a released version: its release day, never in the future
        created = dt.datetime.fromisoformat(md["created"].replace("Z", "+00:00"))
        assert created.tzinfo is not None and created <= dt.datetime.now(dt.timezone.utc)


def test_the_id_is_a_stable_uuid_urn():
    assert meta.ID.startswith("urn:uuid:")
    assert str(uuid.UUID(meta.ID.removeprefix("urn:uuid:"))) == meta.ID.removeprefix("urn:uuid:")


def test_licences_and_sources_are_complete():
    assert meta.DATA_LICENSE["path"].startswith("https://") and meta.DATA_LICENSE["name"] == "CC-BY-4.0"
    assert all(s["title"] for s in meta.SOURCES) and all(c["title"] and c["roles"] for c in meta.CONTRIBUTORS)


def test_the_descriptor_carries_the_metadata():
    desc = descriptor(datapackage_dir())
    for key, value in meta.package_metadata().items():
        assert desc[key] == value, key
