"""Get the evidence cells for a quote, or re-anchor every row whose span no longer fits.

With QUOTE: paste the exact words of the source and get the cells for the CSV row
(source_id, quote, char_start, char_end, quote_prefix, quote_suffix: six adjacent
columns, in this order, of every table with evidence). When the words occur more than once, every
occurrence is listed with its context: pick one with --occurrence N or --near
OFFSET. When they do not occur as typed, the near match is suggested (curly or
straight apostrophes and quotes, dashes, spacing, case). Exits 1 in both cases.

With --fix: every row, in every table, whose quote no longer sits at its char_start
and char_end (for instance after editing the quote) gets the span, prefix and suffix
of the place where the quote is, found from the quote and its old prefix and suffix
(W3C TextQuoteSelector); each change is printed. Rows that cannot be placed are
named and left alone (exit 1). Only the source texts are needed, so it works while
the package is invalid. Then run `libyadata schema` for the sizes and hashes.

The package is the datapackage/ of the current folder or the one above it, else the
installed copy (--package to name another).

Example:
  libyadata anchor "his visit to Russia on August 14"
  libyadata anchor "his visit to Russia on August 14" --format csv
  libyadata anchor "Haftar" --near 2400
  libyadata anchor --fix
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import PACKAGE_HELP, package_path, print_json

HELP = "evidence cells for a quote of the source text, or --fix the spans of edited rows"
#: Code points of context shown on each side of an occurrence.
CONTEXT = 30


def _offset(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("quote", nargs="?", default=None, help="the exact words, as they appear in the source text")
    parser.add_argument("--fix", action="store_true",
                        help="instead of a quote: re-anchor every row whose quote is not at its offsets")
    parser.add_argument("--dry-run", action="store_true", help="with --fix: say what would change, write nothing")
    parser.add_argument("--source", default=None, help="source_id (default: the only source)")
    pick = parser.add_mutually_exclusive_group()
    pick.add_argument("--occurrence", type=_offset, default=None, metavar="N",
                      help="take the N-th occurrence, counting from 0, as the list shows them")
    pick.add_argument("--near", type=_offset, default=None, metavar="OFFSET",
                      help="take the occurrence that starts nearest this code-point offset")
    parser.add_argument("--format", choices=["json", "csv", "text"], default="json",
                        help="json (default), csv (the six cells as one CSV row, ready to paste) or text")
    parser.add_argument("--package", type=Path, default=None, help=PACKAGE_HELP)


def run(args: argparse.Namespace) -> int:
    from ..errors import LibyadataError

    if args.fix == (args.quote is not None):
        raise LibyadataError("give either a QUOTE or --fix")
    if args.dry_run and not args.fix:
        raise LibyadataError("--dry-run goes with --fix")
    if args.fix and (args.occurrence is not None or args.near is not None or args.source is not None):
        raise LibyadataError("--occurrence, --near and --source go with a QUOTE; --fix re-anchors every row")
    package = package_path(args.package)
    return _fix(package, args.dry_run) if args.fix else _anchor(package, args)


def _fix(package: Path, dry_run: bool) -> int:
    from ..evidence import fix_spans

    results = fix_spans(package, write=not dry_run)
    fixed = [r for r in results if r.problem is None]
    failed = [r for r in results if r.problem is not None]
    for r in fixed:
        print(r)
    for r in failed:
        print(r, file=sys.stderr)
    verb = "would re-anchor" if dry_run else "re-anchored"
    summary = f"{verb} {len(fixed)} row(s); {len(failed)} could not be fixed"
    if fixed and not dry_run:
        summary += "; now run `libyadata schema` for the sizes and hashes, then `libyadata validate`"
    print(summary, file=sys.stderr)
    return 1 if failed else 0


def _source(package: Path, source_id: str | None) -> tuple[str, str]:
    """The source's id and text."""
    from .. import csvio
    from ..dataset import source_text
    from ..errors import DataError, LibyadataError

    try:
        _, rows = csvio.read_rows(package / "data" / "sources.csv", "data/sources.csv")
    except (OSError, UnicodeDecodeError) as exc:
        raise LibyadataError(f"data/sources.csv cannot be read in {package}: {exc}") from None
    ids = [r.get("source_id", "") for r in rows]
    if source_id is None:
        if len(ids) != 1:
            raise LibyadataError(f"several sources; pass --source with one of: {', '.join(ids)}")
        source_id = ids[0]
    try:
        return source_id, source_text(source_id, path=package)
    except KeyError:
        raise LibyadataError(f"no source {source_id!r}; sources: {', '.join(ids)}") from None
    except (DataError, OSError) as exc:
        raise LibyadataError(f"source {source_id!r} cannot be read: {exc}") from None


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT):start]
    after = text[end:end + CONTEXT]
    shown = f"{'…' if start > CONTEXT else ''}{before}[{text[start:end]}]{after}{'…' if end + CONTEXT < len(text) else ''}"
    return shown.replace("\n", "⏎")


def _anchor(package: Path, args: argparse.Namespace) -> int:
    from ..evidence import EVIDENCE_CELLS, anchor, differences, near_matches, occurrences

    source_id, text = _source(package, args.source)
    quote = args.quote
    starts = occurrences(text, quote)
    if not starts:
        near = near_matches(text, quote)
        if not near:
            print(f"libyadata anchor: {quote!r} occurs 0 time(s) in {source_id}, not even with other quotes, dashes, "
                  "case or spacing", file=sys.stderr)
            return 1
        print(f"libyadata anchor: {quote!r} is not in {source_id} as typed. Did you mean:", file=sys.stderr)
        for s in near:
            print(f"  char_start={s.char_start}  {_context(text, s.char_start, s.char_end)}", file=sys.stderr)
        print(f"  ({differences(quote, near[0].quote)})", file=sys.stderr)
        print(f"  to use it: libyadata anchor {_shell_quote(near[0].quote)}", file=sys.stderr)
        return 1
    if args.near is not None:
        index = min(range(len(starts)), key=lambda i: abs(starts[i] - args.near))
    elif args.occurrence is not None:
        index = args.occurrence
        if index >= len(starts):
            print(f"libyadata anchor: {quote!r} occurs {len(starts)} time(s) in {source_id}; occurrence {index} "
                  f"does not exist (they count from 0)", file=sys.stderr)
            return 1
    elif len(starts) > 1:
        print(f"libyadata anchor: {quote!r} occurs {len(starts)} times in {source_id}; pick one with "
              "--occurrence N or --near OFFSET:", file=sys.stderr)
        for i, s in enumerate(starts):
            print(f"  --occurrence {i:<3} char_start={s:<6} {_context(text, s, s + len(quote))}", file=sys.stderr)
        return 1
    else:
        index = 0
    span = anchor(text, quote, index)
    cells = {"source_id": source_id, **span.__dict__}
    if args.format == "json":
        print_json(cells)
    elif args.format == "csv":
        from ..csvio import to_csv_bytes

        row = {k: "" if cells[k] is None else str(cells[k]) for k in EVIDENCE_CELLS}
        data = to_csv_bytes(EVIDENCE_CELLS, [row]).decode("utf-8")
        sys.stdout.write(data.split("\n", 1)[1])  # the header line has no quoted newline: drop it
    else:
        for k in EVIDENCE_CELLS:
            print(f"{k}: {'' if cells[k] is None else cells[k]}")
    return 0


def _shell_quote(s: str) -> str:
    import shlex

    return shlex.quote(s)
