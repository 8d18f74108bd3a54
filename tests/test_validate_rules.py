"""``libyadata.validate.rules``: the columnar cross-field rules say exactly what the models' rules say."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libyadata import models
from libyadata.validate import validate_package

CORPUS = Path(__file__).resolve().parent / "fixtures" / "invalid"
DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2150, 12, 31)),
                  st.sampled_from([dt.date(2016, 2, 1), dt.date(2016, 2, 29), dt.date(2017, 1, 1),
                                   dt.date(2017, 12, 31), dt.date(2017, 6, 1), dt.date(2017, 6, 30)]))


@settings(max_examples=200)
@given(st.lists(st.tuples(DATES, DATES, st.sampled_from(list(models.vocab.DATE_PRECISIONS)),
                          st.sampled_from(list(models.vocab.DATE_BASES))), min_size=1, max_size=20))
def test_columnar_date_rule_agrees_with_check_interval(rows):
    """The Arrow masks flag exactly the intervals models.check_interval rejects."""
    from libyadata.validate._arrow import strings
    from libyadata.validate.rules import interval_mask

    starts = _dates([r[0] for r in rows])
    ends = _dates([r[1] for r in rows])
    mask = interval_mask(starts, ends, strings([r[2] for r in rows]), strings([r[3] for r in rows])).to_pylist()
    for (s, e, p, b), flagged in zip(rows, mask):
        try:
            models.check_interval(s, e, p, b)
            ok = True
        except ValueError:
            ok = False
        assert flagged is (not ok), (s, e, p, b)


def _dates(values):
    import numpy as np
    import pyarrow as pa

    days = np.array([(v - dt.date(1970, 1, 1)).days if v else 0 for v in values], dtype=np.int32)
    valid = np.packbits(np.array([v is not None for v in values]), bitorder="little")
    return pa.Array.from_buffers(pa.date32(), len(values), [pa.py_buffer(valid), pa.py_buffer(days)])


@pytest.mark.parametrize("case, rule, cells", [
    ("consistency-wikidata", models.check_wikidata, ("wikidata_id", "wikidata_ref")),
    ("consistency-self-affiliation", models.check_affiliation, ("actor_id", "affiliation_id")),
    ("consistency-likelihood", models.check_likelihood, ("likelihood_text", "likelihood_low", "likelihood_high")),
    ("consistency-holder", models.check_holder, ("modality", "holder")),
])
def test_cross_field_rules_say_what_the_models_say(case, rule, cells):
    report = validate_package(CORPUS / case / "package")
    [problem] = [p for p in report.problems if p.type == "consistency-error"]
    path = CORPUS / case / "package" / problem.file
    with open(path, encoding="utf-8", newline="") as f:
        row = list(csv.DictReader(f))[problem.row - 2]
    numeric = {"likelihood_low", "likelihood_high"}
    values = [None if row[c] == "" else float(row[c]) if c in numeric else row[c] for c in cells]
    with pytest.raises(ValueError) as exc:
        rule(*values)
    assert str(exc.value) == problem.message
