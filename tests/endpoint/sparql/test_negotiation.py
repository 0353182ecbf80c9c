"""Content negotiation: the table, q-values, real clients' Accept headers, `format`, 406."""

from __future__ import annotations

import httpx
import pytest
from liveservers import LiveServer
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

from endpoint.errors import BadFormatParameterError, NotAcceptableError
from endpoint.sparql.negotiation import choose
from graph.query.formats import Kind

S, G = Kind.SOLUTIONS, Kind.GRAPH

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
SPARQLWRAPPER_XML = "application/sparql-results+xml"
SPARQLWRAPPER_TURTLE = "application/turtle,text/turtle"
SPARQLWRAPPER_RDFXML = "application/rdf+xml"
RDFLIB_SELECT = "application/sparql-results+xml"
RDFLIB_CONSTRUCT = "application/rdf+xml"
JENA_SELECT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, "
    "application/xml;q=0.2, */*;q=0.1"
)
JENA_GRAPH = (
    "text/turtle, application/n-triples;q=0.9, application/ld+json;q=0.8, "
    "application/rdf+xml;q=0.7, */*;q=0.3"
)
CURL = "*/*"


@pytest.mark.parametrize(
    ("kind", "accept", "expected"),
    [
        (S, None, "application/sparql-results+json"),
        (S, "", "application/sparql-results+json"),
        (S, CURL, "application/sparql-results+json"),
        (G, CURL, "text/turtle"),
        (G, None, "text/turtle"),
        (S, CHROME, "application/sparql-results+xml"),
        (S, FIREFOX, "application/sparql-results+xml"),
        (G, CHROME, "application/rdf+xml"),
        (S, SPARQLWRAPPER_JSON, "application/sparql-results+json"),
        (S, SPARQLWRAPPER_XML, "application/sparql-results+xml"),
        (G, SPARQLWRAPPER_TURTLE, "text/turtle"),
        (G, SPARQLWRAPPER_RDFXML, "application/rdf+xml"),
        (S, RDFLIB_SELECT, "application/sparql-results+xml"),
        (G, RDFLIB_CONSTRUCT, "application/rdf+xml"),
        (S, JENA_SELECT, "application/sparql-results+json"),
        (G, JENA_GRAPH, "text/turtle"),
        (S, "text/csv;q=0.4, text/tab-separated-values;q=0.5", "text/tab-separated-values"),
        (
            S,
            "application/sparql-results+json;q=0.1, application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        (S, "text/*", "text/csv"),
        (S, "application/json", "application/sparql-results+json"),
        (G, "application/json", "application/ld+json"),
        (G, "text/plain", "application/n-triples"),
        (G, "application/n-quads", "application/n-quads"),
        (G, "application/trig", "application/trig"),
        (S, "*/*;q=0.1, application/sparql-results+json;q=0", "application/sparql-results+xml"),
        (S, "TEXT/CSV", "text/csv"),
    ],
)
def test_choose(kind: Kind, accept: str | None, expected: str) -> None:
    assert choose(kind, accept, None).media_type == expected


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        (S, "json", "application/sparql-results+json"),
        (S, "xml", "application/sparql-results+xml"),
        (S, "csv", "text/csv"),
        (S, "tsv", "text/tab-separated-values"),
        (S, "text/csv", "text/csv"),
        (G, "turtle", "text/turtle"),
        (G, "ntriples", "application/n-triples"),
        (G, "nquads", "application/n-quads"),
        (G, "trig", "application/trig"),
        (G, "rdfxml", "application/rdf+xml"),
        (G, "jsonld", "application/ld+json"),
        (G, "application/ld+json", "application/ld+json"),
    ],
)
def test_format_parameter_wins_over_accept(kind: Kind, name: str, expected: str) -> None:
    assert choose(kind, "image/png", name).media_type == expected


def test_nothing_acceptable_lists_the_offer() -> None:
    with pytest.raises(NotAcceptableError) as caught:
        choose(S, "text/turtle, image/png", None)
    assert caught.value.status == 406
    assert "application/sparql-results+json" in caught.value.message
    assert "text/tab-separated-values" in caught.value.message


def test_format_unfit_for_the_query_form_is_406() -> None:
    with pytest.raises(BadFormatParameterError) as caught:
        choose(S, None, "turtle")
    assert caught.value.status == 406
    assert "json, xml, csv, tsv" in caught.value.message


QUERY = "SELECT ?s WHERE { VALUES ?s { <http://example.org/x> } }"
GRAPH_QUERY = "CONSTRUCT { <http://example.org/x> <http://example.org/p> 1 } WHERE {}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("accept", "fmt", "results"),
    [
        ("application/sparql-results+json", QueryResultsFormat.JSON, True),
        ("application/sparql-results+xml", QueryResultsFormat.XML, True),
        ("text/tab-separated-values", QueryResultsFormat.TSV, True),
        ("text/csv", None, True),
        ("text/turtle", RdfFormat.TURTLE, False),
        ("application/n-triples", RdfFormat.N_TRIPLES, False),
        ("application/n-quads", RdfFormat.N_QUADS, False),
        ("application/trig", RdfFormat.TRIG, False),
        ("application/rdf+xml", RdfFormat.RDF_XML, False),
        ("application/ld+json", RdfFormat.JSON_LD, False),
    ],
)
def test_every_format_over_http_parses(
    server: LiveServer, accept: str, fmt: QueryResultsFormat | RdfFormat | None, results: bool
) -> None:
    query = QUERY if results else GRAPH_QUERY
    response = httpx.get(server.sparql, params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    if fmt is None:
        assert response.text.splitlines() == ["s", "http://example.org/x"]
    elif isinstance(fmt, QueryResultsFormat):
        rows = list(parse_query_results(response.content, fmt))  # type: ignore[arg-type]
        assert [str(row["s"]) for row in rows] == ["<http://example.org/x>"]
    else:
        quads = list(parse(response.content, fmt))
        assert [str(q.subject) for q in quads] == ["<http://example.org/x>"]


@pytest.mark.slow
def test_q_values_over_http(server: LiveServer) -> None:
    accept = "application/sparql-results+json;q=0.2, text/csv;q=0.9"
    response = httpx.get(server.sparql, params={"query": QUERY}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/csv")


@pytest.mark.slow
def test_format_parameter_over_http(server: LiveServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": QUERY, "format": "tsv"}, headers={"Accept": "image/png"}
    )
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    response = httpx.post(server.sparql, data={"query": GRAPH_QUERY, "format": "ntriples"})
    assert response.headers["content-type"] == "application/n-triples"


@pytest.mark.slow
def test_406_lists_supported_types(server: LiveServer) -> None:
    response = httpx.get(server.sparql, params={"query": QUERY}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    response = httpx.get(server.sparql, params={"query": GRAPH_QUERY, "format": "csv"})
    assert response.status_code == 406
    assert "turtle" in response.text


def test_only_short_accept_headers_are_kept_in_the_cache() -> None:
    from endpoint.sparql.negotiation import CACHED_HEADER_MAX, _choose_cached

    choose(Kind.SOLUTIONS, "text/csv", None)
    before = _choose_cached.cache_info().currsize
    long = "application/x-unknown;q=0.5, " * (CACHED_HEADER_MAX // 10) + "text/csv"
    assert choose(Kind.SOLUTIONS, long, None).media_type == "text/csv"
    assert choose(Kind.SOLUTIONS, long + " ", None).media_type == "text/csv"
    assert _choose_cached.cache_info().currsize == before
