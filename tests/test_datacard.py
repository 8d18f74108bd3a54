"""``libyadata.datacard``: the data card states the data's real numbers, CITATION.cff the package's metadata.

The numbers are recounted here from the shipped files with the standard library (rows
with ``csv``, coverage from the CSV offsets over the stored text, hashes with
``hashlib``); the card must agree with them and follow the data it is given.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import re

import pytest
from shipped import csv_rows, drop_last_row, released_on

from libyadata import datacard, meta, vocab
from libyadata.coverage import uncited_sentences
from libyadata.resources import datapackage_dir, repository_root

PACKAGE = datapackage_dir()
DESCRIPTOR = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [r for r in DESCRIPTOR["resources"] if "schema" in r]


def source_file():
    (row,) = csv_rows("sources")
    return row, PACKAGE / row["text_path"]


def shares(skip: tuple[str, ...] = ()) -> tuple[str, str]:
    """Cited and excluded shares of the text's non-space characters, from the CSV offsets."""
    _, path = source_file()
    text = path.read_text(encoding="utf-8")
    cited, excluded = set(), set()
    for resource in TABLES:
        if resource["name"] in skip:
            continue
        for row in csv_rows(resource["name"]):
            if row.get("quote"):
                marks = excluded if resource["name"] == "exclusions" else cited
                marks.update(range(int(row["char_start"]), int(row["char_end"])))
    visible = {i for i, ch in enumerate(text) if not ch.isspace()}
    return f"{len(cited & visible) / len(visible):.1%}", f"{len(excluded & visible) / len(visible):.1%}"


@pytest.fixture(scope="module")
def card(data):
    return datacard.datacard(data)


def test_the_instances_table_states_each_tables_real_row_count(card):
    counts = {r["name"]: len(csv_rows(r["name"])) for r in TABLES}
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (\d+) \| (.+) \|$", card, flags=re.MULTILINE)
    assert rows == [(r["name"], r["title"], str(counts[r["name"]]), r["description"]) for r in TABLES]
    assert f"- **Instances.** {sum(counts.values()):,} rows in {len(TABLES)} tables:" in card


def test_the_source_line_states_the_stored_texts_length_and_hash(card):
    row, path = source_file()
    raw = path.read_bytes()
    assert (f"*{row['title']}*, {row['publisher']}, {row['published']} ({row['language']}; "
            f"{len(raw.decode('utf-8')):,} code points, SHA-256 `{hashlib.sha256(raw).hexdigest()[:12]}…`)") in card


def test_coverage_shares_are_the_cited_and_excluded_characters_of_the_text(card, data):
    cited, excluded = shares()
    assert (f"- **Coverage.** Records cite {cited} of the text's visible characters; {excluded} is declared "
            f"not article text") in card
    assert f"`exclusions`; {len(uncited_sentences(data))} sentence(s) of the article" in card


def test_the_card_follows_the_data_it_is_given(data):
    # without claims and exclusions, fewer characters are cited, none excluded, and sentences go uncited
    reduced = dataclasses.replace(data, claims=(), exclusions=())
    card = datacard.datacard(reduced)
    cited, excluded = shares(skip=("claims", "exclusions"))
    assert cited != shares()[0] and excluded == "0.0%"
    assert f"Records cite {cited} of the text's visible characters; 0.0% is declared" in card
    uncited = len(uncited_sentences(reduced))
    assert uncited > 0 and f"`exclusions`; {uncited} sentence(s)" in card
    assert re.search(r"^\| `claims` \| Claims \| 0 \|", card, flags=re.MULTILINE)
    total = sum(len(csv_rows(r["name"])) for r in TABLES if r["name"] not in ("claims", "exclusions"))
    assert f"**Instances.** {total:,} rows in {len(TABLES)} tables" in card


def test_the_vocabularies_are_listed_with_the_sizes_the_schema_enumerates(card):
    listed = re.search(r"Controlled vocabularies: (.+?)\. Event types", card).group(1)
    pairs = [(name, int(n)) for name, n in re.findall(r"`(\w+)` \((\d+)\)", listed)]
    assert [name for name, _ in pairs] == list(vocab.VOCABULARIES)
    enums = [f["constraints"]["enum"] for r in TABLES for f in r["schema"]["fields"]
             if "enum" in f.get("constraints", {})]
    for name, n in pairs:
        # each size is that of a value list some shipped column is constrained to
        assert any(list(vocab.VOCABULARIES[name]) == e and len(e) == n for e in enums), name


def test_attribution_names_the_attribution_columns_the_tables_have(card):
    headers = {column for r in TABLES for column in next(csv.reader(
        (PACKAGE / r["path"]).open(encoding="utf-8", newline="")))}
    named = [f for f in ("asserted_by", "modality", "holder", "cue") if f in headers]
    assert named == ["asserted_by", "modality", "holder", "cue"]
    assert "Records say who asserts them and how (" + ", ".join(f"`{f}`" for f in named) + ")." in card
    assert "one row per statement in `mentions`." in card


def test_the_heading_names_the_version_being_described(data, monkeypatch):
    monkeypatch.setattr(meta, "version", lambda: "99.0.0-dev")
    card = datacard.datacard(data)
    assert card.splitlines()[0] == "# Data card: libyadata 99.0.0-dev"


def test_the_card_is_deterministic_markdown_with_no_trailing_spaces(card, data):
    assert datacard.datacard(data) == card
    assert card.endswith("\n") and not card.endswith("\n\n\n")
    assert [line for line in card.splitlines() if line != line.rstrip()] == []


def test_links_into_the_repository_name_files_that_exist(card):
    root = repository_root()
    if root is None:
        pytest.skip("needs a source checkout")
    links = re.findall(r"\]\((https://github\.com/libyadata/libyadata/blob/main/[^)]+)\)", card)
    assert len(links) >= 4
    for link in links:
        assert (root / link.removeprefix(datacard.REPOSITORY + "/blob/main/")).is_file(), link


# --- CITATION.cff -------------------------------------------------------------------------


def test_citation_cff_parses_to_the_package_metadata():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load(datacard.citation_cff())
    version = meta.version()
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    assert cff["title"] == DESCRIPTOR["title"] and cff["abstract"] == DESCRIPTOR["description"]
    assert cff["authors"] == [{"name": DESCRIPTOR["contributors"][0]["title"]}]
    assert cff["version"] == version == DESCRIPTOR["version"]
    assert str(cff["date-released"]) == released_on(version)
    assert cff["license"] == DESCRIPTOR["licenses"][0]["name"]
    assert cff["identifiers"][0]["value"] == DESCRIPTOR["id"]
    assert cff["keywords"] == DESCRIPTOR["keywords"]
    assert cff["references"][0]["title"] == DESCRIPTOR["sources"][0]["title"]
    assert cff["repository-code"] == cff["url"] == datacard.REPOSITORY


def test_citation_cff_keeps_text_that_yaml_would_otherwise_read_as_syntax(monkeypatch):
    yaml = pytest.importorskip("yaml")
    title = 'Libya: "2017" # not a comment \\ back\tslash, Ḥaftar’s visit\nsecond line'
    keywords = ["yes", "null", "- dash", "1.0", "[list]", "{map}", "&anchor", "*alias", "' quote"]
    monkeypatch.setattr(meta, "TITLE", title)
    monkeypatch.setattr(meta, "KEYWORDS", keywords)
    cff = yaml.safe_load(datacard.citation_cff())
    assert cff["title"] == title
    assert cff["keywords"] == keywords  # strings all, not booleans, nulls, numbers or sequences


@pytest.mark.parametrize("title", ["Libya \U0001F1F1\U0001F1FE", "\U00010000 and \U0010FFFF",
                                   "YAML line breaks \x85 \u2028 \u2029", "a BOM \ufeff, DEL \x7f, NUL \x00"])
def test_citation_cff_keeps_any_character_whole(monkeypatch, title):
    yaml = pytest.importorskip("yaml")
    monkeypatch.setattr(meta, "TITLE", title)
    text = datacard.citation_cff()
    assert text.isascii()
    assert yaml.safe_load(text)["title"] == title  # not two lone surrogates for a character above U+FFFF


def test_an_unreleased_version_has_no_release_date(monkeypatch):
    yaml = pytest.importorskip("yaml")
    monkeypatch.setattr(meta, "version", lambda: "99.0.0-dev")
    text = datacard.citation_cff()
    assert "date-released" not in text
    assert yaml.safe_load(text)["version"] == "99.0.0-dev"


# --- generated files ----------------------------------------------------------------------


def test_generated_files_describe_the_package_in_the_root_they_are_given(package_copy, data):
    root = package_copy.parent
    mentions = package_copy / "data" / "mentions.csv"
    drop_last_row(mentions)  # nothing refers to a mention: still a valid package
    n = len(csv_rows("mentions", package_copy))
    assert n == len(csv_rows("mentions")) - 1

    files = datacard.generated_files(root)
    assert set(files) == {root / "docs" / "datacard.md", root / "CITATION.cff", root / "docs" / "croissant.json"}
    assert f"| `mentions` | Mentions | {n} |" in files[root / "docs" / "datacard.md"].decode("utf-8")
    assert files[root / "CITATION.cff"] == datacard.citation_cff().encode("utf-8")
    described = json.loads(files[root / "docs" / "croissant.json"])
    (file,) = [d for d in described["distribution"] if d["name"] == "mentions.csv"]
    assert file["sha256"] == hashlib.sha256(mentions.read_bytes()).hexdigest()

    # given data, the card is that data's; the Croissant file still describes the files
    given = datacard.generated_files(root, data)
    assert given[root / "docs" / "datacard.md"] == datacard.datacard(data).encode("utf-8")
    assert given[root / "docs" / "croissant.json"] == files[root / "docs" / "croissant.json"]


def test_write_writes_what_generated_files_says_and_then_nothing(package_copy):
    root = package_copy.parent
    written = datacard.write(root)
    wanted = datacard.generated_files(root)
    assert sorted(written) == sorted(wanted)
    assert all(path.read_bytes() == data for path, data in wanted.items())
    assert datacard.write(root) == [] and datacard.stale(root) == []
