"""Figures drawn from the data: a timeline of the events and a graph of actors and relationships.

Needs the optional extra ``libyadata[plot]`` (matplotlib). Figures are drawn on a
``matplotlib.figure.Figure`` with the Agg canvas, never through pyplot, so nothing
global changes; PNG files are written without the "Software" stamp, so that the same
data and matplotlib version give byte-identical files.

The drawing plans are plain data, testable without matplotlib:

>>> from libyadata import load
>>> dated, undated = timeline_rows(load())
>>> [r for r in dated if r.event_id == "haftar-visit-russia-2016-06"][0].interval
True
>>> sorted(r.event_id for r in undated)
['haftar-statement-joint-statement-2017', 'salameh-appointment']
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import vocab
from .csvio import atomic_write
from .errors import MissingDependency

if TYPE_CHECKING:
    from .dataset import Dataset

FIGURES = Path("docs") / "figures"
TIMELINE_START, TIMELINE_END = dt.date(2011, 1, 1), dt.date(2018, 12, 31)
#: Colour-blind-safe qualitative palette (Okabe-Ito), then Tableau for the rest; assigned in vocabulary order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
           "#8c564b", "#7f7f7f", "#bcbd22", "#17becf"]
DPI = 110


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingDependency("matplotlib", "plot") from None
    # The same text rendering on every machine with this matplotlib version: its bundled font, no TeX.
    matplotlib.rcParams.update({"font.family": "DejaVu Sans", "text.usetex": False, "svg.hashsalt": "libyadata",
                                "path.simplify": True})
    return matplotlib


def colours(values: list[str]) -> dict[str, str]:
    """A fixed colour per value, by its position in the list.

    >>> colours(["visit", "meeting"])["meeting"]
    '#E69F00'
    """
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(values)}


def source_stamp() -> str:
    """The "Source" text of every figure: what drew it, with the matplotlib version."""
    return f"libyadata plot, matplotlib {_matplotlib().__version__}"


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    # No timestamp and no "Software" stamp; "Source" names the matplotlib version the bytes depend on.
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None, "Source": source_stamp()})
    return buf.getvalue()


@dataclass(frozen=True)
class TimelineRow:
    """One event as the timeline draws it: a point for an exact day, else an interval."""

    event_id: str
    event_type: str
    start: dt.date | None
    end: dt.date | None
    interval: bool


def timeline_rows(data: Dataset) -> tuple[list[TimelineRow], list[TimelineRow]]:
    """Dated events in date order, and undated events (listed apart), as the timeline shows them."""
    rows = [TimelineRow(e.event_id, e.event_type, e.date_start, e.date_end,
                        e.date_start is not None and e.date_start != e.date_end) for e in data.events]
    dated = sorted((r for r in rows if r.start is not None), key=lambda r: (r.start, r.end, r.event_id))
    return dated, [r for r in rows if r.start is None]


def timeline(data: Dataset) -> bytes:
    """PNG of the events 2011-2018 coloured by type; month/year precision drawn as intervals."""
    _matplotlib()
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    dated, undated = timeline_rows(data)
    palette = colours(list(vocab.EVENT_TYPES))
    # Margins in inches, so that the plot keeps its shape whatever the number of events.
    top, bottom = 0.45, 0.45 + (0.35 if undated else 0.0)
    height = 0.28 * len(dated) + top + bottom
    fig = Figure(figsize=(11, height))
    ax = fig.add_axes((0.31, bottom / height, 0.67, 1 - (top + bottom) / height))
    for y, e in enumerate(dated):
        start = mdates.date2num(e.start)
        colour = palette[e.event_type]
        if not e.interval:
            ax.plot([start], [y], marker="o", markersize=6, color=colour, markeredgecolor="black",
                    markeredgewidth=0.5, linestyle="none")
        else:  # an interval: the whole month or year the text allows
            end = mdates.date2num(e.end + dt.timedelta(days=1))
            ax.barh(y, end - start, left=start, height=0.55, color=colour, alpha=0.75,
                    edgecolor="black", linewidth=0.5)
    ax.set_yticks(range(len(dated)))
    ax.set_yticklabels([f"{e.event_id}" for e in dated], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(mdates.date2num(TIMELINE_START), mdates.date2num(TIMELINE_END + dt.timedelta(days=1)))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(f"Events reported by the article, {TIMELINE_START.year}–{TIMELINE_END.year}", fontsize=11)
    present = [t for t in vocab.EVENT_TYPES if any(e.event_type == t for e in data.events)]
    handles = [Patch(color=palette[t], label=t.replace("_", " ")) for t in present]
    handles += [Line2D([], [], marker="o", color="grey", linestyle="none", label="exact day"),
                Patch(facecolor="grey", alpha=0.75, edgecolor="black", label="month or year (interval)")]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=True, ncol=2)
    if undated:
        lines = [f"{e.event_id} ({e.event_type.replace('_', ' ')})" for e in undated]
        fig.text(0.02, 0.12 / height, "Undated (the text gives no date): " + "; ".join(lines), fontsize=7.5,
                 va="bottom")
    return _png(fig)


def _circle(n: int, radius: float = 1.0) -> list[tuple[float, float]]:
    """n points evenly on a circle, the first at the top, clockwise.

    >>> [(round(x, 3), round(y, 3)) for x, y in _circle(4)]
    [(0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, -0.0)]
    """
    return [(radius * math.sin(2 * math.pi * i / n), radius * math.cos(2 * math.pi * i / n)) for i in range(n)]


def graph_layout(data: Dataset) -> tuple[list[Any], dict[str, tuple[float, float]], list[tuple[str, str, str]]]:
    """Actors in circle order (grouped by kind), their positions, and the distinct edges to draw.

    An edge is (subject, object, predicate); affiliations are edges ``affiliated_with``.
    """
    kinds = list(vocab.ACTOR_KINDS)
    actors = sorted(data.actors, key=lambda a: (kinds.index(a.kind), a.actor_id))
    pos = dict(zip((a.actor_id for a in actors), _circle(len(actors))))
    edges: list[tuple[str, str, str]] = list(dict.fromkeys(
        (r.subject_id, r.object_id, r.predicate) for r in data.relationships))
    edges += [(a.actor_id, a.affiliation_id, "affiliated_with") for a in actors if a.affiliation_id]
    return actors, pos, edges


def actor_graph(data: Dataset) -> bytes:
    """PNG of every actor on a circle, with an arrow per stated relationship and per affiliation."""
    _matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    kinds = list(vocab.ACTOR_KINDS)
    actors, pos, edges = graph_layout(data)
    predicates = list(vocab.RELATIONSHIP_PREDICATES)
    edge_colour = colours(predicates)
    kind_colour = colours(kinds[::-1])  # a different order from the edges, so nodes and arrows differ
    fig = Figure(figsize=(11, 8.2))
    ax = fig.add_axes((0.0, 0.0, 0.76, 0.94))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.2, 1.2)
    per_pair: defaultdict[frozenset[str], int] = defaultdict(int)
    for subject, obj, predicate in edges:
        pair = frozenset((subject, obj))
        k = per_pair[pair]
        per_pair[pair] += 1
        rad = 0.12 + 0.14 * k  # parallel relations between one pair bend apart
        dashed = predicate == "affiliated_with"
        ax.add_patch(FancyArrowPatch(
            pos[subject], pos[obj], connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>", mutation_scale=11,
            color="#888888" if dashed else edge_colour[predicate], linewidth=0.8 if dashed else 1.3,
            linestyle="--" if dashed else "-", shrinkA=7, shrinkB=7, alpha=0.9))
    degree = Counter(x for s, o, _ in edges for x in (s, o))
    for a in actors:
        x, y = pos[a.actor_id]
        ax.scatter([x], [y], s=60 + 25 * degree[a.actor_id], color=kind_colour[a.kind], edgecolors="black",
                   linewidths=0.6, zorder=3)
        ha = "center" if abs(x) < 0.15 else ("left" if x > 0 else "right")
        va = "center" if abs(y) < 0.5 else ("bottom" if y > 0 else "top")
        ax.text(1.08 * x, 1.08 * y, a.name, fontsize=8, zorder=4, ha=ha, va=va)
    fig.suptitle("Actors and the relationships the article states", fontsize=12, x=0.38, y=0.985)
    used = [p for p in predicates if any(e[2] == p for e in edges)]
    rel = [Line2D([], [], color=edge_colour[p], linewidth=1.5, label=p.replace("_", " ")) for p in used]
    rel.append(Line2D([], [], color="#888888", linestyle="--", label="affiliated with"))
    kinds_used = [k for k in kinds if any(a.kind == k for a in actors)]
    nodes = [Line2D([], [], marker="o", linestyle="none", markerfacecolor=kind_colour[k], markeredgecolor="black",
                    label=k.replace("_", " ")) for k in kinds_used]
    fig.legend(handles=rel, title="relationship (arrow: subject → object)", loc="upper right", fontsize=8,
               title_fontsize=8, bbox_to_anchor=(0.995, 0.93))
    fig.legend(handles=nodes, title="actor kind (size: number of links)", loc="lower right", fontsize=8,
               title_fontsize=8, bbox_to_anchor=(0.995, 0.04))
    return _png(fig)


def write_figures(out_dir: str | Path, data: Dataset | None = None) -> list[Path]:
    """Draw both figures into ``out_dir`` (atomically); return the files that changed."""
    from .dataset import load

    data = data if data is not None else load()
    out_dir = Path(out_dir)
    written = []
    for name, draw in (("timeline.png", timeline), ("actors.png", actor_graph)):
        path = out_dir / name
        png = draw(data)
        if not path.is_file() or path.read_bytes() != png:
            atomic_write(path, png)
            written.append(path)
    return written
