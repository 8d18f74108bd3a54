"""Drive the system's Chromium headless with Playwright (no browser download), for tests and screenshots.

Playwright's own browser builds are never fetched: the page is opened in the
Chromium that the operating system provides (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..errors import LibyadataError, MissingDependency

#: Flags for a closed network: no background requests, no first-run work, no sandbox as root.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The system Chromium (``LIBYADATA_CHROMIUM`` overrides), or None."""
    for candidate in (os.environ.get("LIBYADATA_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium ``Browser`` (Playwright), closed on exit.

    Playwright gives every launch a fresh, empty profile of its own (it refuses ``--user-data-dir``).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise MissingDependency("playwright", "test") from None
    exe = chromium_path()
    if exe is None:
        raise LibyadataError("no Chromium found: install it (Debian: apt-get install chromium) "
                             "or set LIBYADATA_CHROMIUM")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Path, output: Path, *, width: int = 1400, height: int = 900, hash: str = "",
               browser: Any = None) -> Path:
    """Open ``page`` (a local HTML file) and save a PNG of the window to ``output``.

    ``browser``: an open Playwright browser to use (one is started and closed otherwise).
    """
    from ..csvio import atomic_write

    if browser is None:
        with chromium() as b:
            return screenshot(page, output, width=width, height=height, hash=hash, browser=b)
    tab = browser.new_page(viewport={"width": width, "height": height})
    try:
        tab.goto(Path(page).resolve().as_uri() + (f"#{hash}" if hash else ""))
        tab.wait_for_selector("html[data-ready='1']")
        atomic_write(Path(output), tab.screenshot())
    finally:
        tab.close()
    return Path(output)
