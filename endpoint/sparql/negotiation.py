"""Content negotiation over the one formats table (`graph.query.formats`), per result kind.

A query's result is one of two kinds: *solutions* (SELECT and ASK: SPARQL results in JSON,
XML, CSV or TSV) or a *graph* (CONSTRUCT and DESCRIBE, and the service and VoID
descriptions: Turtle, N-Triples, JSON-LD, N-Quads, TriG, RDF/XML). `choose` picks the
representation from the `format` parameter (for clients that cannot set headers) or else the
Accept header with its q-values (RFC 9110 section 12.5.1): the highest q wins, ties go to the
more specific range and then to the table's order, whose first entry is the default used when
Accept is absent or `*/*`. Nothing acceptable raises `NotAcceptableError` listing what is offered.
"""

from __future__ import annotations

from functools import lru_cache

from endpoint.errors import BadFormatParameterError, NotAcceptableError
from endpoint.http.accept import MediaRange, parse_accept
from graph.query import formats
from graph.query.formats import Format, Kind


def offered(kind: Kind) -> list[str]:
    return [rep.media_type for rep in formats.offered(kind)]


def _quality(ranges: list[MediaRange], rep: Format) -> tuple[float, int]:
    """The q-value the most specific matching range gives, and that specificity.

    Aliases (such as application/json for SPARQL JSON results) count only when named
    exactly: `text/*` means CSV or TSV, not text/xml.
    """
    best: tuple[int, float] = (-1, 0.0)
    for media in (rep.media_type, *rep.aliases):
        for rng in ranges:
            spec = rng.matches(media)
            if spec < 0 or (spec < 2 and media != rep.media_type):
                continue
            if spec > best[0] or (spec == best[0] and rng.q > best[1]):
                best = (spec, rng.q)
    return best[1], best[0]


CACHED_HEADER_MAX = 1024
"""Longest Accept header (and format parameter) whose choice is kept: the server takes any
header length, and a cache of long ones would let a client pin memory."""


def choose(kind: Kind, accept: str | None, format_name: str | None) -> Format:
    """The representation for a result of `kind`; see the module docstring for the rules."""
    if len(accept or "") + len(format_name or "") <= CACHED_HEADER_MAX:
        return _choose_cached(kind, accept, format_name)
    return _choose(kind, accept, format_name)


@lru_cache(maxsize=1024)
def _choose_cached(kind: Kind, accept: str | None, format_name: str | None) -> Format:
    return _choose(kind, accept, format_name)


def _choose(kind: Kind, accept: str | None, format_name: str | None) -> Format:
    table = formats.offered(kind)
    if format_name:
        named = formats.named(format_name, kind)
        if named is None:
            raise BadFormatParameterError(format_name, [rep.name for rep in table])
        return named
    if not accept or not accept.strip():
        return table[0]
    ranges = parse_accept(accept)
    if not ranges:
        return table[0]
    best: tuple[float, int, int] | None = None
    chosen: Format | None = None
    for position, rep in enumerate(table):
        q, specificity = _quality(ranges, rep)
        if q <= 0.0:
            continue
        key = (q, specificity, -position)
        if best is None or key > best:
            best, chosen = key, rep
    if chosen is None:
        raise NotAcceptableError(accept, offered(kind))
    return chosen
