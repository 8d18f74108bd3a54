"""``libyadata.hashing``: digests of bytes and of files read chunk by chunk.

Every digest is checked against ``hashlib`` on the whole content at once; files are made at
the sizes where a chunked reader goes wrong (empty, one byte, one chunk less one, exactly one
chunk, one more, several), and the ``each`` callback must see every byte once, at its offset.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from libyadata.hashing import CHUNK, digest, file_digest

SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 7]
SIZE_IDS = ["empty", "one-byte", "chunk-1", "chunk", "chunk+1", "two-chunks", "two-chunks+7"]


def _content(size: int) -> bytes:
    # Random bytes, seeded: a reader that drops or repeats a stretch changes the hash.
    return random.Random(size).randbytes(size)


@pytest.fixture(params=SIZES, ids=SIZE_IDS)
def sized(request, tmp_path):
    data = _content(request.param)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    return path, data


def test_file_digest_is_the_size_and_sha256_of_the_whole_file(sized):
    path, data = sized
    assert file_digest(path) == (len(data), hashlib.sha256(data).hexdigest())


def test_file_digest_takes_a_str_path_and_other_algorithms(sized):
    path, data = sized
    assert file_digest(str(path), "md5") == (len(data), hashlib.md5(data).hexdigest())
    assert file_digest(path, "sha512") == (len(data), hashlib.sha512(data).hexdigest())


def test_each_sees_every_byte_once_at_its_offset(sized):
    path, data = sized
    seen: list[tuple[int, bytes]] = []
    # The view is into a buffer reused for the next chunk: the callback must copy what it keeps.
    size, _ = file_digest(path, each=lambda chunk, offset: seen.append((offset, bytes(chunk))))
    assert size == len(data)
    assert b"".join(chunk for _, chunk in seen) == data
    offsets = [offset for offset, _ in seen]
    assert offsets == list(range(0, len(data), CHUNK))  # whole chunks, then the rest
    for offset, chunk in seen:
        assert chunk == data[offset:offset + CHUNK]


def test_each_gets_a_memoryview_of_exactly_the_bytes_read(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * (CHUNK + 3))
    kinds = []
    file_digest(path, each=lambda chunk, offset: kinds.append((type(chunk), len(chunk), offset)))
    assert kinds == [(memoryview, CHUNK, 0), (memoryview, 3, CHUNK)]


def test_an_empty_file_hashes_as_nothing_and_calls_each_never(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    calls = []
    # The digests of nothing, written out: they do not depend on the hashlib these tests compare with.
    assert file_digest(path, each=lambda *a: calls.append(a)) == (
        0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert file_digest(path, "md5") == (0, "d41d8cd98f00b204e9800998ecf8427e")
    assert calls == []


@pytest.mark.parametrize("algorithm", ["sha256", "md5", "sha1", "sha512", "blake2b"])
@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 5])
def test_digest_matches_hashlib(data, algorithm):
    assert digest(data, algorithm) == hashlib.new(algorithm, data).hexdigest()


def test_digest_is_sha256_unless_told():
    assert digest(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert digest(b"", "md5") == "d41d8cd98f00b204e9800998ecf8427e"


def test_unknown_algorithm_and_missing_file_are_errors_not_digests(tmp_path):
    with pytest.raises(ValueError):
        digest(b"abc", "sha0")
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    with pytest.raises(ValueError):
        file_digest(path, "sha0")
    with pytest.raises(FileNotFoundError):
        file_digest(tmp_path / "absent.bin")
    with pytest.raises(IsADirectoryError):
        file_digest(tmp_path)


def test_an_error_in_each_stops_the_read(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"y" * (2 * CHUNK + 1))
    offsets = []

    def each(chunk, offset):
        offsets.append(offset)
        if offset == CHUNK:
            raise RuntimeError("scan failed")

    with pytest.raises(RuntimeError, match="scan failed"):
        file_digest(path, each=each)
    assert offsets == [0, CHUNK]  # no read after the failure
