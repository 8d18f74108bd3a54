"""Controlled vocabularies: every coded value the tables may hold, with its meaning.

The models build their ``Literal`` types from these mappings, so a value is valid
exactly when it is listed here, and the generated schemas and data dictionary carry
the same list. ``event_type`` values also carry their PLOVER category and CAMEO
code, so that coding is decided once per type, never per row.

>>> EVENT_TYPES["visit"].cameo
'042'
>>> MODALITIES["expectation"].factbank
'PR+'
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
    "meeting_third_location": EventType(
        "Actors hold talks in person at a place that is neither's own (e.g. two Libyans in Paris).",
        "CONSULT", "third-party", "044", "Meet at a third location",
    ),
    "joint_statement": EventType(
        "Actors issue a common statement of what they intend to do; nothing is said to be signed.",
        "AGREE", None, "037", "Express intent to settle dispute",
    ),
    "agreement": EventType(
        "Actors sign a formal agreement (the text says it was signed).",
        "AGREE", None, "057", "Sign formal agreement",
    ),
    "military_operation": EventType(
        "An armed force conducts or launches operations against an opponent.",
        "FIGHT", None, "190", "Use conventional military force",
    ),
    "intervention": EventType(
        "An outside power interferes in a country's affairs; the text does not say by what means.",
        None, None, None, None,
        "PLOVER and CAMEO code the means of an intervention (force, aid, sanctions); the text names none.",
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
    "initiator": "The actor that launches or conducts an operation or intervention.",
    "addressee": "The actor a statement is made to (e.g. the host of the talks where it was said).",
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
    "people": "A population the text names as a whole ('Libyans').",
    "group_of_actors": "Actors of unstated kind the text treats together ('international parties', 'his rivals').",
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

#: ``asserted_by`` holds this value, not an actor id, when the article's own analysis asserts the record.
ARTICLE = "article"


@dataclass(frozen=True)
class Modality:
    """How a record's content is presented, relative to its ``asserted_by`` source.

    ``factbank`` is the FactBank factuality value (Saurí & Pustejovsky 2009): certainty
    (CT certain, PR probable, PS possible, U underspecified) and polarity (+, -, u), always
    relative to a source. The record's ``asserted_by`` is that source, as PARC's attribution
    source (Pareti 2012), its ``cue`` PARC's cue, and the record itself PARC's content.
    """

    meaning: str
    factbank: str
    cues: str


MODALITIES: dict[str, Modality] = {
    "asserted_fact": Modality("Presented as what is or was the case.", "CT+",
                              "plain assertion; 'stated that', 'confirmed that'"),
    "denied": Modality("Presented as what is or was not the case.", "CT-", "'not', 'no', 'cannot'"),
    "likely": Modality("Forecast as probable.", "PR+", "'It's likely that'"),
    "expectation": Modality("The source says it expects it to happen.", "PR+", "'expects'"),
    "possible": Modality("Presented as possible, no more.", "PS+", "'may', 'possibility', 'can'"),
    "fear": Modality("The holder fears it may happen.", "PS+", "'is worried that ... may'"),
    "goal": Modality("An aim or motive: what the holder seeks to bring about.", "Uu",
                     "'aims', 'goals', 'desire to', 'seeking', 'wants'"),
    "intention": Modality("The holder's stated plan or commitment about its own future action.", "Uu",
                          "'will', 'is willing to', 'will not stop until'"),
    "threat": Modality("The holder threatens to act against another.", "Uu", "'threats to'"),
    "demand": Modality("The source calls for it to be done or to be the case.", "Uu",
                       "'it was important for', 'no alternative to'"),
}

#: Modalities that present a record as what is or is not the case; every other one is someone's
#: goal, forecast, expectation, fear, intention, threat or demand, and so has a holder.
FACTUAL_MODALITIES: tuple[str, ...] = ("asserted_fact", "denied")

RELATIONSHIP_PREDICATES: dict[str, str] = {
    "fights": "Fights or confronts (object: the armed opponent).",
    "rival_of": "Is described as the rival of.",
    "pressures": "Presses to make concessions or to commit to something.",
    "sanctions": "Imposes sanctions on.",
    "targets": "Plans or prepares attacks against.",
    "represents": "Represents (object: the powers or people represented).",
    "involved_in": "Is a party involved in (object: the conflict's country).",
    "engages_with": "Keeps communication channels or contacts with.",
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
    "opposes": "Works against the aims or capabilities of (not armed confrontation: see fights).",
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
    "list_lead_in": "The lead-in line of a numbered list ('The most prominent measures are:'); its items are recorded.",
}

RECORD_TABLES: dict[str, str] = {
    "events": "An event (events.event_id).",
    "motives": "A motive (motives.motive_id).",
    "projections": "A projection (projections.projection_id).",
    "relationships": "A relationship (relationships.relationship_id).",
    "claims": "A claim (claims.claim_id).",
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
ModalityCode = _literal(MODALITIES)
RecordTable = _literal(RECORD_TABLES)
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
    "modality": MODALITIES,
    "predicate": RELATIONSHIP_PREDICATES,
    "claim_type": CLAIM_TYPES,
    "exclusion_reason": EXCLUSION_REASONS,
    "record_table": RECORD_TABLES,
}


def meaning(vocabulary: str, value: str) -> str:
    """One-line meaning of ``value`` in ``vocabulary``.

    >>> meaning("date_precision", "month")
    'The date interval is one whole calendar month.'
    """
    term = VOCABULARIES[vocabulary][value]
    return term.meaning if isinstance(term, (EventType, Modality)) else term
