"""The data dictionary (``docs/data-dictionary.md``), generated from the models and vocabularies,
and the printed answers of the cookbook (``docs/cookbook.md``), generated from the data.

Every table with its keys and fields (type, whether required, constraints, meaning),
the rules that tie fields together, and every controlled vocabulary with the meaning
of each value, the PLOVER/CAMEO coding of event types and the ICD 203 bands of
likelihood words. ``libyadata docs`` rewrites the file; ``libyadata docs --check``
and the test suite fail when the committed file differs from what the models give. The
cookbook's code is written by hand; the output shown after each question's first answer is
what that answer prints (``cookbook``), so a correction of the data updates it.

>>> md = data_dictionary()
>>> "| `event_id` | string | yes |" in md and "### `event_type`" in md
True
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import models, vocab
from .errors import LibyadataError
from .models import Record

OUTPUT = Path("docs") / "data-dictionary.md"
COOKBOOK = Path("docs") / "cookbook.md"
#: A fenced block of Markdown: its language and its text.
FENCE = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)

#: Rules that span several fields, by the class that enforces them (its validators have no declarative form).
CROSS_FIELD_RULES: dict[type, list[str]] = {
    models.Evidence: [
        "`char_start` < `char_end`, and `quote` is exactly the source text's code points "
        "`char_start`..`char_end` (end exclusive); `quote_prefix`/`quote_suffix` are the "
        f"{models.CONTEXT_CHARS} code points around it.",
    ],
    models.DateInterval: [
        "`date_precision` `unknown` and `date_basis` `undated` go together and leave both dates empty; "
        "any other precision needs both dates, with `date_start` ≤ `date_end`, "
        f"within {models.MIN_DATE}..{models.MAX_DATE}.",
        "`day`: `date_start` = `date_end`; `month`: first to last day of one month; "
        "`year`: 1 January to 31 December of one year.",
    ],
    models.Actor: [
        "`wikidata_id` and `wikidata_ref` are both filled or both empty; `affiliation_id` is never the actor itself.",
    ],
    models.Projection: [
        "`likelihood_low`/`likelihood_high` are the ICD 203 band of `likelihood_text` "
        "(see [Likelihood words](#likelihood-words-icd-203)), or both empty when the word has no band.",
    ],
}


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\n", " ").replace("|", "\\|")


def _vocabulary_of(values: list[str]) -> str | None:
    for name, terms in vocab.VOCABULARIES.items():
        if list(terms) == list(values):
            return name
    return None


def _constraints(c: dict[str, Any]) -> str:
    parts = []
    if "enum" in c:
        name = _vocabulary_of(c["enum"])
        parts.append(f"one of [`{name}`](#{name})" if name else
                     "one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "pattern" in c:
        parts.append(f"pattern `{c['pattern']}`")
    # Any other constraint (a kind added to the models later included) under its Table Schema name.
    labels = {"minLength": "min length", "maxLength": "max length"}
    first = ("minLength", "maxLength", "minimum", "maximum")
    rest = [k for k in first if k in c] + [k for k in c if k not in first + ("enum", "pattern", "required", "unique")]
    parts += [f"{labels.get(k, k)} {c[k]}" for k in rest]
    return _cell(", ".join(parts))


def _table_section(model: type[Record]) -> list[str]:
    from .schema import table_fields

    doc = " ".join((model.__doc__ or "").split())
    out = [f"### `{model.table}`", "", f"**{model.table_title}.** {doc}", ""]
    out.append("Primary key: " + ", ".join(f"`{k}`" for k in model.primary_key) + ".  ")
    if model.foreign_keys:
        fks = [", ".join(f"`{f}`" for f in fk.fields) + f" → [`{fk.resource}`](#{fk.resource})."
               + ", ".join(f"`{r}`" for r in fk.reference)
               + (" unless " + " or ".join(f"`{v}`" for v in fk.allow) if fk.allow else "")
               for fk in model.foreign_keys]
        out.append("Foreign keys: " + "; ".join(fks) + ".  ")
    out.append(f"File: `datapackage/data/{model.table}.csv`.")
    out += ["", "| # | field | type | required | constraints | description |", "|---:|---|---|---|---|---|"]
    for i, f in enumerate(table_fields(model), start=1):
        c = f.get("constraints", {})
        out.append(f"| {i} | `{f['name']}` | {f['type']} | {'yes' if c.get('required') else ''} | "
                   f"{_constraints(c)} | {_cell(f['description'])} |")
    rules = [r for cls, rs in CROSS_FIELD_RULES.items() if issubclass(model, cls) for r in rs]
    if rules:
        out += ["", "Rules across fields:", ""] + [f"- {r}" for r in rules]
    return out + [""]


def _users(name: str) -> list[str]:
    from .schema import table_fields

    terms = list(vocab.VOCABULARIES[name])
    return [f"`{m.table}.{f['name']}`" for m in models.MODELS for f in table_fields(m)
            if f.get("constraints", {}).get("enum") == terms]


def _vocabulary_section(name: str) -> list[str]:
    terms = vocab.VOCABULARIES[name]
    used = _users(name)
    out = [f"### `{name}`", ""]
    if used:
        out += ["Used by " + ", ".join(used) + ".", ""]
    if name == "event_type":
        out += ["| value | meaning | PLOVER | CAMEO |", "|---|---|---|---|"]
        for value, t in terms.items():
            plover = f"{t.plover}" + (f" (mode {t.plover_mode})" if t.plover_mode else "") if t.plover else "—"
            cameo = f"{t.cameo} {t.cameo_label}" if t.cameo else "—"
            meaning = t.meaning + (f" *Unmapped:* {t.why_unmapped}" if t.why_unmapped else "")
            out.append(f"| `{value}` | {_cell(meaning)} | {_cell(plover)} | {_cell(cameo)} |")
    elif name == "modality":
        out += ["Each value is relative to the record's `asserted_by` (FactBank's source; PARC's attribution "
                "source), with `cue` the words that carry it (PARC's cue) and the record its content. FactBank "
                "(Saurí & Pustejovsky 2009): CT certain, PR probable, PS possible, U underspecified; + / - "
                "polarity.", "",
                "| value | meaning | FactBank | typical cues |", "|---|---|---|---|"]
        out += [f"| `{value}` | {_cell(t.meaning)} | {t.factbank} | {_cell(t.cues)} |" for value, t in terms.items()]
    else:
        out += ["| value | meaning |", "|---|---|"]
        out += [f"| `{value}` | {_cell(vocab.meaning(name, value))} |" for value in terms]
    return out + [""]


def _likelihood_section() -> list[str]:
    out = ["### Likelihood words (ICD 203)", "",
           "`projections.likelihood_text` words that carry a probability band (Intelligence Community "
           "Directive 203, words of estimative probability); the match ignores case and surrounding spaces.", "",
           "| word | low | high |", "|---|---:|---:|"]
    out += [f"| {word} | {low:.2f} | {high:.2f} |" for word, (low, high) in vocab.ICD203_BANDS.items()]
    return out + [""]


def _hygiene_section() -> list[str]:
    from . import hygiene

    out = ["## Unicode hygiene", "",
           "Every text cell must be in Unicode Normalization Form C, and may not hold a character of "
           "these classes (`unicode-error`; after UAX #44, UTS #39 and UTS #55):", ""]
    out += [f"- **{name}**: {description}" for name, description in hygiene.REFUSED_CLASSES]
    return out + [""]


def data_dictionary() -> str:
    """The whole data dictionary as Markdown."""
    out = [
        "# Data dictionary",
        "",
        "<!-- Generated from src/libyadata/models.py and vocab.py by `libyadata generate`; do not edit. -->",
        "",
        "Every table of the libyadata data package, every field with its type, constraints and "
        "meaning, and every controlled vocabulary with the meaning of each value. It is generated "
        "from the Pydantic models, the same source as the Table Schemas in `schema/` and "
        "`datapackage/datapackage.json`.",
        "",
        "Cell conventions (CSV): UTF-8, one header row; an empty cell is null; "
        f"list cells join their items with `{vocab.LIST_DELIMITER}`; dates are ISO 8601 (`YYYY-MM-DD`); "
        "character offsets count Unicode code points, end exclusive.",
        "",
        "## Tables",
        "",
    ]
    out += [f"- [`{m.table}`](#{m.table}): {m.table_title}" for m in models.MODELS]
    out.append("")
    for model in models.MODELS:
        out += _table_section(model)
    out += ["## Controlled vocabularies", ""]
    out += [f"- [`{n}`](#{n})" for n in vocab.VOCABULARIES]
    out += ["- [Likelihood words (ICD 203)](#likelihood-words-icd-203)", ""]
    for name in vocab.VOCABULARIES:
        out += _vocabulary_section(name)
    out += _likelihood_section()
    out += _hygiene_section()
    return "\n".join(out).rstrip("\n") + "\n"


@dataclass(frozen=True)
class Answer:
    """One answer of the cookbook: a question (a ``## `` section), a tool (``### ``), its code and
    the output it must print (the text block after it, else the one after the question's first answer)."""

    question: str
    tool: str
    code: str
    expected: str


def cookbook_answers(markdown: str) -> list[Answer]:
    """Every answer of a cookbook.

    >>> [a.tool for a in cookbook_answers("## Q\\n### A\\n```python\\nprint(1)\\n```\\n```text\\n1\\n```\\n"
    ...                                    "### B\\n```python\\nprint(2 - 1)\\n```\\n")]
    ['A', 'B']
    """
    answers = []
    for section in re.split(r"^## ", markdown, flags=re.M)[1:]:
        question = section.splitlines()[0].strip()
        reference = None
        for part in re.split(r"^### ", section, flags=re.M)[1:]:
            tool = part.splitlines()[0].strip()
            blocks = FENCE.findall(part)
            if not blocks or blocks[0][0] != "python":
                raise ValueError(f"{question} / {tool}: no python block")
            if len(blocks) > 1 and blocks[1][0] == "text":
                reference = blocks[1][1]
            if reference is None:
                raise ValueError(f"{question} / {tool}: no expected output before it")
            answers.append(Answer(question, tool, blocks[0][1], reference))
    return answers


def printed(code: str, name: str = "cookbook") -> str:
    """What Python ``code`` prints (it runs in a namespace of its own); a ``LibyadataError`` naming
    ``name`` when it raises."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, name, "exec"), {"__name__": "cookbook"})  # the checkout's own document
    except Exception as exc:
        raise LibyadataError(f"{name}: the answer fails: {type(exc).__name__}: {exc}") from exc
    return out.getvalue()


def cookbook(markdown: str) -> str:
    """``markdown`` with each shown output replaced by what the python block before it prints.

    >>> cookbook("## Q\\n### A\\n```python\\nprint(6 * 7)\\n```\\n```text\\nstale\\n```\\n")
    '## Q\\n### A\\n```python\\nprint(6 * 7)\\n```\\n```text\\n42\\n```\\n'
    """
    out, at = [], 0
    blocks = list(FENCE.finditer(markdown))
    for code, shown in zip(blocks, blocks[1:]):
        if code.group(1) == "python" and shown.group(1) == "text" \
                and not markdown[code.end():shown.start()].strip():
            where = f"{COOKBOOK}: line {markdown.count(chr(10), 0, code.start()) + 1}"
            output = printed(code.group(2), where)
            if output and not output.endswith("\n"):
                output += "\n"  # the closing fence must start a line of its own
            if re.search(r"^```", output, re.M):
                raise LibyadataError(f"{where}: the answer prints a line starting with ```, which would end its "
                                     "output block; print it otherwise")
            out += [markdown[at:shown.start(2)], output]
            at = shown.end(2)
    return "".join(out) + markdown[at:]


def generated_files(repo_root: Path) -> dict[Path, bytes]:
    """The files this module writes (the cookbook only where the checkout has one), with their bytes."""
    root = Path(repo_root)
    files = {root / OUTPUT: data_dictionary().encode("utf-8")}
    if (root / COOKBOOK).is_file():
        files[root / COOKBOOK] = cookbook((root / COOKBOOK).read_text(encoding="utf-8")).encode("utf-8")
    return files


def write(repo_root: Path) -> list[Path]:
    """Rewrite the data dictionary and the cookbook's outputs where they differ; return those written."""
    from .csvio import write_changed

    return write_changed(generated_files(repo_root))


def stale(repo_root: Path) -> list[Path]:
    """The generated docs whose committed bytes differ from what the models and the data give."""
    from .csvio import stale_files

    return stale_files(generated_files(repo_root))
