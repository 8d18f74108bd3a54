"""The data dictionary: complete, generated, and a failing check when it is out of date."""

from __future__ import annotations

import doctest
import re

import pytest

from libyadata import cli, docs, models, vocab
from libyadata.commands import docs as docs_command
from libyadata.resources import repository_root
from libyadata.schema import table_fields

ROOT = repository_root()


@pytest.fixture(scope="module")
def md() -> str:
    return docs.data_dictionary()


def section(md: str, heading: str) -> str:
    start = md.index(f"\n### `{heading}`\n")
    end = md.find("\n### ", start + 1)
    return md[start:end if end != -1 else None]


def test_doctests():
    assert doctest.testmod(docs).failed == 0


@pytest.mark.skipif(ROOT is None, reason="needs a source checkout")
def test_committed_dictionary_is_up_to_date():
    assert not docs.stale(ROOT), "run `libyadata docs` and commit what it writes"


def test_every_table_and_field_with_type_and_constraints(md):
    for model in models.MODELS:
        text = section(md, model.table)
        assert "Primary key: " + ", ".join(f"`{k}`" for k in model.primary_key) in text
        for fk in model.foreign_keys:
            assert f"[`{fk.resource}`](#{fk.resource})" in text
        rows = re.findall(r"^\| \d+ \| `([a-z0-9_]+)` \| (\w+) \| (yes|) \|", text, flags=re.M)
        expected = [(f["name"], f["type"], "yes" if f.get("constraints", {}).get("required") else "")
                    for f in table_fields(model)]
        assert rows == expected, model.table
    assert "| 3 | `role` | string | yes | one of [`event_role`](#event_role) |" in md
    assert "pattern `^[a-z0-9]+(-[a-z0-9]+)*$`, max length 100" in md
    # a pipe inside a pattern is escaped so that the table keeps its columns
    assert "pattern `^[^\\|]+(\\\\|[^\\|]+)*$`" in section(md, "actors")


def test_cross_field_rules_are_stated(md):
    assert "`day`: `date_start` = `date_end`" in section(md, "events")
    assert "ICD 203 band of `likelihood_text`" in section(md, "projections")
    assert "Rules across fields" not in section(md, "event_actors")


def test_every_vocabulary_value_with_its_meaning(md):
    for name, terms in vocab.VOCABULARIES.items():
        text = section(md, name)
        for value in terms:
            meaning = vocab.meaning(name, value).replace("|", "\\|")
            assert f"| `{value}` | {meaning}" in text, (name, value)


def test_event_types_carry_plover_and_cameo(md):
    text = section(md, "event_type")
    assert "| `visit` | An actor travels to another actor's territory or asset and is received there. " \
           "| CONSULT (mode visit) | 042 Make a visit |" in text
    assert "*Unmapped:* Neither PLOVER nor CAMEO codes appointments to office. | — | — |" in text


def test_icd203_bands(md):
    text = md[md.index("### Likelihood words (ICD 203)"):]
    for word, (low, high) in vocab.ICD203_BANDS.items():
        assert f"| {word} | {low:.2f} | {high:.2f} |" in text


def test_a_vocabulary_change_makes_it_stale(tmp_path, monkeypatch):
    assert docs.write(tmp_path) == [tmp_path / docs.OUTPUT]
    assert docs.write(tmp_path) == [] and not docs.stale(tmp_path)
    monkeypatch.setitem(vocab.EXCLUSION_REASONS, "heading", "A heading, reworded.")
    assert docs.stale(tmp_path) == [tmp_path / docs.OUTPUT]


def test_check_command_fails_when_out_of_date(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(docs_command, "require_repository", lambda: tmp_path)
    assert cli.main(["docs", "--check"]) == 1
    assert capsys.readouterr().err == "out of date: docs/data-dictionary.md (run: libyadata docs)\n"
    assert cli.main(["docs"]) == 0
    assert capsys.readouterr().out == "wrote docs/data-dictionary.md\n"
    assert cli.main(["docs", "--check"]) == 0
    assert capsys.readouterr().out == "the data dictionary and the cookbook are up to date\n"
    (tmp_path / "docs" / "data-dictionary.md").write_text("# edited by hand\n")
    assert cli.main(["docs", "--check"]) == 1


def test_the_cookbook_shows_what_its_first_answers_print_from_the_data(tmp_path, monkeypatch, capsys):
    # A correction of the data changes what an answer prints: `libyadata docs` writes the new
    # output under the question's first answer and leaves the code and the other answers alone.
    book = tmp_path / docs.COOKBOOK
    book.parent.mkdir(parents=True)
    shown = "## Haftar\n\n### Library\n\n```python\nimport libyadata\nprint(libyadata.load().actor('khalifa-haftar').name)\n```\n\n" \
            "```text\nsomeone else\n```\n\n### pandas\n\n```python\nprint('Khalifa Haftar')\n```\n"
    book.write_text(shown, encoding="utf-8")
    monkeypatch.setattr(docs_command, "require_repository", lambda: tmp_path)
    assert cli.main(["docs", "--check"]) == 1
    assert "out of date: docs/cookbook.md (run: libyadata docs)" in capsys.readouterr().err
    assert cli.main(["docs"]) == 0
    assert book.read_text(encoding="utf-8") == shown.replace("someone else", "Khalifa Haftar")
    assert cli.main(["docs", "--check"]) == 0
    # an answer that raises names the cookbook's line, and writes nothing
    book.write_text(shown.replace("khalifa-haftar", "nobody"), encoding="utf-8")
    assert cli.main(["docs"]) == 2
    assert "docs/cookbook.md: line 5" in capsys.readouterr().err
    assert "someone else" in book.read_text(encoding="utf-8")


def test_an_output_without_a_final_newline_keeps_the_cookbook_whole(tmp_path):
    # The closing fence must start a line of its own, or the blocks after it pair up wrongly and
    # each run loses more of the file.
    md = "## Q\n### A\n```python\nprint('x', end='')\n```\n```text\nold\n```\n### B\n```python\nprint('x')\n```\n"
    once = docs.cookbook(md)
    assert once == md.replace("```text\nold\n```", "```text\nx\n```")
    assert docs.cookbook(once) == once and [a.tool for a in docs.cookbook_answers(once)] == ["A", "B"]


def test_an_output_that_would_close_its_block_is_refused(tmp_path):
    from libyadata.errors import LibyadataError

    md = "## Q\n### A\n```python\nprint('```')\n```\n```text\nold\n```\n"
    with pytest.raises(LibyadataError, match="prints a line starting with ```"):
        docs.cookbook(md)
