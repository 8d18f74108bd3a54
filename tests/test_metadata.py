"""Find and cite: CITATION.cff, the data card, Croissant, Web Annotations, package URLs, README links."""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import shutil
import subprocess
import tomllib

import pytest

from libyadata import __version__, cli, croissant, datacard, meta
from libyadata import webannotations as webanno
from libyadata.evidence import occurrences
from libyadata.resources import repository_root

ROOT = repository_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="needs a source checkout")


# --- CITATION.cff -------------------------------------------------------------------------


def cffconvert() -> str:
    """cffconvert lives in a venv of its own (.ci/run makes it): it pins jsonschema 3, frictionless needs 4."""
    for exe in (ROOT / ".ci/tools/cffconvert/bin/cffconvert", shutil.which("cffconvert")):
        if exe and os.access(exe, os.X_OK):
            return str(exe)
    message = "cffconvert is missing: run .ci/run, or python3 -m venv .ci/tools/cffconvert && " \
              ".ci/tools/cffconvert/bin/pip install cffconvert==2.0.0"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_citation_cff_is_valid_by_cffconvert(tmp_path):
    exe = cffconvert()
    done = subprocess.run([exe, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout
    bibtex = subprocess.run([exe, "-f", "bibtex", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert bibtex.returncode == 0 and meta.TITLE in bibtex.stdout
    # the check can fail: a file without authors is rejected
    broken = tmp_path / "CITATION.cff"
    broken.write_text(re.sub(r"authors:\n  - name: .*\n", "", datacard.citation_cff()), encoding="utf-8")
    assert subprocess.run([exe, "--validate", "-i", str(broken)], capture_output=True).returncode != 0


def test_citation_cff_names_this_version():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["version"] == __version__ and cff["title"] == meta.TITLE
    from libyadata.versions import created

    released = created(__version__)
    assert cff.get("date-released") == (released[:10] if released else None)
    assert cff["type"] == "dataset"


def test_generated_metadata_files_are_up_to_date(capsys):
    assert datacard.stale(ROOT) == [], "run `libyadata metadata` and commit the files"
    assert cli.main(["metadata", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_metadata_check_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "datapackage", root / "datapackage", ignore=shutil.ignore_patterns("parquet"))
    assert {p.relative_to(root).as_posix() for p in datacard.stale(root)} == \
        {"docs/datacard.md", "CITATION.cff", "docs/croissant.json"}
    assert {p.relative_to(root).as_posix() for p in datacard.write(root)} == \
        {"docs/datacard.md", "CITATION.cff", "docs/croissant.json"}
    assert datacard.stale(root) == []
    (root / "docs/datacard.md").write_text("edited by hand\n", encoding="utf-8")
    assert [p.name for p in datacard.stale(root)] == ["datacard.md"]


# --- data card ----------------------------------------------------------------------------


def test_datacard_has_the_datasheet_sections_and_the_real_numbers(data):
    card = (ROOT / "docs/datacard.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", card, flags=re.M)
    assert headings == ["Motivation", "Composition", "Collection and coding process",
                        "Preprocessing, cleaning, labelling", "Uses", "Distribution", "Maintenance", "Known limits"]
    for name, n in data.counts().items():
        assert re.search(rf"^\| `{name}` \| .+ \| {n} \|", card, flags=re.M), name
    assert "rows are the article's claims, not verified events" in card
    assert f"libyadata {__version__}" in card.splitlines()[0]


# --- Croissant ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mlc():
    mlc = pytest.importorskip("mlcroissant")
    logging.getLogger("absl").setLevel(logging.ERROR)
    return mlc


def test_croissant_validates_and_loads_every_record_set(mlc, data):
    ds = mlc.Dataset(jsonld=str(ROOT / croissant.OUTPUT))
    issues = ds.metadata.ctx.issues
    assert not issues.errors and not issues.warnings, issues.report()
    loaded = {}
    for name, n in data.counts().items():
        # read each record set once: mlcroissant 1.1 yields nothing on a second pass over one
        records = loaded[name] = list(ds.records(record_set=name))
        assert len(records) == n, name
        key = data.table(name)[0].primary_key[0]
        got = [r[f"{name}/{key}"].decode("utf-8") for r in records]
        assert got == [getattr(r, key) for r in data.table(name)], name
    event = loaded["events"][0]
    assert event["events/date_start"].date() == data.events[0].date_start
    assert event["events/char_start"] == data.events[0].char_start


def test_croissant_is_generated_from_the_models_and_the_files(data):
    from libyadata import models
    from libyadata.schema import file_facts

    doc = json.loads((ROOT / croissant.OUTPUT).read_text(encoding="utf-8"))
    assert doc["@type"] == "sc:Dataset" and doc["version"] == __version__ and doc["license"]
    assert [rs["name"] for rs in doc["recordSet"]] == list(models.TABLES)
    for rs, file in zip(doc["recordSet"], doc["distribution"]):
        model = models.TABLES[rs["name"]]
        assert [f["name"] for f in rs["field"]] == list(model.columns)
        assert [k["@id"] for k in rs["key"]] == [f"{model.table}/{k}" for k in model.primary_key]
        assert file["sha256"] == file_facts(ROOT / "datapackage" / f"data/{model.table}.csv")[1][7:]


def test_mlcroissant_rejects_a_broken_description(mlc, tmp_path):
    doc = json.loads((ROOT / croissant.OUTPUT).read_text(encoding="utf-8"))
    broken = copy.deepcopy(doc)
    del broken["name"]
    broken["recordSet"][1]["field"][0]["dataType"] = "sc:NoSuchType"
    path = tmp_path / "croissant.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(mlc.ValidationError):
        mlc.Dataset(jsonld=str(path))


# --- Web Annotation -----------------------------------------------------------------------


OA = "http://www.w3.org/ns/oa#"


@pytest.fixture(scope="module")
def collection(data):
    return webanno.collection(data)


def spans(data):
    return [r for name in data for r in data.table(name) if name != "sources" and getattr(r, "quote", None)]


def test_one_annotation_per_evidence_span(collection, data):
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == len(spans(data))
    assert len({a["id"] for a in items}) == len(items)
    assert {a["target"]["source"] for a in items} == {webanno.ni_uri(s.sha256) for s in data.sources}


def _value(node, key):
    return node[OA + key][0]["@value"]


def test_annotations_expand_offline_and_reanchor_in_the_text(collection, data, capsys):
    expanded = webanno.expand(collection)
    items = expanded[0]["http://www.w3.org/ns/activitystreams#first"][0][
        "http://www.w3.org/ns/activitystreams#items"][0]["@list"]
    assert len(items) == len(spans(data))
    text = data.source_text()
    for a in items:
        assert a["@type"] == [OA + "Annotation"]
        target = a[OA + "hasTarget"][0]
        selectors = {s["@type"][0][len(OA):]: s for s in target[OA + "hasSelector"]}
        quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
        exact = _value(quote, "exact")
        start, end = int(_value(position, "start")), int(_value(position, "end"))
        assert text[start:end] == exact  # code points: Python str offsets
        prefix = _value(quote, "prefix") if OA + "prefix" in quote else ""
        suffix = _value(quote, "suffix") if OA + "suffix" in quote else ""
        # the quote selector alone finds the same place, and only it
        assert [i + len(prefix) for i in occurrences(text, prefix + exact + suffix)] == [start]
    # the command writes the same document
    assert cli.main(["annotations"]) == 0
    assert json.loads(capsys.readouterr().out) == collection


def test_the_document_loader_serves_only_the_vendored_context():
    from pyld.jsonld import JsonLdError

    doc = webanno.document_loader("https://www.w3.org/ns/anno.jsonld")["document"]
    assert doc["@context"]["TextQuoteSelector"] == "oa:TextQuoteSelector"
    with pytest.raises(JsonLdError):
        webanno.expand({"@context": "https://example.org/context.jsonld", "id": "x"})


def test_annotation_offsets_are_code_points_not_utf16(tmp_path):
    from libyadata import site
    from site_fixtures import TEXT, dataset

    synthetic = dataset(tmp_path)
    source = synthetic.sources[0]
    for key, r in webanno._spans(synthetic):
        a = webanno.annotation(key, r, source, "2020-01-01T00:00:00Z")
        position = a["target"]["selector"][1]
        assert TEXT[position["start"]:position["end"]] == r.quote
    astral = next(r for _, r in webanno._spans(synthetic) if "\U0001D400" in r.quote)
    assert site.utf16_offsets(TEXT)[astral.char_end] == astral.char_end + 2  # UTF-16 would differ


# --- package metadata and README ----------------------------------------------------------


def test_project_urls():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert set(urls) >= {"Homepage", "Source", "Issues", "Documentation", "Changelog"}
    assert all(u.startswith("https://github.com/libyadata/libyadata") for u in urls.values())


def test_readme_has_no_relative_link():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)", readme) + re.findall(r"""(?:src|href)=["']([^"']+)""", readme)
    assert links
    relative = [u for u in links if not re.match(r"^(https?://|#|mailto:)", u)]
    assert relative == []
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", readme)
    assert images and all(u.startswith("https://raw.githubusercontent.com/libyadata/libyadata/") for u in images)
    for u in links:  # every link into this repository names a file that exists
        m = re.match(r"https://(?:github\.com/libyadata/libyadata/blob|raw\.githubusercontent\.com/libyadata/"
                     r"libyadata)/main/(.+)$", u)
        if m:
            assert (ROOT / m.group(1).split("#")[0]).exists(), u


def test_doctests():
    import doctest

    for module in (webanno, croissant, datacard):
        assert doctest.testmod(module).failed == 0, module.__name__
