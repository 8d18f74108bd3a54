"""``libyadata.snapshots``: a package, release directory or git revision read into memory, safely.

Asserts the canonical cell form beyond the doctests; which file a resource is read from and
what is refused on the way (binary files, links, paths out of the package, broken or oversized
descriptors and schemas, checksums that do not match, checked before parsing); what a git
revision yields (committed links and Parquet never taken, revision names never passed as
options, the temporary copy gone after success and failure); and the retired ids of a history.
Every package and repository is made in tmp_path. (tests/test_diff.py covers the diff built
on these and the path rules of descriptor resource paths.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from libyadata import snapshots as S
from libyadata.errors import DataError, LibyadataError

FIELDS = [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "x", "type": "number"},
          {"name": "d", "type": "date"}, {"name": "note", "type": "string"}]
SCHEMA = {"fields": FIELDS, "primaryKey": ["id"]}
CSV = "id,n,x,d,note\n007,007,3.0,2017-08-14, 3.0 \nb,-0,1e3,14/08/2017,\n"


def make_package(root: Path, csv: str | bytes = CSV, *, path: str = "data/t.csv", schema=None,
                 name: str = "t") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    resource = {"name": name, "path": path, "schema": SCHEMA if schema is None else schema}
    desc = {"name": "p", "version": "1.0.0", "resources": [resource]}
    (root / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    if csv is not None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(csv.encode() if isinstance(csv, str) else csv)
    return root


def read_error(*args, **kwargs) -> DataError:
    with pytest.raises(DataError) as err:
        S.read_package(*args, **kwargs)
    return err.value


# --- canonical cells and the small types -------------------------------------------------


@pytest.mark.parametrize("value, field_type, shown", [
    (True, None, "true"),                 # bool before int: True is an int too
    (False, "boolean", "false"),
    (7, None, "7"),
    (dt.datetime(2017, 8, 14, 9, 30), None, "2017-08-14T09:30:00"),
    (-0.0, None, "0"),
    (2.0 ** 53, None, "9007199254740992.0"),  # past exact integers a float keeps its float form
    (2.0 ** 53 - 1, None, "9007199254740991"),
    (float("nan"), None, "nan"),
    (float("-inf"), None, "-inf"),
    ("+5", "integer", "5"),
    ("-0", "integer", "0"),
    ("1e3", "number", "1000"),
    ("1.50", "number", "1.5"),
    ("abc", "integer", "abc"),            # unparseable: compared as written
    ("14/08/2017", "date", "14/08/2017"),
    ("", "integer", ""),
    ("3.0", "string", "3.0"),
    ("3.0", None, "3.0"),
    ([1, None, 2.0, True], None, "1||2|true"),
    (("x",), None, "x"),
])
def test_canonical_cell_forms(value, field_type, shown):
    assert S.canonical(value, field_type) == shown


def test_primary_key_and_version_accessors():
    def table(schema):
        return S.Table("t", schema, ("id",), {})

    assert table({"primaryKey": "id"}).primary_key == ("id",)
    assert table({"primaryKey": ["a", "b"]}).primary_key == ("a", "b")
    assert table({}).primary_key == () and table({"primaryKey": None}).primary_key == ()
    assert S.Package("x", {"version": "1.2.3"}, {}).version == "1.2.3"
    assert S.Package("x", {"version": 1.0}, {}).version is None
    assert S.Package("x", {}, {}).version is None
    assert S.key_text(("a", "b", "")) == "a / b / " and S.key_text(("a",)) == "a"


# --- reading a package directory ---------------------------------------------------------


def test_typed_cells_are_canonical_and_text_cells_stay_as_written(tmp_path):
    pkg = S.read_package(make_package(tmp_path / "pkg"))
    table = pkg.tables["t"]
    assert (table.name, table.file, table.header, pkg.label, pkg.version) == (
        "t", "data/t.csv", ("id", "n", "x", "d", "note"), str(tmp_path / "pkg"), "1.0.0")
    assert table.rows == {
        ("007",): {"id": "007", "n": "7", "x": "3", "d": "2017-08-14", "note": " 3.0 "},
        ("b",): {"id": "b", "n": "0", "x": "1000", "d": "14/08/2017", "note": ""},
    }


def test_without_a_primary_key_the_whole_row_is_the_key(tmp_path):
    root = make_package(tmp_path / "pkg", "a,b\n1,2\n1,3\n", schema={"fields": [{"name": "a"}, {"name": "b"}]})
    assert list(S.read_package(root).tables["t"].rows) == [("1", "2"), ("1", "3")]


def test_a_duplicate_composite_key_names_file_row_and_fields(tmp_path):
    root = make_package(tmp_path / "pkg", "a,b,c\nx,1,p\nx,2,q\nx,01,r\n",
                        schema={"fields": [{"name": "a"}, {"name": "b", "type": "integer"}, {"name": "c"}],
                                "primaryKey": ["a", "b"]})
    # 01 and 1 are one integer: the fourth line repeats the key of the second
    assert str(read_error(root)) == "data/t.csv, row 4, field a,b: duplicate primary key x / 1"


def test_the_descriptor_path_reads_its_folder(tmp_path):
    root = make_package(tmp_path / "pkg")
    pkg = S.read_package(root / "datapackage.json", label="named")
    assert pkg.label == "named" and pkg.tables["t"].rows == S.read_package(root).tables["t"].rows


def test_resources_that_are_not_tables_are_skipped(tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    resources = [None, 1, "x", [], {"name": "no-path", "schema": SCHEMA}, {"name": "no-schema", "path": "a.csv"}]
    (root / "datapackage.json").write_text(json.dumps({"resources": resources}), encoding="utf-8")
    assert S.read_package(root).tables == {}


@pytest.mark.parametrize("where, why", [
    ("nowhere", "does not exist"),
    ("file.txt", "is not a directory"),
])
def test_a_folder_that_is_not_one(tmp_path, where, why):
    (tmp_path / "file.txt").write_text("x")
    err = read_error(tmp_path / where)
    assert str(err) == f"{tmp_path / where}: not a usable package folder: {str(tmp_path / where)!r} {why}"


@pytest.mark.parametrize("data, message", [
    (b"[]", "a descriptor must be a JSON object with a 'resources' list"),
    (b'{"resources": {"name": "t"}}', "a descriptor must be a JSON object with a 'resources' list"),
    (b"\xff{}", "not valid JSON: 'utf-8' codec can't decode byte 0xff in position 0"),
    (b"[" * 100_000, "not valid JSON: maximum recursion depth exceeded"),  # hostile nesting
    (b'{"resources": [', "not valid JSON: Expecting value"),
], ids=["list", "resources-object", "not-utf8", "deep-nesting", "truncated"])
def test_an_unusable_descriptor_is_a_data_error(tmp_path, data, message):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "datapackage.json").write_bytes(data)
    err = read_error(root)
    assert err.file == str(root / "datapackage.json")
    assert str(err).startswith(f"{root / 'datapackage.json'}: {message}")


def test_a_descriptor_of_the_limit_is_read_and_one_byte_more_is_refused_unparsed(tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    padded = b'{"resources": []' + b" " * (S.DESCRIPTOR_LIMIT - 17) + b"}"
    assert len(padded) == S.DESCRIPTOR_LIMIT
    (root / "datapackage.json").write_bytes(padded)
    assert S.read_package(root).tables == {}
    (root / "datapackage.json").write_bytes(padded + b" ")
    err = read_error(root)
    assert str(err) == f"{root / 'datapackage.json'}: 'datapackage.json' is larger than {S.DESCRIPTOR_LIMIT} bytes; refused"


@pytest.mark.parametrize("schema, message", [
    ({"fields": {"id": {}}}, "schema of resource 't': fields must be a list"),
    ({"fields": ["id"]}, "schema of resource 't': fields[0] must be an object with a string name"),
    ({"fields": [{"name": "id"}, {"name": 3}]}, "schema of resource 't': fields[1] must be an object with a string name"),
    ({"fields": [{"name": "id"}], "primaryKey": 5},
     "schema of resource 't': primaryKey must be a field name or a list of them"),
    ({"fields": [{"name": "id"}], "primaryKey": ["id", 1]},
     "schema of resource 't': primaryKey must be a field name or a list of them"),
    ([{"name": "id"}], "schema of resource 't' must be an object"),
])
def test_a_malformed_schema_names_its_resource(tmp_path, schema, message):
    err = read_error(make_package(tmp_path / "pkg", "id\na\n", schema=schema))
    assert (err.file, err.message) == ("datapackage.json", message)


def test_a_schema_file_is_read_inside_the_package_only(tmp_path):
    root = make_package(tmp_path / "pkg", schema="schema/t.json")
    (root / "schema").mkdir()
    (root / "schema" / "t.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    assert S.read_package(root).tables["t"].rows[("007",)]["n"] == "7"  # its types were applied

    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(SCHEMA), encoding="utf-8")
    (root / "schema" / "t.json").unlink()
    (root / "schema" / "t.json").symlink_to(outside)
    err = read_error(root)
    assert err.file == "schema/t.json"
    assert err.message == ("schema of resource 't' cannot be read: 'schema/t.json' goes through a symbolic link; "
                           "links are never followed: commit the file")

    desc = json.loads((root / "datapackage.json").read_text())
    desc["resources"][0]["schema"] = "../outside.json"
    (root / "datapackage.json").write_text(json.dumps(desc))
    assert str(read_error(root)) == ("datapackage.json: resource path '../outside.json' leaves the package ('..'); "
                                     "it must stay inside the package")


@pytest.mark.parametrize("head", [b"PAR1", b"id\x00,n", b"\x00"])
def test_a_binary_file_under_a_csv_name_is_not_parsed(tmp_path, head):
    err = read_error(make_package(tmp_path / "pkg", head + b"\nrest,1\n"))
    assert err.file == "data/t.csv"
    assert err.message.startswith("data/t.csv is a binary (Parquet) file: not read from a package that may be "
                                  "untrusted; pass --read-parquet")


def test_a_nul_after_the_first_bytes_is_a_cell_like_any_other(tmp_path):
    root = make_package(tmp_path / "pkg", "id,note\nabcdefgh,x\x00y\n",
                        schema={"fields": [{"name": "id"}, {"name": "note"}], "primaryKey": "id"})
    assert S.read_package(root).tables["t"].rows == {("abcdefgh",): {"id": "abcdefgh", "note": "x\x00y"}}


@pytest.mark.parametrize("suffix", [".parquet", ".pq", ".arrow", ".feather", ".PARQUET"])
def test_a_binary_suffix_is_refused_whatever_the_content(tmp_path, suffix):
    err = read_error(make_package(tmp_path / "pkg", CSV, path=f"data/t{suffix}"))
    assert err.message.startswith(f"data/t{suffix} is a binary (Parquet) file: not read")


@pytest.mark.parametrize("found", ["tables/x.csv", "t.csv", "data/t.csv", "parquet/t.csv"])
def test_a_resource_whose_declared_file_is_gone_is_read_from_its_csv_namesake(tmp_path, found):
    root = make_package(tmp_path / "pkg", None, path="tables/x.tsv")
    (root / found).parent.mkdir(parents=True, exist_ok=True)
    (root / found).write_text(CSV)
    assert S.read_package(root).tables["t"].file == found


def test_a_parquet_namesake_is_not_a_candidate_without_binary(tmp_path):
    root = make_package(tmp_path / "pkg", None, path="data/t.csv")
    (root / "t.parquet").write_bytes(b"PAR1")
    assert str(read_error(root)) == "data/t.csv: file of resource 't' is missing"


def test_a_namesake_that_is_a_link_is_refused_not_skipped(tmp_path):
    root = make_package(tmp_path / "pkg", None, path="data/gone.csv")
    secret = tmp_path / "secret.csv"
    secret.write_text("id,n,x,d,note\nSECRET,1,1,2017-01-01,x\n")
    (root / "data").mkdir()
    (root / "data" / "t.csv").symlink_to(secret)
    err = read_error(root)
    assert err.file == "datapackage.json"
    assert err.message == ("resource path 'data/t.csv' goes through a symbolic link; links are never followed: "
                           "commit the file; refused")


def test_a_declared_path_that_is_a_folder_is_refused(tmp_path):
    root = make_package(tmp_path / "pkg", None)
    (root / "data" / "t.csv").mkdir(parents=True)
    assert read_error(root).message == "resource path 'data/t.csv' is a folder; refused"


def test_a_cell_over_the_csv_field_limit_is_a_data_error(tmp_path):
    root = make_package(tmp_path / "pkg", "id,n,x,d,note\na,1,1,2017-01-01," + "x" * 200_000 + "\n")
    assert str(read_error(root)) == "data/t.csv: not readable CSV: field larger than field limit (131072)"


# Past the first 8 KiB the offset was once counted from the start of a read chunk.
@pytest.mark.parametrize("before", [0, 10_000, 100_000])
def test_invalid_utf8_names_its_byte_in_the_file(tmp_path, before):
    data = CSV.encode() + b"".join(b"b,1,1,2017-01-01,%s\n" % (b"x" * 80) for _ in range(before // 100))
    data += b"c,1,1,2017-01-01,caf\xe9\n"
    bad = data.index(b"\xe9")
    root = make_package(tmp_path / "pkg", data)
    assert str(read_error(root)) == f"data/t.csv: not valid UTF-8 at byte {bad}"


# --- release directories: SHA256SUMS and Parquet ----------------------------------------


def _sums(root: Path, text: str | bytes) -> None:
    (root / "SHA256SUMS").write_bytes(text.encode() if isinstance(text, str) else text)


def test_a_listed_file_with_its_sum_is_read_whatever_the_sum_file_style(tmp_path):
    root = make_package(tmp_path / "pkg")
    digest = hashlib.sha256(CSV.encode()).hexdigest()
    _sums(root, f"{'0' * 64}  other.csv\n{digest.upper()}  *data/t.csv\n")  # sha256sum -b, upper case
    assert set(S.read_package(root).tables["t"].rows) == {("007",), ("b",)}


def test_a_file_the_sums_do_not_list_is_read_unchecked(tmp_path):
    root = make_package(tmp_path / "pkg")
    _sums(root, f"{'0' * 64}  data/other.csv\n")
    assert set(S.read_package(root).tables["t"].rows) == {("007",), ("b",)}


def test_a_wrong_sum_is_found_before_the_file_is_parsed(tmp_path):
    ragged = "id,n,x,d,note\na,1\n"  # a parse error, if it were parsed
    root = make_package(tmp_path / "pkg", ragged)
    actual = hashlib.sha256(ragged.encode()).hexdigest()
    _sums(root, f"{'1' * 64}  *data/t.csv\n")
    assert str(read_error(root)) == f"data/t.csv: sha256 is {actual}, but SHA256SUMS line 1 says {'1' * 64}"


def test_an_unreadable_sum_file_is_refused(tmp_path):
    root = make_package(tmp_path / "pkg")
    _sums(root, b"\xff\xfe  data/t.csv\n")
    err = read_error(root)
    assert err.file == "SHA256SUMS" and err.message.startswith("cannot be read: 'utf-8' codec can't decode")
    (root / "SHA256SUMS").unlink()
    (root / "SHA256SUMS").symlink_to(tmp_path / "elsewhere")
    assert read_error(root).message == ("resource path 'SHA256SUMS' goes through a symbolic link; links are never "
                                        "followed: commit the file; refused")


def test_parquet_values_become_the_csv_text_forms(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    root = tmp_path / "release"
    fields = FIELDS + [{"name": "tags", "type": "array"}]
    make_package(root, None, path="t.parquet", schema={"fields": fields, "primaryKey": ["id"]})
    pq.write_table(pa.table({
        "id": ["a", "b"], "n": pa.array([7, None], pa.int64()), "x": [3.0, 0.25],
        "d": pa.array([dt.date(2017, 8, 14), None], pa.date32()), "note": ["", None],
        "tags": pa.array([["p", "q"], []], pa.list_(pa.string())),
    }), root / "t.parquet")
    assert S.read_package(root, binary=True).tables["t"].rows == {
        ("a",): {"id": "a", "n": "7", "x": "3", "d": "2017-08-14", "note": "", "tags": "p|q"},
        ("b",): {"id": "b", "n": "", "x": "0.25", "d": "", "note": "", "tags": ""},
    }


def test_a_parquet_duplicate_is_numbered_by_record_not_by_line(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    root = make_package(tmp_path / "release", None, path="t.parquet",
                        schema={"fields": [{"name": "id"}], "primaryKey": "id"})
    pq.write_table(pa.table({"id": ["a", "b", "a"]}), root / "t.parquet")
    # Parquet has no header line: its third record is row 3 (in a CSV file it would be row 4)
    assert str(read_error(root, binary=True)) == "t.parquet, row 3, field id: duplicate primary key a"


# --- git revisions -----------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def _new_repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "-q")
    make_package(root / "datapackage")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    git(root, "tag", "-a", "v1", "-m", "first")
    return root


@pytest.fixture()
def repo(tmp_path) -> Path:
    """A repository of one commit, for a test that commits more."""
    return _new_repo(tmp_path / "repo")


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory) -> Path:
    """The same repository, for the tests that only read it."""
    return _new_repo(tmp_path_factory.mktemp("shared") / "repo")


def commit_resource(repo: Path, name: str, path: str, make) -> None:
    desc_path = repo / "datapackage" / "datapackage.json"
    desc = json.loads(desc_path.read_text())
    desc["resources"].append({"name": name, "path": path, "schema": {"fields": [{"name": "id"}]}})
    desc_path.write_text(json.dumps(desc))
    make(repo / "datapackage" / path)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"add {name}")


def test_a_revision_is_read_with_its_commit_and_label(shared_repo):
    repo = shared_repo
    pkg = S.read_revision(repo, "v1")
    commit = git(repo, "rev-parse", "HEAD")
    assert pkg.revision == commit and pkg.label == f"v1 ({commit[:12]})"
    assert pkg.tables["t"].rows == S.read_package(repo / "datapackage").tables["t"].rows


def test_a_committed_link_is_never_taken_from_a_revision(repo, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("id\nSECRET\n")
    commit_resource(repo, "leak", "data/leak.csv", lambda p: p.symlink_to(secret))
    assert str(read_error_of_revision(repo)) == "data/leak.csv: file of resource 'leak' is missing"


def test_committed_parquet_is_never_taken_from_a_revision(repo):
    commit_resource(repo, "bin", "data/bin.parquet", lambda p: p.write_bytes(b"PAR1 hostile bytes PAR1"))
    assert str(read_error_of_revision(repo)) == "data/bin.parquet: file of resource 'bin' is missing"


def test_a_committed_link_as_descriptor_is_no_descriptor(repo, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text('{"resources": []}')
    desc = repo / "datapackage" / "datapackage.json"
    desc.unlink()
    desc.symlink_to(outside)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    commit = git(repo, "rev-parse", "HEAD")
    with pytest.raises(LibyadataError) as err:
        S.read_revision(repo, "HEAD")
    assert str(err.value) == f"revision HEAD ({commit[:12]}) has no datapackage/datapackage.json"


def read_error_of_revision(repo: Path) -> DataError:
    with pytest.raises(DataError) as err:
        S.read_revision(repo, "HEAD")
    return err.value


def test_the_temporary_copy_is_gone_after_success_and_after_failure(repo, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    S.read_revision(repo, "HEAD")
    assert list(scratch.iterdir()) == []
    csv = repo / "datapackage" / "data" / "t.csv"
    csv.write_text(CSV + "b,1,1,2017-01-01,again\n")
    git(repo, "commit", "-qam", "duplicate")
    assert str(read_error_of_revision(repo)) == "data/t.csv, row 4, field id: duplicate primary key b"
    assert list(scratch.iterdir()) == []


def test_a_revision_resolves_to_its_commit_not_its_tag_object(shared_repo):
    repo = shared_repo
    commit = git(repo, "rev-parse", "HEAD")
    assert git(repo, "rev-parse", "v1") != commit  # an annotated tag is an object of its own
    assert S.resolve_revision(repo, "v1") == commit
    assert S.resolve_revision(repo, "HEAD~0") == commit


# "HEAD\n" passed the name check once (a "$" matches before a final newline).
@pytest.mark.parametrize("rev", ["", "-h", "--output=/tmp/x", "HEAD x", "HEAD\nx", "HEAD\n", "$(id)", "HEAD;id", "a`b`"])
def test_an_unusable_revision_name_never_reaches_git(tmp_path, monkeypatch, rev):
    def no_git(*args):
        raise AssertionError(f"git ran with {args}")

    monkeypatch.setattr(S, "_git", no_git)
    with pytest.raises(LibyadataError) as err:
        S.resolve_revision(tmp_path, rev)
    assert str(err.value) == f"{rev!r} is not a directory, and not a usable git revision name"


@pytest.mark.parametrize("rev", ["HEAD:datapackage", "HEAD:datapackage/datapackage.json", "no-such-branch"])
def test_a_name_that_is_no_commit_is_refused(shared_repo, rev):
    with pytest.raises(LibyadataError) as err:
        S.resolve_revision(shared_repo, rev)
    assert str(err.value) == f"{rev!r} is neither a directory nor a commit of the git repository at {shared_repo}"


def test_a_folder_that_is_no_repository_is_refused(tmp_path):
    with pytest.raises(LibyadataError, match=r"^'HEAD' is neither a directory nor a commit of the git repository"):
        S.read_revision(tmp_path, "HEAD")


def test_without_git_a_revision_is_a_libyadata_error(shared_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without git
    with pytest.raises(LibyadataError) as err:
        S.read_revision(shared_repo, "HEAD")
    assert str(err.value) == "'HEAD' is not a directory, and git, which would read it as a revision, is not installed"


@pytest.mark.parametrize("target", ["datapackage", "datapackage/datapackage.json", "nowhere"])
def test_a_link_is_read_as_a_folder_and_refused_even_when_its_name_is_a_revision(shared_repo, tmp_path,
                                                                                   monkeypatch, target):
    # A link to a file or to nothing is not a directory, yet it must not fall through to git,
    # where HEAD would read the committed package instead of refusing the link.
    monkeypatch.chdir(tmp_path)
    os.symlink(shared_repo / target, "HEAD")
    with pytest.raises(DataError) as err:
        S.open_side("HEAD", shared_repo)
    assert err.value.message == ("not a usable package folder: 'HEAD' is a symbolic link; links are never "
                                 "followed: commit the folder itself")


def test_a_side_named_by_its_descriptor_is_that_directory(shared_repo):
    descriptor = shared_repo / "datapackage" / "datapackage.json"
    side = S.open_side(descriptor, shared_repo)
    assert side.revision is None and side.label == str(descriptor)
    assert set(side.tables["t"].rows) == {("007",), ("b",)}


def test_retired_ids_keep_the_commit_that_removed_them_and_their_last_record(repo):
    csv = repo / "datapackage" / "data" / "t.csv"
    lines = CSV.splitlines(keepends=True)
    csv.write_text(lines[0] + lines[1] + "b,2,2,2017-01-01,edited\nc,3,3,2017-01-01,\n")
    git(repo, "commit", "-qam", "edit b, add c")
    edited = git(repo, "rev-parse", "HEAD")
    csv.write_text(lines[0] + lines[1])
    git(repo, "commit", "-qam", "remove b and c")
    removed = git(repo, "rev-parse", "HEAD")
    csv.write_text(lines[0] + lines[1] + "c,3,3,2017-01-01,\n")
    git(repo, "commit", "-qam", "c is back")
    tables = S.read_revision(repo, "HEAD").tables
    assert S.retired_ids(repo, "HEAD", tables) == {
        "t": {("b",): (removed, {"id": "b", "n": "2", "x": "2", "d": "2017-01-01", "note": "edited"})}}
    assert S.retired_ids(repo, edited, tables) == {"t": {}}  # the history stops at the revision
