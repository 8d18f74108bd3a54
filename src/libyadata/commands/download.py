"""Download the Parquet files of a release and verify each against the shipped sha256.

Files go to the per-version cache folder (LIBYADATA_CACHE, else the user cache
directory) unless --dest is given; a file already there is re-hashed and reused,
so a second run needs no network. The release URL can be replaced by a mirror with
--base-url or LIBYADATA_BASE_URL ("{version}" in it becomes the version).

Example:
  libyadata download                       # this version, into the cache
  libyadata download --dest data/          # somewhere else
  libyadata download --version 1.0.0 --file events.parquet
  LIBYADATA_BASE_URL=https://mirror.example/libyadata/v{version}/ libyadata download
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "download and verify the Parquet files of a release"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", dest="data_version", default=None, metavar="VERSION",
                        help="release version (default: the installed libyadata's)")
    parser.add_argument("--dest", type=Path, default=None, help="folder for the files (default: the cache)")
    parser.add_argument("--base-url", default=None, help="folder URL of the release files (default: GitHub)")
    parser.add_argument("--file", dest="files", action="append", default=None, metavar="NAME",
                        help="only this release file (repeatable; default: the Parquet files and datapackage.json)")
    parser.add_argument("--retries", type=int, default=None, help="further attempts after a failure (default: 2)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds to wait for data (default: 30)")


def run(args: argparse.Namespace) -> int:
    from .. import downloads

    options = {}
    if args.retries is not None:
        options["retries"] = args.retries
    if args.timeout is not None:
        options["timeout"] = args.timeout
    folder = downloads.download(args.data_version, args.dest, base_url=args.base_url, files=args.files,
                                **options)
    names = args.files or downloads.default_files(args.data_version)
    for name in sorted(set(names)):
        print(folder / name)
    return 0
