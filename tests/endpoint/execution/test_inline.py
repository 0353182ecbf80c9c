"""Inline evaluation in the server process (`endpoint.execution.inline`), end to end.

A real `drugkg serve` under uvicorn's supervisor, with DRUGKG_INLINE_EVALUATION on: cheap
queries are answered by the server process itself with the answers the query processes give;
an answer over the inline size bound is given whole by a query process; a query that runs
past its time limit inline is answered 503 at the limit while other queries are answered,
and the server process that ran it retires and is replaced, which reclaims its CPU.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from endpoint_processes import alive, children
from liveservers import LiveServer, start_drugkg, wait_until

from endpoint.execution import cpus, inline

pytestmark = pytest.mark.slow

TIMEOUT = 3.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/drugkg/id/fentanyl> ?p ?o } ORDER BY ?p ?o"
QUERIES = [
    LOOKUP,
    "ASK { ?s a ?type }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 50",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
]


def _start(store: Path, directory: Path, *, on: bool) -> LiveServer:
    return start_drugkg(
        store,
        directory,
        cli=True,
        inline_evaluation="true" if on else "false",
        query_timeout=str(TIMEOUT),
        result_cache_mb="0",
    )


@pytest.fixture
def inline_server(tmp_path: Path, article_store: Path) -> Iterator[LiveServer]:
    live = _start(article_store, tmp_path, on=True)
    yield live
    live.stop()


def _server_processes(live: LiveServer) -> list[int]:
    """The supervisor's server processes (uvicorn's children that are not its helpers)."""
    return [pid for pid in children(live.pid) if "multiprocessing-fork" in _cmdline(pid)]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _ask(
    live: LiveServer, query: str, accept: str = "application/sparql-results+json"
) -> httpx.Response:
    return httpx.get(live.sparql, params={"query": query}, headers={"accept": accept}, timeout=30)


def test_inline_answers_are_the_query_processes_answers(
    inline_server: LiveServer, tmp_path: Path, article_store: Path
) -> None:
    (tmp_path / "pool").mkdir()
    pooled = _start(article_store, tmp_path / "pool", on=False)
    try:
        for query in QUERIES:
            for accept in ("application/sparql-results+json", "text/turtle", "text/csv"):
                ours, theirs = _ask(inline_server, query, accept), _ask(pooled, query, accept)
                assert (ours.status_code, ours.headers["content-type"]) == (
                    theirs.status_code,
                    theirs.headers["content-type"],
                ), query
                assert ours.content == theirs.content, query
        bad = "SELECT * WHERE { ?s ?p }"
        assert _ask(inline_server, bad).text == _ask(pooled, bad).text
        assert _ask(inline_server, bad).status_code == 400
        assert pooled.metric("drugkg_queries_evaluated_total", where="inline") == 0
    finally:
        pooled.stop()
    assert inline_server.metric("drugkg_queries_evaluated_total", where="inline") >= len(QUERIES)


def test_an_answer_over_the_inline_bound_is_given_whole_by_a_query_process(
    inline_server: LiveServer,
) -> None:
    before = inline_server.metric("drugkg_queries_evaluated_total", where="pool")
    rows = 30_000
    query = f"SELECT * WHERE {{ ?s ?p ?o . ?a ?b ?c }} LIMIT {rows}"
    response = _ask(inline_server, query)
    assert response.status_code == 200
    assert len(response.content) > inline.MAX_BYTES
    assert len(response.json()["results"]["bindings"]) == rows
    assert inline_server.metric("drugkg_queries_evaluated_total", where="pool") > before


def test_a_runaway_inline_query_is_stopped_and_its_process_replaced(
    inline_server: LiveServer,
) -> None:
    [first] = _server_processes(inline_server)
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = _ask(inline_server, RUNAWAY)
        outcome["status"], outcome["seconds"] = response.status_code, time.monotonic() - started
        outcome["text"] = response.text

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5 + cpus.SLOW_AFTER)  # it runs inline, set aside on a lowered thread
    meanwhile = [_ask(inline_server, LOOKUP) for _ in range(20)]
    assert all(r.status_code == 200 for r in meanwhile)
    thread.join(timeout=TIMEOUT + 10)
    assert outcome["status"] == 503, outcome
    assert "time limit" in str(outcome["text"])
    assert float(outcome["seconds"]) < TIMEOUT + 2  # type: ignore[arg-type]
    # the process that ran it retires: it is gone, its CPU with it, and a fresh one serves
    wait_until(lambda: not alive(first), "the retired server process to exit", TIMEOUT + 30)
    wait_until(lambda: _server_processes(inline_server), "a replacement server process", 60)
    assert _server_processes(inline_server) != [first]
    wait_until(lambda: _ask(inline_server, LOOKUP).status_code == 200, "answers again", 60)
    assert inline_server.metric("drugkg_inline_retired_total", reason="time") >= 1
    assert os.path.exists(f"/proc/{inline_server.pid}")  # the supervisor lives on
