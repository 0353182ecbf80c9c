"""drugkg over the oxigraph server answers as drugkg over the embedded store does.

Every competency question, in the formats drugkg offers, over the dataset drugkg promises (the
union of its named graphs; FROM and the protocol's dataset as asked), with the result limit
announced: compared answer for answer with a drugkg on the embedded store that holds the same
graphs (`server`, `limited_server` of tests/endpoint/conftest.py). Twice: with the engine
detected (oxigraph: its union-default-graph parameter) and as an unknown engine (every graph
listed in the request).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from liveservers import LiveServer
from pyoxigraph import QueryResultsFormat, parse_query_results
from remote_support import answer_from, size_of, start_over

from bench.competency import Question, difference, discover
from graph.query import formats
from graph.query.formats import Kind
from graph.vocabulary.namespace import GRAPH

pytestmark = pytest.mark.slow

QUESTIONS = discover()
WAIT_S = 60.0
"""How long a test waits for an answer: a bound on a hang, not a measurement."""


@pytest.fixture(params=["oxigraph", "generic"])
def remote_server(request: pytest.FixtureRequest) -> LiveServer:
    live: LiveServer = request.getfixturevalue(f"over_{request.param}")
    return live


def ask(server: LiveServer, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return httpx.post(
        server.sparql, data={"query": query, **params}, headers=headers, timeout=WAIT_S
    )


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_every_question_has_the_embedded_answer(
    question: Question, remote_server: LiveServer, server: LiveServer
) -> None:
    accept = "application/sparql-results+json, text/turtle;q=0.9"
    expected = answer_from(ask(server, question.text, accept))
    actual = answer_from(ask(remote_server, question.text, accept))
    problem = difference(expected, actual, ordered=question.ordered)
    assert problem is None, f"{question.name} over the remote: {problem}"


ORDERED_SELECT = (
    "SELECT ?thing ?label WHERE { ?thing rdfs:label ?label FILTER(LANG(?label) = 'en') } "
    "ORDER BY ?thing ?label LIMIT 40"
)
CONSTRUCT = "CONSTRUCT { ?route ?p ?o } WHERE { ?route a dk:TraffickingRoute ; ?p ?o }"


@pytest.mark.parametrize("fmt", formats.offered(Kind.SOLUTIONS), ids=lambda f: f.name)
def test_solutions_come_byte_for_byte_in_every_format(
    fmt: formats.Format, remote_server: LiveServer, server: LiveServer
) -> None:
    expected = ask(server, ORDERED_SELECT, fmt.media_type)
    actual = ask(remote_server, ORDERED_SELECT, fmt.media_type)
    assert actual.status_code == 200, actual.text
    assert actual.headers["content-type"] == expected.headers["content-type"]
    assert actual.content == expected.content


@pytest.mark.parametrize("fmt", formats.offered(Kind.GRAPH), ids=lambda f: f.name)
def test_graphs_come_in_every_format(
    fmt: formats.Format, remote_server: LiveServer, server: LiveServer
) -> None:
    expected = ask(server, CONSTRUCT, fmt.media_type)
    actual = ask(remote_server, CONSTRUCT, fmt.media_type)
    assert actual.headers["content-type"] == expected.headers["content-type"]
    assert difference(answer_from(expected), answer_from(actual), ordered=False) is None


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_ask_and_describe_and_the_format_parameter(
    accept: str, remote_server: LiveServer, server: LiveServer
) -> None:
    for query in ("ASK { dkid:fentanyl ?p ?o }", "ASK { dkid:no-such-thing ?p ?o }"):
        assert ask(remote_server, query, accept).content == ask(server, query, accept).content
    describe = "DESCRIBE dkid:fentanyl"
    for name in ("ntriples", "jsonld"):
        expected = answer_from(ask(server, describe, format=name))
        actual = answer_from(ask(remote_server, describe, format=name))
        assert difference(expected, actual, ordered=False) is None


TEST_A = str(GRAPH["test-a"])
DATASET_QUERIES = {
    "union": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "from": "SELECT ?s ?o WHERE { ?s rdfs:label ?o } ORDER BY ?s",
    "relative": "SELECT ?x WHERE { BIND(<id/fentanyl> AS ?x) }",
}


@pytest.mark.parametrize("which", sorted(DATASET_QUERIES))
def test_the_dataset_is_drugkgs(which: str, remote_server: LiveServer, server: LiveServer) -> None:
    """The union of the named graphs by default; a relative IRI resolves against drugkg's own
    URL, not the remote's."""
    query = DATASET_QUERIES[which]
    if which == "from":
        query = query.replace("WHERE", f"FROM <{TEST_A}> WHERE")
    expected, actual = ask(server, query), ask(remote_server, query)
    if which == "relative":
        (row,) = parse_query_results(actual.content, QueryResultsFormat.JSON)
        assert str(row["x"].value) == remote_server.url + "/id/fentanyl"
        return
    assert actual.content == expected.content


def test_the_protocols_dataset_is_passed_on(remote_server: LiveServer, server: LiveServer) -> None:
    query = "SELECT ?s ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } ORDER BY ?s ?g"
    for params in ({"default-graph-uri": TEST_A}, {"named-graph-uri": TEST_A}):
        expected = ask(server, query, **params)
        assert expected.status_code == 200
        assert ask(remote_server, query, **params).content == expected.content


def test_the_result_limit_is_announced(
    workdir: Path, oxigraph: LiveServer, limited_server: LiveServer
) -> None:
    live = start_over(oxigraph.sparql, workdir, result_limit="5")
    try:
        for query, accept in (
            (ORDERED_SELECT, "application/sparql-results+json"),
            (CONSTRUCT, "application/n-triples"),
            ("SELECT * WHERE { BIND(1 AS ?one) }", "text/tab-separated-values"),
        ):
            expected, actual = ask(limited_server, query, accept), ask(live, query, accept)
            for header in ("x-drugkg-truncated", "x-drugkg-result-limit"):
                assert actual.headers[header] == expected.headers[header], (query, header)
            # which five triples of an unordered graph are kept is the engine's choice
            assert size_of(answer_from(actual)) == size_of(answer_from(expected)), query
        assert ask(live, ORDERED_SELECT).content == ask(limited_server, ORDERED_SELECT).content
    finally:
        live.stop()
