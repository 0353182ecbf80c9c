"""Sentences of a seed text, as code-point spans: the rule `drugkg draft` splits by.

No library: the split must give offsets exactly (a quote's offsets are checked against the
text), work offline and be the same on every machine, and a rule a curator can read does that.
Sentence-boundary libraries on PyPI either need a model or data downloaded at run time (spaCy,
NLTK's punkt) or compute offsets by searching the text again after splitting (pysbd), which
goes wrong on repeated sentences. The rule:

1. A line break always ends a sentence: seed texts keep one paragraph per line (headlines,
   captions and paragraphs each on their own line), so a paragraph is a line. A text wrapped
   at a fixed width should be unwrapped before `drugkg source add`.
2. Inside a line a sentence ends after `.`, `!` or `?` (and any closing quotation marks or
   brackets right after it) when whitespace follows and then a capital letter, a digit or an
   opening quotation mark or bracket.
3. ... unless the word the full stop ends is an abbreviation: a single capital (`J.`), a dotted
   acronym (`U.S.`, `e.g.`) or a title or month (`Mr.`, `Dr.`, `Sen.`, `Oct.`, `No.`...).
4. A sentence is trimmed of surrounding whitespace; blank lines yield nothing.

A curator who needs a shorter quote (the smallest span that supports a statement) makes it
with `drugkg quote`; the draft's sentences are where to start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATED = (
    "mr mrs ms dr prof sen rep gov gen col lt sgt st jr sr inc co corp ltd vs etc no nos "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx dept est fig"
)
ABBREVIATIONS = frozenset(_ABBREVIATED.split())
"""Words whose full stop ends no sentence (compared in lower case)."""

_END = re.compile(r"[.!?]+[\"\u201d\u2019)\]]*(?=\s+[A-Z0-9\u201c\"\u2018(\[])")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_DOTTED = re.compile(r"^(?:\w\.)+\w$")


@dataclass(frozen=True)
class Sentence:
    """One sentence: `text[start:end]`, in paragraph `paragraph` (1-based), its `number`-th."""

    start: int
    end: int
    paragraph: int
    number: int


def split(text: str) -> list[Sentence]:
    """The sentences of `text`, in text order, by the rule of this module."""
    sentences: list[Sentence] = []
    paragraph = 0
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            paragraph += 1
            spans = _split_line(line)
            sentences += [
                Sentence(offset + s, offset + e, paragraph, n)
                for n, (s, e) in enumerate(spans, start=1)
            ]
        offset += len(line)
    return sentences


def _split_line(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(line):
        if _abbreviation(line[: match.start() + 1]):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(line)))
    return [trimmed for s, e in spans if (trimmed := _trim(line, s, e)) is not None]


def _abbreviation(before: str) -> bool:
    """Whether the full stop that ends `before` ends an abbreviation, not a sentence."""
    match = _WORD_BEFORE.search(before)
    if match is None:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return True
    return bool(_DOTTED.match(word)) or word.lower() in ABBREVIATIONS


def _trim(line: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
