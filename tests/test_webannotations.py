"""``libyadata.webannotations``: one annotation per CSV evidence row, selecting exactly its quote in the stored text.

Expected values are read from the shipped CSV files and the stored text with the
standard library: ids from the primary-key cells, selectors from the offsets sliced out
of the text, the target's ``ni:`` name from the text's bytes.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json

import pytest
from shipped import csv_rows, released_on

from libyadata import meta
from libyadata import webannotations as webanno
from libyadata.resources import datapackage_dir
from libyadata.site import SITE_URL

PACKAGE = datapackage_dir()
DESCRIPTOR = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [r for r in DESCRIPTOR["resources"] if "schema" in r]
#: JSON-LD keywords a compacted document may use besides the context's terms.
KEYWORDS = {"@context", "id", "type"}


def evidence_rows() -> list[tuple[str, str, dict[str, str]]]:
    """(table, key, row) of every CSV row with a quote, in table and row order."""
    out = []
    for r in TABLES:
        if r["name"] == "sources":
            continue
        for row in csv_rows(r["name"]):
            if row.get("quote"):
                out.append((r["name"], "/".join([r["name"], *(row[k] for k in r["schema"]["primaryKey"])]), row))
    return out


@pytest.fixture(scope="module")
def doc(data):
    return webanno.collection(data)


@pytest.fixture(scope="module")
def items(doc):
    return doc["first"]["items"]


@pytest.fixture(scope="module")
def rows():
    return evidence_rows()


def body(annotation, purpose):
    return [b for b in annotation["body"] if b["purpose"] == purpose]


def test_one_annotation_per_csv_evidence_row_in_order_with_its_key(doc, items, rows):
    base = f"{SITE_URL}annotations/{meta.version()}/"
    assert [a["id"] for a in items] == [base + key for _, key, _ in rows]
    assert doc["total"] == len(rows) and doc["id"] == base
    assert doc["first"]["startIndex"] == 0 and doc["first"]["type"] == "AnnotationPage"
    assert doc["type"] == "AnnotationCollection" and doc["@context"] == "http://www.w3.org/ns/anno.jsonld"


def test_each_annotation_selects_exactly_its_quote_in_the_stored_text(items, rows, text):
    without_prefix = without_suffix = 0
    for a, (_, key, row) in zip(items, rows):
        quote, position = a["target"]["selector"]
        start, end = int(row["char_start"]), int(row["char_end"])
        assert position == {"type": "TextPositionSelector", "start": start, "end": end}, key
        assert quote["type"] == "TextQuoteSelector" and quote["exact"] == row["quote"] == text[start:end], key
        # an empty context is left out, not given as ""
        if row["quote_prefix"]:
            assert quote["prefix"] == row["quote_prefix"] == text[start - len(row["quote_prefix"]):start], key
        else:
            without_prefix += 1
            assert "prefix" not in quote, key
        if row["quote_suffix"]:
            assert quote["suffix"] == row["quote_suffix"] == text[end:end + len(row["quote_suffix"])], key
        else:
            without_suffix += 1
            assert "suffix" not in quote, key
    assert without_prefix and without_suffix  # the data have both cases (a span at offset 0, one at a page end)


def test_the_target_names_the_stored_bytes_and_gives_no_page_the_source_lacks(items):
    (source,) = csv_rows("sources")
    digest = hashlib.sha256((PACKAGE / source["text_path"]).read_bytes()).digest()
    name = {a["target"]["source"] for a in items}
    assert name == {"ni:///sha-256;" + base64.urlsafe_b64encode(digest).decode().rstrip("=")}
    (uri,) = name
    b64 = uri.removeprefix("ni:///sha-256;")
    assert base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)) == digest and "=" not in b64
    assert source["url"] == "" and all("via" not in a["target"] for a in items)


def test_motivation_and_tag_say_the_records_table(items, rows):
    for a, (table, key, _) in zip(items, rows):
        assert a["motivation"] == ("classifying" if table == "exclusions" else "describing"), key
        assert body(a, "tagging") == [{"type": "TextualBody", "purpose": "tagging", "value": table,
                                       "format": "text/plain"}], key


def test_the_description_is_the_records_summary_name_or_reason(items, rows):
    for a, (_, key, row) in zip(items, rows):
        words = row.get("summary") or row.get("name") or row.get("reason")
        described = [b["value"] for b in body(a, "describing")]
        assert described == ([words] if words else []), key
        if words:
            assert a["body"][0]["purpose"] == "describing"  # first, as annotation tools show the first body
    assert any(table == "mentions" for table, _, _ in rows)  # mentions have none of the three


def test_the_identifying_link_is_the_record_and_a_mentions_is_the_record_mentioned(items, rows):
    keys = {key for _, key, _ in rows}
    for a, (table, key, row) in zip(items, rows):
        (link,) = body(a, "identifying")
        about = f"{row['record_table']}/{row['record_id']}" if table == "mentions" else key
        assert link == {"type": "SpecificResource", "purpose": "identifying", "source": f"{SITE_URL}#{about}"}, key
        assert about in keys  # the viewer has the record it links to


def test_modality_asserted_by_and_holder_classify_the_record_when_set(items, rows):
    seen = 0
    for a, (_, key, row) in zip(items, rows):
        expected = [f"{f}: {row[f]}" for f in ("modality", "asserted_by", "holder") if row.get(f)]
        assert [b["value"] for b in body(a, "classifying")] == expected, key
        seen += "holder" in row and bool(row["holder"])
    assert seen  # a row with a holder exists


def test_annotations_of_a_released_version_carry_its_release_day(items):
    day = released_on(meta.version())
    assert day is not None
    assert {a["created"] for a in items} == {f"{day}T00:00:00Z"}
    assert {a["creator"]["name"] for a in items} == {DESCRIPTOR["contributors"][0]["title"]}


def test_an_unreleased_version_has_no_creation_date_and_its_own_ids(data, monkeypatch):
    monkeypatch.setattr(meta, "version", lambda: "99.0.0-dev")
    doc = webanno.collection(data)
    assert doc["id"] == f"{SITE_URL}annotations/99.0.0-dev/" and "(version 99.0.0-dev)" in doc["label"]
    assert all("created" not in a and a["id"].startswith(doc["id"]) for a in doc["first"]["items"])


def test_the_published_page_when_known_is_the_targets_via(data):
    source = data.sources[0].model_copy(update={"url": "https://example.org/article"})
    record = data.events[0]
    a = webanno.annotation("events/x", record, source, "")
    assert a["target"]["via"] == "https://example.org/article" and "created" not in a
    assert a["target"]["source"] == webanno.ni_uri(source.sha256)


def test_the_collection_annotates_the_data_it_is_given(data):
    only_exclusions = dataclasses.replace(data, **{n: () for n in data if n not in ("sources", "exclusions")})
    doc = webanno.collection(only_exclusions)
    base = f"{SITE_URL}annotations/{meta.version()}/"
    assert [a["id"] for a in doc["first"]["items"]] == [base + key for t, key, _ in evidence_rows() if t == "exclusions"]
    assert doc["total"] == len(csv_rows("exclusions"))
    empty = dataclasses.replace(only_exclusions, exclusions=())
    assert webanno.collection(empty)["total"] == 0 and webanno.collection(empty)["first"]["items"] == []


def test_every_term_the_collection_uses_is_defined_by_the_vendored_context(doc):
    # a term the context does not define would be dropped silently on expansion
    terms = set(webanno.context_document()["@context"])
    used = set()

    def walk(node):
        if isinstance(node, dict):
            used.update(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert used - KEYWORDS - terms == set()


def test_the_loader_serves_the_context_under_http_and_names_a_refused_url():
    jsonld = pytest.importorskip("pyld.jsonld")
    for url in ("http://www.w3.org/ns/anno.jsonld", "https://www.w3.org/ns/anno.jsonld"):
        served = webanno.document_loader(url, {"ignored": True})
        assert served == {"contextUrl": None, "documentUrl": url, "document": webanno.context_document()}
    with pytest.raises(jsonld.JsonLdError, match="http://www.w3.org/ns/oa.jsonld"):
        webanno.document_loader("http://www.w3.org/ns/oa.jsonld")


def test_ni_uri_is_rfc_6920s_url_safe_unpadded_name():
    # RFC 6920 section 8.1: "Hello World!" under sha-256
    digest = hashlib.sha256(b"Hello World!").hexdigest()
    assert webanno.ni_uri(digest) == "ni:///sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk"
    with pytest.raises(ValueError):
        webanno.ni_uri("not a hex digest")


def test_the_collection_is_deterministic(doc, data):
    assert json.dumps(webanno.collection(data)) == json.dumps(doc)  # key order too: the written file is stable
