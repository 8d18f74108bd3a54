"""Where the data package lives: inside the installed wheel, or in a source checkout.

Two questions, answered here once:

- :func:`datapackage_dir` is the *installed* copy, the one ``libyadata.load()`` reads
  by default (the library never looks at the current directory: an analysis gives the
  same answer wherever it runs).
- :func:`find_package` is what every CLI verb works on: the ``datapackage/`` of the
  current directory or of the nearest folder above it that has one (the way git finds
  its repository), else the installed copy. Verbs say on stderr which one they used,
  so that ``libyadata validate`` run inside a checkout never judges the installed copy.

>>> (datapackage_dir() / "datapackage.json").is_file()
True
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     found = find_package(tmp)
>>> found.kind
'installed copy'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DESCRIPTOR = "datapackage.json"
#: The folder of a checkout that holds the data package.
PACKAGE_FOLDER = "datapackage"


@lru_cache(maxsize=1)
def datapackage_dir() -> Path:
    """The installed copy: the directory holding ``datapackage.json``, the CSV tables and the source texts."""
    here = Path(__file__).resolve().parent
    packaged = here / PACKAGE_FOLDER  # where the wheel puts it (force-include)
    if (packaged / DESCRIPTOR).is_file():
        return packaged
    checkout = here.parent.parent / PACKAGE_FOLDER  # src/libyadata -> repository root
    if (checkout / DESCRIPTOR).is_file():
        return checkout
    raise FileNotFoundError(
        "libyadata's data package is missing: neither "
        f"{packaged} nor {checkout} holds {DESCRIPTOR}. Reinstall libyadata."
    )


def repository_root() -> Path | None:
    """The source checkout this code runs from (editable install), else None (installed wheel)."""
    root = Path(__file__).resolve().parent.parent.parent
    return root if is_checkout(root) else None


def is_checkout(folder: Path) -> bool:
    """True when ``folder`` is a source checkout of libyadata: its pyproject.toml names the project."""
    try:
        project = (folder / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    named = re.search(r'^name\s*=\s*"libyadata"\s*$', project, re.M) is not None
    return named and (folder / PACKAGE_FOLDER / DESCRIPTOR).is_file()


@dataclass(frozen=True)
class Found:
    """The package a verb works on, and how it was found."""

    #: The data package directory (holds datapackage.json).
    path: Path
    #: "source checkout" (found from the current directory) or "installed copy".
    kind: str
    #: The source checkout's root, where maintainer verbs may write; None for a wheel in site-packages.
    root: Path | None

    @property
    def shown_path(self) -> Path:
        """``path`` relative to the current folder when it is below it (reports then name ``datapackage``)."""
        shown = _shown(self.path)
        return Path(shown) if not shown.startswith("..") and not Path(shown).is_absolute() else self.path

    def describe(self) -> str:
        """One line for stderr, e.g. ``libyadata: using ./datapackage (source checkout)``."""
        shown = _shown(self.path)
        if self.kind == "installed copy" and self.root is not None:
            return f"libyadata: using {shown} (installed copy: the editable source checkout)"
        return f"libyadata: using {shown} ({self.kind})"


def _shown(path: Path) -> str:
    """``path`` as the user would type it from here: ./datapackage, ../datapackage, else absolute."""
    try:
        rel = Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(path)
    if rel == ".":
        return rel
    if not rel.startswith(".."):
        return f"./{rel}"
    ups = rel.split("/")
    if ups[-1] != "..":
        ups = ups[:-1]
    return rel if set(ups) == {".."} else str(path)


def find_package(start: str | Path | None = None) -> Found:
    """The ``datapackage/`` of ``start`` (default: the current directory) or of a folder above it, else the installed copy.

    Only a folder named ``datapackage`` holding ``datapackage.json`` counts; the search
    climbs to the file system's root, as git does. Maintainer verbs write only into a
    ``root`` (a libyadata source checkout), never into site-packages.
    """
    here = Path(start if start is not None else Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / PACKAGE_FOLDER
        if (candidate / DESCRIPTOR).is_file():
            if candidate.resolve() == datapackage_dir() and repository_root() is None:
                break  # inside the installed wheel itself
            return Found(candidate, "source checkout", folder if is_checkout(folder) else None)
    return Found(datapackage_dir(), "installed copy", repository_root())
