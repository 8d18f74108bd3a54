"""The ``libyadata`` command: a thin layer over the library, one module per verb.

Every verb lives in ``libyadata.commands.<verb>`` with ``HELP``, ``add_arguments``
and ``run``; this module finds them, parses the command line and turns every
expected failure into a one-line message and exit status 2, never a traceback
(set ``LIBYADATA_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from . import __version__, commands
from .errors import LibyadataError
from .inert import inert


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="libyadata",
        description="The facts of 'The future of Russia's role in Libya after Haftar's visit' (2017) "
                    "as an evidence-backed data package.",
    )
    parser.add_argument("--version", action="version", version=f"libyadata {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        name = getattr(module, "NAME", info.name)
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__ or module.HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except LibyadataError as exc:
        # The message can carry a contribution's values (a key, a field name): shown inert, so a
        # newline in them cannot start a GitHub workflow command on stderr.
        print(f"libyadata {args.command}: error: {inert(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the user gets a message, not a stack
        if os.environ.get("LIBYADATA_DEBUG"):
            raise
        print(f"libyadata {args.command}: internal error: {type(exc).__name__}: {inert(str(exc))}\n"
              "This is a bug in libyadata; rerun with LIBYADATA_DEBUG=1 to see the traceback and report it.",
              file=sys.stderr)
        return 2


def entry() -> None:
    """The console command: ``main``'s status as the process's exit status."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
