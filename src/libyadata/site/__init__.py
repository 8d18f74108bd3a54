"""The evidence viewer: one static, self-contained HTML page of the article and its records.

``write(output_dir)`` writes ``index.html``: the source text with every evidence span
highlighted, a card per record, filters, deep links (``#events/<event_id>``) and a
"cite this" box. Everything is inline (CSS, JS, data); the page loads nothing, so it
works from ``file://`` and from GitHub Pages.

Offsets are code points in the data and UTF-16 code units in the browser; the page is
given both, converted here once (:func:`utf16_offsets`). Records are data: they travel
as JSON in a ``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped, and the script writes them with ``textContent``, never as HTML.

>>> utf16_offsets("a\\U0001D400b")   # U+1D400 is two UTF-16 units
[0, 1, 3, 4]
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as _res
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import meta, models
from ..csvio import atomic_write

if TYPE_CHECKING:
    from ..dataset import Dataset

#: Evidence columns shown as the quote and its offsets, not as typed fields.
EVIDENCE_FIELDS = ("source_id", "quote", "char_start", "char_end", "quote_prefix", "quote_suffix")
#: Fields that name who holds or asserts a record (data 2.0); shown in the card's header.
ATTRIBUTION_FIELDS = ("asserted_by", "holder", "holder_id", "modality", "cue")
REPOSITORY = "https://github.com/libyadata/libyadata"
#: Where the site is published (GitHub Pages); a record's address there is ``SITE_URL#<table>/<key>``.
SITE_URL = "https://libyadata.github.io/libyadata/"


def utf16_offsets(text: str) -> list[int]:
    """For each code-point offset 0..len(text), the UTF-16 offset of the same place."""
    out, pos = [0], 0
    for ch in text:
        pos += 2 if ord(ch) > 0xFFFF else 1
        out.append(pos)
    return out


def record_key(record: models.Record) -> str:
    """The record's address in the page: ``table/primary-key`` (key parts joined by '/')."""
    return "/".join([record.table, *(models.cell_text(v) for v in record.key)])


@lru_cache(maxsize=None)
def coded_fields(model: type[models.Record]) -> dict[str, tuple[str, dict[str, str]]]:
    """field -> (vocabulary name, {value: meaning}) for every coded field, values in vocabulary order."""
    from .. import vocab
    from ..schema import coded_fields as codes

    return {f: (name, {v: vocab.meaning(name, v) if name in vocab.VOCABULARIES else "" for v in values})
            for f, (name, values) in codes(model).items()}


def _mention_target(record: models.Record) -> str | None:
    table, rid = getattr(record, "record_table", None), getattr(record, "record_id", None)
    return f"{table}/{rid}" if table and rid else None


def payload(data: Dataset, text: str | None = None) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data (``text``: the source text, default the stored one)."""
    sources = data.table("sources")
    source = sources[0]
    text = data.source_text(source.source_id) if text is None else text
    u16 = utf16_offsets(text)
    tables = [name for name in models.TABLES if name != "sources"]
    actor_ids = {a.actor_id for a in data.table("actors")}
    records: dict[str, dict[str, Any]] = {}
    mentions: list[dict[str, Any]] = []
    for name in tables:
        model = models.TABLES[name]
        coded = coded_fields(model)
        for r in data.table(name):
            key = record_key(r)
            fields = []
            for f in model.columns:
                value = getattr(r, f, None)
                if f in EVIDENCE_FIELDS or f == "summary" or value is None or value == ():
                    continue
                item: dict[str, Any] = {"name": f, "value": models.cell_text(value)}
                if f in coded:
                    item["vocabulary"], item["meaning"] = coded[f][0], coded[f][1].get(value, "")
                fields.append(item)
            links = []
            for fk in model.foreign_keys:
                value = getattr(r, fk.fields[0], None)
                if fk.resource != "sources" and value is not None:
                    links.append({"field": fk.fields[0], "to": f"{fk.resource}/{value}"})
            for f in ("asserted_by", "holder"):  # data 2.0: an actor id or "article"
                value = getattr(r, f, None)
                if value in actor_ids and not any(link["field"] == f for link in links):
                    links.append({"field": f, "to": f"actors/{value}"})
            rec: dict[str, Any] = {
                "key": key, "table": name, "id": "/".join(models.cell_text(v) for v in r.key),
                "title": getattr(r, "summary", None) or getattr(r, "name", None) or key.split("/", 1)[1],
                "fields": fields, "links": links,
                "modality": getattr(r, "modality", None),
                "asserted_by": getattr(r, "asserted_by", None),
                "holder": getattr(r, "holder", None) or getattr(r, "holder_id", None),
            }
            if models.has_evidence(model) and getattr(r, "source_id", None) == source.source_id:
                rec["span"] = {"start": r.char_start, "end": r.char_end,
                               "u16_start": u16[r.char_start], "u16_end": u16[r.char_end], "quote": r.quote}
            target = _mention_target(r)
            if target is not None and "span" in rec:
                mentions.append({"key": key, "record": target, **rec["span"]})
                continue
            records[key] = rec
    # a link to a record that is not there (e.g. asserted_by "article", not an actor) is no link
    for rec in records.values():
        rec["links"] = [link for link in rec["links"] if link["to"] in records]
    # who a record involves: the actors it names, and those its join rows (event_actors) name
    for rec in records.values():
        rec["actors"] = sorted({link["to"][7:] for link in rec["links"] if link["to"].startswith("actors/")}
                               | ({rec["id"]} if rec["table"] == "actors" else set()))
        rec["named_by"] = []
    for rec in records.values():
        for link in rec["links"]:
            target = records.get(link["to"])
            if target is None:
                continue
            target["named_by"].append(rec["key"])
            if "span" not in rec:
                target["actors"] = sorted(set(target["actors"]) | set(rec["actors"]))
    names = {f"actors/{a.actor_id}": a.name for a in data.table("actors")}
    version = meta.version()
    return {
        "version": version,
        "title": meta.TITLE,
        "source": {"id": source.source_id, "title": source.title, "publisher": source.publisher,
                   "published": source.published.isoformat(), "url": source.url,
                   "code_points": len(text), "utf16_units": u16[-1]},
        "text": text,
        "tables": [{"name": n, "title": models.TABLES[n].table_title, "count": len(data.table(n))}
                   for n in tables],
        "actors": [{"id": k[7:], "name": v} for k, v in sorted(names.items(), key=lambda kv: kv[1])],
        "records": list(records.values()),
        "mentions": mentions,
        "cite": citation(version),
    }


def citation(version: str) -> dict[str, str]:
    """How to cite this version: a sentence and BibTeX (the same facts as CITATION.cff)."""
    from ..versions import created

    year = (created(version) or "")[:4] or "unreleased"
    url = REPOSITORY
    return {
        "text": f"libyadata contributors ({year}). {meta.TITLE} (version {version}) [Data set]. {url}",
        "bibtex": (f"@misc{{libyadata_{version.replace('.', '_')},\n"
                   f"  author = {{{{libyadata contributors}}}},\n"
                   f"  title = {{{meta.TITLE}}},\n"
                   f"  year = {{{year}}},\n  version = {{{version}}},\n"
                   f"  howpublished = {{\\url{{{url}}}}},\n  note = {{Data set}}\n}}"),
    }


def _asset(name: str) -> str:
    return _res.files(__package__).joinpath(name).read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>``, ``&`` or line separators appear literally.

    >>> script_json({"q": "</script><img onerror=x>"})
    '{"q": "\\\\u003c/script\\\\u003e\\\\u003cimg onerror=x\\\\u003e"}'
    """
    s = json.dumps(obj, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return s


def render(page_data: dict[str, Any]) -> str:
    """The page's HTML for ``page_data`` (see :func:`payload`)."""
    from html import escape

    return (_asset("template.html")
            .replace("/*STYLE*/", _asset("site.css"))
            .replace("/*SCRIPT*/", _asset("site.js"))
            .replace("{{TITLE}}", escape(f"{page_data['title']} (version {page_data['version']})"))
            .replace("/*DATA*/", script_json(page_data)))


def write(output_dir: str | Path, data: Dataset | None = None) -> Path:
    """Write the site (``index.html``) into ``output_dir``, atomically; return the page's path."""
    if data is None:
        from ..dataset import load

        data = load()
    out = Path(output_dir) / "index.html"
    atomic_write(out, render(payload(data)).encode("utf-8"))
    return out
