"""A synthetic dataset for the evidence viewer: astral characters, Arabic, and hostile quotes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from libyadata import models
from libyadata.dataset import Dataset

HOSTILE = '</script><img src=x onerror="window.__pwned=1">'
TEXT = ("مرحبا بكم \U0001D400 bold A and 😀 “curly” Haftar’s visit.\n"
        f"Quote: {HOSTILE} <b>not bold</b> & done 𝄞.\nمقالة عربية في النهاية")


def span(quote: str, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(quote, start + 1)
    end = start + len(quote)
    return {"source_id": "synthetic", "quote": quote, "char_start": start, "char_end": end,
            "quote_prefix": TEXT[max(0, start - 32):start] or None, "quote_suffix": TEXT[end:end + 32] or None}


def dataset(path: Path) -> Dataset:
    """A Dataset built in memory (records are constructed, not read), with spans over tricky text."""
    source = models.Source.model_construct(
        source_id="synthetic", title="Synthetic <i>source</i>", publisher="Tests & Co", published=dt.date(2020, 1, 1),
        language="ar", url=None, text_path="sources/synthetic.txt", sha256="0" * 64, char_count=len(TEXT),
        rights="test", notes=None)
    actor = models.Actor.model_construct(actor_id="haftar", name="Haftar <script>alert(1)</script>", kind="person",
                                         aliases=("حفتر",), **span("Haftar"))
    astral = models.Actor.model_construct(actor_id="bold-a", name="Bold A", kind="person", aliases=(),
                                          **span("\U0001D400 bold A and 😀"))
    hostile = models.Event.model_construct(
        event_id="hostile", event_type="statement", summary=f"Summary {HOSTILE}", date_precision="unknown",
        date_basis="undated", **span(f"{HOSTILE} <b>not bold</b> & done 𝄞"))
    arabic = models.Claim.model_construct(claim_id="arabic", claim_type="background", actor_id="haftar",
                                          summary="An Arabic span after astral characters",
                                          **span("مقالة عربية"))
    participant = models.EventActor.model_construct(event_id="hostile", actor_id="haftar", role="speaker")
    excluded = models.Exclusion.model_construct(exclusion_id="greeting", reason="site_navigation",
                                                **span("مرحبا بكم"))
    tables = {name: () for name in models.TABLES}
    tables.update(sources=(source,), actors=(actor, astral), events=(hostile,), event_actors=(participant,),
                  claims=(arabic,), exclusions=(excluded,))
    return Dataset(path=path, **tables)  # type: ignore[arg-type]
