"""Path rules: which names a package may use, and how a file of an untrusted package is opened.

One set of rules for every reader of package files (``validate``, ``diff`` and its
snapshots, ``load``, ``download``):

- a descriptor path is a plain relative POSIX path: no URL or URI scheme, no absolute
  or Windows drive path, no backslash, no ``..``, no hidden component, no control
  character, no shell expansion (``~``, ``$``), no empty or ``.`` component;
- a file is opened only if no component of its path, from the package folder down and
  including the package folder itself, is a symbolic link, and it is a regular file
  (no FIFO, device, socket or directory). The file is opened with ``O_NOFOLLOW`` and
  checked again through the open descriptor, so a link swapped in after the check is
  not followed either.

Hard links are not refused: git does not store them (a checkout never makes one), and
a hard link can only point at a file the contributor's own account could already read.

>>> problem("data/events.csv") is None
True
>>> problem("../secrets.csv")
"'../secrets.csv' leaves the package ('..')"
>>> problem("https://example.org/x.csv")
"'https://example.org/x.csv' is a URL; libyadata never opens the network for a package file"
>>> problem("data/./x.csv")
"'data/./x.csv' has an empty or '.' component"
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = ["UnsafePath", "problem", "check_relative", "root_problem", "file_problem", "safe_file",
           "open_regular", "open_found", "read_bytes"]


class UnsafePath(OSError):
    """A path the rules refuse; the message says why."""


def problem(path: Any) -> str | None:
    """Why a descriptor path is unsafe, or None when it is a plain relative path inside the package."""
    if not isinstance(path, str) or not path:
        return f"{_show(path)} is not a non-empty string path"
    shown = _show(path)
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return f"{shown} holds control characters"
    lowered = path.lower()
    if "://" in path or lowered.startswith(("http:", "https:", "ftp:", "ftps:")):
        return f"{shown} is a URL; libyadata never opens the network for a package file"
    if lowered.startswith("file:"):
        return f"{shown} is a file: reference; use a relative path inside the package"
    if path.startswith(("/", "\\")) or (len(path) >= 2 and path[1] == ":" and path[0].isascii()
                                        and path[0].isalpha()):
        return f"{shown} is absolute; use a path relative to datapackage.json"
    scheme, colon, _ = path.partition(":")
    if colon and scheme and scheme[0].isascii() and scheme[0].isalpha() \
            and all(c.isascii() and (c.isalnum() or c in "+.-") for c in scheme):
        return f"{shown} has a URI scheme; use a relative path inside the package"
    if "\\" in path:
        return f"{shown} uses backslashes; use '/'"
    if path.startswith("~") or "$" in path:
        return f"{shown} would be expanded by a shell; use a plain relative path"
    raw_parts = path.split("/")
    if ".." in raw_parts:
        return f"{shown} leaves the package ('..')"
    if any(p in ("", ".") for p in raw_parts):
        return f"{shown} has an empty or '.' component"
    if any(p.startswith(".") for p in raw_parts):
        return f"{shown} names a hidden file or folder"
    return None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:199] + "…"


def check_relative(path: Any) -> str:
    """``path`` if :func:`problem` finds nothing, else :class:`UnsafePath`."""
    why = problem(path)
    if why:
        raise UnsafePath(why)
    return path


def root_problem(root: Path) -> str | None:
    """Why a package folder cannot be read as one, or None.

    The folder itself must be a real directory, not a link, and so must every folder on the
    path as given (``pr/datapackage``: ``pr`` too), except the entries directly under the
    filesystem root, which are the system's own (``/tmp`` and ``/var`` are links on macOS,
    ``/home`` on some BSDs).
    """
    parts = root.parts
    prefixes = [Path(*parts[: i + 1]) for i in range(len(parts))]
    if root.is_absolute():
        prefixes = prefixes[2:]
    for p in prefixes:
        if p.name in ("", ".", ".."):
            continue
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            return f"{str(p)!r} does not exist"
        except OSError as exc:
            return f"{str(p)!r} cannot be read: {exc.strerror}"
        if stat.S_ISLNK(st.st_mode):
            return f"{str(p)!r} is a symbolic link; links are never followed: commit the folder itself"
        if not stat.S_ISDIR(st.st_mode):
            return f"{str(p)!r} is not a directory"
    return None


def file_problem(root: Path, rel: str) -> str | None:
    """Why ``root/rel`` cannot be read as a package file (rule, link on the way, not a regular file), or None."""
    why = problem(rel) or root_problem(root)
    if why:
        return why
    current = root
    parts = PurePosixPath(rel).parts
    for i, part in enumerate(parts):
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return f"{_show(rel)} does not exist"
        except OSError as exc:
            return f"{_show(rel)} cannot be read: {exc.strerror}"
        if stat.S_ISLNK(st.st_mode):
            return f"{_show(rel)} goes through a symbolic link; links are never followed: commit the file"
        last = i == len(parts) - 1
        if not last and not stat.S_ISDIR(st.st_mode):
            return f"{_show(rel)}: {part!r} is not a folder"
        if last and not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (FIFO, device or socket)"
            return f"{_show(rel)} is {kind}"
    return None


def safe_file(root: Path, rel: str) -> Path | None:
    """``root/rel`` if :func:`file_problem` finds nothing, else None."""
    return None if file_problem(root, rel) else root / rel


def open_regular(root: Path, rel: str) -> int:
    """An open read-only file descriptor of ``root/rel``, after the rules; raises :class:`UnsafePath`.

    Opened with ``O_NOFOLLOW`` and ``O_NONBLOCK`` (a FIFO swapped in cannot block the open)
    and checked with ``fstat`` to be the regular file that was checked.
    """
    why = file_problem(root, rel)
    if why:
        raise UnsafePath(why)
    return _open_checked(root / rel, _show(rel))


def open_found(path: Path) -> int:
    """An open read-only descriptor of a file a walk already found regular (no link on its path):
    opened again with ``O_NOFOLLOW | O_NONBLOCK`` and checked with ``fstat``, so that a link or a
    FIFO put in its place since can neither be followed nor block. Raises :class:`UnsafePath`."""
    return _open_checked(path, _show(str(path)))


def _open_checked(path: Path, shown: str) -> int:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnsafePath(f"{shown} cannot be opened: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePath(f"{shown} is not a regular file")
    return fd


def read_bytes(root: Path, rel: str, limit: int | None = None) -> bytes:
    """The bytes of a package file, after the rules; at most ``limit`` bytes (more: :class:`UnsafePath`)."""
    fd = open_regular(root, rel)
    with os.fdopen(fd, "rb") as f:
        data = f.read(-1 if limit is None else limit + 1)
    if limit is not None and len(data) > limit:
        raise UnsafePath(f"{_show(rel)} is larger than {limit} bytes")
    return data
