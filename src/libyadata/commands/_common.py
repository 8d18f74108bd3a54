"""Helpers shared by the CLI verbs.

Every verb finds its package with :func:`libyadata.resources.find_package` through
these two helpers: :func:`package_path` for verbs that read a package, and
:func:`require_repository` for maintainer verbs that write into a source checkout.
Both say on stderr which package they use; stdout stays clean for machine formats.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import LibyadataError
from ..inert import json_text
from ..resources import find_package

PACKAGE_HELP = ("data package directory (default: the datapackage/ of the current folder or the nearest "
                "folder above it, else the installed copy)")


def add_package_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=None, help=PACKAGE_HELP)


def package_path(path: Path | None) -> Path:
    """The package a reading verb works on: ``path`` when given, else the one found, announced on stderr."""
    if path is not None:
        return path
    found = find_package()
    print(found.describe(), file=sys.stderr)
    return found.shown_path


def require_repository() -> Path:
    """The root of the source checkout a maintainer verb writes into; refuses an installed wheel."""
    found = find_package()
    if found.root is None:
        if found.kind == "source checkout":
            raise LibyadataError(f"{found.path} is not in a source checkout of libyadata (no libyadata "
                                 "pyproject.toml beside it); run this command in a clone of the repository")
        raise LibyadataError("this maintainer command writes into a source checkout, and there is none here "
                             "(the installed copy is read-only); run it inside a clone: git clone "
                             "https://github.com/libyadata/libyadata && cd libyadata")
    print(found.describe(), file=sys.stderr)
    return found.root


def print_json(obj: Any) -> None:
    sys.stdout.write(json_text(obj, indent=2, default=str) + "\n")
