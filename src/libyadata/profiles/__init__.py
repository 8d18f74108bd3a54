"""The official Data Package v2 JSON Schema profiles, vendored (see datapackage-2.0/README.md).

``check_descriptor`` validates a descriptor against them offline: every ``$ref`` and
the descriptor's own ``$schema`` URLs resolve to these files, never to the network.

>>> from libyadata.resources import datapackage_dir
>>> import json
>>> check_descriptor(json.loads((datapackage_dir() / "datapackage.json").read_text("utf-8")))
[]
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "datapackage-2.0"
BASE_URL = "https://datapackage.org/profiles/2.0/"
PROFILES = ("datapackage.json", "dataresource.json", "tableschema.json", "tabledialect.json")


def profile(name: str) -> dict[str, Any]:
    """One vendored profile, e.g. ``profile("datapackage.json")``."""
    return json.loads((HERE / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(name: str) -> Any:
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    registry = Registry().with_resources(
        (BASE_URL + p, Resource.from_contents(profile(p), default_specification=DRAFT7)) for p in PROFILES)
    return Draft7Validator(profile(name), registry=registry)


def check_descriptor(descriptor: dict[str, Any], name: str = "datapackage.json") -> list[str]:
    """Every way ``descriptor`` breaks the v2 profile ``name``, as messages (empty when valid)."""
    errors = sorted(_validator(name).iter_errors(descriptor), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
