"""Queries nested or chained deeply enough to overflow pyoxigraph's stack, over real HTTP.

Before the guards of `graph.query.text`, such a query killed its query process with SIGSEGV
and the client got a 500. Now a text nested too deeply is a 400 naming the place, and a long
chain that no bracket count sees is answered on the query process's deep stack; either way
the query process lives on. These run on `limited_server`, whose time limit is the default
30 s (the long sum takes a second or two); its result limit of 5 does not matter here.
"""

from __future__ import annotations

import httpx
import pytest
from endpoint_processes import children
from liveservers import LiveServer

pytestmark = pytest.mark.slow

JSON = {"Accept": "application/sparql-results+json"}


def test_deeply_nested_query_is_400_naming_the_place(limited_server: LiveServer) -> None:
    before = children(limited_server.pid)
    query = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    response = httpx.post(limited_server.sparql, data={"query": query}, timeout=60)
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.text
    assert "line 1, column 1016" in response.text
    assert before <= children(limited_server.pid)  # the query process was not killed


def test_long_run_of_unary_operators_is_400(limited_server: LiveServer) -> None:
    query = "ASK { FILTER(" + "!" * 20000 + "true) }"
    response = httpx.post(
        limited_server.sparql, data={"query": query}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "QueryTooDeepError"


def test_long_sum_is_answered_and_the_query_process_lives(limited_server: LiveServer) -> None:
    # 8,000 terms overflowed an 8 MiB stack (pyoxigraph 0.5.13 died at about 7,000)
    before = children(limited_server.pid)
    query = "SELECT ?n WHERE { BIND(" + "+".join(["1"] * 8000) + " AS ?n) }"
    response = httpx.post(limited_server.sparql, data={"query": query}, headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "8000"
    assert before <= children(limited_server.pid)  # the query process was not killed
