"""Both descriptors conform to the official Data Package v2 profiles (vendored), offline."""

from __future__ import annotations

import copy
import json

import pytest

from libyadata import profiles
from libyadata.resources import repository_root

ROOT = repository_root()
DESCRIPTORS = ["datapackage/datapackage.json", "datapackage/parquet/datapackage.json"]


@pytest.mark.parametrize("rel", DESCRIPTORS)
def test_descriptor_passes_the_v2_profile(rel):
    descriptor = json.loads((ROOT / rel).read_text(encoding="utf-8"))
    assert profiles.check_descriptor(descriptor) == []
    for resource in descriptor["resources"]:
        assert profiles.check_descriptor(resource, "dataresource.json") == []
        if "schema" in resource:
            assert profiles.check_descriptor(resource["schema"], "tableschema.json") == []


def test_the_profile_rejects_what_v2_forbids():
    descriptor = json.loads((ROOT / DESCRIPTORS[0]).read_text(encoding="utf-8"))
    text = next(r for r in descriptor["resources"] if "schema" not in r)
    bad = copy.deepcopy(descriptor)
    next(r for r in bad["resources"] if r["name"] == text["name"])["type"] = "text"
    assert any("'text' is not one of ['table']" in m for m in profiles.check_descriptor(bad))
    bad = copy.deepcopy(descriptor)
    bad["resources"][0]["schema"]["fields"][0]["type"] = "varchar"
    assert profiles.check_descriptor(bad)
    del bad["resources"]
    assert any("'resources' is a required property" in m for m in profiles.check_descriptor(bad))


def test_profiles_are_vendored_with_their_note():
    for name in profiles.PROFILES:
        assert profiles.profile(name)["$schema"].startswith("http://json-schema.org/draft-07/schema")
    note = (profiles.HERE / "README.md").read_text(encoding="utf-8")
    assert "public domain" in note and "frictionlessdata/datapackage" in note


def test_doctests():
    import doctest

    assert doctest.testmod(profiles).failed == 0
