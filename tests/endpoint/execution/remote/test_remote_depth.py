"""The depth a remote engine is sent: every query drugkg asks or answers is far within it,
every shape that aborted the Oxigraph server is over it, and flat lists count nothing.
(That such a query never reaches a live remote: test_remote_hostile.py.)"""

from __future__ import annotations

import pytest

from bench.competency import discover
from endpoint.execution.remote.depth import depth, too_deep_for
from endpoint.execution.remote.engines import ENGINES

LIMIT = min(engine.max_depth for engine in ENGINES.values())

ABORTED = {
    # the smallest of each that aborted `oxigraph serve` 0.5 on loopback
    "sum": "SELECT ?n WHERE { BIND(" + "+".join(["1"] * 6840) + " AS ?n) }",
    "or": "ASK { FILTER(" + "||".join(["false"] * 9289) + ") }",
    "union": "ASK { " + " UNION ".join(["{ ?s ?p ?o }"] * 6503) + " }",
    "optionals": "ASK { " + "OPTIONAL { ?s ?p ?o } " * 6502 + "}",
    "binds": "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(8017)) + " }",
    "patterns": "ASK { ?s " + " ; ".join(f"<urn:x:p{i}> ?o{i}" for i in range(8129)) + " }",
    "calls": "ASK { FILTER(" + "STR(" * 947 + "1" + ")" * 947 + ") }",
    "exists": "ASK { " + "FILTER EXISTS { " * 831 + "}" * 831 + " }",
    "subqueries": "ASK { " + "{ SELECT * WHERE { " * 1174 + "}}" * 1174 + " }",
    "groups": "ASK " + "{" * 2185 + "}" * 2185,
    "quoted triples": "SELECT * WHERE { ?s ?p " + "<< ?s ?p " * 2805 + "?o" + " >>" * 2805 + " }",
}


@pytest.mark.parametrize("query", ABORTED.values(), ids=ABORTED.keys())
def test_what_aborted_the_oxigraph_server_is_over_twice_the_bound(query: str) -> None:
    assert depth(query).value > 2 * LIMIT


def test_every_competency_question_is_far_within_the_bound() -> None:
    deepest = max(depth(question.text).value for question in discover())
    assert deepest < LIMIT / 10, deepest


def test_flat_lists_count_nothing() -> None:
    rows = " ".join(f"(<urn:x:{i}> {i})" for i in range(50_000))
    for query in (
        f"SELECT * WHERE {{ VALUES (?x ?n) {{ {rows} }} }}",
        "ASK { FILTER(1 IN (" + ",".join(["2"] * 20_000) + ")) }",
        "ASK { FILTER(CONCAT(" + ",".join(['"a"'] * 20_000) + ")) }",
    ):
        assert depth(query).value < 20, query[:60]


def test_the_refusal_names_the_place_and_the_engine() -> None:
    query = "ASK {\n  " + " UNION ".join(["{ ?s ?p ?o }"] * 1000) + " }"
    problem = too_deep_for(query, "oxigraph", LIMIT)
    assert problem is not None
    assert problem.startswith("the query is nested too deeply: its structure reaches")
    assert f"more than the {LIMIT} the remote store (oxigraph) is sent at line 2" in problem
    assert too_deep_for("ASK { ?s ?p ?o }", "oxigraph", LIMIT) is None
