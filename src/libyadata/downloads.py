"""Fetch the Parquet files of a release, verified against the hashes the package ships.

``download()`` gets each file of a version from the release URL with pooch, which
streams it to a temporary file in the destination folder, checks its SHA-256 against
the shipped registry (``release.registry``) and only then renames it into place;
failed attempts are retried a bounded number of times. A file already at the
destination is re-hashed and kept only if it matches, so a second call needs no
network; a file that does not match is deleted before anything else happens.

The module is called ``downloads`` (not ``download``) so that a public
``libyadata.download`` function is never shadowed by a submodule of the same name.

Where things come from and go (argument, else environment variable, else default):

- base URL: ``base_url``, ``LIBYADATA_BASE_URL``, else :data:`DEFAULT_BASE_URL`;
  ``{version}`` in it is replaced by the version;
- destination: ``dest``, else ``<cache>/<version>`` with cache ``LIBYADATA_CACHE`` or
  ``platformdirs.user_cache_dir("libyadata")``.

>>> base_url_for("1.0.0", "https://mirror.example/libyadata/v{version}")
'https://mirror.example/libyadata/v1.0.0/'
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import LibyadataError
from .release import NAME_PATTERN, check_version, registry, sha256
from .resources import DESCRIPTOR

DEFAULT_BASE_URL = "https://github.com/libyadata/libyadata/releases/download/v{version}/"
ENV_BASE_URL = "LIBYADATA_BASE_URL"
ENV_CACHE = "LIBYADATA_CACHE"
#: Transient failures (connection, timeout, HTTP error, hash mismatch) are retried this many times.
DEFAULT_RETRIES = 2
#: Seconds one file may take, from the first connection to the last byte, over every attempt.
DEFAULT_TIMEOUT = 30.0
#: The longest timeout accepted (a week): the alarm and the sockets take no more.
MAX_TIMEOUT = 7 * 24 * 3600.0


class DownloadError(LibyadataError):
    """A release file could not be fetched and verified; names the file and the URL.

    >>> str(DownloadError("events.parquet", "https://x/events.parquet", "HTTP 404"))
    'events.parquet: could not download https://x/events.parquet: HTTP 404'
    """

    def __init__(self, file: str, url: str, reason: str) -> None:
        super().__init__(f"{file}: could not download {url}: {reason}")
        self.file, self.url, self.reason = file, url, reason


def base_url_for(version: str, base_url: str | None = None) -> str:
    """The URL of the folder holding a version's release files."""
    base = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    base = base.replace("{version}", version)
    if not base.startswith(("https://", "http://")):
        raise LibyadataError(f"base URL must be http:// or https://, got {base!r}")
    return base if base.endswith("/") else base + "/"


def cache_dir(version: str | None = None, cache: str | Path | None = None) -> Path:
    """The per-version cache folder (it need not exist yet)."""
    if cache is None:
        cache = os.environ.get(ENV_CACHE) or None
    if cache is None:
        import platformdirs

        cache = platformdirs.user_cache_dir("libyadata")
    return Path(cache).expanduser() / check_version(version or __version__)


def default_files(version: str | None = None) -> list[str]:
    """What ``download()`` fetches unless told otherwise: the Parquet files and their descriptor."""
    return sorted(n for n in registry(version or __version__) if n.endswith(".parquet") or n == DESCRIPTOR)


def download(version: str | None = None, dest: str | Path | None = None, *,
             base_url: str | None = None, files: Iterable[str] | None = None,
             retries: int = DEFAULT_RETRIES, timeout: float = DEFAULT_TIMEOUT,
             max_bytes: int | None = None) -> Path:
    """Fetch and verify the Parquet files of ``version`` (default: this one); return their folder.

    ``timeout`` is the whole time one file may take (every attempt included), not a wait per
    read. ``max_bytes`` caps each file (default: its size in the registry, else
    :data:`DEFAULT_MAX_BYTES`). A body sent with a Content-Encoding is refused. Whatever ends a
    download early (timeout, error, Ctrl-C, SIGTERM, SIGHUP) removes its partial file; a signal
    that is ignored (``nohup``) or that the calling program handles is left to it.

    ``dest`` defaults to the per-version cache folder. ``files`` picks release files by
    name (e.g. ``["events.parquet"]`` or the source text); by default the Parquet files
    and ``datapackage.json``, so that the folder is a Frictionless data package.

    Raises :class:`DownloadError` naming the file and URL when a file cannot be fetched
    or does not match its hash after ``retries`` further attempts; nothing unverified is
    left at ``dest``.

    Example (not run here: it needs the network)::

        folder = libyadata.download()
        duckdb.sql(f"SELECT count(*) FROM '{folder}/events.parquet'")
    """
    version = check_version(version or __version__)
    hashes = registry(version)
    names = sorted(default_files(version) if files is None else set(files))
    unknown = [n for n in names if n not in hashes]
    if unknown:
        raise LibyadataError(f"not a file of release {version}: {', '.join(unknown)}; "
                             f"files: {', '.join(sorted(hashes))}")
    if retries < 0:
        raise LibyadataError(f"retries must be 0 or more, got {retries}")
    if not 0 < timeout <= MAX_TIMEOUT:  # nan too
        raise LibyadataError(f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {timeout!r}")
    folder = Path(dest).expanduser() if dest is not None else cache_dir(version)
    base = base_url_for(version, base_url)
    caps = size_caps(version)

    for name in names:
        if not NAME_PATTERN.match(name):  # the registry is ours, but a name becomes a path
            raise LibyadataError(f"refusing release file name {name!r}")
        target = folder / name
        if target.is_file():
            if sha256(target) == hashes[name]:
                continue
            # Not what the registry says (corrupted, truncated, another version): never keep it.
            target.unlink()
        cap = max_bytes if max_bytes is not None else caps.get(name, DEFAULT_MAX_BYTES)
        _fetch(name, hashes[name], folder, base, retries, timeout, cap)
        if sha256(target) != hashes[name]:  # pooch checked it; this keeps the promise if pooch ever does not
            target.unlink()
            raise DownloadError(name, base + name, "the file changed after it was verified")
    return folder


class _Stop(Exception):
    """A failure no retry can mend (deadline passed, body too large or encoded): pooch re-raises it at
    once, and its temporary file is removed on the way out."""


def size_caps(version: str) -> dict[str, int]:
    """The largest number of bytes accepted per release file of ``version``.

    From the registry's sizes (``registry/<version>.bytes``, lines ``SIZE  NAME``) when the
    installation ships them, with room for nothing more: a file of another size fails its hash
    anyway. Version 1.0.0 was released without sizes (its registry is never rewritten): its files
    are capped at :data:`DEFAULT_MAX_BYTES` each.
    """
    from importlib.resources import files as resource_files

    entry = resource_files("libyadata").joinpath("registry", f"{check_version(version)}.bytes")
    caps: dict[str, int] = {}
    if entry.is_file():
        for line in entry.read_text(encoding="utf-8").splitlines():
            size, _, name = line.strip().partition("  ")
            if size.isdigit() and name:
                caps[name] = int(size)
    return caps


#: Cap per file when the registry has no sizes (1.0.0's largest file is ~30 KB; the data will grow).
DEFAULT_MAX_BYTES = 256 * 2**20
#: Bytes read per step: each read returns what has arrived, at most this much.
CHUNK = 64 * 2**10


def _downloader(deadline: float, timeout: float, cap: int,  # type: ignore[no-untyped-def]
                interrupts: _Interrupts):
    """A pooch downloader that streams the body within a total ``deadline`` (time.monotonic), at most
    ``cap`` bytes, and refuses a Content-Encoding other than identity (no decompression bomb); the
    only place where ``interrupts`` may stop it."""
    import time

    import requests

    def stream(url: str, output_file: str) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Stop(f"timed out: no complete file within {timeout:g} s")
        wait = min(timeout, remaining)
        # The alarm rings a second after the deadline, so a plain stall still reports the per-read
        # timeout ("no data for N s") that the retries handle.
        with _watchdog(remaining + 1.0, timeout), \
                requests.get(url, stream=True, timeout=(wait, wait), allow_redirects=True,
                             headers={"Accept-Encoding": "identity"}) as response:
            response.raise_for_status()
            encoding = response.headers.get("Content-Encoding", "").strip().lower()
            if encoding not in ("", "identity"):
                raise _Stop(f"the server sent a {encoding[:40]!r}-encoded body; only the file's own bytes are "
                            "accepted (Accept-Encoding: identity)")
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > cap:
                raise _Stop(f"the server announces {int(length)} bytes, more than the {cap} accepted")
            raw = response.raw
            size = 0
            with open(output_file, "wb") as out:
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise _Stop(f"timed out: no complete file within {timeout:g} s")
                    _read_timeout(raw, min(timeout, left))
                    chunk = _read(raw)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > cap:
                        raise _Stop(f"more than the {cap} bytes accepted for this file")
                    out.write(chunk)
            if length.isdigit() and size != int(length):
                raise requests.exceptions.ConnectionError(f"connection closed after {size} of {length} bytes")

    def fetch(url: str, output_file: str, _pooch: object) -> None:
        with interrupts.inside_downloader():
            stream(url, output_file)

    return fetch


@contextlib.contextmanager
def _watchdog(seconds: float, timeout: float) -> Iterator[None]:
    """Raise :class:`_Stop` in the main thread when ``seconds`` have passed, whatever is blocking.

    requests' timeouts are per receive, so a status line and headers sent one byte a second never
    time out (the total deadline is checked only between body reads): a real-time alarm covers the
    connection and the headers too. Other threads keep the per-read checks only.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise _Stop(f"timed out: no complete file within {timeout:g} s")

    previous = None
    try:
        with _blocked():  # a Ctrl-C half-way must not leave the alarm set and ``ring`` in place
            previous = signal.signal(signal.SIGALRM, ring)
            signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
        yield
    finally:
        with _blocked():
            signal.setitimer(signal.ITIMER_REAL, 0)
            if previous is not None:
                signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _blocked() -> Iterator[None]:
    """SIGINT, SIGTERM, SIGHUP and SIGALRM held back while handlers are swapped, so that none runs a
    handler half put in place; on leaving, one that arrived meanwhile is delivered to the handlers now
    in place. (This thread only: a signal another thread takes is handed on by ``_Interrupts``.)"""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    wanted = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP", "SIGALRM") if hasattr(signal, n)}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _read(raw: Any) -> bytes:
    """What has arrived, at most CHUNK bytes (read1: one receive, not a full chunk, so a trickle cannot
    stretch one read); urllib3's errors as the requests errors pooch retries on."""
    import socket

    import requests
    import urllib3

    try:
        return raw.read1(CHUNK, decode_content=False) if hasattr(raw, "read1") else raw.read(CHUNK)
    except (urllib3.exceptions.ReadTimeoutError, socket.timeout, TimeoutError) as exc:
        raise requests.exceptions.ReadTimeout(f"timed out: {exc}") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise requests.exceptions.ConnectionError(str(exc)) from None


def _read_timeout(raw: object, seconds: float) -> None:
    """Let the next read wait at most ``seconds`` (best effort: the socket behind urllib3's response)."""
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is None:
        fp = getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None)
        sock = getattr(fp, "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
        except OSError:  # pragma: no cover - closed under us
            pass


class _Interrupts:
    """SIGINT, SIGTERM and SIGHUP end a download like Ctrl-C (KeyboardInterrupt), but only inside the
    downloader, where pooch's ``finally`` removes the partial file.

    pooch creates its temporary file one statement before the ``try`` that removes it: a signal
    landing there left the file behind (CI saw it once, under SIGHUP). A signal that arrives outside
    the downloader (while pooch hashes and moves the file) is held and raised when the fetch
    returns or fails. A signal already ignored (``nohup``, a job started in the background) or given
    a handler by the program calling us is left alone.
    """

    def __init__(self) -> None:
        self.armed = False
        self.pending: int | None = None
        self.active = False  # the handlers are in place (and not being put back)
        self.previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if not self.active:  # put back, or being put back: the signal is the program's again
            self._hand_on(signum, frame)
            return
        if self.armed:
            self.armed = False  # a second signal must not cut short the cleanup the first one started
            raise KeyboardInterrupt(f"signal {signum}")
        self.pending = signum

    def raise_pending(self) -> None:
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise KeyboardInterrupt(f"signal {signum}")

    @contextlib.contextmanager
    def inside_downloader(self) -> Iterator[None]:
        self.armed = True  # before the check: a signal between the two is raised, not held to the end
        try:
            self.raise_pending()
            yield
        finally:
            self.armed = False

    def _hand_on(self, signum: int, frame: object) -> None:
        import signal

        previous = self.previous.get(signum, signal.SIG_DFL)
        if callable(previous):
            previous(signum, frame)  # Python's own SIGINT handler: KeyboardInterrupt
        else:  # the default action (end the process), as if this handler had never been there
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            yield
            return
        # SIGHUP too: a closed terminal or a dropped ssh session left the partial file behind.
        defaults = {"SIGINT": signal.default_int_handler, "SIGTERM": signal.SIG_DFL, "SIGHUP": signal.SIG_DFL}
        try:
            with _blocked():
                self.active = True
                for name, default in defaults.items():
                    sig = getattr(signal, name, None)
                    if sig is not None and signal.getsignal(sig) is default:
                        self.previous[sig] = signal.signal(sig, self._handle)
            yield
        finally:
            with _blocked():
                self.active = False
                for sig, handler in self.previous.items():
                    signal.signal(sig, handler)
            self.raise_pending()  # held outside the downloader, or come while they were put back


def _fetch(name: str, digest: str, folder: Path, base: str, retries: int, timeout: float,
           cap: int = DEFAULT_MAX_BYTES) -> None:
    import time

    import pooch
    import requests

    url = base + name
    # The attempts are made here, not by pooch (retry_if_failed): pooch pauses between them where a
    # Ctrl-C was held (see _Interrupts) for the whole pause.
    fetcher = pooch.create(path=folder, base_url=base, registry={name: f"sha256:{digest}"})
    # One deadline for the file, over every attempt: a server that trickles a byte a second
    # cannot keep a download alive past it.
    deadline = time.monotonic() + timeout
    interrupts = _Interrupts()
    downloader = _downloader(deadline, timeout, cap, interrupts)
    made = 0

    def attempts() -> str:
        return f"{made} attempt{'s' * (made > 1)}"

    try:
        for attempt in range(retries + 1):
            made = attempt + 1
            try:
                # installed() raises, on the way out, a signal held while pooch verified and moved the
                # file or removed it after a failure.
                with _quiet(pooch.get_logger()), interrupts.installed():
                    fetcher.fetch(name, downloader=downloader)
                return
            except (ValueError, requests.exceptions.RequestException) as exc:
                pause = min(attempt + 1.0, 10.0)
                # No time left for the pause and another attempt: this failure is the one to report.
                if attempt == retries or pause >= deadline - time.monotonic() or \
                        (isinstance(exc, ValueError) and "hash" not in str(exc).lower()):
                    raise
            # No temporary file exists between attempts: a signal takes its usual course here, at once.
            time.sleep(pause)
    except _Stop as exc:
        raise DownloadError(name, url, f"{exc}; nothing was kept") from None
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "error"
        raise DownloadError(name, url, f"HTTP {status} after {attempts()}") from None
    except requests.exceptions.RequestException as exc:
        # A read timeout while streaming arrives as a ConnectionError, so look at the text too.
        if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower():
            raise DownloadError(name, url, f"timed out (no data for {timeout:g} s) after {attempts()}") from None
        raise DownloadError(name, url, f"connection failed or closed mid-transfer after {attempts()} "
                                       f"({type(exc).__name__})") from None
    except ValueError as exc:  # pooch's hash mismatch
        if "hash" not in str(exc).lower():
            raise
        raise DownloadError(name, url, f"SHA-256 mismatch after {attempts()}: expected {digest}, "
                                       "the server sent something else; nothing was kept") from None
    except OSError as exc:
        raise DownloadError(name, url, f"cannot write to {folder}: {exc}") from None


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    # pooch logs every download and retry at INFO on stderr; a library should not.
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
