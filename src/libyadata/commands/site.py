"""Write the evidence viewer: a static, self-contained site of the article and its records.

The page (index.html, with its CSS, script and data inline) shows the source text
with every evidence span highlighted, a card per record, filters by table, actor and
modality, a deep link per record (index.html#events/<event_id>) and a "cite this"
box. It needs no server and no network: open it from disk or publish the folder
(e.g. on GitHub Pages).

Example:
  libyadata site                       # writes site/index.html
  libyadata site --output public
  libyadata site --screenshot docs/figures/site.png   # also a PNG (needs Chromium + playwright)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_package_argument, package_path

HELP = "write the evidence viewer (a static site) of the article and its records"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_package_argument(parser)
    parser.add_argument("--output", "-o", type=Path, default=Path("site"), help="folder to write (default: site)")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="also save a PNG of the page here (needs Chromium and playwright)")
    parser.add_argument("--link", default="events/haftar-visit-russia-2017-08",
                        help="record to select in the screenshot (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    from .. import site
    from ..dataset import load

    data = load(package_path(args.path))
    page = site.write(args.output, data)
    print(f"wrote {page} ({page.stat().st_size:,} bytes)")
    if args.screenshot is not None:
        from ..site.browser import screenshot

        screenshot(page, args.screenshot, hash=args.link)
        print(f"wrote {args.screenshot}")
    return 0
