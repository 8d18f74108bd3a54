"""The data contract: one Pydantic model per table, the single definition of the schema.

Everything else (Table Schema, JSON Schema, Arrow schema, the descriptor, the data
dictionary, the validator's column checks) is generated from these classes.

Each model knows its table name, primary key, foreign keys and CSV column order, and
converts to and from the CSV row form (strings, ``""`` for null, ``|`` between list
items):

>>> row = {"event_id": "e", "actor_id": "a", "role": "host", "notes": ""}
>>> EventActor.from_row(row).notes is None
True
>>> EventActor.from_row(row).to_row()["role"]
'host'
"""

import calendar
import datetime as dt
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Optional, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from . import vocab

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: Max code points of ``quote_prefix``/``quote_suffix`` (as the W3C TextQuoteSelector).
CONTEXT_CHARS = 32

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Alias = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^|]+$")]

# Dates outside this window are typos, not history this dataset can hold.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class ForeignKey:
    """A reference to another table's key. ``allow`` lists values that are not references (e.g.
    ``asserted_by = 'article'``); Table Schema cannot say so, so such a key is checked by the
    validator and the tests but not declared in the generated Table Schema."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]
    allow: tuple[str, ...] = ()


class Record(BaseModel):
    """Base of every table row: immutable, no unknown fields."""

    # Bases are never validated themselves: building their validators would only slow import.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    table: ClassVar[str]
    table_title: ClassVar[str]
    primary_key: ClassVar[tuple[str, ...]]
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = ()
    #: Fields that, equal in two rows of the table, mean the two rows assert the same thing
    #: (checked by the tests and ``libyadata validate``: duplicate-assertion). Empty: not checked.
    same_assertion: ClassVar[tuple[str, ...]] = ()
    #: (table field, id field) of a reference to a record of any table the table field names
    #: (``vocab.RECORD_TABLES``); Table Schema cannot declare it: checked by ``libyadata validate``.
    record_reference: ClassVar[Optional[tuple[str, str]]] = None
    #: CSV column order: the model's own fields first, then the shared mixin fields.
    columns: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        own = [n for n in cls.__dict__.get("__annotations__", {}) if n in cls.model_fields]
        inherited = [n for n in cls.model_fields if n not in own]
        cls.columns = tuple(own + inherited)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_null(cls, data: Any) -> Any:
        # CSV has no null: an empty cell means "no value", as Frictionless' missingValues [""].
        # Dropping it lets pydantic say "Field required" or apply the field's default.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data

    @classmethod
    def from_row(cls, row: dict[str, str]) -> "Record":
        """Build a record from a CSV row of strings."""
        return cls.model_validate(row)

    @classmethod
    def from_verified_row(cls, row: dict[str, str]) -> "Record":
        """Build a record from a row that already passed validation, without validating it again.

        Only for files whose bytes are proven to be the validated ones (``load()`` checks
        the sha256 the descriptor records); cells are converted to the declared types.
        """
        convert = _converters(cls)
        return cls.model_construct(**{k: convert[k](v) for k, v in row.items() if v != ""})

    def to_row(self) -> dict[str, str]:
        """The CSV form of this record: strings in column order, ``""`` for null."""
        return {name: cell_text(getattr(self, name)) for name in self.columns}

    @property
    def key(self) -> tuple[Any, ...]:
        """The primary key value(s) of this record."""
        return tuple(getattr(self, f) for f in self.primary_key)


def _converter(annotation: Any) -> Callable[[str], Any]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return _converter(next(a for a in get_args(annotation) if a is not type(None)))
    if origin is tuple:
        return lambda cell: tuple(cell.split(vocab.LIST_DELIMITER))
    return {int: int, float: float, dt.date: dt.date.fromisoformat}.get(annotation, str)


@lru_cache(maxsize=None)
def _converters(model: type) -> dict[str, Callable[[str], Any]]:
    return {name: _converter(f.annotation) for name, f in model.model_fields.items()}


def cell_text(value: Any) -> str:
    """The CSV text of a typed value: ``""`` for null, ``|`` between list items, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, (tuple, list)):
        return vocab.LIST_DELIMITER.join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Evidence(BaseModel):
    """Where in the source text a record's claim is written.

    Offsets are Unicode code points (Python ``str`` indices), end exclusive, as the
    W3C TextPositionSelector; prefix and suffix are the TextQuoteSelector context.
    """

    model_config = ConfigDict(defer_build=True)

    source_id: Slug = Field(description="The source the quote is taken from (FK sources).")
    quote: Text = Field(description="The exact words of the source that support the record.")
    char_start: int = Field(ge=0, description="Offset of the quote's first code point in the source text.")
    char_end: int = Field(ge=1, description="Offset just past the quote's last code point (exclusive).")
    quote_prefix: Optional[Annotated[str, StringConstraints(max_length=CONTEXT_CHARS)]] = Field(
        default=None, description="Up to 32 code points of text just before the quote (empty at the start of the text)."
    )
    quote_suffix: Optional[Annotated[str, StringConstraints(max_length=CONTEXT_CHARS)]] = Field(
        default=None, description="Up to 32 code points of text just after the quote (empty at the end of the text)."
    )

    @model_validator(mode="after")
    def _span_matches_quote(self) -> "Evidence":
        if self.char_start >= self.char_end:
            raise ValueError(f"char_start ({self.char_start}) must be less than char_end ({self.char_end})")
        if len(self.quote) != self.char_end - self.char_start:
            raise ValueError(
                f"quote has {len(self.quote)} code points but the span char_start..char_end "
                f"covers {self.char_end - self.char_start}"
            )
        return self


class DateInterval(BaseModel):
    """When an occurrence happened, as the interval its words allow."""

    model_config = ConfigDict(defer_build=True)

    date_start: Optional[dt.date] = Field(default=None, description="Earliest date the text allows (ISO 8601).")
    date_end: Optional[dt.date] = Field(default=None, description="Latest date the text allows (ISO 8601).")
    date_precision: vocab.DatePrecision = Field(description="Granularity of the interval.")  # type: ignore[valid-type]
    date_text: Optional[ShortText] = Field(default=None, description="The words of the text that date it.")
    date_basis: vocab.DateBasis = Field(description="How the dates follow from the text.")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _interval_is_consistent(self) -> "DateInterval":
        check_interval(self.date_start, self.date_end, self.date_precision, self.date_basis)
        return self


# Cross-field rules: each is the one source of its verdict and its message, for the models'
# validators and for the validator's columnar checks (libyadata.validate.rules) alike.

def check_wikidata(wikidata_id: str | None, wikidata_ref: str | None) -> None:
    """Raise ValueError unless a Wikidata item and the note of where it was verified go together.

    >>> check_wikidata("Q1", None)
    Traceback (most recent call last):
    ...
    ValueError: wikidata_id and wikidata_ref go together: cite where the item was verified, or leave both empty
    """
    if (wikidata_id is None) != (wikidata_ref is None):
        raise ValueError("wikidata_id and wikidata_ref go together: cite where the item was verified, or leave "
                         "both empty")


def check_affiliation(actor_id: str, affiliation_id: str | None) -> None:
    """Raise ValueError when an actor is its own affiliation."""
    if affiliation_id is not None and affiliation_id == actor_id:
        raise ValueError(f"the actor {actor_id!r} cannot be its own affiliation")


def check_likelihood(text: str | None, low: float | None, high: float | None) -> None:
    """Raise ValueError unless likelihood_low/high are the ICD 203 band of the word (both empty without one).

    >>> check_likelihood("likely", 0.55, 0.8)
    >>> check_likelihood("likely", 0.5, 0.8)
    Traceback (most recent call last):
    ...
    ValueError: likelihood_low/high must be the ICD 203 band of 'likely', 0.55 to 0.8, not 0.5 to 0.8
    """
    band = vocab.likelihood_band(text)
    got = None if low is None and high is None else (low, high)
    if got == band:
        return
    want = "empty (the word has no band)" if band is None else f"{band[0]} to {band[1]}"
    have = "empty" if got is None else f"{low} to {high}"
    raise ValueError(f"likelihood_low/high must be the ICD 203 band of {text!r}, {want}, not {have}")


def check_holder(modality: str, holder: str | None) -> None:
    """Raise ValueError unless a relation stated as fact has no holder and every other one has.

    >>> check_holder("goal", "russia")
    >>> check_holder("goal", None)
    Traceback (most recent call last):
    ...
    ValueError: modality 'goal' needs a holder: whose goal it is ('article' or an actor)
    """
    factual = modality in vocab.FACTUAL_MODALITIES
    if factual and holder is not None:
        raise ValueError(f"modality {modality!r} presents the relation as a fact: leave holder empty, not {holder!r}")
    if not factual and holder is None:
        raise ValueError(f"modality {modality!r} needs a holder: whose {modality} it is ('article' or an actor)")


def check_interval(start: dt.date | None, end: dt.date | None, precision: str, basis: str) -> None:
    """Raise ValueError unless the interval agrees with its precision and basis.

    >>> check_interval(dt.date(2016, 6, 1), dt.date(2016, 6, 30), "month", "stated")
    >>> check_interval(dt.date(2016, 6, 2), dt.date(2016, 6, 30), "month", "stated")
    Traceback (most recent call last):
    ...
    ValueError: precision 'month' needs date_start on the first day of a month, got 2016-06-02
    """
    if precision == "unknown" or basis == "undated":
        if start is not None or end is not None:
            raise ValueError("an undated occurrence (precision 'unknown') must leave date_start and date_end empty")
        if precision != "unknown" or basis != "undated":
            raise ValueError("date_precision 'unknown' and date_basis 'undated' go together")
        return
    if start is None or end is None:
        raise ValueError(f"precision {precision!r} needs both date_start and date_end")
    for d in (start, end):
        if not MIN_DATE <= d <= MAX_DATE:
            raise ValueError(f"date {d} is outside the plausible range {MIN_DATE}..{MAX_DATE}")
    if start > end:
        raise ValueError(f"date_start {start} is after date_end {end}")
    if precision == "day":
        if start != end:
            raise ValueError(f"precision 'day' needs date_start == date_end, got {start}..{end}")
    elif precision == "month":
        if start.day != 1:
            raise ValueError(f"precision 'month' needs date_start on the first day of a month, got {start}")
        last = calendar.monthrange(start.year, start.month)[1]
        if end != start.replace(day=last):
            raise ValueError(f"precision 'month' needs date_end on the last day of {start:%Y-%m}, got {end}")
    elif precision == "year":
        if (start.month, start.day) != (1, 1) or end != dt.date(start.year, 12, 31):
            raise ValueError(f"precision 'year' needs {start.year}-01-01..{start.year}-12-31, got {start}..{end}")


class Assertion(BaseModel):
    """Who asserts a record and how it is presented (FactBank factuality, PARC attribution).

    ``asserted_by`` is the source the modality is relative to: ``article`` for the
    article's own analysis, or the actor whose words the article reports.
    """

    model_config = ConfigDict(defer_build=True)

    asserted_by: Slug = Field(
        description="Who asserts it: 'article' (the article's own analysis) or the actor whose words the "
                    "article reports (FK actors unless 'article').")
    modality: vocab.ModalityCode = Field(  # type: ignore[valid-type]
        description="How it is presented relative to asserted_by (FactBank value in the vocabulary).")
    cue: Optional[ShortText] = Field(
        default=None, description="The reporting or attitude words that carry the modality ('said', 'expects', "
                                  "'It’s likely that'), as the text has them.")


#: The foreign key of ``asserted_by``: an actor, or the article itself.
ASSERTED_BY = ForeignKey(("asserted_by",), "actors", ("actor_id",), allow=(vocab.ARTICLE,))


# --- tables -----------------------------------------------------------------------


class Source(Record):
    """A captured text that records quote from."""

    table: ClassVar[str] = "sources"
    table_title: ClassVar[str] = "Sources"
    primary_key: ClassVar[tuple[str, ...]] = ("source_id",)

    source_id: Slug = Field(description="Stable identifier of the source.")
    title: ShortText = Field(description="The source's title as published.")
    publisher: ShortText = Field(description="Who published the source.")
    publisher_basis: Optional[Text] = Field(
        default=None, description="Where the publisher's name comes from, when it is not the text's own words.")
    published: dt.date = Field(description="Publication date.")
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", description="BCP 47 language tag of the text.")
    url: Optional[Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]] = Field(
        default=None, description="Where the source was published, when known."
    )
    text_path: str = Field(
        pattern=r"^sources/[A-Za-z0-9][A-Za-z0-9._-]*\.txt$",
        description="Path of the stored text, relative to datapackage.json.",
    )
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the stored text's bytes.")
    char_count: int = Field(ge=1, description="Length of the stored text in Unicode code points.")
    rights: Text = Field(description="Rights status of the source text.")
    notes: Optional[Text] = Field(default=None, description="How the metadata was established.")


class Actor(Record, Evidence):
    """A person, state, government, force, group or body the text names."""

    table: ClassVar[str] = "actors"
    table_title: ClassVar[str] = "Actors"
    primary_key: ClassVar[tuple[str, ...]] = ("actor_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("affiliation_id",), "actors", ("actor_id",)),
        ForeignKey(("source_id",), "sources", ("source_id",)),
    )

    actor_id: Slug = Field(description="Stable identifier of the actor.")
    name: ShortText = Field(description="The fullest name form the text uses.")
    kind: vocab.ActorKind = Field(description="What sort of actor it is.")  # type: ignore[valid-type]
    role: Optional[ShortText] = Field(default=None, description="Office or rank as the text states it.")
    affiliation_id: Optional[Slug] = Field(default=None, description="The actor it belongs to (FK actors).")
    aliases: tuple[Alias, ...] = Field(
        default=(), description="Every other form of the name the text uses, separated by '|'."
    )
    country: Optional[Country] = Field(default=None, description="ISO 3166-1 alpha-3 code of the actor's country.")
    wikidata_id: Optional[str] = Field(
        default=None, pattern=r"^Q[0-9]+$", description="Wikidata item, only when verified (see wikidata_ref)."
    )
    wikidata_ref: Optional[ShortText] = Field(default=None, description="Where the Wikidata item was verified.")
    notes: Optional[Text] = Field(default=None, description="Remarks on the record.")

    @field_validator("aliases", mode="before")
    @classmethod
    def _split_aliases(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(value.split(vocab.LIST_DELIMITER))
        return value

    @model_validator(mode="after")
    def _wikidata_cited(self) -> "Actor":
        check_wikidata(self.wikidata_id, self.wikidata_ref)
        check_affiliation(self.actor_id, self.affiliation_id)
        return self


class Event(Record, Assertion, Evidence, DateInterval):
    """An occurrence the text reports: visit, meeting, statement, agreement, operation..."""

    table: ClassVar[str] = "events"
    table_title: ClassVar[str] = "Events"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ASSERTED_BY, ForeignKey(("source_id",), "sources", ("source_id",)))
    same_assertion: ClassVar[tuple[str, ...]] = ("event_type", "source_id", "char_start", "char_end")

    event_id: Slug = Field(description="Stable identifier of the event.")
    event_type: vocab.EventTypeCode = Field(description="What kind of occurrence (PLOVER/CAMEO in the vocabulary).")  # type: ignore[valid-type]
    summary: Text = Field(description="One sentence on what happened, in the text's terms.")
    location: Optional[ShortText] = Field(default=None, description="Place as the text names it.")
    country: Optional[Country] = Field(default=None, description="ISO 3166-1 alpha-3 code of the place.")
    notes: Optional[Text] = Field(default=None, description="Doubts, inconsistencies and how the record was read.")


class EventActor(Record):
    """Who took part in an event, and how."""

    table: ClassVar[str] = "event_actors"
    table_title: ClassVar[str] = "Event participants"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "actor_id", "role")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("event_id",), "events", ("event_id",)),
        ForeignKey(("actor_id",), "actors", ("actor_id",)),
    )

    event_id: Slug = Field(description="The event (FK events).")
    actor_id: Slug = Field(description="The participant (FK actors).")
    role: vocab.EventRole = Field(description="The participant's part in the event.")  # type: ignore[valid-type]
    notes: Optional[Text] = Field(default=None, description="How the participant was identified.")


class Motive(Record, Assertion, Evidence):
    """A numbered motive the article attributes to an actor."""

    table: ClassVar[str] = "motives"
    table_title: ClassVar[str] = "Motives"
    primary_key: ClassVar[tuple[str, ...]] = ("motive_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("holder_id",), "actors", ("actor_id",)),
        ASSERTED_BY,
        ForeignKey(("source_id",), "sources", ("source_id",)),
    )
    same_assertion: ClassVar[tuple[str, ...]] = ("holder_id", "rank")

    motive_id: Slug = Field(description="Stable identifier of the motive.")
    holder_id: Slug = Field(description="Whose motive it is (FK actors).")
    rank: int = Field(ge=1, description="Its number in the article's list.")
    category: vocab.MotiveCategory = Field(description="What the motive seeks.")  # type: ignore[valid-type]
    summary: Text = Field(description="The motive in one sentence.")
    notes: Optional[Text] = Field(default=None, description="Remarks on the record.")


class Projection(Record, Assertion, Evidence):
    """A forecast, stated intention, expectation, threat or fear about the future."""

    table: ClassVar[str] = "projections"
    table_title: ClassVar[str] = "Projections"
    primary_key: ClassVar[tuple[str, ...]] = ("projection_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("actor_id",), "actors", ("actor_id",)),
        ForeignKey(("holder",), "actors", ("actor_id",), allow=(vocab.ARTICLE,)),
        ASSERTED_BY,
        ForeignKey(("source_id",), "sources", ("source_id",)),
    )
    same_assertion: ClassVar[tuple[str, ...]] = ("holder", "actor_id", "modality", "source_id", "char_start",
                                                 "char_end")

    projection_id: Slug = Field(description="Stable identifier of the projection.")
    actor_id: Slug = Field(description="The actor whose future action it is about, its subject (FK actors).")
    holder: Slug = Field(
        description="Whose forecast, intention, expectation, threat or fear it is: 'article' or an actor "
                    "(FK actors unless 'article').")
    rank: Optional[int] = Field(default=None, ge=1, description="Its number in the article's list, if listed.")
    summary: Text = Field(description="The projected action in one sentence.")
    likelihood_text: Optional[ShortText] = Field(default=None, description="The article's word for how likely it is.")
    likelihood_low: Optional[float] = Field(default=None, ge=0, le=1, description="Lower ICD 203 bound for that word.")
    likelihood_high: Optional[float] = Field(default=None, ge=0, le=1, description="Upper ICD 203 bound for that word.")
    horizon_text: Optional[ShortText] = Field(default=None, description="The article's words for when.")
    notes: Optional[Text] = Field(default=None, description="Remarks on the record.")

    @model_validator(mode="after")
    def _band_follows_word(self) -> "Projection":
        check_likelihood(self.likelihood_text, self.likelihood_low, self.likelihood_high)
        return self


class Relationship(Record, Assertion, Evidence):
    """A stated relation between two actors (support, mediation, criticism, control...)."""

    table: ClassVar[str] = "relationships"
    table_title: ClassVar[str] = "Relationships"
    primary_key: ClassVar[tuple[str, ...]] = ("relationship_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("subject_id",), "actors", ("actor_id",)),
        ForeignKey(("object_id",), "actors", ("actor_id",)),
        ForeignKey(("holder",), "actors", ("actor_id",), allow=(vocab.ARTICLE,)),
        ASSERTED_BY,
        ForeignKey(("source_id",), "sources", ("source_id",)),
    )
    same_assertion: ClassVar[tuple[str, ...]] = ("subject_id", "predicate", "object_id", "modality", "holder")

    relationship_id: Slug = Field(description="Stable identifier of the relationship.")
    subject_id: Slug = Field(description="The actor the relation starts from (FK actors).")
    predicate: vocab.Predicate = Field(description="The relation.")  # type: ignore[valid-type]
    object_id: Slug = Field(description="The actor the relation points to (FK actors).")
    holder: Optional[Slug] = Field(
        default=None,
        description="Whose goal, forecast, expectation, fear, intention, threat or demand the relation is: "
                    "'article' or an actor (FK actors unless 'article'); empty when the modality presents it "
                    "as a fact (asserted_fact, denied), required otherwise.")
    summary: Text = Field(description="The relation in one sentence.")
    notes: Optional[Text] = Field(default=None, description="Remarks on the record.")

    @model_validator(mode="after")
    def _holder_follows_modality(self) -> "Relationship":
        check_holder(self.modality, self.holder)
        return self


class Claim(Record, Assertion, Evidence):
    """An assessment, agenda item, position or background fact not held by another table."""

    table: ClassVar[str] = "claims"
    table_title: ClassVar[str] = "Claims"
    primary_key: ClassVar[tuple[str, ...]] = ("claim_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("actor_id",), "actors", ("actor_id",)),
        ForeignKey(("event_id",), "events", ("event_id",)),
        ASSERTED_BY,
        ForeignKey(("source_id",), "sources", ("source_id",)),
    )
    same_assertion: ClassVar[tuple[str, ...]] = ("claim_type", "actor_id", "event_id", "asserted_by", "modality",
                                                 "source_id", "char_start", "char_end")

    claim_id: Slug = Field(description="Stable identifier of the claim.")
    claim_type: vocab.ClaimType = Field(description="What sort of claim.")  # type: ignore[valid-type]
    actor_id: Optional[Slug] = Field(default=None, description="The actor the claim is about or held by (FK actors).")
    event_id: Optional[Slug] = Field(default=None, description="The event the claim belongs to (FK events).")
    summary: Text = Field(description="The claim in one sentence.")
    notes: Optional[Text] = Field(default=None, description="Remarks on the record.")


class Exclusion(Record, Evidence):
    """A span of the captured page that is not article text, with the reason."""

    table: ClassVar[str] = "exclusions"
    table_title: ClassVar[str] = "Excluded spans"
    primary_key: ClassVar[tuple[str, ...]] = ("exclusion_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (ForeignKey(("source_id",), "sources", ("source_id",)),)

    exclusion_id: Slug = Field(description="Stable identifier of the excluded span.")
    reason: vocab.ExclusionReason = Field(description="Why the span is not cited.")  # type: ignore[valid-type]
    notes: Optional[Text] = Field(default=None, description="Remarks on the span.")


#: The tables whose records assert something (``asserted_by``, ``modality``) and may have mentions.
ASSERTION_TABLES = tuple(vocab.RECORD_TABLES)


class Mention(Record, Evidence):
    """A further sentence that states a record's fact: one fact, one record, many mentions.

    A record's own quote is its first mention; this table holds every other one, each
    checked against the text like any span.
    """

    table: ClassVar[str] = "mentions"
    table_title: ClassVar[str] = "Mentions"
    primary_key: ClassVar[tuple[str, ...]] = ("record_table", "record_id", "char_start")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (ForeignKey(("source_id",), "sources", ("source_id",)),)
    record_reference: ClassVar[Optional[tuple[str, str]]] = ("record_table", "record_id")

    record_table: vocab.RecordTable = Field(description="The table of the record mentioned.")  # type: ignore[valid-type]
    record_id: Slug = Field(description="The id of the record mentioned, in record_table.")
    cue: Optional[ShortText] = Field(default=None, description="Reporting or attitude words of this mention, if any.")
    notes: Optional[Text] = Field(default=None, description="How this sentence restates the record.")


#: Every table in dependency order (a table's foreign keys point only backwards or to itself).
MODELS: tuple[type[Record], ...] = (
    Source, Actor, Event, EventActor, Motive, Projection, Relationship, Claim, Exclusion, Mention,
)
TABLES: dict[str, type[Record]] = {m.table: m for m in MODELS}


def model_of(name: str) -> type[Record]:
    """The model of the table ``name``; ``UnknownTable`` names the tables there are.

    >>> model_of("events").__name__
    'Event'
    >>> model_of("event")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    libyadata.errors.UnknownTable: no table 'event'; tables: sources, actors, events, ...
    """
    from .errors import UnknownTable

    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTable(f"no table {name!r}; tables: {', '.join(TABLES)}") from None


def has_evidence(model: type[Record]) -> bool:
    return issubclass(model, Evidence)


def has_dates(model: type[Record]) -> bool:
    return issubclass(model, DateInterval)
