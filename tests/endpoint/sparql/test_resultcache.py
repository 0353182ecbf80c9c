"""The result cache: repeated queries are answered without a query process, volatile ones never."""

from __future__ import annotations

import os
import signal

import httpx
import pytest
from endpoint_processes import children
from liveservers import LiveServer

from endpoint.sparql.resultcache import CachedAnswer, ResultCache, cacheable_query

JSON = {"Accept": "application/sparql-results+json"}


def answer(size: int) -> CachedAnswer:
    return CachedAnswer("application/sparql-results+json", None, None, b"x" * size)


def test_least_recently_used_answers_go_first() -> None:
    cache = ResultCache(max_bytes=30, max_entry=20)
    cache.put(("a",), answer(10))
    cache.put(("b",), answer(10))
    assert cache.get(("a",)) is not None  # a is now the most recently used
    cache.put(("c",), answer(15))
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None
    assert cache.get(("c",)) is not None
    assert cache.size == 25
    assert (cache.hits, cache.misses) == (3, 1)


def test_an_answer_over_the_entry_limit_is_not_kept() -> None:
    cache = ResultCache(max_bytes=100, max_entry=20)
    cache.put(("big",), answer(21))
    assert cache.get(("big",)) is None
    assert len(cache) == 0


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (RAND() AS ?r) {}",
        "SELECT (now() AS ?t) {}",
        "SELECT (UUID() AS ?u) {}",
        "SELECT (STRUUID() AS ?u) {}",
        "SELECT (BNODE() AS ?b) {}",
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_volatile_queries_are_not_cacheable(query: str) -> None:
    assert not cacheable_query(query)


def test_a_plain_query_is_cacheable() -> None:
    assert cacheable_query("SELECT ?s WHERE { ?s a <https://w3id.org/drugkg/ontology#Country> }")


def test_a_repeated_query_is_a_hit_with_the_same_bytes(server: LiveServer) -> None:
    query = "SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 7 # cache test 1"
    first = httpx.post(server.sparql, data={"query": query}, headers=JSON)
    second = httpx.post(server.sparql, data={"query": query}, headers=JSON)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-drugkg-cache"] == "miss"
    assert second.headers["x-drugkg-cache"] == "hit"
    assert first.content == second.content
    assert first.headers["content-type"] == second.headers["content-type"]


def test_another_representation_is_another_entry(server: LiveServer) -> None:
    query = "SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 3 # cache test 2"
    httpx.post(server.sparql, data={"query": query}, headers=JSON)
    csv = httpx.post(server.sparql, data={"query": query}, headers={"Accept": "text/csv"})
    assert csv.headers["x-drugkg-cache"] == "miss"
    assert csv.headers["content-type"].startswith("text/csv")


def test_a_volatile_query_is_evaluated_every_time(server: LiveServer) -> None:
    query = "SELECT (STRUUID() AS ?u) {}"
    first = httpx.post(server.sparql, data={"query": query}, headers=JSON)
    second = httpx.post(server.sparql, data={"query": query}, headers=JSON)
    assert first.headers["x-drugkg-cache"] == second.headers["x-drugkg-cache"] == "bypass"
    assert first.json() != second.json()


def test_a_hit_needs_no_query_process(server: LiveServer) -> None:
    query = "ASK { ?s ?p ?o } # cache test 3"
    assert httpx.post(server.sparql, data={"query": query}, headers=JSON).status_code == 200
    stopped = children(server.pid)
    assert stopped, "the server has no query processes"
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        again = httpx.post(server.sparql, data={"query": query}, headers=JSON, timeout=5)
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    assert again.status_code == 200
    assert again.headers["x-drugkg-cache"] == "hit"
    assert again.json()["boolean"] is True
