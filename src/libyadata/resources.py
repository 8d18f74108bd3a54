"""Where the data package lives: inside the installed wheel, or in a source checkout.

>>> (datapackage_dir() / "datapackage.json").is_file()
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DESCRIPTOR = "datapackage.json"


@lru_cache(maxsize=1)
def datapackage_dir() -> Path:
    """The directory holding ``datapackage.json``, the CSV tables and the source texts."""
    here = Path(__file__).resolve().parent
    packaged = here / "datapackage"  # where the wheel puts it (force-include)
    if (packaged / DESCRIPTOR).is_file():
        return packaged
    checkout = here.parent.parent / "datapackage"  # src/libyadata -> repository root
    if (checkout / DESCRIPTOR).is_file():
        return checkout
    raise FileNotFoundError(
        "libyadata's data package is missing: neither "
        f"{packaged} nor {checkout} holds {DESCRIPTOR}. Reinstall libyadata."
    )


def repository_root() -> Path | None:
    """The source checkout's root when running from one, else None (installed wheel)."""
    root = Path(__file__).resolve().parent.parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "datapackage").is_dir() else None
