"""What the endpoint must know about a query text before running it, from its tokens.

pyoxigraph parses and evaluates a query in one call and exposes no parse tree, yet some
decisions come before evaluation:

- whether the query names its own dataset (FROM / FROM NAMED): then the union default graph
  must not replace it (pyoxigraph's `use_default_graph_as_union` would override it);
- where its SERVICE keywords are and which token names each endpoint: the federation guard
  (`endpoint.sparql.federation`) starts from these and has pyoxigraph confirm them;
- which form a text that is not a query has (an update sent to the query endpoint gets its
  own message);
- whether it nests too deeply to be worth parsing (`graph.query.text.too_deep`).

The tokens and keywords come from `graph.query.tokens`, shared with the CLI. A keyword is only
counted where the lexer finds a word token (never inside `"from here"`, `<http://x/service>`,
`?from`, `ex:from` or a comment). These conclusions decide nothing on their own where safety
is at stake: the federation guard refuses whatever pyoxigraph does not confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graph.query.text import MAX_BLANK_NODE_NESTING, MAX_NESTING, too_deep
from graph.query.tokens import UPDATE_KEYWORDS, Token, first_keyword, tokens

SERVICE_WORD = re.compile("service", re.IGNORECASE)
"""Every place the letters of SERVICE occur, in any case (Python's case-insensitive match
also takes the long s and the dotless i, which only adds places to look at)."""


FROM_WORD = re.compile("from", re.IGNORECASE)
QUICK_MAX = MAX_NESTING
"""Longest text `_quick` may read: one this short cannot nest brackets or chain unary
operators past `MAX_NESTING` (each takes a character)."""


@dataclass(frozen=True, slots=True)
class ServiceClause:
    """One SERVICE keyword as the lexer reads it: `SERVICE SILENT? endpoint`."""

    keyword: Token
    silent: Token | None
    endpoint: Token | None
    """The token after SERVICE (and SILENT): an IRI, a prefixed name or a variable; None when
    the text ends there."""

    @property
    def is_variable(self) -> bool:
        return self.endpoint is not None and self.endpoint.kind == "var"


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What a lexical scan tells about a SPARQL text."""

    first_keyword: str | None
    """The first keyword after the prologue (BASE/PREFIX/VERSION), upper-cased."""
    form_start: int
    """Where that keyword starts: the text before it is the prologue."""
    has_dataset_clause: bool
    """The text has FROM or FROM NAMED: it names its own dataset."""
    services: tuple[ServiceClause, ...]
    """Its SERVICE keywords, in order."""
    mentions_service: bool
    """The letters SERVICE occur somewhere in the text, in any case and any token."""
    too_deep: str | None = None
    """Why the text nests too deeply for pyoxigraph to parse it (`graph.query.text`)."""

    @property
    def has_service(self) -> bool:
        """The lexer found a SERVICE keyword (the federation guard has the last word)."""
        return bool(self.services)

    @property
    def is_update(self) -> bool:
        return self.first_keyword in UPDATE_KEYWORDS


CACHED_TEXT_MAX = 16 * 1024
"""Longest text whose scan is kept: clients repeat their queries, but a cache of whole texts
must not let a client pin memory with large ones (1024 entries of at most 16 KiB)."""


def scan(text: str) -> QueryShape:
    """Scan a SPARQL text; the scans of short texts are cached."""
    return _scan_cached(text) if len(text) <= CACHED_TEXT_MAX else _scan(text)


@lru_cache(maxsize=1024)
def _scan_cached(text: str) -> QueryShape:
    return _scan(text)


def _quick(text: str) -> QueryShape | None:
    """The scan of a short text in which neither FROM nor SERVICE can be a keyword (their
    letters do not occur, in any case, and no escape is written) and which has too few `[`
    to nest blank nodes too deeply: the same shape `_scan` gives, with the tokens read only
    up to the query form. None when the text is not such a text.

    Point lookups are such texts; the full scan would tokenize each one whole, which is a
    third of the CPU an inline lookup costs (`endpoint.execution.inline`)."""
    if (
        len(text) > QUICK_MAX
        or "\\" in text
        or text.count("[") > MAX_BLANK_NODE_NESTING
        or SERVICE_WORD.search(text) is not None
        or FROM_WORD.search(text) is not None
    ):
        return None
    head = first_keyword(tokens(text))
    return QueryShape(
        first_keyword=head.keyword if head is not None else None,
        form_start=head.start if head is not None else len(text),
        has_dataset_clause=False,
        services=(),
        mentions_service=False,
    )


def _scan(text: str) -> QueryShape:
    quick = _quick(text)
    if quick is not None:
        return quick
    return _full(text)


def _full(text: str) -> QueryShape:
    scanned = list(tokens(text))
    head = first_keyword(scanned)
    has_from = False
    services: list[ServiceClause] = []
    for i, token in enumerate(scanned):
        word = token.keyword
        if word == "FROM":
            has_from = True
        elif word == "SERVICE":
            j = i + 1
            silent = None
            if j < len(scanned) and scanned[j].keyword == "SILENT":
                silent = scanned[j]
                j += 1
            endpoint = scanned[j] if j < len(scanned) else None
            services.append(ServiceClause(token, silent, endpoint))
    return QueryShape(
        first_keyword=head.keyword if head is not None else None,
        form_start=head.start if head is not None else len(text),
        has_dataset_clause=has_from,
        services=tuple(services),
        mentions_service=SERVICE_WORD.search(text) is not None,
        too_deep=too_deep(text, scanned=scanned),
    )
