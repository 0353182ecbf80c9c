"""Content negotiation: one table from media type to pyoxigraph serialiser, per result kind.

A query's result is one of two kinds: *solutions* (SELECT and ASK: SPARQL results in JSON,
XML, CSV or TSV) or a *graph* (CONSTRUCT and DESCRIBE, and the service and VoID
descriptions: Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD). `choose` picks the
representation from the `format` parameter (for clients that cannot set headers) or else the
Accept header with its q-values (RFC 9110 section 12.5.1): the highest q wins, ties go to the
more specific range and then to the table's order, whose first entry is the default used when
Accept is absent or `*/*`. Nothing acceptable raises `NotAcceptableError` listing what is offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from pyoxigraph import QueryResultsFormat, RdfFormat

from endpoint.errors import BadFormatParameterError, NotAcceptableError


class ResultKind(Enum):
    SOLUTIONS = "solutions"
    GRAPH = "graph"


@dataclass(frozen=True, slots=True)
class Representation:
    media_type: str
    """The media type sent in Content-Type (without parameters)."""
    names: tuple[str, ...]
    """Short names the `format` parameter accepts."""
    serializer: QueryResultsFormat | RdfFormat
    aliases: tuple[str, ...] = ()
    """Further media types clients send for the same serialisation."""

    @property
    def content_type(self) -> str:
        if self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "/xml")):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def results_format(self) -> QueryResultsFormat:
        assert isinstance(self.serializer, QueryResultsFormat), self
        return self.serializer

    @property
    def rdf_format(self) -> RdfFormat:
        assert isinstance(self.serializer, RdfFormat), self
        return self.serializer

    @property
    def format_iri(self) -> str:
        """The W3C format IRI (http://www.w3.org/ns/formats/...) of this serialisation."""
        if self.serializer == RdfFormat.JSON_LD:
            # pyoxigraph names JSON-LD with an IRI outside the W3C list of format IRIs
            return "http://www.w3.org/ns/formats/JSON-LD"
        return self.serializer.iri


TABLE: dict[ResultKind, tuple[Representation, ...]] = {
    ResultKind.SOLUTIONS: (
        Representation(
            "application/sparql-results+json",
            ("json", "srj"),
            QueryResultsFormat.JSON,
            ("application/json",),
        ),
        Representation(
            "application/sparql-results+xml",
            ("xml", "srx"),
            QueryResultsFormat.XML,
            ("application/xml", "text/xml"),
        ),
        Representation("text/csv", ("csv",), QueryResultsFormat.CSV),
        Representation("text/tab-separated-values", ("tsv",), QueryResultsFormat.TSV),
    ),
    ResultKind.GRAPH: (
        Representation(
            "text/turtle", ("turtle", "ttl"), RdfFormat.TURTLE, ("application/x-turtle",)
        ),
        Representation(
            "application/n-triples", ("ntriples", "nt"), RdfFormat.N_TRIPLES, ("text/plain",)
        ),
        Representation("application/n-quads", ("nquads", "nq"), RdfFormat.N_QUADS),
        Representation("application/trig", ("trig",), RdfFormat.TRIG),
        Representation(
            "application/rdf+xml",
            ("rdfxml", "rdf", "xml"),
            RdfFormat.RDF_XML,
            ("application/xml", "text/xml"),
        ),
        Representation(
            "application/ld+json",
            ("jsonld", "json-ld", "json"),
            RdfFormat.JSON_LD,
            ("application/json",),
        ),
    ),
}


def offered(kind: ResultKind) -> list[str]:
    return [rep.media_type for rep in TABLE[kind]]


@dataclass(frozen=True, slots=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """-1 if this range does not cover media_type, else its specificity (0, 1 or 2)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def _parse_accept(header: str) -> list[_Range]:
    ranges: list[_Range] = []
    for order, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        kind, slash, sub = media.partition("/")
        if not slash:
            if media == "*":  # a bare `*` is sent by some old clients for "anything"
                kind, sub = "*", "*"
            else:
                continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(kind, sub, q, order))
    return ranges


def _quality(ranges: list[_Range], rep: Representation) -> tuple[float, int]:
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


def choose(kind: ResultKind, accept: str | None, format_name: str | None) -> Representation:
    """The representation for a result of `kind`; see the module docstring for the rules."""
    if len(accept or "") + len(format_name or "") <= CACHED_HEADER_MAX:
        return _choose_cached(kind, accept, format_name)
    return _choose(kind, accept, format_name)


@lru_cache(maxsize=1024)
def _choose_cached(kind: ResultKind, accept: str | None, format_name: str | None) -> Representation:
    return _choose(kind, accept, format_name)


def _choose(kind: ResultKind, accept: str | None, format_name: str | None) -> Representation:
    table = TABLE[kind]
    if format_name:
        wanted = format_name.strip().lower()
        for rep in table:
            if wanted in rep.names or wanted == rep.media_type or wanted in rep.aliases:
                return rep
        raise BadFormatParameterError(format_name, [rep.names[0] for rep in table])
    if not accept or not accept.strip():
        return table[0]
    ranges = _parse_accept(accept)
    if not ranges:
        return table[0]
    best: tuple[float, int, int] | None = None
    chosen: Representation | None = None
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
