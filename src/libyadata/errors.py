"""Exceptions that carry what a user needs to fix the input: file, row, field, expectation."""

from __future__ import annotations


class LibyadataError(Exception):
    """Base of every error libyadata raises on purpose; the CLI prints these without a traceback.

    Each pickles whole, its parts included (a process pool sends errors back that way):

    >>> import pickle
    >>> err = pickle.loads(pickle.dumps(MissingDependency("polars", "polars")))
    >>> err.extra, str(err)
    ('polars', "this needs the 'polars' package: pip install 'libyadata[polars]'")
    """

    def __reduce__(self) -> tuple[object, ...]:
        # Exception's own re-calls ``__init__`` with ``args`` (the text), which fails for a subclass
        # whose arguments are not its text (MissingDependency, DownloadError, BumpRefused).
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[LibyadataError], args: tuple[object, ...], state: dict[str, object]) -> LibyadataError:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class DataError(LibyadataError):
    """A data file does not match the contract.

    >>> str(DataError("must be a slug", file="data/actors.csv", row=3, field="actor_id"))
    'data/actors.csv, row 3, field actor_id: must be a slug'
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None) -> None:
        self.message, self.file, self.row, self.field = message, file, row, field
        where = ", ".join(
            part for part in (file, f"row {row}" if row is not None else None,
                              f"field {field}" if field else None) if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class UnknownTable(LibyadataError, KeyError):
    """A table name the models do not have (a KeyError too, as for a mapping)."""

    def __str__(self) -> str:
        return str(self.args[0])


class GitMissing(LibyadataError):
    """No ``git`` program to run (a revision or a release's history was asked for)."""


class MissingDependency(LibyadataError):
    """An optional extra is needed for this feature."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(f"this needs the '{module}' package: pip install 'libyadata[{extra}]'")
        self.module, self.extra = module, extra
