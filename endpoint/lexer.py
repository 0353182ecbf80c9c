"""A small SPARQL tokeniser: what the endpoint must know about a query before running it.

pyoxigraph parses and evaluates a query in one call and exposes no parse tree, yet four
decisions come before evaluation:

- whether the query names its own dataset (FROM / FROM NAMED): then the union default graph
  must not replace it (pyoxigraph's `use_default_graph_as_union` would override it);
- which endpoints its SERVICE clauses call: federation is checked before anything is sent;
- which form a text that is not a query has (an update sent to the query endpoint gets its
  own message);
- whether it nests too deeply for pyoxigraph to parse it without overflowing its stack.

The scan skips comments, IRIs and string literals, so a keyword is only counted where the
grammar can have one (never inside `"from here"`, `<http://x/service>`, `?from` or `ex:from`).
pyoxigraph does not decode `\\u` escapes outside strings, so a keyword cannot hide behind one.
SERVICE is a reserved word: every SERVICE token outside strings, IRIs and comments starts a
`ServiceGraphPattern` ('SERVICE' 'SILENT'? VarOrIri GroupGraphPattern), so the token after it
(and after SILENT) is the endpoint: an IRI, a prefixed name or a variable.

The tokens and the nesting check are in `graph.querytext`, shared with the CLI.

(rdflib's SPARQL parser was tried for this and rejected: it takes `#` inside an IRI such as
`<http://www.w3.org/2000/01/rdf-schema#label>` for a comment and fails on valid queries.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from graph.querytext import tokens, too_deep

_LOCAL_ESCAPE = re.compile(r"\\(.)")

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """The endpoint of one SERVICE clause, resolved as far as the text allows."""

    endpoint: str | None
    """The absolute endpoint IRI; None when it is a variable or cannot be resolved."""
    written: str
    """The endpoint as written in the query (`<...>`, `ex:sparql`, `?var`)."""
    is_variable: bool


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What a lexical scan tells about a SPARQL text."""

    first_keyword: str | None
    """The first keyword after the prologue (BASE/PREFIX), upper-cased: SELECT, INSERT, ..."""
    has_dataset_clause: bool
    """The text has FROM or FROM NAMED: it names its own dataset."""
    services: tuple[ServiceTarget, ...]
    """The endpoints of its SERVICE clauses, in order."""
    too_deep: str | None = None
    """Why the text nests too deeply for pyoxigraph to parse safely (`graph.querytext`)."""

    @property
    def has_service(self) -> bool:
        return bool(self.services)

    @property
    def is_update(self) -> bool:
        return self.first_keyword in UPDATE_KEYWORDS


def _resolve(kind: str, token: str, base: str | None, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        iri = token[1:-1]
        return urljoin(base, iri) if base else iri
    if kind == "word" and ":" in token:
        prefix, _, local = token.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)
    return None


CACHED_TEXT_MAX = 16 * 1024
"""Longest text whose scan is kept: clients repeat their queries, but a cache of whole texts
must not let a client pin memory with large ones (1024 entries of at most 16 KiB)."""


def scan(text: str) -> QueryShape:
    """Scan a SPARQL text; the scans of short texts are cached."""
    return _scan_cached(text) if len(text) <= CACHED_TEXT_MAX else _scan(text)


@lru_cache(maxsize=1024)
def _scan_cached(text: str) -> QueryShape:
    return _scan(text)


def _scan(text: str) -> QueryShape:
    matches = list(tokens(text))
    scanned = [(match.lastgroup or "other", match.group()) for match in matches]
    first: str | None = None
    has_from = False
    services: list[ServiceTarget] = []
    base: str | None = None
    prefixes: dict[str, str] = {}
    i = 0
    while i < len(scanned):
        kind, token = scanned[i]
        upper = token.upper() if kind == "word" and ":" not in token else ""
        nxt = scanned[i + 1] if i + 1 < len(scanned) else ("other", "")
        if upper == "PREFIX" and i + 2 < len(scanned) and scanned[i + 2][0] == "iri":
            iri = scanned[i + 2][1][1:-1]
            prefixes[nxt[1].rstrip(":")] = urljoin(base, iri) if base else iri
            i += 3
            continue
        if upper == "BASE" and nxt[0] == "iri":
            base = urljoin(base, nxt[1][1:-1]) if base else nxt[1][1:-1]
            i += 2
            continue
        if upper and first is None:
            first = upper
        if upper == "FROM":
            has_from = True
        elif upper == "SERVICE":
            j = i + 1
            if j < len(scanned) and scanned[j][1].upper() == "SILENT":
                j += 1
            target_kind, written = scanned[j] if j < len(scanned) else ("other", "")
            services.append(
                ServiceTarget(
                    endpoint=_resolve(target_kind, written, base, prefixes),
                    written=written,
                    is_variable=target_kind == "var",
                )
            )
        i += 1
    return QueryShape(
        first_keyword=first,
        has_dataset_clause=has_from,
        services=tuple(services),
        too_deep=too_deep(text, scanned=matches),
    )
