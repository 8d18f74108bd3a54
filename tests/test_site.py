"""The evidence viewer's build: offsets converted once, data escaped, the page self-contained."""

from __future__ import annotations

import doctest
import json
import re

import pytest
from hypothesis import given, strategies as st

from libyadata import cli, site
from site_fixtures import HOSTILE, TEXT, dataset


def page_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="libyadata-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_doctests():
    assert doctest.testmod(site).failed == 0


@given(st.text())
def test_utf16_offsets_agree_with_utf16_encoding(text):
    u16 = site.utf16_offsets(text)
    assert len(u16) == len(text) + 1
    for i in range(len(text) + 1):
        assert u16[i] == len(text[:i].encode("utf-16-le")) // 2


def test_spans_carry_code_point_and_utf16_offsets(tmp_path):
    data = site.payload(dataset(tmp_path), text=TEXT)
    spans = {r["key"]: r["span"] for r in data["records"] if "span" in r}
    js_text = TEXT.encode("utf-16-le")
    for key, s in spans.items():
        assert TEXT[s["start"]:s["end"]] == s["quote"], key
        # the UTF-16 slice, as JavaScript's String.slice takes it, is the same quote
        assert js_text[2 * s["u16_start"]:2 * s["u16_end"]].decode("utf-16-le") == s["quote"], key
    astral = spans["actors/bold-a"]
    assert astral["u16_start"] == astral["start"] and astral["u16_end"] == astral["end"] + 2  # two astral chars
    arabic = spans["claims/arabic"]
    assert arabic["u16_start"] - arabic["start"] == 3  # 𝐀, 😀 and 𝄞 come before it
    assert data["source"]["utf16_units"] == len(js_text) // 2


def test_records_link_to_the_records_they_name(tmp_path):
    data = site.payload(dataset(tmp_path), text=TEXT)
    by_key = {r["key"]: r for r in data["records"]}
    claim = by_key["claims/arabic"]
    assert {"field": "actor_id", "to": "actors/haftar"} in claim["links"] and claim["actors"] == ["haftar"]
    # a join row gives the event its actor, and the event lists who names it
    assert by_key["events/hostile"]["actors"] == ["haftar"]
    assert "event_actors/hostile/haftar/speaker" in by_key["events/hostile"]["named_by"]
    assert "span" not in by_key["event_actors/hostile/haftar/speaker"]
    fields = {f["name"]: f for f in by_key["events/hostile"]["fields"]}
    assert fields["event_type"]["vocabulary"] == "event_type" and fields["event_type"]["meaning"]


def test_no_record_text_reaches_the_html_unescaped(tmp_path):
    html = site.render(site.payload(dataset(tmp_path), text=TEXT))
    assert HOSTILE not in html and "<img" not in html and "<b>not bold</b>" not in html
    assert html.count("</script>") == 2  # the data block's and the script's own
    assert page_data(html)["text"] == TEXT  # the JSON round-trips exactly
    assert "<i>source</i>" not in html and "<script>alert" not in html


def test_the_page_loads_nothing_from_anywhere(tmp_path):
    html = site.render(site.payload(dataset(tmp_path), text=TEXT))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "default-src 'none'" in html  # the Content-Security-Policy forbids any fetch


def test_site_command_writes_the_real_data(tmp_path, capsys, data):
    assert cli.main(["site", "--output", str(tmp_path / "out")]) == 0
    page = tmp_path / "out" / "index.html"
    assert f"wrote {page}" in capsys.readouterr().out
    got = page_data(page.read_text(encoding="utf-8"))
    with_span = [r for name in data.counts() if name not in ("sources",)
                 for r in data.table(name) if getattr(r, "quote", None)]
    assert len([r for r in got["records"] if "span" in r]) + len(got["mentions"]) == len(with_span)
    assert got["version"] == libyadata_version()
    assert not list((tmp_path / "out").glob("*.tmp"))  # written atomically, nothing left behind


def libyadata_version() -> str:
    from libyadata import __version__

    return __version__


def test_site_command_reports_a_bad_package(tmp_path, capsys):
    assert cli.main(["site", str(tmp_path / "nowhere"), "--output", str(tmp_path / "out")]) == 2
    assert "error" in capsys.readouterr().err and not (tmp_path / "out" / "index.html").exists()
