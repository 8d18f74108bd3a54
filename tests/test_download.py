"""Download against a real HTTP server on 127.0.0.1 serving a built release.

Every failure must name the file and the URL and leave nothing partial or
unverified at the destination.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from libyadata import __version__, downloads, release
from libyadata.cli import main
from libyadata.downloads import DownloadError

from released import release_root


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the release folder; ``server.modes`` makes chosen files misbehave."""

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        self.server.requests.append(name)
        mode = self.server.modes.get(name)
        if mode == "drop" or (mode == "drop-once" and self.server.requests.count(name) == 1):
            data = Path(self.translate_path(self.path)).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True  # hang up with half the promised bytes sent
            return
        if mode == "trickle":  # one byte a second, forever: each read succeeds, the file never ends
            self.send_response(200)
            self.end_headers()
            try:
                while not self.server.unstall.is_set():
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    self.server.unstall.wait(1.0)
            except OSError:
                pass
            return
        if mode == "slowhead":  # the status line and headers one byte a second: no body ever starts
            try:
                for byte in b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 10_000:
                    if self.server.unstall.is_set():
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    self.server.unstall.wait(1.0)
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "endless":  # no Content-Length, bytes as fast as they go
            self.send_response(200)
            self.end_headers()
            try:
                while not self.server.unstall.is_set():
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                pass
            return
        if mode == "gzip":  # a compressed body: a 1 KB answer could expand to gigabytes
            import gzip

            data = gzip.compress(b"\0" * 10_000_000)
            # recorded before answering: the client gives up as soon as it sees the header
            self.server.encodings.append(self.headers.get("Accept-Encoding"))
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:  # the client hung up on the encoded body, as it should
                pass
            return
        if mode == "stall":
            self.server.unstall.wait(30)
            return
        super().do_GET()


class Server:
    def __init__(self, root: Path):
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.httpd.daemon_threads = True
        self.httpd.requests, self.httpd.modes, self.httpd.encodings = [], {}, []
        self.httpd.unstall = threading.Event()
        self.root = root / __version__
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{{version}}/"
        self.url = self.base_url.replace("{version}", __version__)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    @property
    def modes(self) -> dict[str, str]:
        return self.httpd.modes

    def stop(self) -> None:
        self.httpd.unstall.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory) -> Path:
    return release_root(tmp_path_factory.mktemp("release"))


@pytest.fixture()
def server(release_dir, tmp_path):
    root = tmp_path / "served"
    shutil.copytree(release_dir, root)
    s = Server(root)
    yield s
    s.stop()


def verified(dest: Path) -> dict[str, bool]:
    """Every file at dest and whether it matches the shipped registry."""
    hashes = release.registry(__version__)
    return {p.name: release.sha256(p) == hashes.get(p.name) for p in dest.iterdir()}


def test_downloads_and_verifies_every_parquet_file(server, tmp_path):
    dest = tmp_path / "dest"
    folder = downloads.download(dest=dest, base_url=server.base_url)
    assert folder == dest
    expected = sorted(n for n in release.registry() if n.endswith(".parquet")) + ["datapackage.json"]
    assert sorted(verified(dest)) == sorted(expected) and all(verified(dest).values())
    assert pq.ParquetFile(dest / "events.parquet").metadata.num_rows > 0
    assert sorted(server.requests) == sorted(expected)


def test_second_call_uses_the_cache_without_network(server, tmp_path):
    dest = tmp_path / "dest"
    downloads.download(dest=dest, base_url=server.base_url)
    server.stop()
    before = {p.name: p.stat().st_mtime_ns for p in dest.iterdir()}
    assert downloads.download(dest=dest, base_url=server.base_url) == dest
    assert {p.name: p.stat().st_mtime_ns for p in dest.iterdir()} == before
    # it re-hashes what it finds: a damaged cached file is dropped and fetched again,
    # which here fails (the server is gone) and leaves no unverified copy behind
    (dest / "claims.parquet").write_bytes(b"tampered")
    with pytest.raises(DownloadError) as exc:
        downloads.download(dest=dest, base_url=server.base_url, retries=0)
    assert exc.value.file == "claims.parquet" and exc.value.url == server.url + "claims.parquet"
    assert "claims.parquet" not in verified(dest) and all(verified(dest).values())


def test_environment_chooses_cache_and_mirror(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LIBYADATA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("LIBYADATA_BASE_URL", server.base_url)
    folder = downloads.download(files=["sources.parquet"])
    assert folder == tmp_path / "cache" / __version__
    assert verified(folder) == {"sources.parquet": True}
    assert downloads.cache_dir() == folder


def test_default_cache_is_the_user_cache_dir(monkeypatch):
    import platformdirs

    monkeypatch.delenv("LIBYADATA_CACHE", raising=False)
    assert downloads.cache_dir("1.0.0") == Path(platformdirs.user_cache_dir("libyadata")) / "1.0.0"
    monkeypatch.delenv("LIBYADATA_BASE_URL", raising=False)
    assert downloads.base_url_for("1.0.0") == "https://github.com/libyadata/libyadata/releases/download/v1.0.0/"


def test_corrupted_file_is_rejected_and_not_kept(server, tmp_path):
    served = server.root / "events.parquet"
    served.write_bytes(served.read_bytes()[:-1] + b"\0")
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as exc:
        downloads.download(dest=dest, base_url=server.base_url, retries=0)
    msg = str(exc.value)
    assert msg.startswith(f"events.parquet: could not download {server.url}events.parquet: SHA-256 mismatch")
    assert release.registry()["events.parquet"] in msg
    # files fetched before it were verified and stay; nothing of events.parquet does
    assert "events.parquet" not in verified(dest) and all(verified(dest).values())
    assert {"actors.parquet", "claims.parquet"} <= set(verified(dest))


def test_missing_file_is_an_http_404_naming_file_and_url(server, tmp_path):
    (server.root / "motives.parquet").unlink()
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as exc:
        downloads.download(dest=dest, base_url=server.base_url, files=["motives.parquet"], retries=0)
    assert str(exc.value) == (f"motives.parquet: could not download {server.url}motives.parquet: "
                              "HTTP 404 after 1 attempt")
    assert verified(dest) == {}


def test_connection_closed_mid_transfer(server, tmp_path):
    server.modes["events.parquet"] = "drop"
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as exc:
        downloads.download(dest=dest, base_url=server.base_url, files=["events.parquet"], retries=0)
    assert str(exc.value).startswith(f"events.parquet: could not download {server.url}events.parquet: "
                                     "connection failed or closed mid-transfer after 1 attempt")
    assert verified(dest) == {}


def test_transient_failure_is_retried(server, tmp_path):
    server.modes["events.parquet"] = "drop-once"
    dest = tmp_path / "dest"
    downloads.download(dest=dest, base_url=server.base_url, files=["events.parquet"], retries=1)
    assert server.requests == ["events.parquet", "events.parquet"]
    assert verified(dest) == {"events.parquet": True}


def test_timeout_names_file_and_url(server, tmp_path):
    server.modes["actors.parquet"] = "stall"
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as exc:
        downloads.download(dest=dest, base_url=server.base_url, files=["actors.parquet"], retries=0,
                           timeout=0.5)
    assert str(exc.value) == (f"actors.parquet: could not download {server.url}actors.parquet: "
                              "timed out (no data for 0.5 s) after 1 attempt")
    assert verified(dest) == {}


def test_retries_are_bounded(server, tmp_path):
    server.modes["sources.parquet"] = "drop"
    with pytest.raises(DownloadError, match="after 2 attempts"):
        downloads.download(dest=tmp_path / "dest", base_url=server.base_url, files=["sources.parquet"],
                           retries=1)
    assert server.requests == ["sources.parquet", "sources.parquet"]


def test_unknown_version_file_and_url_are_refused(tmp_path):
    with pytest.raises(release.LibyadataError, match=f"knows no file hashes for version 0.0.1 .*{__version__}"):
        downloads.download("0.0.1", dest=tmp_path)
    with pytest.raises(release.LibyadataError, match="not a release version: '../1.0.0'"):
        downloads.download("../1.0.0", dest=tmp_path)
    with pytest.raises(release.LibyadataError, match="not a file of release .*: evil.parquet; files: actors"):
        downloads.download(dest=tmp_path, files=["evil.parquet"])
    with pytest.raises(release.LibyadataError, match="base URL must be http:// or https://"):
        downloads.download(dest=tmp_path, base_url="file:///etc/")
    assert list(tmp_path.iterdir()) == []


def test_cli_download_and_its_errors(server, tmp_path, capsys):
    dest = tmp_path / "dest"
    assert main(["download", "--dest", str(dest), "--base-url", server.base_url,
                 "--file", "sources.parquet", "--file", "datapackage.json"]) == 0
    assert capsys.readouterr().out.splitlines() == [str(dest / "datapackage.json"), str(dest / "sources.parquet")]
    (server.root / "claims.parquet").unlink()
    assert main(["download", "--dest", str(dest), "--base-url", server.base_url, "--retries", "0",
                 "--file", "claims.parquet"]) == 2
    err = capsys.readouterr().err
    assert err == (f"libyadata download: error: claims.parquet: could not download {server.url}claims.parquet: "
                   "HTTP 404 after 1 attempt\n")


# --- bounded work and nothing left behind (issue 11) ---------------------------------------


def _leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


def test_total_deadline_per_file_not_per_read(server, tmp_path):
    """A server sending a byte a second keeps every read alive; --timeout 3 still ends in about 3 s."""
    import time

    server.modes["actors.parquet"] = "trickle"
    started = time.monotonic()
    with pytest.raises(DownloadError, match="timed out") as err:
        downloads.download(dest=tmp_path / "d", base_url=server.base_url, files=["actors.parquet"], timeout=3)
    elapsed = time.monotonic() - started
    assert 2.5 < elapsed < 6, elapsed  # ~3 s: one deadline over every attempt
    assert err.value.file == "actors.parquet"
    assert _leftovers(tmp_path / "d") == []


def test_timeout_covers_headers_sent_a_byte_a_second(server, tmp_path, capsys):
    """Red team finding 8: requests' timeouts are per receive, so trickled headers never timed out
    (`--timeout 3` was still running when killed at 120 s)."""
    import time

    server.modes["actors.parquet"] = "slowhead"
    started = time.monotonic()
    code = main(["download", "--base-url", server.base_url, "--file", "actors.parquet",
                 "--dest", str(tmp_path / "d"), "--timeout", "3", "--retries", "1"])
    elapsed = time.monotonic() - started
    print(f"\n[bounded] slow headers, --timeout 3: exit {code}, {elapsed:.2f} s")
    assert code == 2 and "timed out" in capsys.readouterr().err
    assert elapsed < 8, elapsed  # ~3 s: the deadline covers the connection and the headers
    assert _leftovers(tmp_path / "d") == []


def test_size_cap_stops_an_endless_body(server, tmp_path):
    server.modes["actors.parquet"] = "endless"
    with pytest.raises(DownloadError, match="more than the 1000000 bytes accepted"):
        downloads.download(dest=tmp_path / "d", base_url=server.base_url, files=["actors.parquet"],
                           max_bytes=1_000_000, timeout=20)
    assert _leftovers(tmp_path / "d") == []
    assert server.requests.count("actors.parquet") == 1  # not retried: a retry cannot mend it


def test_default_cap_applies_without_registry_sizes():
    assert downloads.size_caps("1.0.0") == {}  # 1.0.0 shipped no sizes; its registry is never rewritten
    assert downloads.DEFAULT_MAX_BYTES == 256 * 2**20


def test_encoded_body_is_refused_and_identity_is_asked(server, tmp_path):
    server.modes["actors.parquet"] = "gzip"
    with pytest.raises(DownloadError, match="'gzip'-encoded body"):
        downloads.download(dest=tmp_path / "d", base_url=server.base_url, files=["actors.parquet"])
    assert server.httpd.encodings == ["identity"]
    assert _leftovers(tmp_path / "d") == []


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_interrupted_download_leaves_no_partial_file(server, tmp_path, signame):
    import os
    import signal
    import subprocess
    import sys
    import time

    server.modes["actors.parquet"] = "trickle"
    dest = tmp_path / "d"
    # Ctrl-C as a foreground process gets it: a job started in the background (nohup, `&`) inherits
    # SIGINT ignored, and so would this child.
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from libyadata import downloads; "
            "downloads.download(dest=sys.argv[1], base_url=sys.argv[2], files=['actors.parquet'], timeout=60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(dest), server.base_url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (dest.exists() and any(dest.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _leftovers(dest), "the download never started"
        proc.send_signal(getattr(signal, signame))
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    assert _leftovers(dest) == []


# A child that sends itself a signal at a chosen point inside pooch: right after pooch has created
# its temporary file (one statement before the try that removes it), or while pooch hashes the
# complete file.
_SIGNAL_AT = '''
import os, signal, sys, tempfile, time
import pooch.core
dest, base_url, signame, where, ignored = sys.argv[1:]
sig = getattr(signal, signame)
signal.signal(signal.SIGINT, signal.default_int_handler)
if ignored == "ignored":
    signal.signal(sig, signal.SIG_IGN)
def at(real, before=False):
    def patched(*args, **kwargs):
        if before:
            os.kill(os.getpid(), sig)
        out = real(*args, **kwargs)
        if not before:
            os.kill(os.getpid(), sig)
        else:
            print("returned", flush=True)
        return out
    return patched
if where == "tempfile":
    tempfile.NamedTemporaryFile = at(tempfile.NamedTemporaryFile)
elif where == "hash":
    pooch.core.hash_matches = at(pooch.core.hash_matches)
elif where == "failing-hash":
    pooch.core.hash_matches = at(pooch.core.hash_matches, before=True)
else:
    time.sleep = at(time.sleep, before=True)
from libyadata import downloads
downloads.download(dest=dest, base_url=base_url, files=["actors.parquet"], timeout=60,
                   retries=1 if where == "sleep" else 0)
'''


def _signal_at(server, dest: Path, signame: str, where: str, ignored: str = "handled"):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", _SIGNAL_AT, str(dest), server.base_url, signame, where, ignored],
                          check=False, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_signal_as_pooch_makes_its_temporary_file_leaves_nothing(server, tmp_path, signame):
    """CI once kept 'tmppz2cd_3d': a SIGHUP landed between pooch's NamedTemporaryFile and its try."""
    done = _signal_at(server, tmp_path / "d", signame, "tempfile")
    assert done.returncode != 0
    assert "KeyboardInterrupt" in done.stderr
    assert _leftovers(tmp_path / "d") == []
    assert "actors.parquet" not in server.requests  # stopped before the request was sent


def test_signal_while_the_complete_file_is_verified_keeps_it_and_stops(server, tmp_path):
    done = _signal_at(server, tmp_path / "d", "SIGTERM", "hash")
    assert done.returncode != 0
    assert "KeyboardInterrupt" in done.stderr
    assert verified(tmp_path / "d") == {"actors.parquet": True}


def test_an_ignored_sighup_stays_ignored(server, tmp_path):
    """Under nohup, closing the terminal must not end the download."""
    done = _signal_at(server, tmp_path / "d", "SIGHUP", "tempfile", "ignored")
    assert done.returncode == 0, done.stderr
    assert verified(tmp_path / "d") == {"actors.parquet": True}


def test_a_signal_held_while_a_failing_file_is_hashed_is_not_lost(server, tmp_path):
    # The hash check fails after the signal: the caller gets the interrupt, not a DownloadError it may
    # catch and carry on from.
    served = server.root / "actors.parquet"
    served.write_bytes(served.read_bytes()[:-1] + b"\0")
    done = _signal_at(server, tmp_path / "d", "SIGINT", "failing-hash")
    assert "KeyboardInterrupt" in done.stderr and "DownloadError" not in done.stderr
    assert _leftovers(tmp_path / "d") == []


def test_ctrl_c_between_attempts_stops_at_once(server, tmp_path):
    # pooch paused between its attempts with the signal held; the pause is now libyadata's own and
    # a Ctrl-C ends it: the sleep it lands in never returns.
    server.modes["actors.parquet"] = "drop-once"
    done = _signal_at(server, tmp_path / "d", "SIGINT", "sleep")
    assert "KeyboardInterrupt" in done.stderr
    assert "returned" not in done.stdout
    assert server.requests.count("actors.parquet") == 1
    assert _leftovers(tmp_path / "d") == []


# A child that sends itself SIGINT at each line, in turn, that libyadata's downloads module runs while
# it puts its handlers in place and back (and the alarm's): whatever line it lands on, every handler
# and the timer are as they were afterwards, and the signal is not lost.
_EVERY_LINE = '''
import os, signal, sys
from libyadata import downloads
HANDLED = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM]
signal.signal(signal.SIGINT, signal.default_int_handler)
before = {s: signal.getsignal(s) for s in HANDLED}

def run(k):
    seen = [0]
    def trace(frame, event, arg):
        if frame.f_code.co_filename == downloads.__file__ and event == "line":
            seen[0] += 1
            if seen[0] == k:
                os.kill(os.getpid(), signal.SIGINT)
        return trace
    interrupts = downloads._Interrupts()
    stopped = False
    sys.settrace(trace)
    try:
        with interrupts.installed(), downloads._watchdog(60, 60):
            pass
    except KeyboardInterrupt:
        stopped = True
    finally:
        sys.settrace(None)
    return seen[0], stopped

total, _ = run(0)  # no signal: how many lines there are
for k in range(1, total + 1):
    _, stopped = run(k)
    assert {s: signal.getsignal(s) for s in HANDLED} == before, k
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), k
    assert stopped, f"the SIGINT at line event {k} of {total} was lost"
print("checked", total)
'''


def test_a_signal_at_any_line_of_putting_handlers_in_place_and_back_is_neither_lost_nor_leaks():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _EVERY_LINE], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 20  # it went through the lines


def test_a_handler_left_behind_hands_the_signal_on():
    # If a Ctrl-C interrupts the putting back, a handler still bound to _Interrupts passes the signal to
    # what was there before (here: the default action, which ends the process).
    import subprocess
    import sys

    code = ("import signal; from libyadata import downloads\n"
            "i = downloads._Interrupts()\n"
            "with i.installed(): pass\n"
            "i.previous[signal.SIGTERM] = signal.SIG_DFL\n"
            "i._handle(signal.SIGTERM, None)\n"
            "print('still alive')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == -15 and "still alive" not in done.stdout


@pytest.mark.parametrize("timeout", [float("inf"), float("nan"), 1e300, 0, -1])
def test_a_timeout_out_of_range_is_refused_by_name(tmp_path, timeout):
    with pytest.raises(downloads.LibyadataError, match="timeout must be more than 0"):
        downloads.download(dest=tmp_path / "d", files=["actors.parquet"], base_url="http://127.0.0.1:9/",
                           timeout=timeout)


def test_no_pause_past_the_deadline_the_real_failure_is_reported(server, tmp_path):
    # With 1 s left, the pause before a second attempt would use it all: the 404 is what is reported.
    (server.root / "actors.parquet").unlink()
    with pytest.raises(DownloadError) as exc:
        downloads.download(dest=tmp_path / "d", base_url=server.base_url, files=["actors.parquet"],
                           retries=2, timeout=1)
    assert str(exc.value).endswith("HTTP 404 after 1 attempt")
