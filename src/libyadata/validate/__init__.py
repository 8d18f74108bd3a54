"""``libyadata validate``: fast, safe, precise validation of a data package directory.

The schema comes from the models (``libyadata.schema.table_fields``, primary and
foreign keys, the models' validators); the checks run on Arrow columns; the report
reads like ``frictionless validate``'s and names file, row, field and what was expected.

>>> report = validate_package()          # the package shipped with libyadata
>>> report.valid, report.exit_code
(True, 0)

Modules, in the order a package is checked (``run`` decides that order, and is the
only module that runs anything at once):

- ``safety``: limits, the walk of the package's files, the descriptor read with limits;
- ``package``: the descriptor's resources, which files belong, the source texts;
- ``reading``: a file's bytes read once (size, hash, CR, UTF-8) and its CSV parse;
- ``structure``: header, ragged and blank rows, line ends, encoding faults;
- ``columns``: the field checks, one column and its rules at a time;
- ``rules``: the models' cross-field rules, on columns; ``spans``: evidence spans;
- ``keys``: primary keys, unique fields, foreign keys;
- ``report``: the error types (documented once) and the three renderings.

Adding a constraint kind to the models touches four places: the model (the field's
rule, e.g. ``Field(lt=1)``, which ``libyadata.schema.table_fields`` carries into the
Table Schema under the same name, or refuses when Table Schema has no such constraint),
the one function that checks it in ``columns.CONSTRAINTS``, its message (returned by
that function), and its test (a case in ``tests/fixtures/make_invalid.py``, which
``tests/test_validate_columns.py`` requires). ``columns.field_specs`` refuses a
constraint that has no function, so a kind cannot go unchecked. A new cross-field rule is a function in
``libyadata.models`` that both the model's validator and ``rules`` call for its verdict
and message (as ``check_interval`` is for dates).

Heavy modules (pyarrow, numpy, pydantic) are imported when ``validate_package`` runs.
"""

from __future__ import annotations

from .run import validate_package

__all__ = ["validate_package"]
