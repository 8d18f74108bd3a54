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


def verbs() -> list[str]:
    """The verbs, one per module of ``libyadata.commands``."""
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every verb, or of the verb ``only`` (its module alone is imported: 40 ms less
    before `libyadata validate` starts, of the 1.2 s it takes on the shipped package)."""
    parser = argparse.ArgumentParser(
        prog="libyadata",
        description="The facts of 'The future of Russia's role in Libya after Haftar's visit' (2017) "
                    "as an evidence-backed data package.",
    )
    parser.add_argument("--version", action="version", version=f"libyadata {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in verbs() if only is None else [only]:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__ or module.HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verb = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(verb if verb in verbs() else None)
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
