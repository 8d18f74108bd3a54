"""libyadata diff and the snapshots it compares: every kind of change, bump rule, input form, failure."""

from __future__ import annotations

import doctest
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from libyadata import cli
from libyadata import diff as D
from libyadata.errors import DataError, LibyadataError
from libyadata.resources import repository_root

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
BASE = FIXTURES / "base"


def kinds(d: D.Diff) -> set[str]:
    return {c.kind for c in d.changes}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_doctests():
    from libyadata import snapshots

    for module in (D, snapshots):
        result = doctest.testmod(module)
        assert result.attempted >= 2 and result.failed == 0, module.__name__


def test_identical_packages_need_no_bump():
    d = D.diff(BASE, BASE)
    assert d.changes == [] and d.bump == "none"
    assert d.required_version == "1.0.0" and d.version_ok is True
    assert "no changes" in D.render_text(d)


# --- one fixture per bump rule -----------------------------------------------------


def test_patch_corrected_value_and_descriptive_metadata():
    d = D.diff(BASE, FIXTURES / "patch")
    assert d.bump == "patch" and d.required_version == "1.0.1" and d.version_ok
    assert kinds(d) == {"metadata", "field_metadata", "records_changed"}
    items = d.tables["items"]
    assert items.changed == [(("bolt-m6",), {"name": ("M6 bolt", "M6 hex bolt")})]
    assert not items.added and not items.removed


def test_minor_new_records_new_resource_looser_constraints():
    d = D.diff(BASE, FIXTURES / "minor")
    assert d.bump == "minor" and d.required_version == "1.1.0" and d.version_ok
    assert d.tables["items"].added == [("sandpaper",)]
    messages = {c.message for c in d.changes}
    assert "resource `tags` added" in messages
    assert "field `name`: maxLength `50` -> `80` (loosened)" in messages
    assert "field `name`: required dropped (loosened)" in messages
    assert 'field `kind`: enum grown; added `["consumable"]` (loosened)' in messages
    assert {c.bump for c in d.changes} == {"minor"}


def test_major_schema_changes_each_named():
    d = D.diff(BASE, FIXTURES / "major-schema")
    assert d.bump == "major" and d.required_version == "2.0.0" and d.version_ok
    by_kind = {c.kind: c for c in d.changes}
    assert by_kind["field_renamed"].message == "field `name` renamed to `label`"
    assert by_kind["field_removed"].field == "notes"
    assert by_kind["field_added"].field == "colour"
    assert by_kind["fields_reordered"].message == "fields reordered: id, kind, size -> id, size, kind"
    assert by_kind["field_retyped"].message == "field `size`: type integer -> number"
    tightened = {c.message for c in d.changes if c.kind == "constraint_tightened"}
    assert tightened == {
        'field `id`: pattern `"^[a-z0-9-]+$"` -> `"^[a-z][a-z0-9-]*$"` (tightened)',
        "field `size`: minimum `0` -> `1` (tightened)",
        'field `kind`: enum shrunk; removed `["kit"]` (tightened)',
    }
    # retyping integer -> number does not make 3 and 3.0 look like a changed value
    assert d.tables["items"].changed == [(("starter-kit",), {"kind": ("kit", "part")})]


def test_major_tightened_constraints():
    d = D.diff(BASE, FIXTURES / "tightened")
    assert [(c.bump, c.message) for c in d.changes] == [
        ("major", "field `name`: maxLength `50` -> `20` (tightened)"),
        ("major", "field `size`: maximum `null` -> `100` (tightened)"),
        ("major", "field `size`: required added (tightened)"),
        ("major", "field `notes`: maxLength `null` -> `100` (tightened)"),
    ]


def test_major_removed_record_and_repurposed_id_with_too_low_version():
    d = D.diff(BASE, FIXTURES / "records-removed")
    assert d.bump == "major" and d.required_version == "2.0.0"
    assert d.version_ok is False
    assert d.tables["items"].removed == [("bolt-m6",)]
    repurposed = [c for c in d.changes if c.kind == "id_repurposed"]
    assert [c.message for c in repurposed] == [
        "id starter-kit kept but the record now means something else (ids are never reused: give it a new id)"]


def test_loosening_is_the_reverse_of_tightening():
    d = D.diff(FIXTURES / "tightened", BASE)
    assert {c.bump for c in d.changes} == {"minor"}
    assert {c.kind for c in d.changes} == {"constraint_loosened"}


@pytest.mark.parametrize("old, new, bump", [
    (None, ["a"], "major"), (["a"], None, "minor"), (["a", "b"], ["b", "a"], "patch"),
    (["a"], ["a", "b"], "minor"), (["a", "b"], ["a", "c"], "major"),
])
def test_enum_rules(old, new, bump):
    c = D._constraint_change("t", "f", "enum", old, new)
    assert c.bump == bump


@pytest.mark.parametrize("key, old, new, bump", [
    ("minimum", 0, 1, "major"), ("minimum", 1, 0, "minor"), ("minimum", None, 0, "major"),
    ("minimum", 0, None, "minor"), ("maxLength", 50, 40, "major"), ("maxLength", 40, 50, "minor"),
    ("maximum", None, 9, "major"), ("maximum", 9, None, "minor"), ("minLength", 1, 2, "major"),
    ("pattern", None, "^a$", "major"), ("pattern", "^a$", "^b$", "major"), ("pattern", "^a$", None, "minor"),
    ("required", None, True, "major"), ("required", True, False, "minor"), ("unique", None, True, "major"),
    ("minimum", "2017-01-01", "2016-01-01", "minor"), ("minimum", 0, "a", "major"),
])
def test_bound_and_flag_rules(key, old, new, bump):
    assert D._constraint_change("t", "f", key, old, new).bump == bump


def test_absent_and_false_required_are_the_same():
    assert D._constraint_change("t", "f", "required", None, False) is None


def test_package_and_resource_rules():
    base = json.loads((BASE / "datapackage.json").read_text())
    renamed = {**base, "name": "other"}
    assert [c.bump for c in D.compare_package_metadata(base, renamed)] == ["major"]
    assert [c.bump for c in D.compare_package_metadata(base, {**base, "keywords": ["x"]})] == ["patch"]
    assert D.compare_package_metadata(base, {**base, "version": "9.0.0", "created": "2030-01-01"}) == []
    no_items = {**base, "resources": []}
    assert [(c.bump, c.kind) for c in D.compare_resources(base, no_items)] == [("major", "resource_removed")]
    moved = json.loads(json.dumps(base))
    moved["resources"][0]["path"] = "tables/items.csv"
    moved["resources"][0]["bytes"] = 10
    assert [(c.bump, c.kind) for c in D.compare_resources(base, moved)] == [("none", "relocated")]
    new_pk = json.loads(json.dumps(base))
    new_pk["resources"][0]["schema"]["primaryKey"] = ["id", "name"]
    new_pk["resources"][0]["schema"]["foreignKeys"] = [{"fields": ["id"], "reference": {"fields": ["id"]}}]
    assert {(c.bump, c.kind) for c in D.compare_resources(base, new_pk)} == {
        ("major", "primary_key"), ("major", "constraint_tightened")}
    assert {(c.bump, c.kind) for c in D.compare_resources(new_pk, base)} == {
        ("major", "primary_key"), ("minor", "constraint_loosened")}


def test_changed_primary_key_stops_record_matching(tmp_path):
    new = _copy(BASE, tmp_path / "new")
    desc = json.loads((new / "datapackage.json").read_text())
    desc["resources"][0]["schema"]["primaryKey"] = ["name"]
    (new / "datapackage.json").write_text(json.dumps(desc))
    d = D.diff(BASE, new)
    assert not d.tables["items"].compared
    assert "records_not_compared" in kinds(d) and d.bump == "major"


def test_versions():
    assert [D.next_version("1.4.2", b) for b in D.BUMPS] == ["1.4.2", "1.4.3", "1.5.0", "2.0.0"]
    assert D.version_key("2.0.0") > D.version_key("2.0.0-rc.1") > D.version_key("1.9.9")
    with pytest.raises(LibyadataError, match="'1.0' is not a semantic version"):
        D.version_key("1.0")


# --- outputs ------------------------------------------------------------------------


def test_text_output_lists_records_and_reasons():
    text = D.render_text(D.diff(BASE, FIXTURES / "records-removed"))
    assert text.splitlines()[:2] == [
        f"libyadata diff: {BASE} [1.0.0] -> {FIXTURES / 'records-removed'} [1.1.0]",
        "required bump: major (NEW's version must be at least 2.0.0); NEW has 1.1.0: TOO LOW",
    ]
    assert "  - bolt-m6" in text
    assert "      name: 'Starter kit' -> 'Garden hose'" in text


def test_markdown_output_for_a_pull_request():
    md = D.render_markdown(D.diff(BASE, FIXTURES / "minor"))
    assert md.startswith("### libyadata diff: `1.0.0` → `1.1.0`\n")
    assert "**Required bump: minor** (at least `1.1.0`); NEW's version `1.1.0` meets it." in md
    assert "| `items` | 1 | 0 | 0 | 3 |" in md
    assert "| `tags` | – | – | – | 1 |" in md
    assert "Added: `sandpaper`" in md
    too_low = D.render_markdown(D.diff(BASE, FIXTURES / "records-removed"))
    assert "**is too low**" in too_low
    assert "| `starter-kit` | `name` | `Starter kit` | `Garden hose` |" in too_low
    assert "| `starter-kit` | `notes` | *(empty)* | `Green` |" in too_low


def test_markdown_escapes_pipes_and_backticks_in_cells():
    assert D._code("a|b", in_table=True) == "`a\\|b`"
    assert D._code("use `x`") == "``use `x```" or D._code("use `x`") == "`` use `x` ``"
    assert D._code("line\nbreak") == "`line\\nbreak`"


def test_json_output_is_complete():
    data = json.loads(D.render_json(D.diff(BASE, FIXTURES / "patch")))
    assert data["bump"] == "patch" and data["required_version"] == "1.0.1" and data["version_ok"] is True
    assert data["tables"]["items"]["changed"] == [
        {"key": {"id": "bolt-m6"}, "fields": {"name": {"old": "M6 bolt", "new": "M6 hex bolt"}}}]
    assert {"bump": "patch", "kind": "metadata", "message": "package title changed"} in data["changes"]


# --- the command ---------------------------------------------------------------------


def test_cli_formats_and_check_version(capsys):
    code, out, _ = run_cli(capsys, str(BASE), str(FIXTURES / "minor"), "--format", "json")
    assert code == 0 and json.loads(out)["bump"] == "minor"
    code, out, _ = run_cli(capsys, str(BASE), str(FIXTURES / "minor"), "--check-version", "--format", "markdown")
    assert code == 0 and out.startswith("### libyadata diff")
    code, out, err = run_cli(capsys, str(BASE), str(FIXTURES / "records-removed"), "--check-version")
    assert code == 1
    assert err == ("libyadata diff: NEW's version 1.1.0 is lower than the major bump requires: at least 2.0.0\n")
    # without --check-version a too-low version is reported, not failed
    code, out, _ = run_cli(capsys, str(BASE), str(FIXTURES / "records-removed"))
    assert code == 0 and "TOO LOW" in out


def test_cli_check_version_needs_versions(capsys, tmp_path):
    new = _copy(BASE, tmp_path / "new")
    desc = json.loads((new / "datapackage.json").read_text())
    del desc["version"]
    (new / "datapackage.json").write_text(json.dumps(desc))
    code, _, err = run_cli(capsys, str(BASE), str(new), "--check-version")
    assert code == 2
    assert err == "libyadata diff: error: --check-version: NEW has no version in its datapackage.json\n"


# --- bad input -------------------------------------------------------------------------


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def test_not_a_package(capsys, tmp_path):
    code, _, err = run_cli(capsys, str(tmp_path), str(BASE))
    assert code == 2
    assert err == f"libyadata diff: error: {tmp_path}: no datapackage.json here: not a data package directory\n"


def test_unknown_revision_and_option_like_revision(capsys):
    code, _, err = run_cli(capsys, "no-such-thing-anywhere", str(BASE))
    assert code == 2 and "'no-such-thing-anywhere' is neither a directory nor a commit" in err
    with pytest.raises(LibyadataError, match="not a usable git revision name"):
        D.open_side("--output=/tmp/x")
    with pytest.raises(LibyadataError, match="not a usable git revision name"):
        D.open_side("HEAD; rm -rf /")


@pytest.mark.parametrize("path, message", [
    ("../outside.csv", "resource path '../outside.csv' leaves the package"),
    ("/etc/passwd", "resource path '/etc/passwd' is absolute"),
    ("https://example.org/items.csv", "resource path 'https://example.org/items.csv' is a URL"),
    ("data/../data/items.csv", "resource path 'data/../data/items.csv' leaves the package"),
    ("data\\items.csv", "uses backslashes"),
    ("C:/items.csv", "is absolute"),
    ("data/absent.csv", "data/absent.csv: file of resource 'absent' is missing"),
])
def test_resource_paths_are_confined(tmp_path, path, message):
    pkg = _copy(BASE, tmp_path / "pkg")
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"][0]["path"] = path
    desc["resources"][0]["name"] = "absent"  # so that no file of the same name stands in
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(DataError, match=message.replace("?", r"\?")):
        D.read_package(pkg)


def test_symlink_out_of_the_package_is_refused(tmp_path):
    pkg = _copy(BASE, tmp_path / "pkg")
    (tmp_path / "secret.csv").write_text("id\nx\n")
    (pkg / "data" / "items.csv").unlink()
    (pkg / "data" / "items.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(DataError, match="goes through a symbolic link"):
        D.read_package(pkg)


def test_duplicate_key_and_missing_key_column(tmp_path):
    pkg = _copy(BASE, tmp_path / "pkg")
    csv = pkg / "data" / "items.csv"
    csv.write_text(csv.read_text() + "hammer,Another hammer,tool,4,\n")
    with pytest.raises(DataError) as err:
        D.read_package(pkg)
    assert str(err.value) == "data/items.csv, row 5, field id: duplicate primary key hammer"
    csv.write_text("name,kind\nx,tool\n")
    with pytest.raises(DataError) as err:
        D.read_package(pkg)
    assert str(err.value) == "data/items.csv, row 1: primary key field(s) id missing from the header"


def test_invalid_descriptor(tmp_path):
    pkg = _copy(BASE, tmp_path / "pkg")
    (pkg / "datapackage.json").write_text("{not json")
    with pytest.raises(DataError, match="datapackage.json: not valid JSON"):
        D.read_package(pkg)


# --- release directories with Parquet files ---------------------------------------------


def _parquet_release(dest: Path, package: Path, edit=None) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    dest.mkdir()
    desc = json.loads((package / "datapackage.json").read_text())
    for res in desc["resources"]:
        header, *rows = [line.split(",") for line in (package / res["path"]).read_text().splitlines()]
        cols = {h: [r[i] or None for r in rows] for i, h in enumerate(header)}
        if "size" in cols:
            cols["size"] = [int(v) for v in cols["size"]]
        if edit:
            edit(cols)
        pq.write_table(pa.table(cols), dest / f"{res['name']}.parquet")
        res["path"] = f"{res['name']}.parquet"
        res["format"] = "parquet"
    (dest / "datapackage.json").write_text(json.dumps(desc))
    return dest


def test_parquet_release_matches_its_csv_package(tmp_path):
    release = _parquet_release(tmp_path / "release", BASE)
    d = D.diff(BASE, release, binary=True)
    assert d.bump == "none"
    assert kinds(d) == {"relocated"}
    assert all(td.empty for td in d.tables.values())


def test_parquet_release_value_change_is_seen(tmp_path):
    def edit(cols):
        cols["size"][0] = 4

    d = D.diff(BASE, _parquet_release(tmp_path / "release", BASE, edit), binary=True)
    assert d.tables["items"].changed == [(("hammer",), {"size": ("3", "4")})]


def test_release_whose_descriptor_still_names_csv_paths(tmp_path):
    release = _parquet_release(tmp_path / "release", BASE)
    desc = json.loads((release / "datapackage.json").read_text())
    desc["resources"][0]["path"] = "data/items.csv"  # only items.parquet exists
    (release / "datapackage.json").write_text(json.dumps(desc))
    assert D.read_package(release, binary=True).tables["items"].file == "items.parquet"


def test_bad_parquet_file_is_named(tmp_path):
    release = _parquet_release(tmp_path / "release", BASE)
    (release / "items.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match="items.parquet: not a readable Parquet file"):
        D.read_package(release, binary=True)


def test_parquet_is_never_parsed_without_read_parquet(tmp_path, capsys):
    """A contribution's Parquet file (a 270 KB one made diff use 6 GB) is refused, not parsed."""
    release = _parquet_release(tmp_path / "release", BASE)
    with pytest.raises(DataError, match="binary .Parquet. file: not read"):
        D.read_package(release)
    code, _, err = run_cli(capsys, str(BASE), str(release))
    assert code == 2 and "pass --read-parquet" in err
    code, out, _ = run_cli(capsys, str(BASE), str(release), "--read-parquet")
    assert code == 0


# --- git revisions and the history of ids -----------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture()
def repo(tmp_path) -> Path:
    """A repository whose datapackage/ is BASE, then loses bolt-m6, then gets a new title."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(BASE, root / "datapackage")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    git(root, "tag", "v1")
    csv = root / "datapackage" / "data" / "items.csv"
    csv.write_text("".join(line for line in csv.read_text().splitlines(True) if not line.startswith("bolt-m6")))
    git(root, "commit", "-q", "-am", "two: remove bolt-m6")
    desc = root / "datapackage" / "datapackage.json"
    desc.write_text(desc.read_text().replace('"Fixture items"', '"Fixture items, renamed"'))
    git(root, "commit", "-q", "-am", "three")
    return root


def test_revisions_on_both_sides(repo):
    d = D.diff("v1", "HEAD", repo=repo)
    assert d.tables["items"].removed == [("bolt-m6",)]
    assert kinds(d) == {"records_removed", "metadata"}
    assert d.old.revision == git(repo, "rev-parse", "v1")
    assert d.old.label.startswith("v1 (")


def test_revision_against_directory(repo):
    d = D.diff("HEAD", repo / "datapackage", repo=repo)
    assert d.changes == []


def test_revision_without_package(repo):
    git(repo, "rm", "-rq", "datapackage")
    git(repo, "commit", "-qm", "gone")
    with pytest.raises(LibyadataError, match="has no datapackage/datapackage.json"):
        D.diff("HEAD", BASE, repo=repo)


def test_removed_id_back_with_another_meaning_is_flagged(repo, tmp_path):
    new = _copy(repo / "datapackage", tmp_path / "new")
    with open(new / "data" / "items.csv", "a") as f:
        f.write("bolt-m6,Garden hose,part,25,Green\n")
    d = D.diff("HEAD", new, repo=repo)
    reused = [c for c in d.changes if c.kind == "id_reused"]
    assert len(reused) == 1 and reused[0].bump == "major"
    assert reused[0].message.startswith("id bolt-m6 was removed in ")
    assert reused[0].message.endswith("and comes back with another meaning (ids are never reused: give it a new id)")


def test_removed_id_restored_unchanged_is_minor(repo, tmp_path):
    new = _copy(repo / "datapackage", tmp_path / "new")
    with open(new / "data" / "items.csv", "a") as f:
        f.write("bolt-m6,M6 bolt,part,1,Zinc plated\n")
    d = D.diff("HEAD", new, repo=repo)
    assert [c.kind for c in d.changes if c.kind.startswith("id_")] == ["id_restored"]
    assert d.bump == "minor"


def test_history_of_a_new_side_revision(repo, tmp_path):
    # OLD is a directory, NEW a revision: the past before NEW is read
    with open(repo / "datapackage" / "data" / "items.csv", "a") as f:
        f.write("bolt-m6,Garden hose,part,25,Green\n")
    git(repo, "commit", "-qam", "four: reuse")
    old = tmp_path / "old"
    subprocess.run(["git", "-C", str(repo), "archive", "HEAD~1", "datapackage", "-o", str(tmp_path / "a.tar")],
                   check=True)
    shutil.unpack_archive(tmp_path / "a.tar", old)
    d = D.diff(old / "datapackage", "HEAD", repo=repo)
    assert "id_reused" in kinds(d)


def test_without_history_a_reuse_goes_unnoticed(repo, tmp_path):
    """The documented limit: two directories carry no memory of removed ids."""
    new = _copy(repo / "datapackage", tmp_path / "new")
    with open(new / "data" / "items.csv", "a") as f:
        f.write("bolt-m6,Garden hose,part,25,Green\n")
    assert "id_reused" not in kinds(D.diff(repo / "datapackage", new, repo=repo))
    assert "id_reused" in kinds(D.diff(repo / "datapackage", new, repo=repo, history="HEAD"))


ROOT = repository_root()


@pytest.mark.skipif(ROOT is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_this_repository_at_head_against_itself():
    d = D.diff("HEAD", "HEAD")
    assert d.bump == "none" and d.changes == []
    assert set(d.tables) >= {"events", "actors", "event_actors"}
    assert len(d.old.tables["events"].rows) > 0


@pytest.mark.skipif(ROOT is None, reason="needs a source checkout")
def test_readme_example_is_the_real_output():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- BEGIN versions -->"):readme.index("<!-- END versions -->")]
    shown = section.split("```markdown\n", 1)[1].split("```\n", 1)[0]
    assert shown == D.render_markdown(D.diff(BASE, FIXTURES / "patch"))


def test_markdown_keeps_long_lists_short(monkeypatch):
    monkeypatch.setattr(D, "MARKDOWN_ROWS", 2)
    md = D.render_markdown(D.diff(BASE, FIXTURES / "records-removed"))
    assert "| `starter-kit` | `kind` | `kit` | `part` |" in md
    assert "`size`" not in md.split("#### `items`")[1]
    assert md.endswith("… and 2 changed fields not shown (see `--format json`)\n")


def test_release_checksums_are_verified_before_reading(tmp_path):
    import hashlib

    release = _parquet_release(tmp_path / "release", BASE)
    digest = hashlib.sha256((release / "items.parquet").read_bytes()).hexdigest()
    (release / "SHA256SUMS").write_text(f"{digest}  items.parquet\n")
    assert D.read_package(release, binary=True).tables["items"].file == "items.parquet"
    (release / "SHA256SUMS").write_text(f"{'0' * 64}  other.txt\n{'1' * 64}  items.parquet\n")
    with pytest.raises(DataError) as err:
        D.read_package(release, binary=True)
    assert str(err.value) == f"items.parquet: sha256 is {digest}, but SHA256SUMS line 2 says {'1' * 64}"


def test_csv_package_and_its_parquet_release_are_the_same_data(tmp_path):
    """Format adaptations of the Parquet descriptor are not data changes."""
    from libyadata import release
    from libyadata.diff import diff as run_diff
    from libyadata.resources import datapackage_dir

    built = release.make(tmp_path)
    d = run_diff(datapackage_dir(), built, binary=True)
    assert d.bump == "none" and d.version_ok
    assert {c.kind for c in d.changes} <= {"relocated", "not_distributed"}
