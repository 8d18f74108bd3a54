"""``python -m libyadata``: the ``libyadata`` command, for an environment whose scripts folder is not on PATH.

(pytest does not collect doctests from a ``__main__`` module; ``tests/test_cli.py`` runs it.)
"""

from .cli import entry

if __name__ == "__main__":  # pragma: no cover - run as a module
    entry()
