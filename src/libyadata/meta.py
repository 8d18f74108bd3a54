"""Descriptive metadata of the data package: the one place its words are kept.

``schema.descriptor()`` merges this with the per-resource facts it computes.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

NAME = "libyadata"
#: A stable, globally unique identifier of the package (all versions).
ID = "urn:uuid:5b0d6f4e-3c4a-5d57-9a52-6c1b0f2f8e21"
TITLE = "Russia's role in Libya after Haftar's visit (2017): an evidence-backed event dataset"
DESCRIPTION = (
    "The actors, events, motives, projections, relationships and claims that one coder read in the Future "
    "Center for Advanced Research and Studies' analysis 'The future of Russia's role in Libya after Haftar's "
    "visit' (28 August 2017): each record says who asserts it (the article or an actor it quotes) and how "
    "(fact, goal, forecast, expectation, threat, fear ...), and is tied to the article's exact words by a quote "
    "and its code-point offsets in the stored text; a fact the article states more than once is one record "
    "with several mentions."
)
#: When each version's data was created (RFC 3339); a new version adds a line.
CREATED = {"1.0.0": "2026-11-28T00:00:00Z"}
KEYWORDS = ["Libya", "Russia", "Khalifa Haftar", "event data", "foreign policy", "evidence", "PLOVER", "CAMEO"]
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
THIRD_PARTY_LICENSE = {
    "name": "LicenseRef-third-party-quotation",
    "title": "Third-party material (c) Future Center for Advanced Research and Studies, "
             "stored and quoted for verification only; not covered by the dataset licence",
}
SOURCES = [
    {
        "title": "Future Center for Advanced Research and Studies: The future of Russia's role in Libya "
                 "after Haftar's visit, 28 August 2017",
    }
]
CONTRIBUTORS = [{"title": "libyadata contributors", "roles": ["creator"]}]


def version() -> str:
    return __version__


def package_metadata() -> dict[str, Any]:
    return {
        "name": NAME,
        "id": ID,
        "title": TITLE,
        "description": DESCRIPTION,
        "version": __version__,
        "created": CREATED[__version__],
        "licenses": [DATA_LICENSE],
        "sources": SOURCES,
        "contributors": CONTRIBUTORS,
        "keywords": KEYWORDS,
    }
