"""The evidence spans as W3C Web Annotations: open them in Hypothesis-style annotation tools.

One annotation per evidence span (every record that quotes the source, and every row
of a ``mentions`` table when the data have one), in an ``AnnotationCollection``. Each
target carries a ``TextQuoteSelector`` (the quote with its prefix and suffix) and a
``TextPositionSelector`` whose offsets are code points, as the model requires (not
UTF-16 units). The target ``source`` is the stored text itself, named by its SHA-256
as an RFC 6920 ``ni:`` URI, because the offsets hold for those bytes only; the
published page, when known, is its ``via``.

The JSON-LD context is the W3C one (``http://www.w3.org/ns/anno.jsonld``); a copy
ships with libyadata and :func:`document_loader` serves it, so expanding never
reaches the network.

>>> from libyadata import load
>>> doc = collection(load())
>>> a = doc["first"]["items"][0]
>>> [s["type"] for s in a["target"]["selector"]]
['TextQuoteSelector', 'TextPositionSelector']
"""

from __future__ import annotations

import base64
import json
from importlib import resources as _res
from typing import TYPE_CHECKING, Any, Callable

from . import meta, models
from .site import SITE_URL

if TYPE_CHECKING:
    from .dataset import Dataset

CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
#: The W3C context is served under both schemes.
CONTEXT_URLS = (CONTEXT_URL, "https://www.w3.org/ns/anno.jsonld")
OUTPUT = "docs/annotations.jsonld"


def ni_uri(sha256_hex: str) -> str:
    """RFC 6920 name of bytes with this SHA-256.

    >>> ni_uri("00" * 32)
    'ni:///sha-256;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    """
    return "ni:///sha-256;" + base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).decode().rstrip("=")


def context_document() -> dict[str, Any]:
    """The vendored W3C Web Annotation context."""
    return json.loads(_res.files(__package__).joinpath("contexts/anno.jsonld").read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """A pyld document loader that knows only the W3C annotation context and refuses everything else."""
    if url in CONTEXT_URLS:
        return {"contextUrl": None, "documentUrl": url, "document": context_document()}
    from pyld.jsonld import JsonLdError

    raise JsonLdError(f"libyadata loads no remote document (asked for {url!r})", "jsonld.LoadDocumentError",
                      code="loading document failed")


def expand(doc: dict[str, Any], loader: Callable[..., dict[str, Any]] = document_loader) -> list[dict[str, Any]]:
    """``doc`` expanded as JSON-LD with pyld, offline."""
    from pyld import jsonld

    return jsonld.expand(doc, {"documentLoader": loader})


def _spans(data: Dataset) -> list[tuple[str, models.Record]]:
    from .site import record_key

    out = []
    for name in data:
        if name == "sources":
            continue
        for r in data.table(name):
            if getattr(r, "quote", None) is not None:
                out.append((record_key(r), r))
    return out


def annotation(key: str, record: models.Record, source: models.Record, created: str) -> dict[str, Any]:
    """One annotation of one evidence span."""
    mentioned = getattr(record, "record_table", None) and getattr(record, "record_id", None)
    about = f"{record.record_table}/{record.record_id}" if mentioned else key  # type: ignore[attr-defined]
    summary = getattr(record, "summary", None) or getattr(record, "name", None) or getattr(record, "reason", None)
    body: list[dict[str, Any]] = [{"type": "TextualBody", "purpose": "tagging", "value": record.table,
                                   "format": "text/plain"}]
    if summary:
        body.insert(0, {"type": "TextualBody", "purpose": "describing", "value": str(summary),
                        "format": "text/plain", "language": "en"})
    body.append({"type": "SpecificResource", "purpose": "identifying", "source": SITE_URL + "#" + about})
    for f in ("modality", "asserted_by", "holder"):
        value = getattr(record, f, None)
        if value:
            body.append({"type": "TextualBody", "purpose": "classifying", "value": f"{f}: {value}",
                         "format": "text/plain"})
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": record.quote}  # type: ignore[attr-defined]
    if record.quote_prefix:  # type: ignore[attr-defined]
        quote["prefix"] = record.quote_prefix  # type: ignore[attr-defined]
    if record.quote_suffix:  # type: ignore[attr-defined]
        quote["suffix"] = record.quote_suffix  # type: ignore[attr-defined]
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": ni_uri(source.sha256),  # type: ignore[attr-defined]
        "selector": [quote, {"type": "TextPositionSelector", "start": record.char_start,  # type: ignore[attr-defined]
                             "end": record.char_end}],  # type: ignore[attr-defined]
    }
    if getattr(source, "url", None):
        target["via"] = source.url  # type: ignore[attr-defined]
    return {
        "id": f"{SITE_URL}annotations/{meta.version()}/{key}",
        "type": "Annotation",
        "motivation": "classifying" if record.table == "exclusions" else "describing",
        **({"created": created} if created else {}),
        "creator": {"type": "Organization", "name": meta.CONTRIBUTORS[0]["title"]},
        "body": body,
        "target": target,
    }


def collection(data: Dataset) -> dict[str, Any]:
    """Every evidence span of ``data`` as one ``AnnotationCollection`` (one page)."""
    version = meta.version()
    from .versions import created as released

    created = released(version) or ""
    sources = {s.source_id: s for s in data.table("sources")}
    items = [annotation(key, r, sources[r.source_id], created) for key, r in _spans(data)]  # type: ignore[attr-defined]
    return {
        "@context": CONTEXT_URL,
        "id": f"{SITE_URL}annotations/{version}/",
        "type": "AnnotationCollection",
        "label": f"{meta.TITLE}: evidence spans (version {version})",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
