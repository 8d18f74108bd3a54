"""The models' own rules: types, vocabularies, cross-field validators, CSV form."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from libyadata import models, vocab
from libyadata.models import Actor, Event, EventActor, Projection, Relationship, check_interval


def event_row(**over):
    row = {
        "event_id": "a-visit", "event_type": "visit", "summary": "Someone visits.", "location": "",
        "country": "RUS", "notes": "", "source_id": "src", "quote": "visit", "char_start": "10",
        "char_end": "15", "quote_prefix": "", "quote_suffix": "", "date_start": "2016-06-01",
        "date_end": "2016-06-30", "date_precision": "month", "date_text": "June", "date_basis": "stated",
        "asserted_by": "article", "modality": "asserted_fact", "cue": "",
    }
    row.update(over)
    return row


def test_event_from_csv_row_types_and_nulls():
    e = Event.from_row(event_row())
    assert e.date_start == dt.date(2016, 6, 1) and e.char_start == 10
    assert e.location is None and e.notes is None


def test_to_row_round_trips():
    e = Event.from_row(event_row())
    assert Event.from_row(e.to_row()) == e
    assert list(e.to_row()) == list(Event.columns)


def test_records_are_immutable():
    e = Event.from_row(event_row())
    with pytest.raises(ValidationError):
        e.summary = "changed"  # type: ignore[misc]


def test_unknown_field_is_refused():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Event.from_row(event_row(extra="x"))


@pytest.mark.parametrize("field,value,message", [
    ("event_id", "Bad_ID", "should match pattern"),
    ("event_type", "invasion", "Input should be 'visit'"),
    ("country", "ru", "should match pattern"),
    ("char_end", "16", "quote has 5 code points but the span"),
    ("char_start", "15", "char_start \\(15\\) must be less than char_end"),
    ("date_end", "2016-06-29", "precision 'month' needs date_end on the last day of 2016-06"),
    ("date_start", "2016-07-01", "date_start 2016-07-01 is after date_end"),
    ("date_precision", "unknown", "must leave date_start and date_end empty"),
    ("summary", "", "Field required"),
    ("modality", "certain", "Input should be 'asserted_fact'"),
    ("asserted_by", "", "Field required"),
])
def test_event_rejects(field, value, message):
    with pytest.raises(ValidationError, match=message):
        Event.from_row(event_row(**{field: value}))


@pytest.mark.parametrize("start,end,precision,basis,ok", [
    (dt.date(2017, 8, 14), dt.date(2017, 8, 14), "day", "stated", True),
    (dt.date(2017, 8, 14), dt.date(2017, 8, 15), "day", "stated", False),
    (dt.date(2016, 2, 1), dt.date(2016, 2, 29), "month", "stated", True),   # leap year
    (dt.date(2016, 1, 1), dt.date(2016, 12, 31), "year", "context", True),
    (dt.date(2016, 1, 1), dt.date(2017, 12, 31), "year", "context", False),
    (None, None, "unknown", "undated", True),
    (None, None, "unknown", "stated", False),
    (None, None, "day", "stated", False),
    (dt.date(1066, 1, 1), dt.date(1066, 1, 1), "day", "stated", False),
])
def test_check_interval(start, end, precision, basis, ok):
    if ok:
        check_interval(start, end, precision, basis)
    else:
        with pytest.raises(ValueError):
            check_interval(start, end, precision, basis)


def test_aliases_split_and_join():
    base = {
        "actor_id": "x", "name": "X", "kind": "person", "source_id": "s", "quote": "X",
        "char_start": 0, "char_end": 1,
    }
    a = Actor.model_validate({**base, "aliases": "A|B"})
    assert a.aliases == ("A", "B") and a.to_row()["aliases"] == "A|B"
    assert Actor.model_validate({**base, "aliases": ""}).aliases == ()
    with pytest.raises(ValidationError, match="wikidata_id and wikidata_ref go together"):
        Actor.model_validate({**base, "wikidata_id": "Q1"})
    with pytest.raises(ValidationError, match="own affiliation"):
        Actor.model_validate({**base, "affiliation_id": "x"})


def test_projection_band_must_follow_the_word():
    base = {
        "projection_id": "p", "actor_id": "a", "holder": "article", "asserted_by": "article",
        "modality": "likely", "summary": "S",
        "source_id": "s", "quote": "q", "char_start": 0, "char_end": 1,
    }
    assert Projection.model_validate({**base, "likelihood_text": "likely", "likelihood_low": 0.55,
                                      "likelihood_high": 0.8}).likelihood_high == 0.8
    with pytest.raises(ValidationError, match="ICD 203 band of 'likely'"):
        Projection.model_validate({**base, "likelihood_text": "likely"})
    with pytest.raises(ValidationError, match=r"empty \(the word has no band\)"):
        Projection.model_validate({**base, "likelihood_text": "maybe", "likelihood_low": 0.1,
                                   "likelihood_high": 0.2})


def test_relationship_holder_follows_modality():
    base = {
        "relationship_id": "r", "subject_id": "a", "predicate": "supports", "object_id": "b", "summary": "S",
        "asserted_by": "article", "source_id": "s", "quote": "q", "char_start": 0, "char_end": 1,
    }
    assert Relationship.model_validate({**base, "modality": "asserted_fact"}).holder is None
    assert Relationship.model_validate({**base, "modality": "goal", "holder": "a"}).to_row()["holder"] == "a"
    with pytest.raises(ValidationError, match="modality 'goal' needs a holder"):
        Relationship.model_validate({**base, "modality": "goal"})
    with pytest.raises(ValidationError, match="leave holder empty"):
        Relationship.model_validate({**base, "modality": "asserted_fact", "holder": "article"})


def test_every_event_type_maps_to_cameo_or_says_why():
    for code, term in vocab.EVENT_TYPES.items():
        assert term.meaning
        assert (term.cameo is not None) or term.why_unmapped, code
        assert (term.plover is not None) or term.why_unmapped, code
    assert vocab.EVENT_TYPES["visit"].plover == "CONSULT" and vocab.EVENT_TYPES["visit"].cameo == "042"


def test_every_vocabulary_value_has_a_meaning():
    for name, terms in vocab.VOCABULARIES.items():
        for value in terms:
            assert vocab.meaning(name, value).strip(), (name, value)


def test_tables_are_ordered_so_foreign_keys_point_backwards():
    seen: set[str] = set()
    for model in models.MODELS:
        for fk in model.foreign_keys:
            assert fk.resource in seen | {model.table}, (model.table, fk)
        seen.add(model.table)


def test_event_actor_composite_key():
    ea = EventActor.from_row({"event_id": "e", "actor_id": "a", "role": "host", "notes": ""})
    assert ea.key == ("e", "a", "host")


def test_every_modality_carries_its_factbank_value():
    values = {"CT+", "CT-", "PR+", "PR-", "PS+", "PS-", "CTu", "Uu"}
    for name, m in vocab.MODALITIES.items():
        assert m.factbank in values and m.meaning and m.cues, name
    assert vocab.MODALITIES["asserted_fact"].factbank == "CT+"
    assert vocab.MODALITIES["denied"].factbank == "CT-"


def test_allowed_values_of_a_reference_are_not_in_the_table_schema():
    from libyadata.schema import table_schema

    fks = table_schema(models.Projection)["foreignKeys"]
    assert [fk["fields"] for fk in fks] == [["actor_id"], ["source_id"]]
    assert any(fk.allow == ("article",) for fk in models.Projection.foreign_keys)


def test_mention_key_and_record_tables():
    m = models.Mention.from_row({"record_table": "events", "record_id": "e", "cue": "", "notes": "",
                                 "source_id": "s", "quote": "q", "char_start": "3", "char_end": "4",
                                 "quote_prefix": "", "quote_suffix": ""})
    assert m.key == ("events", "e", 3)
    with pytest.raises(ValidationError, match="Input should be 'events'"):
        models.Mention.from_row({**m.to_row(), "record_table": "actors"})
