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

from ._version import __version__
from .errors import LibyadataError
from .release import NAME_PATTERN, check_version, registry, sha256
from .resources import DESCRIPTOR

DEFAULT_BASE_URL = "https://github.com/libyadata/libyadata/releases/download/v{version}/"
ENV_BASE_URL = "LIBYADATA_BASE_URL"
ENV_CACHE = "LIBYADATA_CACHE"
#: Transient failures (connection, timeout, HTTP error, hash mismatch) are retried this many times.
DEFAULT_RETRIES = 2
#: Seconds to wait for the server to connect or send the next bytes.
DEFAULT_TIMEOUT = 30.0


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
             retries: int = DEFAULT_RETRIES, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Fetch and verify the Parquet files of ``version`` (default: this one); return their folder.

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
    folder = Path(dest).expanduser() if dest is not None else cache_dir(version)
    base = base_url_for(version, base_url)

    for name in names:
        if not NAME_PATTERN.match(name):  # the registry is ours, but a name becomes a path
            raise LibyadataError(f"refusing release file name {name!r}")
        target = folder / name
        if target.is_file():
            if sha256(target) == hashes[name]:
                continue
            # Not what the registry says (corrupted, truncated, another version): never keep it.
            target.unlink()
        _fetch(name, hashes[name], folder, base, retries, timeout)
        if sha256(target) != hashes[name]:  # pooch checked it; this keeps the promise if pooch ever does not
            target.unlink()
            raise DownloadError(name, base + name, "the file changed after it was verified")
    return folder


def _fetch(name: str, digest: str, folder: Path, base: str, retries: int, timeout: float) -> None:
    import pooch
    import requests

    url = base + name
    fetcher = pooch.create(path=folder, base_url=base, registry={name: f"sha256:{digest}"},
                           retry_if_failed=retries)
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=False)
    attempts = f"{retries + 1} attempt{'s' if retries else ''}"
    try:
        with _quiet(pooch.get_logger()):
            fetcher.fetch(name, downloader=downloader)
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "error"
        raise DownloadError(name, url, f"HTTP {status} after {attempts}") from None
    except requests.exceptions.RequestException as exc:
        # A read timeout while streaming arrives as a ConnectionError, so look at the text too.
        if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower():
            raise DownloadError(name, url, f"timed out (no data for {timeout:g} s) after {attempts}") from None
        raise DownloadError(name, url, f"connection failed or closed mid-transfer after {attempts} "
                                       f"({type(exc).__name__})") from None
    except ValueError as exc:  # pooch's hash mismatch
        if "hash" not in str(exc).lower():
            raise
        raise DownloadError(name, url, f"SHA-256 mismatch after {attempts}: expected {digest}, "
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
