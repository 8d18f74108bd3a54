"""Every record of the shipped data package checked against the source text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


from libyadata import models, vocab
from libyadata.coverage import sentences, uncited_sentences
from libyadata.evidence import span_problems
from libyadata.resources import datapackage_dir

CAPTURE_SHA256 = "458edef5ae1bab5de13ffd0d9fc2c8d3cdc223511f48f576207cac8f9ed893a6"
SHARED_COPY = Path(__file__).resolve().parents[2] / "shared" / "source" / "future-center-2017-08-28.txt"
EVIDENCE_TABLES = [m.table for m in models.MODELS if models.has_evidence(m)]
MONTHS = {m: i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)}


def evidence_rows(data):
    for table in EVIDENCE_TABLES:
        for record in data.table(table):
            yield table, record


def test_source_text_is_the_capture_byte_for_byte(data):
    src = data.sources[0]
    stored = (datapackage_dir() / src.text_path).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == CAPTURE_SHA256 == src.sha256
    assert len(stored.decode("utf-8")) == src.char_count
    if SHARED_COPY.is_file():
        assert stored == SHARED_COPY.read_bytes()


def test_source_text_is_stored_once():
    texts = list(datapackage_dir().rglob("*.txt"))
    assert [p.name for p in texts] == ["future-center-2017-08-28.txt"]


def test_every_span_is_exact_with_its_prefix_and_suffix(data, text):
    faults = []
    for table, r in evidence_rows(data):
        for problem in span_problems(text, r.quote, r.char_start, r.char_end, r.quote_prefix, r.quote_suffix):
            faults.append(f"{table} {r.key}: {problem}")
    assert not faults, "\n".join(faults)
    assert sum(1 for _ in evidence_rows(data)) > 100


def test_primary_keys_are_unique(data):
    for name in models.TABLES:
        keys = [r.key for r in data.table(name)]
        assert len(keys) == len(set(keys)), name


def test_every_id_a_row_names_exists(data):
    missing = []
    for model in models.MODELS:
        for fk in model.foreign_keys:
            targets = {r.key for r in data.table(fk.resource)}
            for r in data.table(model.table):
                value = tuple(getattr(r, f) for f in fk.fields)
                if None not in value and value not in targets and not set(value) <= set(fk.allow):
                    missing.append(f"{model.table} {r.key}: {fk.fields}={value} not in {fk.resource}")
    assert not missing, "\n".join(missing)


def test_every_mention_names_an_existing_record(data):
    ids = {name: {r.key[0] for r in data.table(name)} for name in models.ASSERTION_TABLES}
    dangling = [m.key for m in data.mentions if m.record_id not in ids[m.record_table]]
    assert not dangling
    assert data.mentions, "the data has facts stated more than once"


def test_a_mention_is_not_the_records_own_quote(data):
    for m in data.mentions:
        record = next(r for r in data.table(m.record_table) if r.key[0] == m.record_id)
        assert (m.char_start, m.char_end) != (record.char_start, record.char_end), m.key


def test_no_two_records_assert_the_same_thing(data):
    """Records of one table equal in the fields their model names (``same_assertion``) are one fact:
    one record, the other sentence a mention."""
    checked = 0
    for model in models.MODELS:
        if not model.same_assertion:
            continue
        seen: dict[tuple, tuple] = {}
        for r in data.table(model.table):
            k = tuple(getattr(r, f) for f in model.same_assertion)
            assert k not in seen, f"{model.table}: {r.key} asserts the same as {seen[k]} ({model.same_assertion})"
            seen[k] = r.key
        checked += 1
    assert checked >= 5


def test_every_assertion_says_who_asserts_it_and_how(data):
    actors = {a.actor_id for a in data.actors}
    for name in models.ASSERTION_TABLES:
        for r in data.table(name):
            assert r.asserted_by == "article" or r.asserted_by in actors, (name, r.key)
            assert r.modality in vocab.MODALITIES, (name, r.key)
    # the actors whose words the article reports are people (or the state a minister speaks for)
    speakers = {r.asserted_by for n in models.ASSERTION_TABLES for r in data.table(n)} - {"article"}
    assert speakers and all(data.actor(a).kind == "person" for a in speakers)


def test_a_reported_assertion_has_its_reporting_words(data, text):
    """An assertion attributed to an actor carries the cue that attributes it, and the actor is
    named near it (in its section, from the heading before it)."""
    for name in models.ASSERTION_TABLES:
        for r in data.table(name):
            if r.asserted_by == "article":
                continue
            assert r.cue, (name, r.key)
            heading = max(x.char_start for x in data.exclusions if x.char_end <= r.char_start)
            a = data.actor(r.asserted_by)
            assert any(f in text[heading:r.char_end] for f in (a.name, *a.aliases)), (name, r.key)


def test_names_and_aliases_occur_in_the_text(data, text):
    absent = [(a.actor_id, form) for a in data.actors for form in (a.name, *a.aliases) if form not in text]
    assert not absent
    for a in data.actors:
        assert a.name not in a.aliases and len(set(a.aliases)) == len(a.aliases), a.actor_id


def _paragraph(text: str, start: int, end: int) -> str:
    return text[text.rfind("\n", 0, start) + 1: (text.find("\n", end) + 1 or len(text) + 1) - 1]


def test_every_event_has_participants_named_in_its_paragraph(data, text):
    """A participant is named in the event's paragraph by name, alias or office, or
    the participant's notes quote ('...') the words that refer to it there. An event
    without participants says in its notes that the text names none."""
    unnamed = []
    for e in data.events:
        parts = data.participants(e.event_id)
        assert parts or "the event has no participant" in (e.notes or ""), f"event {e.event_id} has no participants"
        para = _paragraph(text, e.char_start, e.char_end)
        for ea in (x for x in data.event_actors if x.event_id == e.event_id):
            a = data.actor(ea.actor_id)
            forms = [a.name, *a.aliases, *([a.role] if a.role else [])]
            forms += re.findall(r"'([^']+)'", ea.notes or "")
            if not any(f in para for f in forms):
                unnamed.append(f"{e.event_id}: {a.actor_id} ({ea.role})")
    assert not unnamed, "\n".join(unnamed)


def test_undated_occurrences_have_no_dates(data):
    for e in data.events:
        assert (e.date_precision == "unknown") == (e.date_start is None) == (e.date_basis == "undated")


def test_dates_lie_within_what_their_words_allow(data, text):
    published = data.sources[0].published
    stated = [e for e in data.events if e.date_basis not in ("context", "undated")]
    for e in data.events:
        if e.date_start is None:
            continue
        where = f"{e.event_id} ({e.date_text!r})"
        # a coarse interval may run past publication only if it contains the publication date
        assert e.date_start <= published, f"{where} starts after publication"
        assert e.date_end <= published or e.date_precision != "day", f"{where} ends after publication"
        words = e.date_text or ""
        for part in words.split(" ... "):
            assert part in text, f"{where}: date_text is not in the text"
        years = {int(y) for y in re.findall(r"\b(1[89]\d\d|20\d\d)\b", words)}
        months = {MONTHS[m] for m in re.findall("|".join(MONTHS), words)}
        days = {int(d) for d in re.findall(r"\b(\d{1,2})\b(?!%)", words)}
        if years:
            assert e.date_start.year in years and e.date_end.year in years, where
        if months and e.date_precision in ("day", "month"):
            assert e.date_start.month in months, where
        if days and e.date_precision == "day":
            assert e.date_start.day in days, where
        if e.date_basis == "year_from_publication":
            assert e.date_start.year == published.year and not years, where
        if e.date_basis == "relative_to_publication" and "last year" in words:
            assert e.date_start.year == published.year - 1 and e.date_precision == "year", where
        if e.date_basis == "stated":
            assert years, f"{where}: basis 'stated' needs a year in date_text"
        if e.date_basis == "context":
            # the date must come from an occurrence the text dates itself
            assert any(o.date_start <= e.date_start and e.date_end <= o.date_end
                       for o in stated if o.event_id != e.event_id), where


def test_numbered_items_carry_their_number(data, text):
    for m in data.motives:
        assert text[m.char_start - 3:m.char_start] == f"{m.rank}. ", m.motive_id
    for p in data.projections:
        if p.rank is not None:
            assert text[p.char_start - 3:p.char_start] == f"{p.rank}. ", p.projection_id
    for holder in {m.holder_id for m in data.motives}:
        assert sorted(m.rank for m in data.motives_of(holder)) == list(range(1, 5))
    ranked = sorted(p.rank for p in data.projections if p.rank is not None)
    assert ranked == [1, 2, 3]


def test_numbered_lists_are_complete(data, text):
    """Every '<n>. ' item of the article is a motive or a ranked projection."""
    items = {m.start() + len(m.group()) for m in re.finditer(r"(?m)^\d\. ", text)}
    recorded = {m.char_start for m in data.motives} | {p.char_start for p in data.projections if p.rank}
    assert items == recorded


def test_likelihood_words_are_the_articles(data, text):
    for p in data.projections:
        if p.likelihood_text is None:
            continue
        # the word is in the quote, or in the lead of the section (after its heading) the item belongs to
        heading = max((x.char_end for x in data.exclusions
                       if x.char_end <= p.char_start and x.reason == "heading"), default=0)
        assert p.likelihood_text.lower() in text[heading:p.char_end].lower(), p.projection_id


def test_every_sentence_is_cited_or_excluded(data):
    missing = uncited_sentences(data)
    assert not missing, "\n".join(f"{s.start}-{s.end}: {s.text}" for s in missing)


def test_exclusions_cover_only_non_article_parts(data, text):
    assert {x.reason for x in data.exclusions} <= set(vocab.EXCLUSION_REASONS)
    for x in data.exclusions:
        if x.reason == "heading":
            assert "\n" not in x.quote and not x.quote.endswith(".")
        if x.reason == "list_lead_in":  # a line ending in ':' that a numbered list follows
            assert x.quote.endswith(":") and text[x.char_end:].startswith("\n\n1. "), x.exclusion_id
    # an excluded span never hides a sentence that a record cites
    spans = [(x.char_start, x.char_end) for x in data.exclusions]
    for table, r in evidence_rows(data):
        if table != "exclusions":
            assert not any(s < r.char_end and r.char_start < e for s, e in spans), (table, r.key)


def test_uncited_sentence_is_reported(data, text):
    """The coverage check itself can fail: drop the claims and relationships and their sentences show up."""
    dropped = ("claims", "relationships")
    trimmed = type(data)(**{**{n: data.table(n) for n in models.TABLES}, **dict.fromkeys(dropped, ()),
                            "path": data.path})
    missing = uncited_sentences(trimmed)
    assert missing
    # each sentence that went uncited is one a dropped record cited
    records = [r for n in dropped for r in data.table(n)]
    assert all(any(r.char_start < s.end and s.start < r.char_end for r in records) for s in missing)
    # mentions count as citations: without them, the lead-in of Russia's motives is uncited
    trimmed = type(data)(**{**{n: data.table(n) for n in models.TABLES}, "mentions": (), "path": data.path})
    assert any(s.text.startswith("Russia recently received Haftar") for s in uncited_sentences(trimmed))
    assert len(sentences(text)) > len(missing) > 0

