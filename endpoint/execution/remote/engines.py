"""What drugkg must know of each SPARQL engine it can answer from: one row per engine.

    engine     detected by (Server)  drugkg's dataset              per-query timeout  own graphs
    oxigraph   Oxigraph/             union-default-graph param     none               none
    virtuoso   Virtuoso/             graphs listed, FROM clauses   timeout (ms)       yes
    fuseki     Fuseki                graphs listed, parameters     timeout (s)        none
    generic    anything else         graphs listed, parameters     none               none

A row says how the remote shows drugkg's dataset (`union_parameter`, `own_default_graph`,
`system_graphs`, `from_clauses`): by a parameter of its own, or else by drugkg's graphs each
named in the request, as Protocol parameters or as FROM / FROM NAMED clauses written into the
query. It says how the engine is asked to stop a query in time
(`timeout_parameter`), what it is asked for (`solutions`, `graphs`: media types it writes
well, with `rewrites` of what it writes wrongly) and how it says that it timed out or cut a
result (`timeout_words`, `cap_query`, and the headers `endpoint.execution.remote.client`
reads from every engine), and how deep a query it may be sent (`max_depth`).
`detect` picks the row from the Server header of the remote's answer; `DRUGKG_REMOTE_ENGINE`
names one instead. The Oxigraph and Virtuoso rows are what the tests run against (the
Oxigraph server, Debian's Virtuoso 7.2.5); the Fuseki row is written from Jena's documentation.
The README's "Remote stores: engine quirks" says what each means for a user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AUTO = "auto"
"""`DRUGKG_REMOTE_ENGINE` value: take the engine from the remote's Server header."""

EMPTY_GRAPH = "urn:x-drugkg:no-graph"
"""A graph no store holds: named as the only default graph, it makes the default graph
empty (the Protocol has no way to name "no graph")."""


@dataclass(frozen=True, slots=True)
class Engine:
    name: str
    server: str | None
    """What the Server header of its answers contains (any case); None: never detected."""
    union_parameter: tuple[str, str] | None
    """A request parameter that makes the default graph the union of the named graphs;
    None: the union is made by listing every graph of drugkg's (`default-graph-uri` and
    `named-graph-uri`, each graph once)."""
    own_default_graph: bool
    """The store has a default graph of its own; False: without a dataset its default graph
    is every graph it holds (Virtuoso), so drugkg never lets a query see it unlisted."""
    timeout_parameter: str | None
    """A request parameter that bounds the query's time on the remote."""
    timeout_scale: float
    """The timeout parameter's unit, per second (1000 for milliseconds)."""
    system_graphs: tuple[str, ...] = ()
    """Graphs the engine keeps for itself: IRIs, or regular expressions between slashes."""
    timeout_words: tuple[str, ...] = ()
    """Words of an error answer that say the remote stopped the query for time."""
    solutions: str = "application/sparql-results+json"
    """What a SELECT or ASK is asked for."""
    graphs: str = "application/n-triples"
    """What a CONSTRUCT or DESCRIBE is asked for."""
    rewrites: tuple[tuple[bytes, bytes], ...] = ()
    """Byte strings of its solutions answers (in the `solutions` format) replaced as they
    stream in, where the engine writes something pyoxigraph rightly refuses."""
    cap_query: str | None = None
    """A SELECT whose ?cap is the most rows or triples the engine puts in one answer, where
    it cuts graph answers without saying so (0 or nothing: it does not cut)."""
    from_clauses: bool = False
    """drugkg's graphs, where it lists them, go into the query as FROM / FROM NAMED clauses
    rather than as Protocol parameters (which the engine echoes in its response headers)."""
    max_depth: int = 1000
    """The deepest query structure it is sent (`endpoint.execution.remote.depth`): the
    Oxigraph server aborts on a query about 4,700 deep or more; the others are not
    measured and get the same bound."""

    @property
    def lists_graphs(self) -> bool:
        """Queries name drugkg's graphs one by one (the engine has no union parameter, or
        graphs drugkg must not show)."""
        return self.union_parameter is None or bool(self.system_graphs)

    def is_system_graph(self, iri: str) -> bool:
        return any(_matches(pattern, iri) for pattern in self.system_graphs)

    def says_timeout(self, message: str) -> bool:
        lowered = message.lower()
        return any(word in lowered for word in self.timeout_words)


def _matches(pattern: str, iri: str) -> bool:
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        return re.fullmatch(pattern[1:-1], iri) is not None
    return iri == pattern


_GENERIC_TIMEOUT_WORDS = ("timeout", "timed out", "time limit")

OXIGRAPH = Engine(
    name="oxigraph",
    server="oxigraph/",
    union_parameter=("union-default-graph", ""),
    own_default_graph=True,
    timeout_parameter=None,  # only `oxigraph serve --timeout-s`, for every query alike
    timeout_scale=1.0,
    timeout_words=("operation has been cancelled", *_GENERIC_TIMEOUT_WORDS),
)

VIRTUOSO = Engine(
    name="virtuoso",
    server="virtuoso/",
    union_parameter=None,
    own_default_graph=False,
    timeout_parameter="timeout",  # milliseconds; an "anytime" answer then says X-SQL-State
    timeout_scale=1000.0,
    system_graphs=(
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://www.w3.org/2002/07/owl#",
        "urn:activitystreams-owl:map",
        "urn:core:services:sparql",
        r"/https?://[^/]+/(sparql|DAV/)/",  # <DefaultHost>/sparql and /DAV/
        r"/http://www\.openlinksw\.com/schemas/.*/",
        "b3sifp",
        "virtrdf-label",
        "dbprdf-label",
        "facets",
    ),
    timeout_words=("sr171", "s1tat", "transaction timed out", *_GENERIC_TIMEOUT_WORDS),
    solutions="application/sparql-results+xml",
    graphs="text/turtle",
    # its blank nodes in results are `nodeID://b10014`, no blank node label: `b10014`. In
    # XML results `<bnode>` is markup only (a literal's `<` is escaped), so nothing else
    # is touched
    rewrites=((b"<bnode>nodeID://", b"<bnode>"),),
    # SELECT answers it cuts carry X-SPARQL-MaxRows; CONSTRUCT and DESCRIBE answers it cuts
    # at one triple more, without the header (virtuoso-opensource#939)
    cap_query="SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', "
    "'ResultSetMaxRows') AS ?cap) WHERE {}",
    # it echoes a Protocol dataset in two response headers, which grow with every graph
    # named (past 100 KiB no answer can be read); its own `input:named-graph-exclude`
    # pragma gives wrong answers in 7.2.5 (GRAPH <iri> counts 1 triple of 1,228)
    from_clauses=True,
)

FUSEKI = Engine(
    name="fuseki",
    server="fuseki",
    union_parameter=None,
    own_default_graph=True,
    timeout_parameter="timeout",  # seconds, where the service allows the override
    timeout_scale=1.0,
    timeout_words=("cancelled", *_GENERIC_TIMEOUT_WORDS),
)

GENERIC = Engine(
    name="generic",
    server=None,
    union_parameter=None,
    own_default_graph=True,
    timeout_parameter=None,
    timeout_scale=1.0,
    timeout_words=_GENERIC_TIMEOUT_WORDS,
)

ENGINES: dict[str, Engine] = {e.name: e for e in (OXIGRAPH, VIRTUOSO, FUSEKI, GENERIC)}


def detect(server_header: str | None) -> Engine:
    """The engine whose answers carry this Server header; generic when none is known."""
    header = (server_header or "").lower()
    for engine in ENGINES.values():
        if engine.server is not None and engine.server in header:
            return engine
    return GENERIC
