"""What a curator looks for in a sentence: known entities, names the graph does not know, and
the words that say who speaks.

- **Mentions** of a known entity: any of its names (label, preferred or alternative label),
  matched as whole words, case ignored (except an all-capital name, an acronym such as `DEA`
  or `AP`, which must be written so), any run of spaces for a space, either apostrophe (the
  typewriter one or U+2019) for either, and followed by an optional plural or possessive ending
  (`s`, `es`, `'s`, `s'`, `'`). Where two names overlap, the longer wins ("China's Ministry of
  Public Security" over "China").
- **Candidate names**: runs of capitalised words (joined by spaces or by `of`, `for`, `the`,
  `de`, `la` between capitalised words), without a possessive ending, that are no known
  name; a mention ends a run ("Sessions' Department of Justice" gives "Sessions"). A run of
  one word at the start of a sentence (capitalised by its place) or naming a day or a month is
  dropped unless it is an acronym; a leading function word is dropped from a longer one ("The
  Cartel Project" gives "Cartel Project").
- **Attribution cues**: "according to", verbs of saying (`said`, `says`, `told`, `added`,
  `argued`, `agree`...), and quotations (“…” or "…"; an opening mark with no closing one in the
  sentence is a quotation that goes on). They mark what a source says, not what the text
  reports in its own voice: graph/facts/README.md, "Who speaks".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from graph.curation.entities import Entity, fold

_APOSTROPHE = "['\u2019]"
_SUFFIX = rf"(?:{_APOSTROPHE}s|s{_APOSTROPHE}|{_APOSTROPHE}|e?s)?"
_CONNECTORS = frozenset({"of", "for", "the", "de", "la", "del"})
_FUNCTION = (
    "a an the this that these those his her their its our my your but and or so yet however "
    "meanwhile according in on at to for from by with as if when while after before since "
    "unfortunately historically there here it he she they we i you what who why how"
)
_FUNCTION_WORDS = frozenset(_FUNCTION.split())
_CALENDAR = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december jan feb mar apr jun jul aug sep sept "
    "oct nov dec"
)
_CALENDAR_WORDS = frozenset(_CALENDAR.split())
"""Days and months: capitalised, but times, not names of entities (a date is a statement)."""
_WORD = re.compile(r"[A-Za-z][\w\u2019'.&-]*\w|[A-Za-z]")
_CUE = re.compile(
    r"(?<!\w)(?:[Aa]ccording to|said|says|say|told|tells|added|adds|argued|argues|claimed|"
    r"claims|agreed|agrees|agree|warned|warns|stated|believes|insisted|insists)(?!\w)"
)
_QUOTATION = re.compile(r"\u201c[^\u201d\n]*(?:\u201d|$)|\"[^\"\n]*(?:\"|$)")


@dataclass(frozen=True)
class Span:
    """`text[start:end]`, what it is (a mention, a candidate, a cue) and for a mention whom."""

    start: int
    end: int
    text: str
    entity: Entity | None = None


class EntityMatcher:
    """Finds mentions of known entities; built once per draft from the entities graph."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self._patterns: list[tuple[re.Pattern[str], Entity]] = []
        self.names: set[str] = set()
        for entity in entities:
            for name in entity.names:
                if name.strip():
                    self._patterns.append((_name_pattern(name), entity))
                    self.names.add(fold(name))

    def mentions(self, text: str, start: int, end: int) -> list[Span]:
        """Mentions inside `text[start:end]`, longest first where they overlap, in text order."""
        found: list[Span] = []
        for pattern, entity in self._patterns:
            for m in pattern.finditer(text, start, end):
                found.append(Span(m.start(), m.end(), m.group(), entity))
        found.sort(key=lambda s: (s.start - s.end, s.start, s.entity.iri if s.entity else ""))
        kept: list[Span] = []
        for span in found:
            if all(span.end <= k.start or span.start >= k.end for k in kept):
                kept.append(span)
        return sorted(kept, key=lambda s: s.start)


def _name_pattern(name: str) -> re.Pattern[str]:
    words = name.split()
    body = r"\s+".join(re.sub(_APOSTROPHE, _APOSTROPHE, re.escape(w)) for w in words)
    acronym = name.isupper() and len(name.replace(".", "")) <= 6
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}{_SUFFIX}(?![\w-])", flags)


def candidates(
    text: str, start: int, end: int, mentions: list[Span], known: set[str]
) -> list[Span]:
    """Capitalised names in `text[start:end]` that no mention covers and no entity is named."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []  # connectors waiting for a capitalised word after them
    for s, e in words:
        word = text[s:e]
        if any(m.start <= s < m.end for m in mentions):  # a known name breaks a run
            if current:
                runs.append(current)
            current, pending = [], []
            continue
        joined = bool(current) and text[(pending or current)[-1][1] : s].isspace()
        if _capitalised(word) and (joined or not current):
            current += [*pending, (s, e)]
            pending = []
            continue
        if current and joined and word in _CONNECTORS and len(pending) < 1:
            pending.append((s, e))
            continue
        if current:
            runs.append(current)
        current, pending = ([(s, e)], []) if _capitalised(word) else ([], [])
    if current:
        runs.append(current)
    spans = [span for run in runs if (span := _candidate(text, start, run)) is not None]
    return [
        c
        for c in spans
        if fold(c.text) not in known and all(c.end <= m.start or c.start >= m.end for m in mentions)
    ]


def _capitalised(word: str) -> bool:
    return word[0].isupper()


def _candidate(text: str, sentence_start: int, run: list[tuple[int, int]]) -> Span | None:
    at_start = run[0][0] == _first_word_start(text, sentence_start)
    if at_start and text[run[0][0] : run[0][1]].lower() in _FUNCTION_WORDS:
        run = run[1:]
        at_start = False
    while run and text[run[-1][0] : run[-1][1]] in _CONNECTORS:
        run = run[:-1]
    if not run:
        return None
    first = text[run[0][0] : run[0][1]]
    alone = at_start or first.lower() in _FUNCTION_WORDS | _CALENDAR_WORDS
    if len(run) == 1 and alone and not _acronym(first):
        return None
    s, e = run[0][0], run[-1][1]
    name = re.sub(rf"{_APOSTROPHE}s?$", "", text[s:e])
    return Span(s, s + len(name), name) if name else None


def _first_word_start(text: str, start: int) -> int:
    match = _WORD.search(text, start)
    return match.start() if match else start


def _acronym(word: str) -> bool:
    letters = word.replace(".", "")
    return len(letters) >= 2 and letters.isupper()


def cues(text: str, start: int, end: int) -> list[Span]:
    """Attribution phrases and quotations in `text[start:end]`, in text order."""
    found = [Span(m.start(), m.end(), m.group()) for m in _CUE.finditer(text, start, end)]
    found += [Span(m.start(), m.end(), m.group()) for m in _QUOTATION.finditer(text, start, end)]
    return sorted(found, key=lambda s: (s.start, s.end))
