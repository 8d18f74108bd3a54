"""``libyadata validate``: fast, safe, precise validation of a data package directory.

The schema comes from the models (``libyadata.schema.table_fields``, primary and
foreign keys, the models' validators); the checks run on Arrow columns; the report
reads like ``frictionless validate``'s and names file, row, field and what was expected.

>>> report = validate_package()          # the package shipped with libyadata
>>> report.valid, report.exit_code
(True, 0)

Heavy modules (pyarrow, numpy) are imported when ``validate_package`` is called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report
    from .safety import Limits

__all__ = ["validate_package"]


def validate_package(path: str | Path | None = None, max_errors: int | None = None,
                     limits: Limits | None = None, base: str | Path | None = None) -> Report:
    """Validate the package directory ``path`` and return the report (never raises on bad data).

    ``max_errors`` bounds the problems kept (the rest are counted); ``limits`` overrides
    the size caps; ``base`` is a trusted package whose generated files (``parquet/``)
    the contribution must leave unchanged.
    """
    from .package import validate_package as run

    return run(path, max_errors=max_errors, limits=limits, base=base)
