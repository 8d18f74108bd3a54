"""The typed dataset: every table as immutable records, with lookups by id.

Loading reads the CSV files with the standard library and validates each row with
its Pydantic model; it imports nothing heavier than pydantic.

>>> data = load()
>>> data.actor("khalifa-haftar").name
'Khalifa Haftar'
>>> "haftar-visit-russia-2017-08" in {e.event_id for e in data.events_of("khalifa-haftar")}
True
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from . import models
from .csvio import parse_rows
from .errors import DataError
from .models import (Actor, Claim, Event, EventActor, Exclusion, Motive, Projection, Record, Relationship,
                     Source)
from .resources import DESCRIPTOR, datapackage_dir, repository_root


@dataclass(frozen=True)
class Dataset:
    """The whole dataset. Tables are tuples of frozen records, in file order."""

    sources: tuple[Source, ...]
    actors: tuple[Actor, ...]
    events: tuple[Event, ...]
    event_actors: tuple[EventActor, ...]
    motives: tuple[Motive, ...]
    projections: tuple[Projection, ...]
    relationships: tuple[Relationship, ...]
    claims: tuple[Claim, ...]
    exclusions: tuple[Exclusion, ...]
    path: Path = field(compare=False)

    def table(self, name: str) -> tuple[Record, ...]:
        """A table by name, e.g. ``data.table("events")``."""
        return getattr(self, models.model_of(name).table)

    def counts(self) -> dict[str, int]:
        """Row count of every table."""
        return {name: len(getattr(self, name)) for name in models.TABLES}

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Record]]:
        return {name: {r.key[0]: r for r in getattr(self, name)}
                for name, m in models.TABLES.items() if len(m.primary_key) == 1}

    def _get(self, table: str, key: str) -> Record:
        try:
            return self._by_id[table][key]
        except KeyError:
            raise KeyError(f"no {table[:-1]} with id {key!r}") from None

    def source(self, source_id: str) -> Source:
        return self._get("sources", source_id)  # type: ignore[return-value]

    def actor(self, actor_id: str) -> Actor:
        return self._get("actors", actor_id)  # type: ignore[return-value]

    def event(self, event_id: str) -> Event:
        return self._get("events", event_id)  # type: ignore[return-value]

    @cached_property
    def _participation(self) -> tuple[dict[str, list[EventActor]], dict[str, list[EventActor]]]:
        by_event: dict[str, list[EventActor]] = defaultdict(list)
        by_actor: dict[str, list[EventActor]] = defaultdict(list)
        for ea in self.event_actors:
            by_event[ea.event_id].append(ea)
            by_actor[ea.actor_id].append(ea)
        return by_event, by_actor

    def participants(self, event_id: str) -> tuple[tuple[Actor, str], ...]:
        """(actor, role) pairs of an event."""
        self.event(event_id)
        return tuple((self.actor(ea.actor_id), ea.role) for ea in self._participation[0].get(event_id, []))

    def events_of(self, actor_id: str) -> tuple[Event, ...]:
        """Every event the actor takes part in, in date order (undated last)."""
        self.actor(actor_id)
        ids = dict.fromkeys(ea.event_id for ea in self._participation[1].get(actor_id, []))
        events = [self.event(i) for i in ids]
        return tuple(sorted(events, key=lambda e: (e.date_start is None, e.date_start or dt.date.min)))

    def motives_of(self, actor_id: str) -> tuple[Motive, ...]:
        """The actor's motives, by rank."""
        return tuple(sorted((m for m in self.motives if m.holder_id == actor_id), key=lambda m: m.rank))

    def projections_of(self, actor_id: str) -> tuple[Projection, ...]:
        return tuple(p for p in self.projections if p.actor_id == actor_id)

    def relationships_of(self, actor_id: str) -> tuple[Relationship, ...]:
        """Relationships in which the actor is subject or object."""
        return tuple(r for r in self.relationships if actor_id in (r.subject_id, r.object_id))

    def source_text(self, source_id: str | None = None) -> str:
        """The stored text of a source (the only one when ``source_id`` is omitted)."""
        return source_text(source_id, path=self.path)


def read_table(model: type[Record], package_dir: Path, verified_sha256: str | None = None) -> tuple[Record, ...]:
    """Read one table's CSV file and validate every row.

    With ``verified_sha256`` (the hash the descriptor records for this file), rows are
    only converted, not validated, if and only if the file's bytes have that hash.
    """
    rel = f"data/{model.table}.csv"
    path = package_dir / rel
    if not path.is_file():
        raise DataError("file is missing", file=rel)
    data = path.read_bytes()
    if verified_sha256 is not None:
        from .hashing import digest

        if "sha256:" + digest(data) != verified_sha256:
            verified_sha256 = None  # changed since it was validated: validate it now
    try:
        header, rows = parse_rows(io.StringIO(data.decode("utf-8"), newline=""), rel)
    except UnicodeDecodeError as exc:
        raise DataError(f"not valid UTF-8 at byte {exc.start}", file=rel) from None
    if tuple(header) != model.columns:
        raise DataError(f"header must be {','.join(model.columns)}; got {','.join(header)}", file=rel, row=1)
    if verified_sha256 is not None:
        return tuple(model.from_verified_row(row) for row in rows)
    records = []
    for number, row in enumerate(rows, start=2):
        try:
            records.append(model.from_row(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or None
            raise DataError(first["msg"], file=rel, row=number, field=where) from None
    return tuple(records)


def _recorded_hashes(package_dir: Path) -> dict[str, str]:
    """sha256 of each table as the descriptor records it (empty if it cannot be read)."""
    import json

    try:
        descriptor = json.loads((package_dir / DESCRIPTOR).read_text(encoding="utf-8"))
        return {r["name"]: r["hash"] for r in descriptor["resources"]
                if r.get("name") in models.TABLES and str(r.get("hash", "")).startswith("sha256:")}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _trusted_hashes(package_dir: Path, shipped: bool, validate: bool | None) -> dict[str, str]:
    """The recorded table hashes ``read_table`` may trust (see ``load``), or none."""
    trust = (shipped and repository_root() is None) if validate is None else not validate
    return _recorded_hashes(package_dir) if trust else {}


def load(path: str | Path | None = None, *, validate: bool | None = None) -> Dataset:
    """Load the dataset as typed, immutable records.

    ``path`` is a data package directory; by default the one shipped with libyadata.

    Every row is validated by its model, with one exception that keeps ``load()``
    cheap: the package shipped inside an installed wheel was validated by the test suite
    before release, and its descriptor records the sha256 of each table, so a table whose
    bytes still have that hash is only converted to the declared types. In a source
    checkout, where the data may have been edited, and for a package given by ``path``,
    everything is validated. ``validate=True`` always validates; ``validate=False``
    applies the hash rule anywhere.
    """
    package_dir = Path(path) if path is not None else datapackage_dir()
    hashes = _trusted_hashes(package_dir, path is None, validate)
    tables = {name: read_table(model, package_dir, hashes.get(name)) for name, model in models.TABLES.items()}
    return Dataset(path=package_dir, **tables)  # type: ignore[arg-type]


def source_text(source_id: str | None = None, *, path: str | Path | None = None) -> str:
    """The stored text of a source, checked against its recorded SHA-256.

    >>> source_text().startswith("أخبار المركز")
    True
    """
    package_dir = Path(path) if path is not None else datapackage_dir()
    trusted = _trusted_hashes(package_dir, path is None, None).get(Source.table)
    sources = {s.source_id: s for s in read_table(Source, package_dir, trusted)}  # type: ignore[attr-defined]
    if source_id is None:
        if len(sources) != 1:
            raise KeyError(f"several sources; name one of: {', '.join(sources)}")
        source_id = next(iter(sources))
    if source_id not in sources:
        raise KeyError(f"no source with id {source_id!r}")
    src = sources[source_id]
    from .hashing import digest  # only here and for verified tables: most imports of libyadata never hash

    data = (package_dir / src.text_path).read_bytes()
    if digest(data) != src.sha256:
        raise DataError("the stored text does not match its sha256 in sources.csv", file=src.text_path)
    return data.decode("utf-8")
