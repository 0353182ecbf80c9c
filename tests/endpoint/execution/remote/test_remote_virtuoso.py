"""drugkg over Virtuoso 7: `drugkg serve --remote` over Debian's Virtuoso holding the build.

One Virtuoso for the module (`start_virtuoso`, its ResultSetMaxRows cut to MAX_ROWS so that
its cuts show), the article's build (`built_store`, its `inferred` graph included) published
to it with `drugkg publish`, one drugkg over it (`over_virtuoso`, a TIME_LIMIT_S time limit)
and, for the pages, one drugkg on the embedded store of the same build (`embedded`). Through
drugkg over Virtuoso:
- every competency question gives the embedded store's answer, but for those
  tests/engine_answers.py pins as answered otherwise on Virtuoso (none at present), each of
  which must still differ;
- the dataset is drugkg's graphs, never Virtuoso's own, in the graphs a query sees, in the
  counts and in the service description and VoID;
- the pages are the embedded store's pages (the RDF of a resource is Virtuoso's DESCRIBE,
  which holds the embedded one);
- a result Virtuoso cuts is announced as truncated, SELECT and CONSTRUCT alike;
- drugkg's time limit holds (503), and a query Virtuoso refuses that drugkg's parser takes
  gets 400 with Virtuoso's own message.
Without Virtuoso (`make virtuoso` installs it as root) the module is skipped, and fails in CI.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
import rdflib.compare
from engine_answers import VIRTUOSO_DIFFERS
from liveservers import (
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    LiveServer,
    start_drugkg,
    start_virtuoso,
    venv_binary,
)
from pyoxigraph import NamedNode, QueryResultsFormat, QuerySolutions, Store, parse_query_results
from remote_support import (
    answer_from,
    assert_same_page,
    description_graph,
    size_of,
    start_over,
)

from bench.competency import Graph, Question, answer_of, difference, discover, run
from endpoint.sparql.handler import TRUNCATED
from graph.settings import Settings
from graph.storage.statistics import compute
from graph.vocabulary.namespace import DKID, SD, VOID

pytestmark = pytest.mark.slow

QUESTIONS = discover()
MAX_ROWS = 2000
"""Virtuoso's ResultSetMaxRows here: below the 3,487 quads of the build, above any answer a
page or a question needs (the ontology page reads 1,228 triples)."""
TIME_LIMIT_S = 5
MARGIN_S = 5.0
"""How much later than the time limit a stopped query may answer (start-up of a query
process on a loaded machine), a bound, not a measurement."""
WAIT_S = 60.0
JSON = "application/sparql-results+json"
ACCEPT = f"{JSON}, text/turtle;q=0.9"
HTML = {"accept": "text/html"}
TURTLE = {"accept": "text/turtle"}
LIMIT = "x-drugkg-result-limit"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, built_store: Settings) -> Iterator[str]:
    """Virtuoso holding the build, published with `drugkg publish`; its query URL."""
    root = tmp_path_factory.mktemp("virtuoso-remote")
    server = start_virtuoso(root / "db", root, max_rows=MAX_ROWS)
    try:
        password = root / "dba.password"
        password.write_text(VIRTUOSO_PASSWORD + "\n", encoding="utf-8")
        password.chmod(0o600)
        done = subprocess.run(
            [
                venv_binary("drugkg"),
                "publish",
                "--store",
                str(built_store.store),
                "--remote",
                server.sparql,
                "--gsp",
                server.url + "/sparql-graph-crud-auth",
                "--update",
                server.url + "/sparql-auth",
                "--user",
                VIRTUOSO_USER,
                "--password-file",
                str(password),
            ],
            env={k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        graphs = sum(1 for _ in Store.read_only(str(built_store.store)).named_graphs())
        assert f"published {graphs} graphs" in done.stdout, done.stdout
        yield server.sparql
    finally:
        server.stop()


@pytest.fixture(scope="module")
def over_virtuoso(workdir: Path, virtuoso: str) -> Iterator[LiveServer]:
    live = start_over(virtuoso, workdir, query_timeout=str(TIME_LIMIT_S))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def embedded(workdir: Path, built_store: Settings) -> Iterator[LiveServer]:
    live = start_drugkg(
        built_store.store,
        workdir,
        query_timeout=str(TIME_LIMIT_S),
        query_workers="1",
        query_workers_max="2",
    )
    yield live
    live.stop()


@pytest.fixture(scope="module")
def store(built_store: Settings) -> Store:
    return Store.read_only(str(built_store.store))


def ask(server: LiveServer, query: str, accept: str = ACCEPT) -> httpx.Response:
    return httpx.post(
        server.sparql, data={"query": query}, headers={"accept": accept}, timeout=WAIT_S
    )


def rows(response: httpx.Response) -> list[dict[str, str]]:
    """The solutions of a JSON answer, each variable's value as text."""
    assert response.status_code == 200, response.text[:500]
    return values(parse_query_results(response.content, QueryResultsFormat.JSON))


def values(result: object) -> list[dict[str, str]]:
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


# ---------------------------------------------------------------------------------------------
# The competency questions


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_every_question_has_the_embedded_answer(
    question: Question, over_virtuoso: LiveServer, store: Store
) -> None:
    expected = answer_of(run(store, question))
    actual = answer_from(ask(over_virtuoso, question.text))
    problem = difference(expected, actual, ordered=question.ordered)
    if question.name in VIRTUOSO_DIFFERS:
        assert problem is not None, (
            f"{question.name} now has the embedded answer over Virtuoso: take it out of "
            "VIRTUOSO_DIFFERS (tests/engine_answers.py) and the README"
        )
    else:
        assert problem is None, f"{question.name} over Virtuoso: {problem}"


# ---------------------------------------------------------------------------------------------
# The dataset: drugkg's graphs, never Virtuoso's own


def test_the_graphs_a_query_sees_are_drugkgs(over_virtuoso: LiveServer, store: Store) -> None:
    graphs = {g.value for g in store.named_graphs()}
    seen = rows(ask(over_virtuoso, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert {r["g"] for r in seen} == graphs
    # Virtuoso answers an empty graph pattern with no graph at all (the README says so)
    assert rows(ask(over_virtuoso, "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")) == []
    sizes = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    local = {r["g"]: int(r["n"]) for r in values(store.query(sizes))}
    assert {r["g"]: int(r["n"]) for r in rows(ask(over_virtuoso, sizes))} == local
    # the union: a triple in two graphs matches once per graph, as on the embedded store
    (union,) = rows(ask(over_virtuoso, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(union["n"]) == sum(local.values())
    # a graph named in the query is read even when it is none of the dataset's (the README
    # says so): Virtuoso's own graphs are out of sight, not out of reach
    own = "ASK { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }"
    assert ask(over_virtuoso, own, JSON).json()["boolean"] is True


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"], ids=["service", "VoID"])
def test_the_descriptions_count_drugkgs_graphs(
    path: str, over_virtuoso: LiveServer, embedded: LiveServer, built_store: Settings
) -> None:
    response = httpx.get(over_virtuoso.url + path, headers=TURTLE, timeout=WAIT_S)
    assert response.status_code == 200, response.text[:500]
    actual = description_graph(over_virtuoso, response)
    assert not any(word in response.text for word in ("openlinksw", "virtrdf", "/DAV/"))
    stats = compute(built_store.store)
    graphs = {g.name for g in stats.graphs}
    if path == "/sparql":
        named = {str(o) for o in actual.objects(None, SD.name)}
        assert named == graphs
    else:
        subsets = {str(o) for o in actual.objects(None, VOID.subset)}
        assert {s for s in subsets if "/.well-known/void#linkset-" not in s} == graphs
    counted = {int(str(o)) for o in actual.objects(None, VOID.triples)}
    assert stats.union.triples in counted
    answer = httpx.get(embedded.url + path, headers=TURTLE, timeout=WAIT_S)
    expected = description_graph(embedded, answer)
    _, only_embedded, only_remote = rdflib.compare.graph_diff(expected, actual)
    assert (len(only_embedded), len(only_remote)) == (0, 0), (
        sorted(only_embedded)[:3],
        sorted(only_remote)[:3],
    )


# ---------------------------------------------------------------------------------------------
# The pages

PAGES = {
    "home": "/",
    "resource page": "/id/fentanyl",
    "source page": "/source/thinkprogress-2017-doj-opioids",
    "query page": "/query",
    "service description": "/sparql",
    "VoID": "/.well-known/void",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_a_page_is_the_embedded_page(
    path: str, over_virtuoso: LiveServer, embedded: LiveServer
) -> None:
    assert assert_same_page(over_virtuoso, embedded, path, HTML).status_code == 200


def test_a_resource_as_rdf_is_virtuosos_describe(over_virtuoso: LiveServer, store: Store) -> None:
    """Virtuoso's DESCRIBE also gives the triples that point at the resource: a larger graph
    than pyoxigraph's, which holds it."""
    fentanyl = NamedNode(str(DKID["fentanyl"]))
    response = httpx.get(
        over_virtuoso.url + "/id/fentanyl",
        headers={"accept": "application/n-triples"},
        timeout=WAIT_S,
    )
    actual = answer_from(response)
    expected = answer_of(store.query(f"DESCRIBE {fentanyl}", use_default_graph_as_union=True))
    assert isinstance(actual, Graph)
    assert isinstance(expected, Graph)
    assert set(expected.graph) <= set(actual.graph)
    extra = set(actual.graph) - set(expected.graph)
    assert extra
    assert all(str(o) == fentanyl.value for _, _, o in extra)


# ---------------------------------------------------------------------------------------------
# Virtuoso's cut, drugkg's time limit, Virtuoso's refusals


CUT = {
    "select": ("SELECT * WHERE { ?s ?p ?o }", JSON),
    "construct": ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples"),
}


@pytest.mark.parametrize(("query", "accept"), CUT.values(), ids=CUT.keys())
def test_a_result_virtuoso_cuts_is_announced(
    query: str, accept: str, over_virtuoso: LiveServer, store: Store
) -> None:
    assert size_of(answer_of(store.query(query, use_default_graph_as_union=True))) > MAX_ROWS
    response = ask(over_virtuoso, query, accept)
    assert response.headers[TRUNCATED] == "true"
    assert response.headers[LIMIT] == str(MAX_ROWS)
    assert 0 < size_of(answer_from(response)) <= MAX_ROWS + 1  # a graph: one triple more
    whole = ask(over_virtuoso, query + " LIMIT 5", accept)
    assert whole.headers.get(TRUNCATED, "false") == "false"  # (graphs: the cap is known)
    assert size_of(answer_from(whole)) == 5


def test_the_time_limit_holds(over_virtuoso: LiveServer) -> None:
    costly = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = ask(over_virtuoso, costly)
    took = time.monotonic() - started
    assert response.status_code == 503, response.text[:500]
    assert f"longer than the time limit of {TIME_LIMIT_S} s" in response.text
    assert took < TIME_LIMIT_S + MARGIN_S
    # and Virtuoso is free again: a cheap query answers at once
    started = time.monotonic()
    assert ask(over_virtuoso, "ASK { ?s ?p ?o }").status_code == 200
    assert time.monotonic() - started < MARGIN_S


def test_a_query_virtuoso_refuses_gets_its_message(over_virtuoso: LiveServer, store: Store) -> None:
    query = "SELECT (SAMPLE(?s) AS ?x) WHERE { ?s ?p ?o } HAVING (COUNT(*) > 1)"
    store.query(query)  # pyoxigraph takes it
    response = ask(over_virtuoso, query)
    assert response.status_code == 400
    assert "SP031" in response.text
    assert "HAVING clause should be preceded by a GROUP BY clause" in response.text
