"""The remote client's rules, without a server: the dataset each engine is asked over, the
query as the remote reads it (FROM clauses included), the engine table, what each answer of a
remote becomes, and answers read in any chunks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from endpoint_stores import GRAPH_A, article_quads, fixture_quads
from pydantic import ValidationError
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    Store,
    parse_query_results,
)

from bench.competency import Question, answer_of, difference, discover
from endpoint.errors import (
    QueryTimeoutError,
    RemoteRejectedError,
    RemoteStoreBusyError,
    RemoteStoreError,
    RemoteStoreTimeoutError,
)
from endpoint.execution import wire
from endpoint.execution.remote.client import RemoteStore, StreamedBody
from endpoint.execution.remote.engines import (
    EMPTY_GRAPH,
    ENGINES,
    FUSEKI,
    GENERIC,
    OXIGRAPH,
    VIRTUOSO,
    detect,
)
from endpoint.execution.remote.failures import refusal
from endpoint.execution.remote.request import (
    Dataset,
    dataset,
    declared_prefixes,
    with_from,
    written_out,
)
from endpoint.settings import ServerSettings
from endpoint.sparql.lexer import scan

G1, G2 = "https://w3id.org/drugkg/graph/entities", "https://w3id.org/drugkg/graph/links"
GRAPHS = (G1, G2)
LISTED = [
    ("default-graph-uri", G1),
    ("default-graph-uri", G2),
    ("named-graph-uri", G1),
    ("named-graph-uri", G2),
]


def _dataset(engine: object, **case: object) -> Dataset:
    options: dict[str, object] = {
        "default_graphs": None,
        "named_graphs": None,
        "union": True,
        "own_dataset": False,
        **case,
    }
    return dataset(engine, GRAPHS, **options)  # type: ignore[arg-type]


def test_the_union_is_the_engines_parameter_or_every_graph_listed() -> None:
    assert _dataset(OXIGRAPH) == Dataset([("union-default-graph", "")])
    for engine in (GENERIC, FUSEKI, VIRTUOSO):
        assert _dataset(engine) == Dataset(LISTED, listed=True)


def test_no_graphs_listed_is_an_empty_dataset_not_the_whole_store() -> None:
    empty = [("default-graph-uri", EMPTY_GRAPH), ("named-graph-uri", EMPTY_GRAPH)]
    shown = dataset(
        GENERIC, (), default_graphs=None, named_graphs=None, union=True, own_dataset=False
    )
    assert shown == Dataset(empty, listed=True)


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES.keys())
def test_a_querys_own_dataset_and_the_protocols_are_passed_as_asked(engine: object) -> None:
    assert _dataset(engine, own_dataset=True) == Dataset()
    protocol = _dataset(engine, default_graphs=[G1], named_graphs=[])
    assert protocol == Dataset([("default-graph-uri", G1)])
    protocol = _dataset(engine, default_graphs=[], named_graphs=[G2])
    assert protocol == Dataset([("named-graph-uri", G2)])


def test_the_stores_own_default_graph_where_there_is_one() -> None:
    assert _dataset(OXIGRAPH, union=False) == Dataset()
    assert _dataset(GENERIC, union=False) == Dataset()
    # Virtuoso's default graph is every graph it holds: empty instead, drugkg's graphs named
    expected = [("default-graph-uri", EMPTY_GRAPH), *LISTED[2:]]
    assert _dataset(VIRTUOSO, union=False) == Dataset(expected, listed=True)


def test_the_query_is_written_out_on_its_first_line() -> None:
    text = "PREFIX dk: <http://other/>\n# a comment\nSELECT * WHERE { ?s dk:p ?o . ?s skos:x ?y }"
    form_start = text.index("SELECT")
    prefixes = {"dk": "https://w3id.org/drugkg/ontology#", "skos": "http://skos/"}
    sent = written_out(text, form_start, prefixes, "http://127.0.0.1:8000/sparql")
    first, *rest = sent.split("\n")
    assert first == (
        "BASE <http://127.0.0.1:8000/sparql> PREFIX skos: <http://skos/> PREFIX dk: <http://other/>"
    )
    assert rest == text.split("\n")[1:]
    assert written_out("ASK {}", 0, {}, None) == "ASK {}"


def test_declared_prefixes_are_read_from_tokens() -> None:
    prologue = "PREFIX a: <x:> # PREFIX b: <y:>\nprefix  c:<z:> BASE <q:> PREFIX : <e:>"
    assert declared_prefixes(prologue) == {"a", "c", ""}


@pytest.mark.parametrize(
    ("header", "engine"),
    [
        ("Oxigraph/0.5.13", OXIGRAPH),
        ("Virtuoso/07.20.3238 (Linux) x86_64-generic-linux-glibc25  VDB", VIRTUOSO),
        ("Apache Jena Fuseki (5.1.0)", FUSEKI),
        ("nginx", GENERIC),
        (None, GENERIC),
    ],
)
def test_the_engine_is_read_from_the_server_header(header: str | None, engine: object) -> None:
    assert detect(header) is engine


def test_virtuosos_own_graphs_are_told_from_drugkgs() -> None:
    for own in (
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://localhost:8890/DAV/",
        "http://localhost:8890/sparql",
        "http://data.example.org:8890/sparql",
        "urn:activitystreams-owl:map",
    ):
        assert VIRTUOSO.is_system_graph(own), own
    for graph in (G1, G2, "https://example.org/wd", "http://localhost:8890/sparql/x"):
        assert not VIRTUOSO.is_system_graph(graph), graph
    assert not OXIGRAPH.is_system_graph("http://www.openlinksw.com/schemas/virtrdf#")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, "Parse error at 1:7", RemoteRejectedError),
        (500, "The SPARQL operation has been cancelled", QueryTimeoutError),
        (503, "Query timed out", QueryTimeoutError),
        (500, "disk on fire", RemoteStoreError),
        (502, "bad gateway", RemoteStoreError),
        (503, "busy", RemoteStoreBusyError),
        (504, "gateway timeout", RemoteStoreTimeoutError),
        (404, "Not Found", RemoteStoreError),
        (401, "log in", RemoteStoreError),
    ],
)
def test_each_answer_of_the_remote_becomes_drugkgs(status: int, body: str, error: type) -> None:
    refused = refusal(status, "", body, OXIGRAPH)
    assert type(refused) is error
    assert repr(body) in refused.message


def test_a_long_answer_is_quoted_in_part() -> None:
    refused = refusal(500, "Internal Server Error", "x" * 10_000, GENERIC)
    assert len(refused.message) < 500
    assert "cut at 300 of 10000 characters" in refused.message


def test_a_remote_job_carries_its_engine_and_graphs() -> None:
    job = wire.Job("ASK {}", None, None, None, None, engine="virtuoso", graphs=[G1])
    decoded = wire.Job.decode(job.encode()[wire.LENGTH.size :])
    assert (decoded.engine, decoded.graphs) == ("virtuoso", [G1])
    local = wire.Job("ASK {}", None, None, None, None)
    assert b"engine" not in local.encode()  # the embedded store's jobs are as they were


def test_the_remote_setting_is_checked() -> None:
    settings = ServerSettings(remote=" http://127.0.0.1:7878/query ", remote_engine="Virtuoso")
    assert (settings.remote, settings.remote_engine) == ("http://127.0.0.1:7878/query", "virtuoso")
    assert ServerSettings(remote="").remote is None
    for bad in ({"remote": "ftp://x/query"}, {"remote": "/query"}, {"remote_engine": "blazegraph"}):
        with pytest.raises(ValidationError):
            ServerSettings(**bad)  # type: ignore[arg-type]


class _Chunks:
    """What the body reader reads of a response: its chunks."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def iter_bytes(self) -> Iterator[bytes]:
        yield from self.chunks


@pytest.mark.parametrize("size", [1, 3, 7, 16, 1000])
def test_virtuosos_blank_nodes_are_read_in_any_chunks(size: int) -> None:
    """`<bnode>nodeID://b1</bnode>` is rewritten however the answer is cut into chunks."""
    document = (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b'<head><variable name="x"/><variable name="y"/></head><results>'
        b'<result><binding name="x"><bnode>nodeID://b10014</bnode></binding>'
        b'<binding name="y"><literal>&lt;bnode&gt;nodeID://kept</literal></binding></result>'
        b"</results></sparql>"
    )
    chunks = [document[i : i + size] for i in range(0, len(document), size)]
    store = RemoteStore("http://127.0.0.1:1/query", timeout=1)
    body = StreamedBody(_Chunks(*chunks), store, VIRTUOSO.rewrites)  # type: ignore[arg-type]
    (row,) = parse_query_results(body, QueryResultsFormat.XML)  # type: ignore[arg-type]
    assert row["x"] == BlankNode("b10014")
    assert row["y"] == Literal("<bnode>nodeID://kept")


FORMS = {
    "select": "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s",
    "select star": "PREFIX x: <http://x/>\nSELECT * { { SELECT ?s WHERE { ?s ?p ?o } } }",
    "select values": "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <http://example.org/test/a1> }",
    "named": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "ask": "ASK { ?s ?p ?o }",
    "ask where": "ASK WHERE { GRAPH ?g { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o . ?s <urn:x:in> ?g } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "construct where": "CONSTRUCT WHERE { ?s ?p ?o }",
    "describe": "DESCRIBE <http://example.org/test/a1> # no WHERE clause",
    "describe where": "DESCRIBE ?s WHERE { ?s ?p 'alpha one'@en } LIMIT 1",
}


@pytest.mark.parametrize("text", FORMS.values(), ids=FORMS.keys())
def test_graphs_as_from_clauses_mean_what_the_parameters_mean(text: str) -> None:
    """Virtuoso takes drugkg's graphs as FROM / FROM NAMED clauses: the rewritten query
    parses, and gives on a store what the query gives over the same dataset."""
    store = Store()
    store.extend(fixture_quads())
    store.add(Quad(NamedNode("urn:x:s"), NamedNode("urn:x:p"), NamedNode("urn:x:o")))
    graphs = [GRAPH_A.value]  # the default graph and graph test-b stay out
    shown = dataset(
        GENERIC, graphs, default_graphs=None, named_graphs=None, union=True, own_dataset=False
    )
    written = with_from(text, 0, shown.params)
    assert written is not None
    as_parameters = store.query(text, default_graph=[GRAPH_A], named_graphs=[GRAPH_A])
    assert (
        difference(
            answer_of(as_parameters), answer_of(store.query(written)), ordered="ORDER" in text
        )
        is None
    ), written


@pytest.fixture(scope="module")
def article() -> Store:
    store = Store()
    store.extend(article_quads())
    return store


QUESTIONS = discover()


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_every_question_with_from_clauses_has_its_answer(
    question: Question, article: Store
) -> None:
    graphs = sorted(g.value for g in article.named_graphs())
    shown = dataset(
        VIRTUOSO, graphs, default_graphs=None, named_graphs=None, union=True, own_dataset=False
    )
    written = with_from(question.text, scan(question.text).form_start, shown.params)
    assert written is not None
    expected = article.query(question.text, use_default_graph_as_union=True)
    actual = article.query(written)
    assert difference(answer_of(expected), answer_of(actual), ordered=question.ordered) is None
