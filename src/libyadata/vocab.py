"""Controlled vocabularies: every coded value the tables may hold, with its meaning.

The models build their ``Literal`` types from these mappings, so a value is valid
exactly when it is listed here, and the generated schemas and data dictionary carry
the same list. ``event_type`` values also carry their PLOVER category and CAMEO
code, so that coding is decided once per type, never per row.

>>> EVENT_TYPES["visit"].cameo
'042'
>>> likelihood_band("likely")
(0.55, 0.8)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EventType:
    meaning: str
    plover: str | None
    plover_mode: str | None
    cameo: str | None
    cameo_label: str | None
    why_unmapped: str | None = None


#: One delimiter for multi-valued cells; it may not occur inside a value.
LIST_DELIMITER = "|"

EVENT_TYPES: dict[str, EventType] = {
    "visit": EventType(
        "An actor travels to another actor's territory or asset and is received there.",
        "CONSULT", "visit", "042", "Make a visit",
    ),
    "meeting": EventType(
        "Actors hold talks in person.",
        "CONSULT", None, "040", "Consult",
    ),
    "remote_meeting": EventType(
        "Actors hold talks by telephone or video link.",
        "CONSULT", "phone", "040", "Consult",
    ),
    "statement": EventType(
        "An actor says something publicly, reported or quoted.",
        None, None, "010", "Make statement",
        "PLOVER codes the content of a statement, not the act of making one.",
    ),
    "criticism": EventType(
        "An actor criticises or accuses another.",
        "ACCUSE", None, "111", "Criticize or denounce",
    ),
    "agreement": EventType(
        "Actors sign or issue a common text that commits them.",
        "AGREE", None, "057", "Sign formal agreement",
    ),
    "military_operation": EventType(
        "An armed force conducts or launches operations against an opponent.",
        "FIGHT", None, "190", "Use conventional military force",
    ),
    "deployment": EventType(
        "An actor sends military forces or assets to an area.",
        "MOBILIZE", None, "154", "Mobilize or increase armed forces",
    ),
    "appointment": EventType(
        "An organisation names a person to an office.",
        None, None, None, None,
        "Neither PLOVER nor CAMEO codes appointments to office.",
    ),
    "extension": EventType(
        "A body prolongs the mandate or duration of an operation or measure.",
        None, None, None, None,
        "Neither PLOVER nor CAMEO codes the renewal of a mandate.",
    ),
}

EVENT_ROLES: dict[str, str] = {
    "visitor": "The actor who travels and is received.",
    "host": "The actor who receives a visitor or hosts talks.",
    "participant": "An actor taking part on an equal footing (talks, agreements).",
    "mediator": "A third party that brokers or hosts talks between others.",
    "speaker": "The actor who makes a statement.",
    "target": "The actor a statement, criticism or operation is directed at.",
    "subject": "The actor an occurrence concerns or binds, as the text presents it.",
    "appointee": "The person appointed.",
    "appointing_body": "The organisation that appoints.",
    "deployer": "The actor that deploys forces or assets.",
}

DATE_PRECISIONS: dict[str, str] = {
    "day": "The date interval is one calendar day.",
    "month": "The date interval is one whole calendar month.",
    "year": "The date interval is one whole calendar year.",
    "unknown": "The text gives no date; both ends are empty.",
}

DATE_BASES: dict[str, str] = {
    "stated": "The text states the date in full.",
    "year_from_publication": "The text omits the year; it is the publication year, as context requires.",
    "relative_to_publication": "The text dates it relative to publication ('last year', 'recently').",
    "context": "The text ties it to another dated occurrence (e.g. 'during his visit').",
    "undated": "The text gives no date.",
}

ACTOR_KINDS: dict[str, str] = {
    "person": "A named individual.",
    "state": "A sovereign state, named by itself, its capital or its adjective.",
    "government": "A government or executive authority of a state.",
    "armed_force": "A regular or quasi-regular armed force or security force.",
    "armed_group": "A non-state armed group.",
    "international_organization": "An intergovernmental organisation or one of its organs.",
    "group_of_states": "States the text treats together as one actor (e.g. 'European countries').",
    "military_unit": "A named ship or unit of an armed force.",
    "military_operation": "A named multinational military operation acting as a force.",
}

MOTIVE_CATEGORIES: dict[str, str] = {
    "influence": "Securing interests and extending influence.",
    "diplomatic_access": "Gaining a place in a diplomatic process or with its mediator.",
    "competition": "Competing with rival powers' influence or presence.",
    "leverage": "Using one issue to extract concessions on another.",
    "counter_pressure": "Balancing pressure applied by other powers.",
    "military_support": "Obtaining arms, training, intelligence or other military aid.",
    "legitimacy": "Obtaining recognition of legitimacy or of achievements.",
    "diplomatic_protection": "Obtaining protection in international bodies (e.g. a veto).",
}

PROJECTION_KINDS: dict[str, str] = {
    "analyst_forecast": "The article's author forecasts what an actor will do.",
    "stated_intention": "An actor states what it will do.",
    "stated_expectation": "An actor states what it expects another to do.",
    "threat": "An actor's threat, or the article's reading of one.",
    "concern": "What the article says an actor fears another may do.",
}

RELATIONSHIP_PREDICATES: dict[str, str] = {
    "supports": "Gives support of a kind the text does not specify.",
    "supports_militarily": "Gives military support (arms, training, forces).",
    "supports_politically": "Gives political or diplomatic support.",
    "allied_with": "Is described as the ally of.",
    "mediates": "Mediates in or between (object: the conflict's country or parties).",
    "criticises": "Criticises, directly or indirectly.",
    "accuses": "Accuses of a violation.",
    "competes_with": "Competes with the influence or presence of.",
    "controls_territory": "Controls territory of (object: the country).",
    "commands": "Commands (object: the force).",
}

CLAIM_TYPES: dict[str, str] = {
    "agenda": "What an actor raised or sought in talks.",
    "assessment": "The author's interpretation or conclusion.",
    "position": "A position the text attributes to an actor.",
    "background": "A background fact the text states in passing.",
}

EXCLUSION_REASONS: dict[str, str] = {
    "site_navigation": "Navigation or teaser links of the publisher's web page, not the article.",
    "title": "The article's title (recorded in the sources table).",
    "dateline": "The publication date line (recorded in the sources table).",
    "heading": "A section heading of the article.",
}

#: ICD 203 words of estimative probability: word -> (low, high) probability band.
ICD203_BANDS: dict[str, tuple[float, float]] = {
    "almost no chance": (0.01, 0.05),
    "remote": (0.01, 0.05),
    "very unlikely": (0.05, 0.20),
    "highly improbable": (0.05, 0.20),
    "unlikely": (0.20, 0.45),
    "improbable": (0.20, 0.45),
    "roughly even chance": (0.45, 0.55),
    "roughly even odds": (0.45, 0.55),
    "likely": (0.55, 0.80),
    "probable": (0.55, 0.80),
    "very likely": (0.80, 0.95),
    "highly probable": (0.80, 0.95),
    "almost certain": (0.95, 0.99),
    "nearly certain": (0.95, 0.99),
}


def likelihood_band(word: str | None) -> tuple[float, float] | None:
    """Return the ICD 203 band for an estimative word, or None if it has none.

    >>> likelihood_band("Likely")
    (0.55, 0.8)
    >>> likelihood_band("possibility") is None
    True
    """
    if word is None:
        return None
    return ICD203_BANDS.get(word.strip().lower())


def _literal(values: dict) -> object:
    return Literal[tuple(values)]  # type: ignore[valid-type]


EventTypeCode = _literal(EVENT_TYPES)
EventRole = _literal(EVENT_ROLES)
DatePrecision = _literal(DATE_PRECISIONS)
DateBasis = _literal(DATE_BASES)
ActorKind = _literal(ACTOR_KINDS)
MotiveCategory = _literal(MOTIVE_CATEGORIES)
ProjectionKind = _literal(PROJECTION_KINDS)
Predicate = _literal(RELATIONSHIP_PREDICATES)
ClaimType = _literal(CLAIM_TYPES)
ExclusionReason = _literal(EXCLUSION_REASONS)

#: Every vocabulary by the name the data dictionary uses.
VOCABULARIES: dict[str, dict] = {
    "event_type": EVENT_TYPES,
    "event_role": EVENT_ROLES,
    "date_precision": DATE_PRECISIONS,
    "date_basis": DATE_BASES,
    "actor_kind": ACTOR_KINDS,
    "motive_category": MOTIVE_CATEGORIES,
    "projection_kind": PROJECTION_KINDS,
    "predicate": RELATIONSHIP_PREDICATES,
    "claim_type": CLAIM_TYPES,
    "exclusion_reason": EXCLUSION_REASONS,
}


def meaning(vocabulary: str, value: str) -> str:
    """One-line meaning of ``value`` in ``vocabulary``.

    >>> meaning("date_precision", "month")
    'The date interval is one whole calendar month.'
    """
    term = VOCABULARIES[vocabulary][value]
    return term.meaning if isinstance(term, EventType) else term
