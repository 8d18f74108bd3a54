"""libyadata.vocab: the controlled vocabularies, their meanings and the ICD 203 bands."""

from __future__ import annotations

import re

import pytest

from libyadata import models, vocab
from libyadata.schema import table_fields


@pytest.mark.parametrize("name", list(vocab.VOCABULARIES))
def test_every_value_is_a_code_with_a_meaning(name):
    for value in vocab.VOCABULARIES[name]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", value), value
        assert vocab.LIST_DELIMITER not in value
        assert vocab.meaning(name, value).strip().endswith((".", ")")), (name, value)


def test_every_enum_of_the_schemas_is_a_vocabulary():
    vocabularies = [tuple(v) for v in vocab.VOCABULARIES.values()]
    enums = [tuple(f["constraints"]["enum"]) for m in models.MODELS for f in table_fields(m)
             if "enum" in f.get("constraints", {})]
    assert enums and all(e in vocabularies for e in enums)


def test_every_event_type_is_coded_or_says_why_not():
    for code, t in vocab.EVENT_TYPES.items():
        assert (t.plover is not None or t.cameo is not None) or t.why_unmapped, code
        assert t.cameo is None or re.fullmatch(r"[0-9]{3}", t.cameo), code
        assert (t.cameo is None) == (t.cameo_label is None), code


def test_icd203_bands_are_ordered_probability_intervals():
    bands = list(vocab.ICD203_BANDS.values())
    assert all(0 < low < high < 1 for low, high in bands)
    assert [b[0] for b in bands] == sorted(b[0] for b in bands)


@pytest.mark.parametrize("word, band", [("likely", (0.55, 0.8)), ("  Very Likely ", (0.8, 0.95)),
                                        ("possibly", None), (None, None)])
def test_likelihood_band_ignores_case_and_spaces(word, band):
    assert vocab.likelihood_band(word) == band


def test_an_unknown_value_has_no_meaning():
    with pytest.raises(KeyError):
        vocab.meaning("event_type", "picnic")
