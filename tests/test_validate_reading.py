"""``libyadata.validate.reading``: one read of a file's bytes finds its size, hash, first CR and UTF-8 validity."""

from __future__ import annotations

import hashlib

import pytest

from libyadata.hashing import CHUNK
from libyadata.validate.reading import encoding_errors, scan


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
