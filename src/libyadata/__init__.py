"""libyadata: the facts of one analysis of Russia's role in Libya (2017) as typed, evidence-backed records.

>>> import libyadata
>>> data = libyadata.load()
>>> data.actor("sergei-lavrov").role
'Foreign Minister'

Heavy modules (pydantic, pyarrow, pandas, polars) are imported only when a function
that needs them is called, so ``import libyadata`` is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import Dataset, load, source_text
    from .downloads import DownloadError, download
    from .tables import arrow, pandas, polars

# public name -> module that defines it
_LAZY = {
    "load": "dataset",
    "source_text": "dataset",
    "Dataset": "dataset",
    "arrow": "tables",
    "pandas": "tables",
    "polars": "tables",
    "download": "downloads",
    "DownloadError": "downloads",
    "models": None,
    "parquet": None,
    "vocab": None,
    "LibyadataError": "errors",
    "DataError": "errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'libyadata' has no attribute {name!r}")
    module = _LAZY[name]
    if module is None:
        return importlib.import_module(f".{name}", __name__)
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
