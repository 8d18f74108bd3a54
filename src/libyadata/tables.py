"""Tables for analysis: Arrow always, pandas and polars when installed.

Columns carry the types the models declare (no guessing: ``"007"`` stays a string,
an empty cell is null, ``aliases`` is a list). pyarrow is imported on first use.

>>> t = arrow("events")
>>> t.schema.field("date_start").type
DataType(date32[day])
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import models
from .errors import DataError, MissingDependency
from .resources import datapackage_dir

if TYPE_CHECKING:
    import pyarrow as pa


def read_csv_arrow(path: Path, model: type[models.Record]) -> pa.Table:
    """Read a table's CSV with its declared Arrow schema.

    A cell that its column's type cannot hold, or an empty cell of a required column, is a
    ``DataError`` naming the file (the contract checks of ``libyadata validate`` say more).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .csvio import read_arrow
    from .schema import arrow_schema

    target = arrow_schema(model)
    try:
        raw = read_arrow(path, columns=[f.name for f in target])
        columns = []
        for f in target:
            col = raw.column(f.name)
            if pa.types.is_list(f.type):
                # an empty cell is an empty list, not a null one
                parts = pc.split_pattern(col, models.vocab.LIST_DELIMITER)
                col = pc.coalesce(parts, pa.scalar([], pa.list_(pa.string()))).cast(f.type)
            else:
                col = col.cast(f.type)
            columns.append(col)
    except (pa.ArrowException, ValueError, TypeError, KeyError) as exc:
        # pyarrow names the column and value but not the file.
        raise DataError(f"cannot read as table {model.table!r} with its declared types: {exc}",
                        file=str(path)) from None
    # Arrow's cast keeps a null in a column the schema declares not null; a reader of the table would trust it.
    for f, col in zip(target, columns):
        if not f.nullable and col.null_count:
            first = pc.index(col.is_null(), True).as_py()
            raise DataError(f"a required cell is empty (table {model.table!r})", file=str(path),
                            row=first + 2, field=f.name)
    return pa.Table.from_arrays(columns, schema=target)


def arrow(name: str, path: str | Path | None = None) -> pa.Table:
    """A table as a ``pyarrow.Table`` with the declared schema."""
    model = models.model_of(name)
    package_dir = Path(path) if path is not None else datapackage_dir()
    return read_csv_arrow(package_dir / "data" / f"{model.table}.csv", model)


def pandas(name: str, path: str | Path | None = None) -> Any:
    """A table as a pandas DataFrame (needs ``libyadata[pandas]``).

    Dates are ``datetime64``; every coded column is a ``category`` whose categories
    are its vocabulary, in the vocabulary's order (so unused values still count as 0).

    >>> df = pandas("events")
    >>> df["date_start"].dtype.kind, str(df["event_type"].dtype)
    ('M', 'category')
    >>> list(df["date_precision"].cat.categories)
    ['day', 'month', 'year', 'unknown']
    """
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependency("pandas", "pandas") from None
    from .schema import coded_fields

    model = models.model_of(name)
    df = arrow(name, path).to_pandas(date_as_object=False)
    for column, (_, values) in coded_fields(model).items():
        df[column] = pd.Categorical(df[column], categories=list(values))
    return df


def polars(name: str, path: str | Path | None = None) -> Any:
    """A table as a polars DataFrame (needs ``libyadata[polars]``).

    Dates are ``Date``; every coded column is an ``Enum`` of its vocabulary, in order.

    >>> df = polars("events")
    >>> df.schema["date_start"], df.schema["date_precision"]
    (Date, Enum(categories=['day', 'month', 'year', 'unknown']))
    """
    try:
        import polars as pl
    except ImportError:
        raise MissingDependency("polars", "polars") from None
    from .schema import coded_fields

    model = models.model_of(name)
    df = pl.from_arrow(arrow(name, path))
    return df.with_columns(pl.col(column).cast(pl.Enum(list(values)))
                           for column, (_, values) in coded_fields(model).items())
