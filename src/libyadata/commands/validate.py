"""Validate a data package directory against the schema derived from the models.

Checks the bytes (strict UTF-8, no BOM, LF), the header, every cell (types,
constraints, vocabularies, Unicode hygiene, spreadsheet formulas), primary and
foreign keys, dates, evidence spans against the package's own source texts, and the
descriptor (safe paths, bytes, hashes). Nothing outside the package is read and the
network is never used; binary files are refused, never parsed.

Exit status: 0 valid, 1 invalid, 2 unusable invocation or unreadable input.
Every error type is documented in docs/validation-errors.md.

Example:
  libyadata validate
  libyadata validate contrib/datapackage --format json > report.json
  libyadata validate pr/datapackage --format github --strip-prefix pr/ --base base/datapackage
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import PACKAGE_HELP, package_path

HELP = "validate a data package directory (exit 0 valid, 1 invalid, 2 unusable)"


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (no bound) or more")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=None,
                        help=PACKAGE_HELP)
    parser.add_argument("--format", choices=["text", "json", "github"], default="text",
                        help="text (grouped by file), json (Frictionless-like report) or github (annotations)")
    parser.add_argument("--max-errors", type=_count, default=1000, metavar="N",
                        help="report at most N errors (the rest are counted); 0 for no bound (default 1000)")
    parser.add_argument("--base", type=Path, default=None,
                        help="trusted package whose generated files (parquet/) must be unchanged")
    parser.add_argument("--strip-prefix", default=None, metavar="PREFIX",
                        help="with --format github: the folder the repository is checked out in, removed from "
                             "the annotations' paths so that they name files from the repository root "
                             "(e.g. pr/ when the workflow checks the pull request out under pr/)")


def run(args: argparse.Namespace) -> int:
    from ..validate import validate_package
    from ..validate.report import render

    path = package_path(args.path)
    shown = annotation_path(path, args.strip_prefix) if args.format == "github" else None
    report = validate_package(path, max_errors=args.max_errors or None, base=args.base)
    if shown is not None:
        report.path = shown
    colour = args.format == "text" and sys.stdout.isatty()
    sys.stdout.write(render(report, args.format, colour))
    return report.exit_code


def annotation_path(path: Path, strip_prefix: str | None = None) -> str:
    """The package folder as GitHub annotations must name it: from the repository root.

    GitHub places an annotation by a path relative to the repository root. The path is
    taken relative to the current folder (the workspace a workflow runs in), then
    ``strip_prefix``, the folder the repository was checked out in, is removed.

    >>> annotation_path(Path("pr/datapackage"), "pr/")
    'datapackage'
    >>> annotation_path(Path("./datapackage"))
    'datapackage'
    """
    import os

    from ..errors import LibyadataError

    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            pass
    parts = Path(os.path.normpath(p)).parts
    if strip_prefix is not None:
        prefix = Path(os.path.normpath(strip_prefix)).parts
        if prefix == (".",):
            prefix = ()
        if parts[:len(prefix)] != prefix:
            raise LibyadataError(f"--strip-prefix {strip_prefix!r} does not begin the package path "
                                 f"{Path(*parts).as_posix()!r}; pass the folder the repository is checked out in")
        parts = parts[len(prefix):]
    return Path(*parts).as_posix() if parts else "."
