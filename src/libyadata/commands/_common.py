"""Helpers shared by the CLI verbs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import LibyadataError
from ..resources import repository_root


def add_package_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=None,
                        help="data package directory (default: the one shipped with libyadata)")


def require_repository() -> Path:
    root = repository_root()
    if root is None:
        raise LibyadataError("this command works in a source checkout of libyadata, not an installed wheel")
    return root


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
