"""What the validator found: error types, problems and the report with its three renderings.

Every error type is documented here once, with an example; ``docs/validation-errors.md``
is generated from this table (a test keeps them equal). Types reuse Frictionless'
names where the fault is the same, so a report reads like ``frictionless validate``'s.

>>> r = Report("pkg")
>>> r.add("type-error", "'x' is not an integer", file="data/motives.csv", row=3, field="rank", cell="x")
>>> r.valid, r.exit_code, r.counts()
(False, 1, {'type-error': 1})
>>> r.to_github().splitlines()[0]
"::error file=pkg/data/motives.csv,line=3,title=type-error (rank)::row 3, field rank: 'x' is not an integer"
"""

from __future__ import annotations

from ..inert import inert, json_text  # noqa: F401 - inert re-exported: the one rule for untrusted text

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorType:
    """One kind of fault, as documented in ``docs/validation-errors.md``."""

    name: str
    title: str
    description: str
    fix: str
    example: str
    #: The Frictionless error type this one refines (a subtype of the same fault), if any.
    frictionless: str | None = None
    scope: str = "cell"


def _types(*items: ErrorType) -> dict[str, ErrorType]:
    return {t.name: t for t in items}


ERROR_TYPES: dict[str, ErrorType] = _types(
    # --- reading and the package as a whole ----------------------------------------
    ErrorType("source-error", "Unreadable input",
              "The path is not a readable data package directory, or a file in it cannot be read "
              "(missing folder, no permission). The validator exits with status 2.",
              "Pass the directory that holds datapackage.json.",
              "path 'contrib/datapackage' does not exist", "source-error", "package"),
    ErrorType("package-error", "Invalid descriptor",
              "datapackage.json is not valid JSON, holds duplicate keys or NaN, lacks a resource the "
              "models require, declares one they do not know, or declares a schema other than the one "
              "the models generate.",
              "Regenerate the descriptor with `libyadata schema` instead of editing it by hand.",
              "resource 'events': its schema differs from the one the models generate (field "
              "'event_type'); run `libyadata schema`", "package-error", "package"),
    ErrorType("unsafe-path", "Unsafe path",
              "A resource path is absolute, a URL, a `file:` reference, leaves the package (`..`), names "
              "a hidden file or folder, or a file in the package is a symbolic link. The validator never "
              "follows such a path.",
              "Use a plain relative path inside the package, such as data/events.csv, and commit files, "
              "not links.",
              "resources[2].path '../../etc/passwd' leaves the package", None, "package"),
    ErrorType("forbidden-file", "Forbidden file",
              "The package holds a file that is not one of its declared tables or source texts, or a "
              "binary file (Parquet, Arrow, pickle, archives, spreadsheets). Binary files are refused, "
              "never parsed: contributions are CSV and text only.",
              "Remove the file; Parquet files are built by maintainers with `libyadata build`.",
              "data/events.parquet: binary file (Parquet) refused: contribute CSV only", None, "file"),
    ErrorType("missing-file", "Missing file",
              "A table the models require, or a file the descriptor declares, does not exist; with "
              "`--base`, a generated file of the base package (under `parquet/`) that the contribution removes.",
              "Add the file, or remove its resource with `libyadata schema`.",
              "data/motives.csv is missing: every table of the models must be present", None, "file"),
    ErrorType("size-limit", "Size limit exceeded",
              "A file, the descriptor, its JSON nesting, a table's row count or a cell is larger than the "
              "validator accepts. Oversized input is refused before it is parsed.",
              "Split the contribution, or shorten the cell.",
              "datapackage.json: nesting depth exceeds 32 levels; refused before parsing", None, "file"),
    ErrorType("byte-count", "Byte count mismatch",
              "The descriptor's `bytes` for a resource differs from the file's size.",
              "Run `libyadata schema` to update sizes and hashes.",
              "data/events.csv has 12370 bytes but the descriptor says 12366", "byte-count", "file"),
    ErrorType("hash-count", "Hash mismatch",
              "The descriptor's `hash` for a resource differs from the file's hash (md5 or sha256).",
              "Run `libyadata schema` to update sizes and hashes.",
              "data/events.csv has sha256:9f2c… but the descriptor says sha256:75a2…", "hash-count", "file"),
    # --- bytes and structure ----------------------------------------------------------
    ErrorType("encoding-error", "Encoding error",
              "The file is not strict UTF-8 (the message gives the byte offset of the first bad byte), "
              "or starts with a byte order mark.",
              "Save the file as UTF-8 without BOM.",
              "invalid UTF-8 at byte 1234 (line 7): b'\\xe9' cannot start or continue a character",
              "encoding-error", "file"),
    ErrorType("format-error", "Not parseable as CSV",
              "The file cannot be read as CSV as written: a quote that is never closed, rows that quotes "
              "join or split, or a quote inside a cell that is not doubled (RFC 4180 wants `\"say \"\"no\"\"\"`).",
              "Check the quoting near the place the message names; save with a CSV writer.",
              "the file cannot be parsed as CSV: CSV parse error: ...", "format-error", "file"),
    ErrorType("line-ending", "Line ending",
              "The file uses CR LF (Windows) or bare CR line ends; the dialect is LF only.",
              "Convert the file to LF line ends (e.g. `dos2unix`, or your editor's line-ending setting).",
              "line 2 ends with CR LF: the package uses LF line ends only", None, "file"),
    ErrorType("duplicate-label", "Duplicate label",
              "A column name occurs twice in the header.",
              "The header must be exactly the schema's fields, in order.",
              "label 'summary' in column 5 repeats column 3", "duplicate-label", "label"),
    ErrorType("incorrect-label", "Incorrect label",
              "A column name differs from the schema's field at that position.",
              "The header must be exactly the schema's fields, in order.",
              "column 2 is labelled 'type' but the schema's field there is 'event_type'",
              "incorrect-label", "label"),
    ErrorType("missing-label", "Missing label",
              "The header has fewer columns than the schema.",
              "Add the missing column (and its cells) at its place.",
              "the header lacks field 'notes' (column 4)", "missing-label", "label"),
    ErrorType("extra-label", "Extra label",
              "The header has more columns than the schema.",
              "Remove the column, or propose the new field in the models first.",
              "column 5 'comment' is not a field of the schema", "extra-label", "label"),
    ErrorType("extra-cell", "Extra cell",
              "A row has more cells than the header (often an unquoted comma).",
              "Quote cells that contain commas, or remove the extra cells.",
              "row has 5 cells but the header has 4", "extra-cell", "row"),
    ErrorType("missing-cell", "Missing cell",
              "A row has fewer cells than the header. When it lacks one cell and only one place for the gap "
              "lets every other cell pass its field's checks, that field is named.",
              "Add the missing cells; an empty value is an empty cell between two commas.",
              "row has 3 cells but the header has 4; missing: notes", "missing-cell", "row"),
    ErrorType("blank-row", "Blank row",
              "A row has no value at all (an empty line or only commas).",
              "Delete the row.",
              "row is blank", "blank-row", "row"),
    # --- cells -------------------------------------------------------------------------
    ErrorType("type-error", "Type error",
              "A cell cannot be read as its field's type (integer, number, date).",
              "Write the value in the field's format: 3, 0.55, 2017-08-14.",
              "'14 August 2017' is not a date: write YYYY-MM-DD", "type-error"),
    ErrorType("constraint-error", "Constraint error",
              "A cell breaks a constraint of its field: required, pattern, length, minimum, maximum.",
              "Change the value so it meets the constraint the message names.",
              "'Khalifa Haftar' does not match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$", "constraint-error"),
    ErrorType("vocabulary-error", "Not in the vocabulary",
              "A coded cell holds a value that its controlled vocabulary (libyadata.vocab) does not list. "
              "It is Frictionless' `enum` constraint-error, with a suggestion.",
              "Use one of the listed values; propose a new one in libyadata.vocab first.",
              "'vist' is not in the vocabulary event_type; did you mean 'visit'?", "constraint-error"),
    ErrorType("unique-error", "Unique error",
              "A field declared unique holds a value another row already has (compared after Unicode "
              "normalisation). No field of the current models declares `unique`; the check applies when one does.",
              "Make the value unique.",
              "value 'x' already occurs in row 4", "unique-error"),
    ErrorType("primary-key", "Primary key",
              "Two rows have the same primary key, compared after Unicode normalisation (NFKC, format "
              "characters removed, case folded), so `abc` and `abc`+ZERO WIDTH SPACE collide.",
              "Give the record a new id; ids are never reused.",
              "key (haftar-visit-russia-2017-08) already used in row 2", "primary-key", "row"),
    ErrorType("foreign-key", "Foreign key",
              "A reference to another record (or to the same table, as affiliation_id) points to no "
              "existing key, compared after Unicode normalisation.",
              "Use an existing id, or add the record it refers to.",
              "affiliation_id 'libyan-army' is not an actor_id of actors", "foreign-key", "row"),
    ErrorType("unicode-error", "Unicode hygiene",
              "A cell is not in Unicode NFC, or holds a character of a refused class: default-ignorable "
              "(zero-width, bidi controls, variation selectors, tags), control other than line feed, "
              "format, line or paragraph separator, private-use or unassigned (see the data dictionary).",
              "Retype the value; remove invisible characters; normalise to NFC.",
              "the cell holds U+200B ZERO WIDTH SPACE at position 6, an invisible default-ignorable "
              "character; remove it"),
    ErrorType("formula-injection", "Formula injection",
              "A cell starts with a character a spreadsheet would run as a formula: `=`, `+`, `@`, tab, "
              "CR, or `-` unless a digit or point follows it and the cell holds no `(` nor `|` (a negative number "
              "such as `-0.5`, or the article's words after a quote: `-2017 he said`); `-2+3+cmd|' /C calc'!A0` "
              "is refused (CWE-1236).",
              "Reword the cell so it does not start with that character.",
              "cell starts with '=' and a spreadsheet would run it as a formula"),
    ErrorType("consistency-error", "Inconsistent fields",
              "Fields of one row contradict a rule of the model: wikidata_id and wikidata_ref go "
              "together, an actor is not its own affiliation, likelihood_low/high are the ICD 203 band of "
              "likelihood_text, char_start < char_end and the quote's length equals char_end - char_start.",
              "Make the fields agree as the message says.",
              "likelihood_low/high must be the ICD 203 band of 'likely': expected (0.55, 0.8), got (0.5, 0.8)",
              None, "row"),
    ErrorType("date-error", "Date error",
              "The date interval contradicts its precision or basis (day: start = end; month/year: whole "
              "month/year; unknown <=> undated with empty dates), start is after end, a date is outside "
              "1900..2100, or it begins after the source's publication.",
              "Write the interval the text allows; see the conventions in the README.",
              "precision 'day' needs date_start == date_end, got 2017-08-14..2017-08-15", None, "row"),
    ErrorType("evidence-mismatch", "Evidence mismatch",
              "The quote is not at char_start..char_end of the source text (the message says where it "
              "does occur: `did you mean char_start=…, char_end=…?`), or quote_prefix/quote_suffix differ "
              "from the text around it, or the span lies outside the text.",
              "Use `libyadata anchor \"QUOTE\"` to get the exact cells.",
              "quote 'Sarraj' is not at char_start=12, char_end=18 (the text there is 'arraj '); did you "
              "mean char_start=11, char_end=17?"),
    ErrorType("duplicate-assertion", "Duplicate assertion",
              "Two records of one table assert the same thing: they are equal in the fields the table's model "
              "names as an assertion's identity (relationships: subject_id, predicate, object_id, modality, holder; "
              "motives: holder_id, rank; projections: holder, actor_id, modality and the same quote; claims and "
              "events: their codes and the same quote). Ids are compared after Unicode normalisation, numbers "
              "by value (a rank of 01 is a rank of 1).",
              "Keep one record; add the other sentence to mentions.csv as a mention of it (record_table, "
              "record_id and the quote's cells from `libyadata anchor`).",
              "asserts the same as row 12 (equal subject_id, predicate, object_id, modality, holder): one fact is one "
              "record; delete this row and add its quote to mentions.csv as a mention of the other",
              None, "row"),
    ErrorType("source-text-error", "Source text error",
              "A source's stored text is missing, unsafe, not UTF-8, or differs from the sha256 or "
              "char_count recorded in sources.csv. Evidence of that source cannot be checked.",
              "Store the text byte-identical to the capture and record its sha256 and length.",
              "sources/x.txt has sha256 1f0e… but sources.csv says 458e…"),
)

#: Error types that mean the input could not be read at all (exit status 2).
UNUSABLE = frozenset({"source-error"})


@dataclass
class Problem:
    """One fault: what, where (file, row, field) and the offending cell."""

    type: str
    message: str
    file: str | None = None
    row: int | None = None
    field: str | None = None
    cell: str | None = None
    line: int | None = None
    col: int | None = None
    field_number: int | None = None

    def where(self) -> str:
        parts = [f"row {self.row}" if self.row is not None else None,
                 f"field {self.field}" if self.field else None]
        return ", ".join(p for p in parts if p)

    def to_json(self) -> dict[str, Any]:
        t = ERROR_TYPES[self.type]
        out: dict[str, Any] = {"type": self.type, "title": t.title, "message": self.message,
                               "description": t.description, "tags": _tags(t)}
        if t.frictionless and t.frictionless != self.type:
            out["frictionlessType"] = t.frictionless
        if self.file is not None:
            out["file"] = self.file
        if self.row is not None:
            out["rowNumber"] = self.row
        if self.line is not None:
            out["lineNumber"] = self.line
        if self.field is not None:
            out["fieldName"] = self.field
        if self.field_number is not None:
            out["fieldNumber"] = self.field_number
        if self.cell is not None:
            out["cell"] = self.cell
        return out


def _tags(t: ErrorType) -> list[str]:
    return {"package": ["#package"], "file": ["#resource"], "label": ["#table", "#header", "#label"],
            "row": ["#table", "#row"], "cell": ["#table", "#row", "#cell"]}[t.scope]


#: Cells quoted in a report are cut to this many characters.
CELL_PREVIEW = 200
#: Problems kept in memory whatever ``--max-errors`` says (0 included): the rest are counted, not kept,
#: so a report costs at most a few tens of MB however many faults a contribution holds.
HARD_LIMIT = 20_000


@dataclass
class Report:
    """Every problem found in one package, bounded by ``max_errors``."""

    path: str
    max_errors: int | None = None
    problems: list[Problem] = field(default_factory=list)
    #: Problems found beyond ``max_errors`` (counted, not kept).
    dropped: int = 0
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def limit(self) -> int:
        """How many problems are kept: ``max_errors``, never more than :data:`HARD_LIMIT`."""
        return HARD_LIMIT if self.max_errors is None else min(self.max_errors, HARD_LIMIT)

    def room(self) -> int:
        """How many more problems may be kept."""
        return max(0, self.limit - len(self.problems))

    def add(self, type: str, message: str, *, file: str | None = None, row: int | None = None,
            field: str | None = None, cell: str | None = None, field_number: int | None = None,
            line: int | None = None) -> None:
        if type not in ERROR_TYPES:  # pragma: no cover - a programming error
            raise KeyError(f"undocumented error type {type!r}")
        if len(self.problems) >= self.limit:
            self.dropped += 1
            return
        if cell is not None and len(cell) > CELL_PREVIEW:
            cell = cell[:CELL_PREVIEW] + "…"
        self.problems.append(Problem(type, message, file, row, field, cell, line=line, field_number=field_number))

    def extend(self, other: Report) -> None:
        """Take over another report's problems (checks run in parallel each fill their own)."""
        for p in other.problems:
            if len(self.problems) >= self.limit:
                self.dropped += 1
            else:
                self.problems.append(p)
        self.dropped += other.dropped
        self.notes.extend(other.notes)

    def count_dropped(self, n: int) -> None:
        self.dropped += n

    def file_stats(self, file: str, **stats: Any) -> None:
        self.files.setdefault(file, {}).update(stats)

    @property
    def error_count(self) -> int:
        return len(self.problems) + self.dropped

    @property
    def valid(self) -> bool:
        return self.error_count == 0

    @property
    def exit_code(self) -> int:
        if any(p.type in UNUSABLE for p in self.problems):
            return 2
        return 0 if self.valid else 1

    def counts(self) -> dict[str, int]:
        return dict(Counter(p.type for p in self.problems))

    def sort(self) -> None:
        order = {f: i for i, f in enumerate(self.files)}
        self.problems.sort(key=lambda p: (p.file is not None, order.get(p.file or "", len(order)), p.file or "",
                                          p.row or 0, p.field_number or 0, p.type, p.message))

    # --- renderers --------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """A report shaped like ``frictionless validate --json``: valid, stats, tasks, errors."""
        by_file: dict[str | None, list[Problem]] = {}
        for p in self.problems:
            by_file.setdefault(p.file, []).append(p)
        tasks = []
        for name in list(self.files) + [f for f in by_file if f is not None and f not in self.files]:
            errs = by_file.get(name, [])
            tasks.append({"name": name, "type": "table" if name.endswith(".csv") else "file",
                          "place": f"{self.path}/{name}", "valid": not errs,
                          "stats": {"errors": len(errs), **self.files.get(name, {})},
                          "errors": [p.to_json() for p in errs]})
        return {
            "valid": self.valid,
            "path": self.path,
            "stats": {"tasks": len(tasks), "errors": self.error_count, "reported": len(self.problems),
                      "truncated": self.dropped, "limit": self.limit, "seconds": round(self.seconds, 3)},
            "errors": [p.to_json() for p in by_file.get(None, [])],
            "tasks": tasks,
            "notes": self.notes,
        }

    def to_text(self, colour: bool = False) -> str:
        """Human text grouped by file, with counts per error type."""
        red, green, dim, bold, off = (("\033[31m", "\033[32m", "\033[2m", "\033[1m", "\033[0m") if colour
                                      else ("", "", "", "", ""))
        if self.valid:
            lines = [f"{green}valid{off}: {inert(self.path)} ({len(self.files)} files checked in {self.seconds:.2f} s)"]
            lines += [f"{dim}note: {inert(n)}{off}" for n in self.notes]
            return "\n".join(lines) + "\n"
        lines = []
        groups: dict[str | None, list[Problem]] = {}
        for p in self.problems:
            groups.setdefault(p.file, []).append(p)
        for file, problems in groups.items():
            counts = ", ".join(f"{n} {t}" for t, n in Counter(p.type for p in problems).items())
            lines.append(f"{bold}{inert(file or 'package')}{off}: {len(problems)} error(s) ({counts})")
            for p in problems:
                where = inert(p.where())
                cell = f" {dim}[cell: {inert(repr(p.cell))}]{off}" if p.cell is not None and p.cell not in p.message \
                    else ""
                lines.append(f"  {red}{p.type}{off} {where + ': ' if where else ''}{inert(p.message)}{cell}")
        more = f" ({self.dropped} more not shown; {self._raise_hint()})" if self.dropped else ""
        lines.append(f"{red}invalid{off}: {inert(self.path)}: {self.error_count} error(s){more}; "
                     "see docs/validation-errors.md for each type and how to fix it")
        lines += [f"{dim}note: {inert(n)}{off}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def to_github(self) -> str:
        """GitHub Actions workflow commands, one ``::error`` annotation per problem."""
        out = []
        for p in self.problems:
            props = []
            if p.file is not None:
                props.append(f"file={_prop(self.path.rstrip('/') + '/' + p.file)}")
                line = p.line if p.line is not None else p.row
                if line is not None:
                    props.append(f"line={line}")
                if p.col is not None:
                    props.append(f"col={p.col}")
            title = p.type + (f" ({p.field})" if p.field else "")
            props.append(f"title={_prop(title)}")
            where = p.where()
            out.append(f"::error {','.join(props)}::{_data((where + ': ' if where else '') + p.message)}")
        if self.dropped:
            out.append(f"::warning title=libyadata validate::{self.dropped} more error(s) not shown; "
                       f"{self._raise_hint()}")
        out.append(f"{'valid' if self.valid else 'invalid'}: {self.error_count} error(s)")
        return "\n".join(out) + "\n"

    def _raise_hint(self) -> str:
        if self.limit >= HARD_LIMIT:
            return f"a report keeps at most {HARD_LIMIT} problems; fix these first"
        return "raise --max-errors"

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - convenience
        return asdict(self)


def _data(s: str) -> str:
    # GitHub workflow command escaping: a newline in the message would end the command (and a
    # contributed name could then start its own `::` command); other controls are shown escaped.
    return inert(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, fmt: str, colour: bool = False) -> str:
    """The report in ``fmt`` (text, json or github)."""
    if fmt == "json":
        return json_text(report.to_json(), indent=2) + "\n"
    if fmt == "github":
        return report.to_github()
    return report.to_text(colour)


def error_types_markdown() -> str:
    """The text of ``docs/validation-errors.md``, generated from ERROR_TYPES."""
    lines = [
        "# Validation errors",
        "",
        "<!-- Generated from libyadata.validate.report.ERROR_TYPES by `libyadata generate`; do not edit. -->",
        "",
        "`libyadata validate [PATH]` checks a data package directory against the schema derived from the",
        "models and reports every fault with its file, row (as Frictionless counts: the header is row 1)",
        "and field. Exit status: 0 valid, 1 invalid, 2 unusable invocation or unreadable input.",
        "Error types reuse Frictionless' names where the fault is the same; the others are the project's own.",
        "",
        "| type | title | Frictionless |",
        "|---|---|---|",
    ]
    for t in ERROR_TYPES.values():
        fl = f"`{t.frictionless}`" if t.frictionless else "—"
        lines.append(f"| [`{t.name}`](#{t.name}) | {t.title} | {fl} |")
    for t in ERROR_TYPES.values():
        lines += ["", f"## {t.name}", "", f"**{t.title}.** {t.description}", "", f"How to fix: {t.fix}", "",
                  "Example:", "", "```", t.example, "```"]
        if t.frictionless and t.frictionless != t.name:
            lines += ["", f"Frictionless reports the same fault as `{t.frictionless}`."]
    return "\n".join(lines) + "\n"
