"""``libyadata.validate.reading``: one read of a file's bytes finds its size, hash, first CR, UTF-8 validity and
the quotes inside a cell that are not doubled."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from libyadata.hashing import CHUNK
from libyadata.validate.reading import (
    MAX_ENCODING_ERRORS,
    QuoteScan,
    bare_quotes,
    encoding_errors,
    scan,
)


def test_a_character_cut_by_the_chunk_boundary_is_valid(tmp_path):
    # "أ" is two bytes: the first ends one chunk, the second starts the next.
    data = b"a" * (CHUNK - 1) + "أ".encode() + b"\n"
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    found = scan(path)
    assert (found.size, found.digest, found.first_cr, found.utf8) == (len(data), hashlib.sha256(data).hexdigest(),
                                                                      None, True)


@pytest.mark.parametrize("tail, offset", [
    (b"\xd8", CHUNK),                  # a lead byte and then the end of the file
    (b"\xed\xa0\x80", CHUNK),          # a surrogate (CESU), refused by strict UTF-8
    (b"\xc0\xaf", CHUNK),              # an overlong "/"
    (b"\x80", CHUNK),                  # a lone continuation byte
])
def test_a_fault_after_the_first_chunk_is_found_and_placed(tmp_path, tail, offset):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a" * CHUNK + tail)
    assert scan(path).utf8 is False
    assert encoding_errors(path)[0][0] == offset


def test_a_fault_in_the_first_bytes_and_the_first_cr_are_found(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\x80a,b\r\n")
    found = scan(path)
    assert (found.utf8, found.first_cr) == (False, 4)
    assert [e[:3] for e in encoding_errors(path)] == [(0, 1, b"\x80")]


def test_md5_when_asked(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"abc")
    assert scan(path, "md5").digest == hashlib.md5(b"abc").hexdigest()


def _many_blocks(tmp_path, bad_rows):
    from libyadata.validate.reading import BLOCK_SIZE

    lines = ["a,b,c"] + [f'x{i},"two\nlines {i}",z' for i in range(3 * BLOCK_SIZE // 24)]
    for at, row in bad_rows.items():
        lines[at] = row
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2 * BLOCK_SIZE  # several blocks: the threads have work to share
    return path


def test_a_threaded_parse_reads_what_a_serial_one_reads(tmp_path):
    from libyadata.validate.reading import parse

    path = _many_blocks(tmp_path, {})
    threaded, serial = parse(path, 3, threads=True), parse(path, 3)
    assert len(threaded[1]) == len(serial[1]) == 0
    assert threaded[0].equals(serial[0]) and threaded[0].num_rows > 100_000


def test_a_threaded_parse_of_ragged_rows_numbers_them_as_a_serial_one(tmp_path):
    # pyarrow's threaded reader gives the invalid-row handler no row number: the file is read again serially.
    from libyadata.validate.reading import parse

    path = _many_blocks(tmp_path, {70_000: "short,row", 120_001: "a,b,c,d"})
    table, bad = parse(path, 3, threads=True)
    assert bad.details == parse(path, 3)[1].details
    assert [(n, cells) for n, cells, _ in bad.details] == [(70_001, 2), (120_002, 4)]  # record numbers, header = 1
    assert bad.numbers.tolist() == [70_001, 120_002]
    assert table.num_rows == parse(path, 3)[0].num_rows


def test_every_ragged_row_is_numbered_and_only_the_first_are_detailed(tmp_path, monkeypatch):
    # Millions of short rows: each is numbered (for the rows around them) but only as many are
    # kept whole as a report can show, so time and memory stay bounded.
    from libyadata.validate import reading

    monkeypatch.setattr(reading, "DETAILED", 3)
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n" + "x\n" * 10 + "1,2,3\n", encoding="utf-8")
    table, bad = reading.parse(path, 3)
    assert table.num_rows == 1 and bad.numbers.tolist() == list(range(2, 12))
    assert bad.details == [(2, 1, "x"), (3, 1, "x"), (4, 1, "x")]


@pytest.mark.parametrize("step", [1, 2, 3, 5])
def test_characters_cut_where_the_decoder_is_fed_are_valid_and_a_bad_byte_is_not(tmp_path, monkeypatch, step):
    from libyadata.validate import reading

    monkeypatch.setattr(reading, "DECODE_BYTES", step)
    good = tmp_path / "good.csv"
    good.write_bytes("a,\u0623\u00e9\U0001F600\n".encode() * 7)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(good.read_bytes()[:-3] + b"\xff\n")
    assert scan(good).utf8 and not scan(bad).utf8


def test_a_large_file_s_repeating_columns_are_parsed_with_one_dictionary(tmp_path):
    import pyarrow as pa

    from libyadata.validate.reading import parse

    path = _many_blocks(tmp_path, {})  # c0 and c1 differ on every row, c2 is "z" on every row
    for threads in (True, False):
        table, _ = parse(path, 3, threads=threads)
        assert table.column("c2").num_chunks > 1
        assert [pa.types.is_dictionary(t) for t in table.schema.types] == [False, False, True]
        assert {tuple(c.dictionary.to_pylist()) for c in table.column("c2").chunks} == {("z",)}
        assert table.column("c2").to_pylist() == ["z"] * table.num_rows


def test_a_file_shorter_than_the_sample_is_parsed_as_text(tmp_path, monkeypatch):
    import pyarrow as pa

    from libyadata.validate import reading

    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "x,y\n" * 9, encoding="utf-8")
    monkeypatch.setattr(reading, "SAMPLE_ROWS", 10)
    assert reading.parse(path, 2)[0].schema.types == [pa.string(), pa.string()]
    monkeypatch.setattr(reading, "SAMPLE_ROWS", 9)
    assert reading.repeating(path, ["c0", "c1"]) == ["c0", "c1"]


@pytest.mark.parametrize("first_rows", [
    b"x,\xff\n",                  # not UTF-8: the scan reports it, the sample decides nothing
    b'x,"' + b"y" * 2**21 + b'"\n',  # a row longer than a block
    b"x,y,z\n",                   # a ragged row (the serial read numbers them)
])
def test_a_sample_that_cannot_be_read_decides_nothing(tmp_path, monkeypatch, first_rows):
    from libyadata.validate import reading

    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n" + first_rows + b"x,y\n" * 20)
    monkeypatch.setattr(reading, "SAMPLE_ROWS", 8)
    assert reading.repeating(path, ["c0", "c1"]) == []
    from libyadata.validate.reading import BLOCK_SIZE

    path.write_bytes(b"a,b\n" + b"x,y\n" * (BLOCK_SIZE // 4) + first_rows)  # beyond the sample's block: no matter
    assert reading.repeating(path, ["c0", "c1"]) == ["c0", "c1"]


def test_blank_rows_do_not_make_a_sample_repeat(tmp_path, monkeypatch):
    from libyadata.validate import reading

    monkeypatch.setattr(reading, "SAMPLE_ROWS", 8)
    path = tmp_path / "t.csv"
    # Blank rows hold no value: counted, they made every column look repeating (a hostile review).
    path.write_text("a,b\n" + "\n" * 8 + "".join(f"x{i},y\n" for i in range(20)), encoding="utf-8")
    assert reading.repeating(path, ["c0", "c1"]) == ["c1"]
    path.write_text("a,b\n" + "\n" * 20 + "x,y\n" * 4, encoding="utf-8")
    assert reading.repeating(path, ["c0", "c1"]) == []  # too few rows that are not blank


def _found_in_two_chunks(data: bytes, cut: int) -> list[int]:
    quotes = QuoteScan(limit=100)
    quotes.feed(memoryview(data[:cut]), 0)
    quotes.feed(memoryview(data[cut:]), cut)
    return quotes.found


# Cells made of the characters that matter to quoting, and words.
_CELLS = st.lists(st.lists(st.text(alphabet='ab ",\n\r’', max_size=8), min_size=1, max_size=4), min_size=1, max_size=5)


@given(rows=_CELLS, quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]), cut=st.integers(0, 200))
@example(rows=[['"', 'a"b'], ['""', '"a']], quoting=csv.QUOTE_MINIMAL, cut=3)
def test_what_a_csv_writer_writes_has_no_quote_that_is_not_doubled(rows, quoting, cut):
    # Python's writer follows RFC 4180 (minimal quoting, as libyadata writes, or every cell quoted, as
    # spreadsheets may): nothing it writes is refused, wherever a chunk ends.
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator="\n").writerows(rows)
    data = out.getvalue().encode()
    assert _found_in_two_chunks(data, min(cut, len(data))) == []


@pytest.mark.parametrize("data, found", [
    (b'a,"say "no" now"\n', [(7, 2), (10, None)]),  # the cell opened at 2 closes at 7; 10 has text around
    (b'a,"x"y\n', [(4, 2)]),              # a cell that goes on after its closing quote
    (b'a,x"y\n', [(3, None)]),            # a quote inside a cell that is not quoted
    (b'a,x",y\n', [(3, None)]),           # ... at its end
    (b'a,"x,"y,z",w\n', [(5, 2)]),         # a stray quote before x: the quote that opens "y,z" closes its cell
    (b'a,"x"\n"y"z\n', [(8, 6)]),          # the count goes on over rows
    (b'\xef\xbb\xbf"a","b"\n', []),       # a byte order mark is not text before the first quote
    (b'a,"x""y"\n', []),                  # doubled: what RFC 4180 asks
    (b'"a","b"\n"x",""\n', []),          # every cell quoted, an empty one among them
    (b'a,"x"\r\nb,"y"', []),             # CR LF line ends, and a closing quote at the end of the file
    (b'"\n', []),                         # a file that starts with a quote
])
def test_quotes_found_wherever_a_chunk_ends(data, found):
    # Each cut, the one between a quote and the byte after it included, finds what one chunk finds.
    assert all(_found_in_two_chunks(data, cut) == found for cut in range(len(data) + 1))


def test_the_scan_finds_the_first_quote_not_doubled_across_its_chunks(tmp_path):
    path = tmp_path / "t.csv"
    # the quote is the first chunk's last byte; the byte after it, the second chunk's first
    path.write_bytes(b"a" * (CHUNK - 1) + b'"b\n')
    assert scan(path).first_bare_quote == CHUNK - 1
    path.write_bytes(b"a" * (CHUNK - 2) + b',"b"\n')  # the quote that ends the first chunk opens a cell
    assert scan(path).first_bare_quote is None


def test_bare_quotes_are_listed_with_their_line_and_text_up_to_a_limit(tmp_path):
    path = tmp_path / "t.csv"
    rows = ["id,text"] + [f'r{i},"it says "no" here"' for i in range(MAX_ENCODING_ERRORS)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = bare_quotes(path)
    assert len(found) == MAX_ENCODING_ERRORS  # two a row: the first half of the rows
    offset, line, text, opened, unclosed = found[2]
    assert opened is None and not unclosed and found[0][3] is not None  # only the first names the quote that opened
    assert (line, path.read_bytes()[offset:offset + 3]) == (3, b'"no')
    assert 'it says "no" here' in text


@pytest.mark.parametrize("data, unclosed", [
    (b'a,b\n1,"x\n', True),        # the closing quote of the last cell deleted: a cell left open
    (b'a,b\n1,"x', True),           # ... and no line end after it
    (b'a,b\n1,x"', False),          # a quote that is the file's last byte, after text: judged too
])
def test_the_end_of_the_file_is_judged(tmp_path, data, unclosed):
    # A hostile review's find: pyarrow read these as cells of the header's width, and nothing was said.
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert bare_quotes(path) == [(data.index(b"\""), 2, data.decode(), None, unclosed)]
    assert scan(path).first_bare_quote == data.index(b'"')
