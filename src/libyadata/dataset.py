"""The typed dataset: every table as immutable records, with lookups by id.

Loading reads the CSV files with the standard library and validates each row with
its Pydantic model; it imports nothing heavier than pydantic.

>>> data = load()
>>> data.actor("khalifa-haftar").name
'Khalifa Haftar'
>>> "haftar-visit-russia-2017-08" in {e.event_id for e in data.events_of("khalifa-haftar")}
True

It behaves like a mapping of table names to tables, and finds actors by name or alias:

>>> len(data) == len(models.TABLES) and data["events"] is data.events
True
>>> data.actor("haftar").actor_id     # case, diacritics and apostrophes do not matter
'khalifa-haftar'
>>> data.actor("Hafter")
Traceback (most recent call last):
...
libyadata.dataset.NotFound: no actor with id, name or alias 'Hafter'; did you mean: Haftar (khalifa-haftar)?
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from . import models
from .csvio import parse_rows
from .errors import DataError
from .models import (Actor, Claim, Event, EventActor, Exclusion, Mention, Motive, Projection, Record,
                     Relationship, Source)
from .resources import DESCRIPTOR, datapackage_dir, repository_root


class NotFound(KeyError):
    """No record with that key (or name); the message suggests close matches.

    A ``KeyError``, so ``except KeyError`` keeps working; its message is printed as is.
    """

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.candidates = message, candidates

    def __str__(self) -> str:
        return self.message


def fold(name: str) -> str:
    """A name's comparable form: case, diacritics, apostrophe and dash styles folded.

    >>> fold("Ḥafṭar’s") == fold("haftar's")
    True
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    for a, b in (("’", "'"), ("‘", "'"), ("ʼ", "'"), ("‐", "-"), ("–", "-"), ("—", "-")):
        plain = plain.replace(a, b)
    return " ".join(plain.casefold().split())


def _missing(what: str, key: str, choices: dict[str, str]) -> NotFound:
    """A NotFound for ``key`` with up to 5 close matches among ``choices`` (folded form -> label)."""
    import difflib

    close = difflib.get_close_matches(fold(key), list(choices), n=5, cutoff=0.6)
    labels = tuple(dict.fromkeys(choices[c] for c in close))
    hint = f"; did you mean: {', '.join(labels)}?" if labels else ""
    return NotFound(f"no {what} {key!r}{hint}", labels)


@dataclass(frozen=True, repr=False)
class Dataset:
    """The whole dataset. Tables are tuples of frozen records, in file order.

    A read-only mapping of table name to table: ``len(data)`` tables, ``for name in
    data``, ``data["events"]``, ``data.items()``.
    """

    sources: tuple[Source, ...]
    actors: tuple[Actor, ...]
    events: tuple[Event, ...]
    event_actors: tuple[EventActor, ...]
    motives: tuple[Motive, ...]
    projections: tuple[Projection, ...]
    relationships: tuple[Relationship, ...]
    claims: tuple[Claim, ...]
    exclusions: tuple[Exclusion, ...]
    mentions: tuple[Mention, ...]
    path: Path = field(compare=False)

    def table(self, name: str) -> tuple[Record, ...]:
        """A table by name, e.g. ``data.table("events")`` (``UnknownTable``, a ``KeyError``, names the tables)."""
        return getattr(self, models.model_of(name).table)

    def __getitem__(self, name: str) -> tuple[Record, ...]:
        return self.table(name)

    def __len__(self) -> int:
        return len(models.TABLES)

    def __iter__(self) -> Iterator[str]:
        return iter(models.TABLES)

    def __contains__(self, name: object) -> bool:
        return name in models.TABLES

    def keys(self) -> list[str]:
        return list(models.TABLES)

    def values(self) -> list[tuple[Record, ...]]:
        return [self.table(n) for n in models.TABLES]

    def items(self) -> list[tuple[str, tuple[Record, ...]]]:
        return [(n, self.table(n)) for n in models.TABLES]

    @property
    def version(self) -> str:
        from ._version import __version__

        return __version__

    def __repr__(self) -> str:
        tables = ", ".join(f"{name}={n}" for name, n in self.counts().items())
        return f"<libyadata.Dataset {self.version}: {tables}>"

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td><code>{escape(name)}</code></td><td>{escape(models.TABLES[name].table_title)}</td>"
            f"<td style='text-align:right'>{n}</td></tr>" for name, n in self.counts().items())
        return (f"<div><strong>libyadata {escape(self.version)}</strong> "
                f"<small>({escape(str(self.path))})</small><table><thead><tr><th>table</th><th>what</th>"
                f"<th>rows</th></tr></thead><tbody>{rows}</tbody></table></div>")

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
            raise _missing(f"{table[:-1]} with id", key, {fold(k): k for k in self._by_id[table]}) from None

    @cached_property
    def _actor_names(self) -> dict[str, tuple[Actor, ...]]:
        """Folded id, name and every alias -> the actors called so."""
        names: dict[str, dict[str, Actor]] = defaultdict(dict)
        for a in self.actors:
            for n in (a.actor_id, a.name, *a.aliases):
                names[fold(n)][a.actor_id] = a
        return {k: tuple(v.values()) for k, v in names.items()}

    def source(self, source_id: str) -> Source:
        return self._get("sources", source_id)  # type: ignore[return-value]

    def actor(self, name: str) -> Actor:
        """An actor by id, name or alias, ignoring case and diacritics: ``data.actor("Haftar")``.

        Raises :class:`NotFound` (a ``KeyError``) with the closest names on a miss, or
        with every actor called so when a name is ambiguous.
        """
        if name in self._by_id["actors"]:
            return self._by_id["actors"][name]  # type: ignore[return-value]
        found = self._actor_names.get(fold(name), ())
        if len(found) == 1:
            return found[0]
        if found:
            labels = tuple(f"{a.name} ({a.actor_id})" for a in found)
            raise NotFound(f"several actors are called {name!r}: {', '.join(labels)}; use an id", labels)
        choices = {}
        for a in self.actors:
            for n in (a.actor_id, a.name, *a.aliases):
                choices.setdefault(fold(n), f"{n} ({a.actor_id})" if n != a.actor_id else n)
        raise _missing("actor with id, name or alias", name, choices)

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
        """Every event the actor (id, name or alias) takes part in, in date order (undated last)."""
        actor_id = self.actor(actor_id).actor_id
        ids = dict.fromkeys(ea.event_id for ea in self._participation[1].get(actor_id, []))
        events = [self.event(i) for i in ids]
        return tuple(sorted(events, key=lambda e: (e.date_start is None, e.date_start or dt.date.min)))

    def motives_of(self, actor_id: str) -> tuple[Motive, ...]:
        """The actor's motives, by rank."""
        actor_id = self.actor(actor_id).actor_id
        return tuple(sorted((m for m in self.motives if m.holder_id == actor_id), key=lambda m: m.rank))

    def projections_of(self, actor_id: str) -> tuple[Projection, ...]:
        """Projections whose subject is the actor (whoever holds them)."""
        actor_id = self.actor(actor_id).actor_id
        return tuple(p for p in self.projections if p.actor_id == actor_id)

    def assertions(self, **where: str) -> tuple[Record, ...]:
        """Records of every assertion table (events, motives, projections, relationships, claims)
        whose fields equal ``where``; a table lacking one of the fields is skipped.

        >>> [p.projection_id for p in load().assertions(asserted_by="sergei-lavrov", modality="expectation")]
        ['salameh-visit-russia']
        """
        out: list[Record] = []
        for name in models.ASSERTION_TABLES:
            model = models.TABLES[name]
            if all(k in model.model_fields for k in where):
                out += [r for r in self.table(name) if all(getattr(r, k) == v for k, v in where.items())]
        return tuple(out)

    def mentions_of(self, table: str, record_id: str) -> tuple[Mention, ...]:
        """Every further sentence that states the record (its own quote is the first)."""
        return tuple(m for m in self.mentions if m.record_table == table and m.record_id == record_id)

    def relationships_of(self, actor_id: str) -> tuple[Relationship, ...]:
        """Relationships in which the actor is subject or object."""
        actor_id = self.actor(actor_id).actor_id
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
    data = _read(package_dir, rel)
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


def _read(package_dir: Path, rel: str) -> bytes:
    """A package file's bytes, by the path rules of :mod:`libyadata.paths` (no link anywhere on the
    path, regular files only)."""
    from . import paths

    try:
        return paths.read_bytes(package_dir, rel)
    except paths.UnsafePath as exc:
        message = str(exc)
        raise DataError("file is missing" if message.endswith("does not exist") else message, file=rel) from None


def _recorded_hashes(package_dir: Path) -> dict[str, str]:
    """sha256 of each table as the descriptor records it (empty if it cannot be read)."""
    import json

    try:
        descriptor = json.loads(_read(package_dir, DESCRIPTOR).decode("utf-8"))
        return {r["name"]: r["hash"] for r in descriptor["resources"]
                if r.get("name") in models.TABLES and str(r.get("hash", "")).startswith("sha256:")}
    except (OSError, ValueError, KeyError, TypeError, DataError):
        return {}


def _trusted_hashes(package_dir: Path, shipped: bool, validate: bool | None) -> dict[str, str]:
    """The recorded table hashes ``read_table`` may trust (see ``load``), or none."""
    trust = (shipped and repository_root() is None) if validate is None else not validate
    return _recorded_hashes(package_dir) if trust else {}


def load(path: str | Path | None = None, *, validate: bool | None = None) -> Dataset:
    """Load the dataset as typed, immutable records.

    ``path`` is a data package directory; by default the one shipped with libyadata (the
    installed copy), wherever the code runs: unlike the ``libyadata`` command line, which
    works on the ``datapackage/`` of the current folder when there is one
    (:func:`libyadata.resources.find_package`), the library never looks at the current folder.

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

    data = _read(package_dir, src.text_path)
    if digest(data) != src.sha256:
        raise DataError("the stored text does not match its sha256 in sources.csv", file=src.text_path)
    return data.decode("utf-8")
