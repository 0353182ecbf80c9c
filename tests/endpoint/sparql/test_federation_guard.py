"""No disguise gets a SERVICE call past the federation guard, and no text kills a process.

A recording HTTP server on loopback answers every request with an empty SPARQL result and
notes its path. drugkg allow-lists exactly one endpoint of it (`/allowed/sparql`). Hypothesis
writes SERVICE clauses to that endpoint and to its neighbours (`/other`, the allowed path with
a fragment, a longer path), in every disguise SPARQL allows: codepoint escapes in IRIs,
relative IRIs against one or more BASEs, prefixed names split anywhere with local-name
escapes, keywords in any case, SILENT, comments and blanks between tokens, decoys before the
clause (the escaped `#` of a local name that hid the last bypass, strings and comments full of
quotes, braces and `#`, IRIs with `#`), inside OPTIONAL, UNION, MINUS, GRAPH, subqueries and
FILTER EXISTS. Whatever drugkg answers, the recording server must receive nothing unless the
endpoint the clause names is exactly the allow-listed IRI. The nesting property does the same
for deep nestings behind the same decoys: the answer is 200 or 400, never a dead process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from disguises import BRACKETS, DECOYS, DEPTH, Recorder, deep_query, federated_query
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from liveservers import LiveServer, start_drugkg

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    running = Recorder()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(workdir: Path, article_store: Path, recorder: Recorder) -> Iterator[LiveServer]:
    live = start_drugkg(
        article_store,
        workdir,
        query_timeout="10",
        federation_allowlist=f"{recorder.root}/allowed/sparql",
        result_cache_mb="0",
    )
    yield live
    live.stop()


def run(server: LiveServer, query: str) -> httpx.Response:
    return httpx.post(
        server.sparql,
        content=query.encode(),
        headers={"content-type": "application/sparql-query"},
        timeout=30,
    )


def test_the_reported_bypass_is_refused(guarded: LiveServer, recorder: Recorder) -> None:
    recorder.paths.clear()
    query = (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\\#b AS ?q) "
        f"SERVICE <{recorder.root}/x> {{ ?x ?y ?z }} }}"
    )
    response = run(guarded, query)
    assert response.status_code == 400, response.text
    assert "federated query refused" in response.text
    assert recorder.paths == []


def test_the_allow_listed_endpoint_is_called(guarded: LiveServer, recorder: Recorder) -> None:
    recorder.paths.clear()
    escaped = f"{recorder.root}/allowed/sp\\u0061rql"
    response = run(guarded, f"SELECT * WHERE {{ SERVICE <{escaped}> {{ ?x ?y ?z }} }}")
    assert response.status_code == 200, response.text
    assert recorder.paths == ["/allowed/sparql"]


def test_error_bodies_of_the_target_are_not_echoed(guarded: LiveServer) -> None:
    # the loopback port of drugkg itself: refused before anything is sent or read back
    query = f"SELECT * WHERE {{ SERVICE <{guarded.url}/sparql> {{ ?x ?y ?z }} }}"
    response = run(guarded, query)
    assert response.status_code == 400
    assert "<html" not in response.text.lower()


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_nothing_but_the_exact_allowed_endpoint_is_ever_called(
    guarded: LiveServer, recorder: Recorder, data: st.DataObject
) -> None:
    query, target = data.draw(federated_query(recorder.root))
    recorder.paths.clear()
    response = run(guarded, query)
    allowed = target == f"{recorder.root}/allowed/sparql"
    event(f"{'allowed' if allowed else 'other'} endpoint: {response.status_code}")
    if not allowed:
        assert recorder.paths == [], (query, response.text)
        assert response.status_code < 500, (query, response.status_code, response.text)
    else:
        assert set(recorder.paths) <= {"/allowed/sparql"}, query
        # the engine may call the endpoint once per solution of what precedes the clause,
        # which can run into the time limit: 503, never another server error
        assert response.status_code < 500 or response.status_code == 503, response.text


def test_the_reported_nesting_bypass_is_refused(guarded: LiveServer) -> None:
    # 450,000 braces behind the escaped `#`: they killed a query process (500)
    query = (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\\#b AS ?q) "
        + "{" * 450_000
        + "}" * 450_000
        + " }"
    )
    response = run(guarded, query)
    assert response.status_code == 400, response.text[:500]
    assert "nested too deeply" in response.text
    assert "exited unexpectedly" not in guarded.log.read_text()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    decoy=st.sampled_from(DECOYS),
    brackets=st.sampled_from(BRACKETS),
    depth=DEPTH,
    unary=st.one_of(st.just(0), DEPTH),
)
def test_no_nesting_kills_a_query_process(
    guarded: LiveServer, decoy: str, brackets: tuple[str, str], depth: int, unary: int
) -> None:
    # the query is built here, not drawn: Hypothesis would print megabytes of it
    response = run(guarded, deep_query(decoy, brackets, depth, unary))
    assert response.status_code in (200, 400, 413, 503), response.text
    log = guarded.log.read_text()
    assert "exited unexpectedly" not in log, log[-2000:]
