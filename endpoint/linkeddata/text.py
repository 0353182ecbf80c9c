"""A source's text for people: the sentence around a quote, and the text with quotes marked.

Offsets are Unicode code points of the verbatim text (RFC 5147 `#char=start,end`), which
Python string indices are. Quotes may nest and overlap: the text is cut at every quote's
start and end, and each piece is marked with the quotes that cover it (the deeper the
nesting, the darker the mark), linked to the innermost one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from endpoint.templating import macro

_CLOSE, _OPEN = '"\u201d\u2019)', '"\u201c\u2018('
"""Closing and opening quotation marks and brackets around a sentence break."""
_BREAK = re.compile(rf"(?<=[.!?])[{_CLOSE}]?\s+(?=[{_OPEN}]?[A-Z0-9])|\n\s*")
_NOT_AN_END = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|No|vs)\.)$")


class OffsetError(ValueError):
    """Quote offsets that do not fit the text."""


def _check(text: str, start: int, end: int) -> None:
    if not 0 <= start <= end <= len(text):
        raise OffsetError(f"offsets {start},{end} lie outside a text of {len(text)} characters")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence(s) holding text[start:end]."""
    _check(text, start, end)
    ends = [
        m.end()
        for m in _BREAK.finditer(text)
        if not (m.group().strip() == "" and _NOT_AN_END.search(text[: m.start()]))
    ]
    first = max((e for e in ends if e <= start), default=0)
    last = min((e for e in ends if e >= max(end, start + 1)), default=len(text))
    return first, len(text[:last].rstrip())


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    anchor: str
    """The id of the quote's element on the page (`char=start,end`)."""
    title: str
    """What the quote gave rise to, shown on hover."""


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the text that the same quotes cover."""

    text: str
    anchors: tuple[str, ...]
    """The anchors of the quotes that start here."""
    depth: int
    """How many quotes cover it (at most 3 shades); 0 outside every quote."""
    target: str = ""
    """The anchor of the innermost quote covering it."""
    titles: str = ""


def sentence_parts(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The sentence around a quote, cut in three: before the quote, the quote, after it."""
    first, last = sentence_bounds(text, start, end)
    return text[first:start], text[start:end], text[end:last]


def pieces(text: str, marks: Sequence[Mark]) -> list[Piece]:
    """The whole text cut at every mark's start and end, each piece with the marks over it."""
    for mark in marks:
        _check(text, mark.start, mark.end)
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    starting: dict[int, list[str]] = {}
    for mark in marks:
        starting.setdefault(mark.start, []).append(mark.anchor)
    out: list[Piece] = []
    for a, b in itertools.pairwise(cuts):
        anchors = tuple(starting.get(a, []))
        covering = [m for m in marks if m.start <= a and b <= m.end and m.start < m.end]
        if not covering:
            out.append(Piece(text[a:b], anchors, 0))
            continue
        inner = min(covering, key=lambda m: (m.end - m.start, m.start))
        titles = "; ".join(dict.fromkeys(m.title for m in covering))
        out.append(Piece(text[a:b], anchors, min(len(covering), 3), inner.anchor, titles))
    return out


def in_sentence(text: str, start: int, end: int) -> Markup:
    """HTML: the sentence around a quote with the quote emphasised."""
    return macro("text.html", "in_sentence")(*sentence_parts(text, start, end))


def highlighted(text: str, marks: Sequence[Mark]) -> Markup:
    """HTML of the whole text, every mark highlighted, each with an anchor at its start."""
    return macro("text.html", "highlighted")(pieces(text, marks))
