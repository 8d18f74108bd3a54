"""Sentence splitting and the uncited-sentence report."""

from __future__ import annotations

from libyadata.coverage import sentences, uncited


def split(text):
    return [text[s:e] for s, e in sentences(text)]


def test_sentences_keep_list_markers_and_closing_quotes():
    text = "Intro:\n\n1. First item. Second sentence.\n2. He said “go.” Then left.\n\nHeading"
    assert split(text) == ["Intro:", "1. First item.", "Second sentence.", "2. He said “go.”", "Then left.",
                           "Heading"]


def test_sentences_do_not_split_inside_numbers_or_lowercase():
    assert split("It was 90.5 per cent. next to nothing. And more.") == [
        "It was 90.5 per cent. next to nothing.", "And more."]


def test_uncited_and_excluded():
    text = "Title\nOne. Two. Three."
    spans = sentences(text)
    assert len(spans) == 4
    missing = uncited(text, cited=[(6, 9)], excluded=[(0, 5)])
    assert [s.text for s in missing] == ["Two.", "Three."]
    assert uncited(text, cited=[(6, 22)], excluded=[(0, 5)]) == []
