"""Figures: what they draw, that they generate deterministically, and that the committed ones are current."""

from __future__ import annotations

import contextlib
import datetime as dt
import doctest
import io
import struct
import sys
import zlib
from pathlib import Path

import pytest

from libyadata import cli, plot
from libyadata.resources import repository_root

ROOT = repository_root()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_info(data: bytes) -> tuple[int, int, dict[str, str]]:
    """Width, height and tEXt entries of a PNG file."""
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])
    text, pos = {}, 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            text[key.decode("latin-1")] = value.decode("latin-1")
        pos += 12 + length
    return width, height, text


def test_doctests():
    result = doctest.testmod(plot)
    assert result.attempted >= 4 and result.failed == 0


def test_timeline_plan_draws_imprecise_dates_as_intervals(data):
    dated, undated = plot.timeline_rows(data)
    assert len(dated) + len(undated) == len(data.events)
    assert [r.start for r in dated] == sorted(r.start for r in dated)
    for row in dated:
        event = data.event(row.event_id)
        assert row.interval == (event.date_precision != "day")
        assert plot.TIMELINE_START <= row.start and row.end <= plot.TIMELINE_END
    year = next(r for r in dated if r.event_id == "haftar-meets-russian-ministers-2016")
    assert (year.start, year.end, year.interval) == (dt.date(2016, 1, 1), dt.date(2016, 12, 31), True)
    assert {r.event_id for r in undated} == {e.event_id for e in data.events if e.date_precision == "unknown"}


def test_graph_plan_has_every_actor_and_relationship(data):
    actors, pos, edges = plot.graph_layout(data)
    assert {a.actor_id for a in actors} == {a.actor_id for a in data.actors}
    for x, y in pos.values():
        assert abs(x * x + y * y - 1) < 1e-9
    stated = {(r.subject_id, r.object_id, r.predicate) for r in data.relationships}
    assert stated <= set(edges) and len(edges) == len(set(edges))
    affiliations = {(a.actor_id, a.affiliation_id) for a in data.actors if a.affiliation_id}
    assert affiliations and {(s, o) for s, o, p in edges if p == "affiliated_with"} == affiliations
    kinds = [a.kind for a in actors]
    assert kinds == sorted(kinds, key=list(plot.vocab.ACTOR_KINDS).index)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> dict[str, bytes]:
    """The figures drawn once through the CLI into an empty folder (what it printed is checked below)."""
    pytest.importorskip("matplotlib")
    folder = tmp_path_factory.mktemp("figures")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["plot", "--output", str(folder)]) == 0
    assert out.getvalue().splitlines() == [f"wrote {folder / 'timeline.png'}", f"wrote {folder / 'actors.png'}"]
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_figures_generate_deterministically(tmp_path, capsys, drawn):
    for name, content in drawn.items():
        (tmp_path / name).write_bytes(content)
    assert cli.main(["plot", "--output", str(tmp_path)]) == 0  # drawn again, byte for byte: nothing rewritten
    assert capsys.readouterr().out == f"figures in {tmp_path} are up to date\n"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == drawn
    for name, data_ in drawn.items():
        width, height, text = png_info(data_)
        assert width >= 1000 and height >= 600, name
        assert text == {"Source": plot.source_stamp()}, name  # no timestamp, no software stamp


def test_only_a_stale_figure_is_rewritten(tmp_path, data, drawn):
    (tmp_path / "timeline.png").write_bytes(drawn["timeline.png"])
    (tmp_path / "actors.png").write_bytes(b"stale")
    assert plot.write_figures(tmp_path, data) == [tmp_path / "actors.png"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == drawn


def test_missing_matplotlib_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    assert cli.main(["plot", "--output", str(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "libyadata plot: error: this needs the 'matplotlib' package: pip install 'libyadata[plot]'")
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(ROOT is None, reason="needs a source checkout")
def test_committed_figures_are_current(drawn):
    committed = {name: (ROOT / plot.FIGURES / name) for name in ("timeline.png", "actors.png")}
    for path in committed.values():
        assert path.is_file(), f"{path} is missing: run `libyadata plot`"
    mpl = pytest.importorskip("matplotlib")
    stamp = png_info(committed["timeline.png"].read_bytes())[2].get("Source", "")
    if stamp != plot.source_stamp():
        pytest.skip(f"figures were drawn by {stamp!r}; this is matplotlib {mpl.__version__}")
    assert committed["timeline.png"].read_bytes() == drawn["timeline.png"], "run `libyadata plot`"
    assert committed["actors.png"].read_bytes() == drawn["actors.png"], "run `libyadata plot`"


def test_readme_embeds_both_figures():
    if ROOT is None:
        pytest.skip("needs a source checkout")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("timeline.png", "actors.png"):
        assert f"](https://raw.githubusercontent.com/libyadata/libyadata/main/docs/figures/{name})" in readme
        assert Path(ROOT / "docs" / "figures" / name).is_file()
