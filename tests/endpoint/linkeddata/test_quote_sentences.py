"""The sentence around a quote, and the text with nested and overlapping quotes marked."""

from __future__ import annotations

import re

import pytest

from endpoint.linkeddata.text import Mark, OffsetError, highlighted, in_sentence, sentence_bounds

TEXT = "The U.S. said so. Fentanyl is potent, it said. Heroin is older!\nA new line here."


def test_sentence_around_a_quote_ignores_abbreviations() -> None:
    start = TEXT.index("said so")
    first, last = sentence_bounds(TEXT, start, start + 7)
    assert TEXT[first:last] == "The U.S. said so."


def test_quote_spanning_two_sentences_gets_both() -> None:
    start, end = TEXT.index("potent"), TEXT.index("Heroin") + 6
    first, last = sentence_bounds(TEXT, start, end)
    assert TEXT[first:last] == "Fentanyl is potent, it said. Heroin is older!"


def test_sentence_ends_at_a_line_break() -> None:
    start = TEXT.index("new")
    assert TEXT[slice(*sentence_bounds(TEXT, start, start + 3))] == "A new line here."


def test_in_sentence_marks_the_quote_and_escapes() -> None:
    text = "Say <b> & go. Next."
    assert in_sentence(text, 4, 7) == "Say <mark>&lt;b&gt;</mark> &amp; go."


def test_offsets_outside_the_text_are_an_error() -> None:
    with pytest.raises(OffsetError, match="outside a text of 5 characters"):
        sentence_bounds("short", 2, 9)


def _strip(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_nested_and_overlapping_quotes_are_all_marked() -> None:
    text = "abcdefghij"
    marks = [
        Mark(0, 6, "char=0,6", "outer"),
        Mark(2, 4, "char=2,4", "inner"),
        Mark(5, 9, "char=5,9", "overlapping"),
    ]
    html = highlighted(text, marks)
    assert _strip(html) == text  # the text is whole, in order
    for mark in marks:
        assert f'id="{mark.anchor}"' in html
    # c-d is inside two quotes, linked to the innermost; f inside the outer and the overlapping
    assert '<a class="q d2" href="#about-char=2,4" title="outer; inner">cd</a>' in html
    assert 'class="q d2" href="#about-char=5,9" title="outer; overlapping">f</a>' in html
    assert 'class="q d1" href="#about-char=5,9" title="overlapping">ghi</a>' in html
    assert html.endswith("j")
