"""``libyadata.validate.keys``: ids compared after normalisation; a foreign key's one lookup codes its cells."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from libyadata import models
from libyadata.validate import keys, structure
from libyadata.validate.columns import Checked
from libyadata.validate.report import Report


def strings(values):
    return pa.array(values, pa.string())


def _participants(event_ids, actor_ids, roles):
    table = pa.Table.from_arrays([strings(event_ids), strings(actor_ids), strings(roles)],
                                 names=["event_id", "actor_id", "role"])
    return structure.RawTable("data/event_actors.csv", models.EventActor, table, None, ["event_id", "actor_id", "role"])


def _parent(ids):
    return keys.KeySet(strings(ids), "data/events.csv")


FK = next(fk for fk in models.EventActor.foreign_keys if fk.fields == ("event_id",))


def test_positions_are_equal_for_equal_keys_and_minus_one_when_missing():
    parent = strings(["a", "b", "a", "c"])  # a duplicate key is a primary-key error there; here it must not split codes
    got = keys.positions(strings(["c", "a", "zz", None, "a"]), parent)
    assert got.tolist() == [3, 0, -1, -1, 0]


def test_reference_codes_code_keys_not_in_the_parent_among_themselves():
    raw = _participants(["a", "x", "A", "x", "y", None], ["p"] * 6, ["r"] * 6)
    codes = keys.reference_codes(raw, Checked(), FK, _parent(["a", "b"]))
    assert codes[0] == codes[2] == 0  # "A" normalises to "a", found at position 0
    assert codes[1] == codes[3] >= 2 and codes[4] >= 2 and codes[4] != codes[1]  # after the parent's positions
    assert codes[5] == -1


def test_a_composite_key_grouped_from_the_lookup_codes_reports_what_hashing_reports():
    raw = _participants(["e1", "e1", "E1", "e2", "gone", "gone", "e2"], ["a", "b", "a", "a", "a", "a", "a"],
                        ["host", "host", "host", "host", "host", "host", "guest"])
    parent = _parent(["e1", "e2"])
    hashed, shared = Report("pkg"), Report("pkg")
    keys.check_unique(hashed, raw, Checked(), models.EventActor.primary_key, "primary-key")
    known = {"event_id": keys.reference_codes(raw, Checked(), FK, parent)}
    keys.check_unique(shared, raw, Checked(), models.EventActor.primary_key, "primary-key", known)
    rows = [(p.row, p.message) for p in hashed.problems]
    assert rows == [(p.row, p.message) for p in shared.problems]
    assert [r for r, _ in rows] == [4, 7]  # "E1" repeats row 2; the second dangling "gone" repeats row 6
    assert "already used in row 2" in rows[0][1] and "already used in row 6" in rows[1][1]


def test_a_dangling_reference_is_reported_once_with_the_parent_named():
    raw = _participants(["e1", "nope"], ["a", "a"], ["host", "host"])
    report = Report("pkg")
    keys.check_foreign_key(report, raw, Checked(), FK, _parent(["e1"]))
    assert [(p.type, p.row, p.field) for p in report.problems] == [("foreign-key", 3, "event_id")]
    assert "'nope' is not an existing event_id in events" in report.problems[0].message


def test_a_parent_that_could_not_be_read_gives_a_note_not_an_error():
    raw = _participants(["e1"], ["a"], ["host"])
    report = Report("pkg")
    keys.check_foreign_key(report, raw, Checked(), FK, None)
    assert not report.problems and report.notes == ["data/event_actors.csv: foreign key event_id -> events not "
                                                    "checked because events could not be read"]
    assert np.array_equal(raw.rows(np.array([0])), [2])
