"""The evidence viewer in a real browser: Debian's Chromium, headless, driven by Playwright, offline.

One browser for the module. Without Chromium the tests fail in CI (CI installs it,
see .ci/run) and are skipped elsewhere with the command that installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from libyadata import site
from libyadata.site import browser as site_browser
from site_fixtures import TEXT, dataset

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def chromium():
    if site_browser.chromium_path() is None:
        message = "Chromium is missing: apt-get install -y --no-install-recommends chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with site_browser.chromium() as b:
        yield b


class Page:
    """A tab on a local page that records console errors, page errors and every request."""

    def __init__(self, browser, path: Path, hash: str = "") -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.tab = browser.new_page(viewport={"width": 1280, "height": 800})
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.tab.on("pageerror", lambda e: self.errors.append(str(e)))
        self.tab.on("request", lambda r: self.requests.append(r.url))
        self.tab.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))
        self.tab.goto(path.resolve().as_uri() + (f"#{hash}" if hash else ""))
        self.tab.wait_for_selector("html[data-ready='1']")

    def offline_and_clean(self) -> None:
        assert self.errors == []
        assert all(u.startswith("file:") for u in self.requests), self.requests


@pytest.fixture(scope="module")
def real_page(chromium, tmp_path_factory, data):
    out = site.write(tmp_path_factory.mktemp("site"), data)
    page = Page(chromium, out)
    yield page
    page.tab.close()


# One JS pass over the text: for each key, its segments' text, and whether they are adjacent.
SPANS_JS = """() => {
  const nodes = [...document.getElementById('text').childNodes];
  const out = {};
  nodes.forEach((n, i) => {
    if (!n.dataset) return;
    for (const k of (n.dataset.records || '').split(' ').concat((n.dataset.mentions || '').split(' '))) {
      if (!k) continue;
      (out[k] = out[k] || {text: '', idx: []}).text += n.textContent;
      out[k].idx.push(i);
    }
  });
  return out;
}"""


def check_spans(page, records):
    got = page.tab.evaluate(SPANS_JS)
    for key, quote in records.items():
        assert key in got, f"{key}: not highlighted"
        idx = got[key]["idx"]
        assert idx == list(range(idx[0], idx[0] + len(idx))), f"{key}: highlighted in more than one place"
        assert got[key]["text"] == quote, key
    assert set(got) == set(records)


def quotes(data) -> dict[str, str]:
    out = {}
    for name in data.counts():
        for r in data.table(name):
            if getattr(r, "quote", None) is not None and name != "sources":
                out[site.record_key(r)] = r.quote
    return out


def test_every_span_is_highlighted_once_with_its_quote(real_page, data):
    check_spans(real_page, quotes(data))
    # the text is the whole source, in order
    assert real_page.tab.evaluate("document.getElementById('text').textContent") == data.source_text()
    real_page.offline_and_clean()


IN_VIEW_JS = """async (links) => {
  const failures = [];
  for (const [k, quote, cardKey] of links) {
    const changed = new Promise(r => window.addEventListener('hashchange', r, {once: true}));
    location.hash = encodeURI(k);
    await changed;
    const marks = [...document.querySelectorAll('#text .current')];
    const card = document.getElementById('card-' + cardKey);
    if (!card || !card.classList.contains('current')) { failures.push(k + ': card not marked'); continue; }
    if (quote === null) { if (marks.length) failures.push(k + ': marks text but has no span'); continue; }
    if (!marks.length) { failures.push(k + ': span not marked'); continue; }
    const r = marks[0].getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight || r.left < 0 || r.right > window.innerWidth)
      failures.push(k + ': span not in the viewport ' + JSON.stringify(r));
    if (marks.map(m => m.textContent).join('') !== quote) failures.push(k + ': marked text differs');
  }
  return failures;
}"""


def test_every_deep_link_lands_on_its_span(real_page, data):
    links = []
    for name in data.counts():
        if name == "sources":
            continue
        for r in data.table(name):
            key = site.record_key(r)
            target = site._mention_target(r) if getattr(r, "quote", None) is not None else None
            links.append([key, getattr(r, "quote", None), target or key])  # a mention marks its record's card
    assert real_page.tab.evaluate(IN_VIEW_JS, links) == []
    real_page.offline_and_clean()


def test_a_deep_link_opened_directly_marks_its_span(chromium, tmp_path, data):
    out = site.write(tmp_path, data)
    event = data.events[0]
    page = Page(chromium, out, hash=f"events/{event.event_id}")
    assert page.tab.evaluate("[...document.querySelectorAll('#text .current')].map(m => m.textContent).join('')") \
        == event.quote
    assert page.tab.is_visible(f"#text .current")
    page.tab.screenshot(path=str(tmp_path / "site.png"))
    assert (tmp_path / "site.png").stat().st_size > 10_000
    page.offline_and_clean()
    page.tab.close()


def visible_cards(page) -> list[str]:
    return page.tab.evaluate("[...document.querySelectorAll('.card:not([hidden])')].map(c => c.id.slice(5))")


def test_filters_change_what_is_shown(real_page, data):
    tab = real_page.tab
    everything = visible_cards(real_page)
    from libyadata import models

    # every record is a card, but sources (the page's subject) and mentions (shown on their record's card)
    cards = [name for name, m in models.TABLES.items() if name != "sources" and "record_table" not in m.model_fields]
    assert len(everything) == sum(data.counts()[name] for name in cards)
    tab.select_option("#filter-table", "events")
    assert visible_cards(real_page) == [f"events/{e.event_id}" for e in data.events]
    assert tab.text_content("#shown").startswith(f"{len(data.events)} of ")
    tab.select_option("#filter-table", "")
    tab.select_option("#filter-actor", "khalifa-haftar")
    shown = visible_cards(real_page)
    assert 0 < len(shown) < len(everything) and "actors/khalifa-haftar" in shown
    assert f"events/haftar-visit-russia-2017-08" in shown
    dimmed = tab.evaluate("document.querySelectorAll('#text mark.ev.dim').length")
    assert dimmed > 0  # the text shows which spans the filter hides
    tab.select_option("#filter-actor", "")
    modalities = tab.evaluate("[...document.querySelectorAll('#filter-modality option')].map(o => o.value)")[1:]
    recorded = sorted({r.modality for name in data.counts() for r in data.table(name)
                       if getattr(r, "modality", None)})
    assert modalities == recorded
    if recorded:
        tab.select_option("#filter-modality", recorded[0])
        assert 0 < len(visible_cards(real_page)) < len(everything)
        tab.select_option("#filter-modality", "")
    else:
        assert tab.is_disabled("#filter-modality")
    assert visible_cards(real_page) == everything
    real_page.offline_and_clean()


def test_exclusions_and_uncited_text_are_shown_as_such(real_page, data):
    excluded = real_page.tab.evaluate("[...document.querySelectorAll('#text .excluded')].map(e => e.textContent)")
    assert "".join(excluded) == "".join(x.quote for x in sorted(data.exclusions, key=lambda x: x.char_start))
    uncited = real_page.tab.evaluate("[...document.querySelectorAll('#text .uncited')].map(e => e.textContent)")
    text = data.source_text()
    covered = [False] * len(text)
    for name in data.counts():
        for r in data.table(name):
            if getattr(r, "quote", None) is not None and name != "sources":
                covered[r.char_start:r.char_end] = [True] * (r.char_end - r.char_start)
    runs, run = [], ""
    for ch, c in zip(text, covered):
        if c:
            runs.append(run)
            run = ""
        else:
            run += ch
    runs.append(run)
    assert uncited == [r for r in runs if r.strip()]


def test_version_and_cite_box(real_page, data):
    from libyadata import __version__, meta

    cite = real_page.tab.text_content("#cite-text")
    assert f"version {__version__}" in cite and meta.TITLE in cite
    assert f"Version {__version__}" in real_page.tab.text_content("#about")
    real_page.tab.click("#cite #cite-copy") if real_page.tab.is_visible("#cite-copy") else None
    assert f"version = {{{__version__}}}" in real_page.tab.text_content("#cite-bibtex")


def test_astral_arabic_and_hostile_text_in_the_browser(chromium, tmp_path):
    synthetic = dataset(tmp_path)
    out = tmp_path / "index.html"
    out.write_text(site.render(site.payload(synthetic, text=TEXT)), encoding="utf-8")
    page = Page(chromium, out, hash="events/hostile")
    check_spans(page, {site.record_key(r): r.quote for name in synthetic.counts() for r in synthetic.table(name)
                       if getattr(r, "quote", None)})
    assert page.tab.evaluate("document.getElementById('text').textContent") == TEXT
    assert page.tab.evaluate("window.__pwned === undefined && document.querySelectorAll('img, b, i').length === 0")
    assert page.tab.evaluate("document.querySelector('#card-actors\\\\/haftar h3').textContent") \
        == "Haftar <script>alert(1)</script>"
    page.offline_and_clean()
    page.tab.close()


def test_screenshot_of_a_deep_link(chromium, tmp_path, data):
    # what `libyadata site --screenshot PNG --link KEY` does, in the module's browser
    page = site.write(tmp_path / "out", data)
    png = site_browser.screenshot(page, tmp_path / "figures" / "site.png", hash="events/haftar-visit-russia-2017-08",
                                  browser=chromium)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert not list(png.parent.glob("*.tmp"))
