"""The one table of result and RDF formats: names, media types, file extensions, serialisers.

    kind       fits                  formats, in order of preference
    SOLUTIONS  SELECT, ASK           json, xml, csv, tsv
    GRAPH      CONSTRUCT, DESCRIBE   turtle, ntriples, jsonld, nquads, trig, rdfxml
                                     (n3 is read by `drugkg load`, never written)

Everything that names a format reads it here: `drugkg query --format` (`graph.query.output`),
content negotiation at /sparql and the service description (`endpoint.sparql.negotiation`),
the representations every linked-data IRI offers (the formats marked `alternate`, named by
their file extension: `/graph/links.ttl`), `drugkg load` (by the file's extension) and the
tests. The order within a kind is the server's preference: the first is the default, and it
wins ties in content negotiation. A name means one format within a kind: `json` is SPARQL JSON
results for a SELECT and JSON-LD for a CONSTRUCT, as clients of other endpoints expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import PurePath

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat

Result = QuerySolutions | QueryBoolean | QueryTriples


class Kind(Enum):
    """What a query gives: solutions (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE)."""

    SOLUTIONS = "solutions"
    GRAPH = "graph"

    @property
    def forms(self) -> str:
        """The query forms that give this kind of result, for messages."""
        return "SELECT, ASK" if self is Kind.SOLUTIONS else "CONSTRUCT, DESCRIBE"


def kind_of(result: Result) -> Kind:
    """The kind of a pyoxigraph query result."""
    return Kind.GRAPH if isinstance(result, QueryTriples) else Kind.SOLUTIONS


@dataclass(frozen=True, slots=True)
class Format:
    """One serialisation: what it is called, its media type and file extensions, who writes it."""

    name: str
    """The name `drugkg query --format` and the `format` parameter of the endpoint take."""
    media_type: str
    """The media type sent in Content-Type (without parameters)."""
    kind: Kind
    serializer: QueryResultsFormat | RdfFormat
    extensions: tuple[str, ...]
    """File extensions (without the dot), the usual one first."""
    other_names: tuple[str, ...] = ()
    """Further names the `format` parameter and `--format` accept."""
    aliases: tuple[str, ...] = ()
    """Further media types clients send for this serialisation (they select it only when
    named exactly: `application/*` does not select SPARQL JSON results as application/json)."""
    alternate: bool = False
    """Offered as a representation of every linked-data IRI (a graph about one thing)."""
    written: bool = True
    """False for a format drugkg reads (`drugkg load`) but never writes."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)

    @property
    def extension(self) -> str:
        return self.extensions[0]

    @property
    def label(self) -> str:
        """The format's name for people: `Turtle`, `SPARQL Results in JSON`."""
        return self.serializer.name

    @property
    def content_type(self) -> str:
        """The Content-Type of a response: text and XML formats say they are UTF-8."""
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

    def selected_by(self, name: str) -> bool:
        """Whether a `format` value (a name or a media type, any case) means this format."""
        wanted = name.strip().lower()
        return wanted in self.names or wanted == self.media_type or wanted in self.aliases


_S, _G = Kind.SOLUTIONS, Kind.GRAPH

FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", _S, QueryResultsFormat.JSON,
           extensions=("srj",), other_names=("srj",), aliases=("application/json",)),
    Format("xml", "application/sparql-results+xml", _S, QueryResultsFormat.XML,
           extensions=("srx",), other_names=("srx",), aliases=("application/xml", "text/xml")),
    Format("csv", "text/csv", _S, QueryResultsFormat.CSV, extensions=("csv",)),
    Format("tsv", "text/tab-separated-values", _S, QueryResultsFormat.TSV, extensions=("tsv",)),
    Format("turtle", "text/turtle", _G, RdfFormat.TURTLE, extensions=("ttl",),
           other_names=("ttl",), aliases=("application/x-turtle",), alternate=True),
    Format("ntriples", "application/n-triples", _G, RdfFormat.N_TRIPLES, extensions=("nt",),
           other_names=("nt",), aliases=("text/plain",), alternate=True),
    Format("jsonld", "application/ld+json", _G, RdfFormat.JSON_LD, extensions=("jsonld",),
           other_names=("json-ld", "json"), aliases=("application/json",), alternate=True),
    Format("nquads", "application/n-quads", _G, RdfFormat.N_QUADS, extensions=("nq",),
           other_names=("nq",)),
    Format("trig", "application/trig", _G, RdfFormat.TRIG, extensions=("trig",)),
    Format("rdfxml", "application/rdf+xml", _G, RdfFormat.RDF_XML,
           extensions=("rdf", "owl", "xml"), other_names=("rdf", "xml"),
           aliases=("application/xml", "text/xml"), alternate=True),
    Format("n3", "text/n3", _G, RdfFormat.N3, extensions=("n3",), written=False),
)  # fmt: skip


def offered(kind: Kind) -> tuple[Format, ...]:
    """The formats drugkg writes for a kind of result, the default first."""
    return _OFFERED[kind]


_OFFERED = {kind: tuple(f for f in FORMATS if f.kind is kind and f.written) for kind in Kind}


def named(name: str, kind: Kind) -> Format | None:
    """The written format of `kind` that a `format` value names, if any."""
    return next((f for f in offered(kind) if f.selected_by(name)), None)


def names() -> list[str]:
    """The name of every written format, solutions first."""
    return [f.name for kind in Kind for f in offered(kind)]


def alternates() -> tuple[Format, ...]:
    """The representations every linked-data IRI offers, in order."""
    return tuple(f for f in offered(Kind.GRAPH) if f.alternate)


def for_file(path: PurePath | str) -> Format | None:
    """The format a file's extension names (any case), if any."""
    extension = PurePath(path).suffix.lower().removeprefix(".")
    return next((f for f in FORMATS if extension in f.extensions), None)
