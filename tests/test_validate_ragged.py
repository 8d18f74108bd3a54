"""A row one cell short: the field whose cell is missing is named when only one place fits; a stray quote
that broke rows is found when removing it mends them."""

from __future__ import annotations

import csv

import pytest

from libyadata import csvio, models
from libyadata.resources import datapackage_dir
from libyadata.validate import ragged, validate_package
from libyadata.validate.ragged import cells_of, column_at, gap, stray_quote


def first_event() -> tuple[list[str], list[str]]:
    with open(datapackage_dir() / "data" / "events.csv", encoding="utf-8", newline="") as f:
        header, row = list(csv.reader(f))[:2]
    return header, row


@pytest.mark.parametrize("field", ["event_type", "country", "date_precision", "modality"])
def test_the_one_place_where_the_cells_fit_is_found(field):
    header, row = first_event()
    j = header.index(field)
    assert gap(models.Event, row[:j] + row[j + 1:]) == j


@pytest.mark.parametrize("field", ["summary", "notes", "cue"])
def test_no_place_is_named_when_several_fit(field):
    # A free-text field between free-text fields: its neighbours would fit the gap as well.
    header, row = first_event()
    j = header.index(field)
    assert gap(models.Event, row[:j] + row[j + 1:]) is None


def test_a_row_that_is_not_one_cell_short_is_not_placed():
    header, row = first_event()
    assert gap(models.Event, row) is None and gap(models.Event, row[:-2]) is None
    assert cells_of('a,"b\nc",d') == ["a", "b\nc", "d"] and cells_of("a\nb") is None
    assert cells_of("a," + "x" * 200_000) is None  # over the csv module's field limit: not placed, no crash


def test_a_comma_left_out_between_two_cells_names_the_second(package_copy):
    # CONTRIBUTING's newcomer dropped the comma between location and country: the message named cue.
    path = package_copy / "data" / "events.csv"
    header, rows = csvio.read_rows(path)
    data = csvio.to_csv_bytes(header, rows)
    lines = data.split(b"\n")
    first = rows[0]
    joined = f"{first['location']},{first['country']}".encode()
    assert joined in lines[1]
    lines[1] = lines[1].replace(joined, joined.replace(b",", b"", 1), 1)
    path.write_bytes(b"\n".join(lines))
    [p] = [p for p in validate_package(package_copy).problems if p.type == "missing-cell"]
    assert (p.row, p.field, p.field_number) == (2, "country", header.index("country") + 1)
    assert p.message == ("the row has 19 cells but the header has 20: they fit the fields only if the cell of country "
                         "(column 5) is the one missing; is a comma left out next to it, or the cell itself?")


def test_the_stray_quote_in_the_odd_row_itself_is_found_first():
    # 'a,"b,c' is one cell short of 3 and holds one quote: removing it mends the row alone.
    assert stray_quote(['a,"b,c'], 3) == (0, 2, 1)
    assert column_at('a,"b,c', 2) == 1


def test_a_quote_that_mends_rows_only_with_a_row_above_is_not_blamed_alone():
    # x,"y<LF>z",w with a quote typed before x: the quote in 'z",w' mends nothing by itself.
    assert stray_quote(['"x,"y', 'z",w'], 3) == (0, 0, 1)
    assert stray_quote(['z",w'], 3) is None


def test_only_a_quote_at_the_start_of_a_cell_is_blamed():
    # Removing the closing quote of 'q' would mend the widths too, by making up for a comma left out
    # below: it opens nothing, so it is not the stray quote.
    assert stray_quote(['a,"q"b', 'c,d'], 3) is None


def test_the_search_is_bounded_in_characters_and_quotes():
    # a hostile file's broken rows of a megabyte each, or thousands of quotes, cost no unbounded time
    assert stray_quote(['"x,"' + "y" * ragged.STRAY_CHARS, 'z",w'], 3) is None
    many = ",".join(['"q"'] * ragged.STRAY_QUOTES)  # as many quotes that open a cell as are tried
    assert stray_quote(['"x,"y', 'z",w' + "," + many], 3 + ragged.STRAY_QUOTES) is None
    assert stray_quote(['"x,"y', 'z",w'], 3) == (0, 0, 1)
