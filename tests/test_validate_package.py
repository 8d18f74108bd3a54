"""``libyadata.validate.package``: which resources a descriptor may declare, which files belong, each declared
file's ``bytes`` and ``hash`` against its bytes, ``parquet/`` against a base package, and the source texts
read once each, checked against sources.csv (path, size caps, sha256, UTF-8, char_count) and none uncited.

The functions are called one by one on the shipped descriptor or on packages written in ``tmp_path``;
the whole validator's corpus (tests/test_validate_corpus.py) is not repeated here.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pytest

from libyadata import models
from libyadata.resources import datapackage_dir
from libyadata.validate import descriptor, package, reading, run, safety, structure
from libyadata.validate.columns import Checked
from libyadata.validate.report import Report
from libyadata.validate.safety import Limits

SHIPPED = json.loads((datapackage_dir() / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [package.table_path(m) for m in models.MODELS]
SHA_ABC = hashlib.sha256(b"abc").hexdigest()


def shipped() -> dict:
    return copy.deepcopy(SHIPPED)


def index_of(desc: dict, name: str) -> int:
    return next(i for i, r in enumerate(desc["resources"]) if r["name"] == name)


def problems(report: Report) -> list[tuple]:
    return [(p.type, p.file, p.row, p.field) for p in report.problems]


def tree(root: Path, contents: dict[str, bytes]) -> dict[str, Path]:
    """Write ``contents`` under ``root`` and return the files as the validator's walk finds them."""
    for rel, data in contents.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    walked = Report(str(root))
    files = safety.walk(root, walked, Limits())
    assert walked.problems == []
    return files


def with_tables(**extra: bytes) -> dict[str, bytes]:
    return {"datapackage.json": b"{}", **{t: b"x\n" for t in TABLES}, **extra}


# --- table_path and _first_difference ----------------------------------------------------


def test_a_table_lives_at_data_slash_its_name_dot_csv():
    assert package.table_path(models.EventActor) == "data/event_actors.csv"
    assert TABLES[0] == "data/sources.csv" and len(set(TABLES)) == len(models.MODELS)


@pytest.mark.parametrize("got, want, where", [
    ({"fields": [{"name": "a", "type": "string"}]}, {"fields": [{"name": "a", "type": "integer"}]}, "fields[a].type"),
    ({"k": [1, 2, 3]}, {"k": [1, 9, 3]}, "k[1]"),
    ({"k": [1, 5]}, {"k": [1, 2, 3]}, "k"),  # lists of other lengths: the list itself, not an item
    ({"a": 1, "extra": 2}, {"a": 1}, "extra"),  # a key only the contribution has
    ({}, {"a": {"b": 1}}, "a"),
    ("x", {"a": 1}, "(top level)"),
])
def test_first_difference_names_the_innermost_place_by_field_name(got, want, where):
    assert package._first_difference(got, want) == where


# --- check_descriptor ---------------------------------------------------------------------


def test_the_shipped_descriptor_declares_every_table_and_its_text_without_a_problem():
    report = Report("pkg")
    declared = package.check_descriptor(shipped(), report)
    assert report.problems == []
    assert sorted(declared) == sorted(TABLES + ["sources/future-center-2017-08-28.txt"])
    assert declared["data/events.csv"]["name"] == "events"


@pytest.mark.parametrize("resources", [None, {"events": {}}, "data/events.csv"])
def test_resources_that_are_not_a_list_are_one_error_and_nothing_declared(resources):
    report = Report("pkg")
    desc = {"resources": resources} if resources is not None else {}
    assert package.check_descriptor(desc, report) is None  # declares nothing: the files are not judged by it
    assert problems(report) == [("package-error", "datapackage.json", None, None)]
    assert "'resources' must be a list" in report.problems[0].message


def test_a_resource_that_is_not_an_object_or_has_no_string_name_is_skipped():
    desc = shipped()
    events = index_of(desc, "events")
    desc["resources"][events] = ["events"]
    desc["resources"].append({"name": 7, "path": "data/events.csv"})
    report = Report("pkg")
    declared = package.check_descriptor(desc, report)
    messages = [p.message for p in report.problems]
    assert f"resources[{events}] must be an object" in messages
    assert f"resources[{len(desc['resources']) - 1}].name must be a string" in messages
    # neither counts as the events resource: the table is missing from the descriptor, its path undeclared
    assert any("lacks the resource 'events'" in m for m in messages)
    assert "data/events.csv" not in declared and len(messages) == 3


def test_a_resource_name_used_twice_is_an_error():
    desc = shipped()
    desc["resources"].append(copy.deepcopy(desc["resources"][index_of(desc, "motives")]))
    report = Report("pkg")
    package.check_descriptor(desc, report)
    assert [p.message for p in report.problems] == [
        f"resources[{len(desc['resources']) - 1}]: resource name 'motives' is used twice"]


def test_inline_data_is_an_error_but_the_resource_still_declares_its_path():
    desc = shipped()
    i = index_of(desc, "claims")
    desc["resources"][i]["data"] = [{"claim_id": "c1"}]
    report = Report("pkg")
    declared = package.check_descriptor(desc, report)
    assert problems(report) == [("package-error", "datapackage.json", None, None)]
    assert report.problems[0].message == f"resources[{i}] (claims) holds inline data; resources must be files"
    assert "data/claims.csv" in declared


@pytest.mark.parametrize("path, why", [("../events.csv", "leaves the package"), ("/etc/passwd", "absolute"),
                                       ("https://example.org/e.csv", "URL"), (None, "not a non-empty string")])
def test_an_unsafe_resource_path_is_an_unsafe_path_on_its_field_and_not_declared(path, why):
    desc = shipped()
    i = index_of(desc, "events")
    desc["resources"][i]["path"] = path
    report = Report("pkg")
    declared = package.check_descriptor(desc, report)
    assert problems(report) == [("unsafe-path", "datapackage.json", None, f"resources[{i}].path")]
    assert why in report.problems[0].message
    assert path not in declared and "data/events.csv" not in declared


def test_a_table_declared_at_another_path_is_an_error_and_the_other_path_is_not_declared():
    desc = shipped()
    i = index_of(desc, "events")
    desc["resources"][i]["path"] = "data/events2.csv"
    report = Report("pkg")
    declared = package.check_descriptor(desc, report)
    assert problems(report) == [("package-error", "datapackage.json", None, f"resources[{i}].path")]
    assert report.problems[0].message == ("resource 'events' must have path 'data/events.csv', not "
                                          "'data/events2.csv'")
    assert "data/events2.csv" not in declared and "data/events.csv" not in declared


def test_a_schema_other_than_the_generated_one_names_where_it_first_differs():
    desc = shipped()
    i = index_of(desc, "events")
    field = desc["resources"][i]["schema"]["fields"][1]
    field["type"] = "any"
    report = Report("pkg")
    declared = package.check_descriptor(desc, report)
    assert problems(report) == [("package-error", "datapackage.json", None, f"resources[{i}].schema")]
    assert f"(at fields[{field['name']}].type)" in report.problems[0].message
    assert "run `libyadata schema`" in report.problems[0].message
    assert "data/events.csv" in declared  # the file is still read and checked against the models


@pytest.mark.parametrize("path", ["sources/sub/x.txt", "sources/x.md", "data/x.txt", "notes.txt", "sourcesx/a.txt"])
def test_a_resource_that_is_neither_a_table_nor_a_text_under_sources_is_an_error(path):
    desc = shipped()
    desc["resources"].append({"name": "extra", "path": path})
    report = Report("pkg")
    declared = package.check_descriptor(desc, report)
    assert problems(report) == [("package-error", "datapackage.json", None, None)]
    assert "is not a table of the models nor a source text under sources/" in report.problems[0].message
    assert path not in declared


def test_a_second_source_text_under_sources_is_declared():
    desc = shipped()
    desc["resources"].append({"name": "second", "path": "sources/second.txt"})
    report = Report("pkg")
    assert "sources/second.txt" in package.check_descriptor(desc, report)
    assert report.problems == []


def test_every_table_missing_from_the_descriptor_is_named():
    desc = shipped()
    desc["resources"] = [r for r in desc["resources"] if r["name"] not in ("motives", "mentions")]
    report = Report("pkg")
    package.check_descriptor(desc, report)
    assert [p.message for p in report.problems] == [
        "the descriptor lacks the resource 'motives'; run `libyadata schema`",
        "the descriptor lacks the resource 'mentions'; run `libyadata schema`"]


# --- descriptor_checks --------------------------------------------------------------------


def test_no_descriptor_declares_nothing_and_reports_nothing():
    report = Report("pkg")
    assert package.descriptor_checks(None, {}, report) is None and report.problems == []


def test_resources_are_refused_above_the_cap_and_accepted_at_it():
    at_cap = {"resources": [{"name": f"r{i}", "path": f"sources/r{i}.txt"}
                            for i in range(descriptor.MAX_RESOURCES)]}
    report = Report("pkg")
    declared = package.descriptor_checks(at_cap, {}, report)
    assert declared is not None and len(declared) == descriptor.MAX_RESOURCES
    assert "size-limit" not in {p.type for p in report.problems}
    at_cap["resources"].append({"name": "one-more", "path": "sources/one-more.txt"})
    report = Report("pkg")
    assert package.descriptor_checks(at_cap, {}, report) is None
    assert problems(report) == [("size-limit", "datapackage.json", None, None)]
    assert f"declares {descriptor.MAX_RESOURCES + 1} resources" in report.problems[0].message


def test_the_whole_descriptor_is_compared_with_the_generated_one_only_when_its_resources_are_sound(package_copy):
    files = safety.walk(package_copy, Report("pkg"), Limits())
    desc = shipped()
    desc["title"] = "Something else"
    report = Report("pkg")
    assert package.descriptor_checks(desc, files, report) is not None
    assert [(p.type, p.field) for p in report.problems] == [("package-error", "/title")]
    # with a resource fault, the pinned comparison (which would name /title) does not run
    desc["resources"][index_of(desc, "claims")]["data"] = []
    report = Report("pkg")
    declared = package.descriptor_checks(desc, files, report)
    assert [p.field for p in report.problems] == [None] and "inline data" in report.problems[0].message
    assert "data/claims.csv" in declared


def test_the_descriptor_checks_keep_the_callers_error_cap():
    report = Report("pkg", max_errors=1)
    package.descriptor_checks({"resources": []}, {}, report)
    assert len(report.problems) == 1 and report.dropped == len(models.MODELS) - 1


# --- declared_sha256 ----------------------------------------------------------------------


def test_a_sha256_hash_gives_its_hex_digits_in_lower_case():
    report = Report("pkg")
    assert package.declared_sha256({"hash": "sha256:" + SHA_ABC.upper()}, report, 3) == SHA_ABC
    assert report.problems == []


@pytest.mark.parametrize("value, phrase, field", [
    (None, "resources[4].hash is missing; run `libyadata schema`", "resources[4].hash"),
    ("", "resources[4].hash is empty; run `libyadata schema`", "resources[4].hash"),
    (64, "resources[4].hash must be a string", None),
    (["sha256:" + SHA_ABC], "resources[4].hash must be a string", None),
])
def test_a_missing_empty_or_non_string_hash_is_a_package_error(value, phrase, field):
    report = Report("pkg")
    resource = {} if value is None else {"hash": value}
    assert package.declared_sha256(resource, report, 4) is None
    assert problems(report) == [("package-error", "datapackage.json", None, field)]
    assert report.problems[0].message == phrase


@pytest.mark.parametrize("value", [
    hashlib.md5(b"abc").hexdigest(),  # a bare hash is MD5 in the spec
    "md5:" + hashlib.md5(b"abc").hexdigest(),
    SHA_ABC,  # the right digits without their algorithm
    "SHA256:" + SHA_ABC,
    "sha256:sha256:" + SHA_ABC,
    "sha512:" + hashlib.sha512(b"abc").hexdigest(),
    "sha256:" + SHA_ABC[:-1],
    "sha256:" + SHA_ABC + "0",
    "sha256:" + SHA_ABC[:-1] + "g",
    "sha256:" + SHA_ABC + "\n",
])
def test_only_sha256_colon_and_64_hex_digits_is_accepted(value):
    report = Report("pkg")
    assert package.declared_sha256({"hash": value}, report, 0) is None
    assert problems(report) == [("package-error", "datapackage.json", None, "resources[0].hash")]
    assert report.problems[0].message.startswith("resources[0].hash must be 'sha256:' and 64 hex digits, not ")


def test_a_long_malformed_hash_is_quoted_in_80_characters():
    report = Report("pkg")
    package.declared_sha256({"hash": "md5:" + "z" * 500}, report, 0)
    assert f"not {('md5:' + 'z' * 76)!r};" in report.problems[0].message


# --- check_bytes_and_hash ------------------------------------------------------------------


def _facts(rel: str = "data/events.csv", **resource) -> Report:
    report = Report("pkg")
    package.check_bytes_and_hash(rel, resource, 2, 3, SHA_ABC, report)
    return report


def test_bytes_and_hash_that_match_the_file_are_no_problem():
    assert _facts(bytes=3, hash="sha256:" + SHA_ABC).problems == []
    assert _facts(bytes=3, hash="sha256:" + SHA_ABC.upper()).problems == []


def test_a_stale_size_is_a_byte_count_on_the_file():
    report = _facts(bytes=4, hash="sha256:" + SHA_ABC)
    assert problems(report) == [("byte-count", "data/events.csv", None, None)]
    assert report.problems[0].message == ("data/events.csv has 3 bytes but the descriptor says 4; "
                                          "run `libyadata schema`")


@pytest.mark.parametrize("value", [3.0, "3", True, [3]])
def test_a_size_equal_in_value_but_not_an_integer_is_a_byte_count(value):
    report = Report("pkg")
    package.check_bytes_and_hash("data/x.csv", {"bytes": value, "hash": "sha256:" + SHA_ABC}, 0,
                                 1 if value is True else 3, SHA_ABC, report)
    assert [p.type for p in report.problems] == ["byte-count"]


def test_a_missing_size_is_a_package_error_on_its_field():
    report = _facts(hash="sha256:" + SHA_ABC)
    assert problems(report) == [("package-error", "datapackage.json", None, "resources[2].bytes")]
    assert report.problems[0].message == "resources[2].bytes is missing; run `libyadata schema`"


def test_a_stale_hash_is_a_hash_count_quoting_both_digests():
    other = hashlib.sha256(b"abd").hexdigest()
    report = _facts(bytes=3, hash="sha256:" + other)
    assert problems(report) == [("hash-count", "data/events.csv", None, None)]
    assert report.problems[0].message == (f"data/events.csv has sha256:{SHA_ABC} but the descriptor says "
                                          f"sha256:{other}; run `libyadata schema`")


def test_an_md5_hash_of_the_right_bytes_is_refused_and_not_compared():
    report = _facts(bytes=3, hash="md5:" + hashlib.md5(b"abc").hexdigest())
    assert [p.type for p in report.problems] == ["package-error"]


def test_a_resource_with_neither_size_nor_hash_reports_both_and_compares_nothing():
    report = _facts()
    assert [(p.type, p.field) for p in report.problems] == [("package-error", "resources[2].hash"),
                                                            ("package-error", "resources[2].bytes")]


# --- check_files ---------------------------------------------------------------------------


def test_tables_and_declared_texts_are_readable_and_the_descriptor_is_not(tmp_path):
    files = tree(tmp_path, with_tables(**{"sources/a.txt": b"text"}))
    report = Report("pkg")
    readable = package.check_files(tmp_path, files, {"sources/a.txt": {}}, report, None)
    assert readable == set(TABLES) | {"sources/a.txt"} and report.problems == [] and report.notes == []


def test_a_file_no_resource_declares_is_forbidden(tmp_path):
    files = tree(tmp_path, with_tables(**{"sources/a.txt": b"text", "README.md": b"hi", "data/x.csv": b"a\n"}))
    report = Report("pkg")
    readable = package.check_files(tmp_path, files, {}, report, None)
    assert sorted(problems(report)) == [("forbidden-file", rel, None, None)
                                        for rel in ("README.md", "data/x.csv", "sources/a.txt")]
    assert all("only datapackage.json, data/<table>.csv and the source texts the descriptor declares" in p.message
               for p in report.problems)
    assert readable == set(TABLES)


def test_without_a_usable_descriptor_only_top_level_texts_under_sources_are_read(tmp_path):
    files = tree(tmp_path, with_tables(**{"sources/a.txt": b"a", "sources/sub/b.txt": b"b", "sources/c.md": b"c"}))
    report = Report("pkg")
    readable = package.check_files(tmp_path, files, None, report, None)
    assert readable == set(TABLES) | {"sources/a.txt"}
    assert sorted(problems(report)) == [("forbidden-file", "sources/c.md", None, None),
                                        ("forbidden-file", "sources/sub/b.txt", None, None)]


@pytest.mark.parametrize("rel, head, kind", [
    ("data/events.csv", b"PK\x03\x04rest", "zip archive"),  # a table the models want, but binary
    ("sources/a.txt", b"\x89HDF\r\n", "HDF5"),
    ("data/events.parquet", b"event_id\n", "Parquet"),  # by its name alone
    ("data/notes.csv", b"a,b\x00c\n", "binary"),  # a NUL in the first 16 bytes
])
def test_a_binary_file_is_refused_and_never_readable_even_when_declared(tmp_path, rel, head, kind):
    files = tree(tmp_path, with_tables(**{rel: head}))
    report = Report("pkg")
    readable = package.check_files(tmp_path, files, {rel: {}}, report, None)
    assert problems(report) == [("forbidden-file", rel, None, None)]
    assert report.problems[0].message.startswith(f"{rel}: binary file ({kind}) refused, never parsed")
    assert rel not in readable


def test_a_declared_file_and_a_table_that_are_absent_are_each_missing(tmp_path):
    contents = with_tables()
    del contents["data/motives.csv"]
    files = tree(tmp_path, contents)
    report = Report("pkg")
    package.check_files(tmp_path, files, {"sources/gone.txt": {}, "data/motives.csv": {}}, report, None)
    assert [(p.type, p.file, p.message) for p in report.problems] == [
        ("missing-file", "data/motives.csv", "data/motives.csv is missing: every table of the models must be present"),
        ("missing-file", "sources/gone.txt", "sources/gone.txt is missing: the descriptor declares it")]


def test_generated_files_without_a_base_are_counted_in_a_note_not_read(tmp_path):
    files = tree(tmp_path, with_tables(**{"parquet/events.parquet": b"PAR1x", "parquet/datapackage.json": b"{}",
                                          "parquet/sub/anything.csv": b"a\n"}))
    report = Report("pkg")
    readable = package.check_files(tmp_path, files, {}, report, None)
    assert report.problems == [] and readable == set(TABLES)
    assert report.notes == ["parquet/: 3 generated file(s) not parsed (pass --base to require them unchanged)"]


@pytest.mark.parametrize("rel", ["parquet", "parquetx/a.csv", "data/parquet/a.csv"])
def test_only_the_top_level_parquet_folder_is_generated(tmp_path, rel):
    files = tree(tmp_path, with_tables(**{rel: b"a\n"}))
    report = Report("pkg")
    package.check_files(tmp_path, files, {}, report, None)
    assert problems(report) == [("forbidden-file", rel, None, None)] and report.notes == []


def _base_and_contribution(tmp_path: Path, base: dict[str, bytes], ours: dict[str, bytes]):
    tree(tmp_path / "base", with_tables(**base))
    return tmp_path / "base", tree(tmp_path / "pr", with_tables(**ours))


def test_generated_files_equal_to_the_base_are_accepted(tmp_path):
    same = {"parquet/events.parquet": b"PAR1 same", "parquet/datapackage.json": b"{}"}
    base, files = _base_and_contribution(tmp_path, same, same)
    report = Report("pkg")
    package.check_files(tmp_path / "pr", files, {}, report, base)
    assert report.problems == []
    assert report.notes == ["parquet/: 2 generated file(s) not parsed; compared with the base package"]


def test_a_generated_file_the_base_lacks_or_has_otherwise_is_forbidden(tmp_path):
    base, files = _base_and_contribution(
        tmp_path, {"parquet/events.parquet": b"PAR1 base"},
        {"parquet/events.parquet": b"PAR1 ours", "parquet/new.parquet": b"PAR1 new"})
    report = Report("pkg")
    package.check_files(tmp_path / "pr", files, {}, report, base)
    assert [(p.type, p.file) for p in report.problems] == [("forbidden-file", "parquet/events.parquet"),
                                                           ("forbidden-file", "parquet/new.parquet")]
    assert "differs from the base package's; generated binary files are never accepted" in report.problems[0].message
    assert "is a generated file that the base package does not have" in report.problems[1].message


@pytest.mark.parametrize("removed", [["parquet/events.parquet"], ["parquet/events.parquet", "parquet/datapackage.json"]])
def test_a_generated_file_of_the_base_that_the_contribution_removes_is_missing(tmp_path, removed):
    # Deleting the Parquet files (one, or the whole folder) is a change to them as much as editing one.
    base_files = {"parquet/events.parquet": b"PAR1 same", "parquet/datapackage.json": b"{}"}
    base, files = _base_and_contribution(tmp_path, base_files,
                                         {k: v for k, v in base_files.items() if k not in removed})
    report = Report("pkg")
    package.check_files(tmp_path / "pr", files, {}, report, base)
    assert [(p.type, p.file) for p in report.problems] == [("missing-file", rel) for rel in sorted(removed)]
    assert all("the base package has it, and a contribution leaves the generated files as they are" in p.message
               for p in report.problems)


def test_a_base_whose_generated_file_is_a_link_counts_as_not_having_it(tmp_path):
    base, files = _base_and_contribution(tmp_path, {}, {"parquet/events.parquet": b"PAR1 same"})
    (tmp_path / "elsewhere.parquet").write_bytes(b"PAR1 same")
    (base / "parquet").mkdir()
    (base / "parquet" / "events.parquet").symlink_to(tmp_path / "elsewhere.parquet")
    report = Report("pkg")
    package.check_files(tmp_path / "pr", files, {}, report, base)
    assert [p.file for p in report.problems] == ["parquet/events.parquet"]
    assert "the base package does not have" in report.problems[0].message
    assert report.notes == ["parquet/: 1 generated file(s) not parsed; compared with the base package"]


# --- source_texts --------------------------------------------------------------------------

HEADER = list(models.Source.columns)


def source_row(sid: str, text_path: str, data: bytes | None, char_count: int | str | None = None,
               sha256: str | None = None) -> dict[str, str]:
    sha = sha256 if sha256 is not None else hashlib.sha256(data or b"").hexdigest()
    if char_count is None:
        char_count = len((data or b"").decode("utf-8", "replace"))
    return {"source_id": sid, "title": "T", "publisher": "P", "publisher_basis": "", "published": "2017-08-28",
            "language": "en", "url": "https://example.org/a", "text_path": text_path, "sha256": sha,
            "char_count": str(char_count), "rights": "R", "notes": ""}


def sources_package(root: Path, rows: list[dict[str, str]], texts: dict[str, bytes]):
    """(files, raw, checked) of a package holding ``texts`` and a sources.csv of ``rows``, parsed as the validator does."""
    out = Path(root / "data" / "sources.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    files = tree(root, texts)
    parsing = Report("pkg")
    raw = structure.read_table(out, "data/sources.csv", models.Source, reading.scan(out), parsing, Limits())
    assert raw is not None
    return files, raw, run.field_checks(parsing, raw, Limits())


def texts_of(tmp_path, rows, texts, declared=None, limits=None):
    files, raw, checked = sources_package(tmp_path, rows, texts)
    report = Report("pkg")
    got = package.source_texts(tmp_path, files, raw, checked, declared or {}, report, limits or Limits())
    return got, report


def test_each_source_id_gets_its_decoded_text_under_its_normalised_id(tmp_path):
    a, b = "Ünïcode text\n".encode(), b"second\n"
    got, report = texts_of(tmp_path, [source_row("Alpha", "sources/a.txt", a), source_row("beta", "sources/b.txt", b)],
                           {"sources/a.txt": a, "sources/b.txt": b})
    assert report.problems == []
    assert got == {"alpha": a.decode(), "beta": "second\n"}


def test_rows_citing_one_text_share_one_decoded_copy(tmp_path):
    data = b"shared text\n"
    got, report = texts_of(tmp_path, [source_row(f"s{i}", "sources/a.txt", data) for i in range(3)],
                           {"sources/a.txt": data})
    assert report.problems == [] and sorted(got) == ["s0", "s1", "s2"]
    assert got["s0"] is got["s1"] is got["s2"]


def test_a_text_path_that_is_not_in_the_package_is_a_source_text_error_on_its_row(tmp_path):
    got, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", b"x"), source_row("b", "sources/gone.txt", b"x")],
                           {"sources/a.txt": b"x"})
    assert problems(report) == [("source-text-error", "data/sources.csv", 3, "text_path")]
    assert report.problems[0].cell == "sources/gone.txt"
    assert report.problems[0].message == "sources/gone.txt is missing or not a regular file inside the package"
    assert list(got) == ["a"]


@pytest.mark.parametrize("path, why", [("../a.txt", "leaves the package"), ("/etc/passwd", "absolute"),
                                       ("sources/.a.txt", "hidden")])
def test_an_unsafe_text_path_is_never_opened(tmp_path, path, why):
    got, report = texts_of(tmp_path, [source_row("a", path, b"x")], {})
    assert problems(report) == [("source-text-error", "data/sources.csv", 2, "text_path")]
    assert report.problems[0].message.startswith("text_path ") and why in report.problems[0].message
    assert got == {}


def test_a_text_the_descriptor_does_not_declare_is_a_package_error_but_is_still_read(tmp_path):
    got, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", b"x")], {"sources/a.txt": b"x"},
                           declared={"data/sources.csv": {}})
    assert problems(report) == [("package-error", "datapackage.json", None, None)]
    assert report.problems[0].message == ("the source text sources/a.txt is not declared in the descriptor; run "
                                          "`libyadata schema`")
    assert got == {"a": "x"}


def test_a_text_whose_sha256_differs_from_its_row_is_not_used(tmp_path):
    data = b"the article\n"
    got, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", data, sha256="0" * 64)],
                           {"sources/a.txt": data})
    assert problems(report) == [("source-text-error", "data/sources.csv", 2, "sha256")]
    assert report.problems[0].message == (f"sources/a.txt has sha256 {hashlib.sha256(data).hexdigest()} but "
                                          f"sources.csv says {'0' * 64}; evidence of this source is not checked")
    assert got == {}


def test_a_text_that_is_not_utf8_is_named_with_its_first_bad_byte(tmp_path):
    data = b"caf\xe9 au lait"
    got, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", data, char_count=12)], {"sources/a.txt": data})
    assert problems(report) == [("source-text-error", "data/sources.csv", 2, "text_path")]
    assert report.problems[0].message == "sources/a.txt is not UTF-8 (byte 3)"
    assert got == {}


def test_a_wrong_hash_is_reported_before_the_encoding(tmp_path):
    data = b"caf\xe9"
    _, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", data, char_count=4, sha256="1" * 64)],
                         {"sources/a.txt": data})
    assert [p.field for p in report.problems] == ["sha256"]


def test_char_count_counts_code_points_and_a_wrong_one_still_keeps_the_text(tmp_path):
    data = "é€😀".encode()  # 3 code points, 9 bytes
    ok, report = texts_of(tmp_path / "ok", [source_row("a", "sources/a.txt", data, char_count=3)],
                          {"sources/a.txt": data})
    assert report.problems == [] and ok == {"a": "é€😀"}
    got, report = texts_of(tmp_path / "bad", [source_row("a", "sources/a.txt", data, char_count=len(data))],
                           {"sources/a.txt": data})
    assert problems(report) == [("source-text-error", "data/sources.csv", 2, "char_count")]
    assert report.problems[0].message == "sources/a.txt has 3 code points but char_count says 9"
    assert got == {"a": "é€😀"}  # the sha256 proved the bytes: its evidence can still be checked


def test_a_char_count_that_is_not_a_number_is_not_compared(tmp_path):
    # the field check reports the cell; the text itself is sound
    got, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", b"abc", char_count="many")],
                           {"sources/a.txt": b"abc"})
    assert report.problems == [] and got == {"a": "abc"}


def test_a_text_at_the_size_cap_is_read_and_one_byte_over_is_refused_once(tmp_path):
    data = b"x" * 100
    rows = [source_row("a", "sources/a.txt", data), source_row("b", "sources/a.txt", data)]
    got, report = texts_of(tmp_path / "at", rows, {"sources/a.txt": data}, limits=Limits(text_bytes=100))
    assert report.problems == [] and sorted(got) == ["a", "b"]
    got, report = texts_of(tmp_path / "over", rows, {"sources/a.txt": data}, limits=Limits(text_bytes=99))
    # one size-limit for the file, none per row citing it
    assert problems(report) == [("size-limit", "sources/a.txt", None, None)]
    assert report.problems[0].message == "sources/a.txt has more than 99 bytes; refused"
    assert got == {}


def test_the_texts_together_are_capped_counting_each_distinct_text_once(tmp_path):
    a, b = b"a" * 60, b"b" * 50
    rows = [source_row("a1", "sources/a.txt", a), source_row("a2", "sources/a.txt", a),
            source_row("b", "sources/b.txt", b)]
    texts = {"sources/a.txt": a, "sources/b.txt": b}
    got, report = texts_of(tmp_path / "fits", rows, texts, limits=Limits(texts_total_bytes=110))
    assert report.problems == [] and sorted(got) == ["a1", "a2", "b"]
    got, report = texts_of(tmp_path / "over", rows, texts, limits=Limits(texts_total_bytes=109))
    assert problems(report) == [("size-limit", "sources/b.txt", None, None)]
    assert report.problems[0].message == "sources/b.txt: the source texts together have more than 109 bytes; refused"
    assert sorted(got) == ["a1", "a2"]


class _ShrunkStat(type(Path())):
    """A path whose stat says the file is empty, as if it grew between the stat and the read."""

    def stat(self, *args, **kwargs):
        real = super().stat(*args, **kwargs)
        return type(real)((real.st_mode, 0, 0, 1, 0, 0, 0, 0, 0, 0))


def test_a_text_that_grew_past_the_cap_after_its_size_was_taken_is_refused(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"x" * 11)
    report, total = Report("pkg"), [0]
    got = package._load_text("sources/a.txt", _ShrunkStat(tmp_path / "a.txt"), Limits(text_bytes=10), total, report)
    assert got == (None, None, "")
    assert [p.message for p in report.problems] == ["sources/a.txt has more than 10 bytes; refused"]


def test_a_file_under_sources_that_no_row_cites_is_forbidden_unless_binary(tmp_path):
    texts = {"sources/a.txt": b"x", "sources/notes.txt": b"notes", "sources/sub/deep.txt": b"d",
             "sources/img.zip": b"PK\x03\x04"}
    got, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", b"x")], texts)
    # the zip archive is refused by check_files already; it is not reported a second time
    assert problems(report) == [("forbidden-file", "sources/notes.txt", None, None),
                                ("forbidden-file", "sources/sub/deep.txt", None, None)]
    assert report.problems[0].message.startswith("sources/notes.txt is not cited by any row of data/sources.csv")
    assert got == {"a": "x"}


def test_a_text_cited_only_by_a_row_that_fails_is_still_cited(tmp_path):
    _, report = texts_of(tmp_path, [source_row("a", "sources/a.txt", b"x", sha256="2" * 64)], {"sources/a.txt": b"x"})
    assert [p.type for p in report.problems] == ["source-text-error"]


def test_a_table_without_the_columns_that_locate_a_text_gives_no_texts_and_no_problem(tmp_path):
    files = tree(tmp_path, {"sources/a.txt": b"x"})
    table = pa.table({"source_id": pa.array(["a"]), "text_path": pa.array(["sources/a.txt"])})
    raw = structure.RawTable("data/sources.csv", models.Source, table, None, ["source_id", "text_path"])
    report = Report("pkg")
    assert package.source_texts(tmp_path, files, raw, Checked(), {}, report, Limits()) == {}
    assert report.problems == []


def test_rows_without_an_id_or_a_path_are_skipped_and_rows_keep_their_file_numbers(tmp_path):
    files = tree(tmp_path, {"sources/a.txt": b"x"})
    table = pa.table({"source_id": pa.array([None, "a", "b"], pa.string()),
                      "text_path": pa.array(["sources/a.txt", None, "sources/none.txt"], pa.string()),
                      "sha256": pa.array([None, None, None], pa.string())})
    # the rows are the file's records 5, 7 and 9 (blank or unreadable rows between them were dropped)
    raw = structure.RawTable("data/sources.csv", models.Source, table, pa.array([5, 7, 9]).to_numpy(),
                             ["source_id", "text_path", "sha256"])
    report = Report("pkg")
    assert package.source_texts(tmp_path, files, raw, Checked(), {}, report, Limits()) == {}
    assert problems(report) == [("source-text-error", "data/sources.csv", 9, "text_path")]


@pytest.mark.parametrize("descriptor", ["{}", '{"resources": {}}', '{"resources": null}'])
def test_a_descriptor_without_a_list_of_resources_is_one_error(package_copy, descriptor):
    # It declares nothing: the source texts are not then "not part of the package" as well.
    from libyadata.validate import validate_package

    (package_copy / "datapackage.json").write_text(descriptor, encoding="utf-8")
    report = validate_package(package_copy)
    assert [(p.type, p.file, p.message) for p in report.problems] == [
        ("package-error", "datapackage.json", "'resources' must be a list of resources")]
