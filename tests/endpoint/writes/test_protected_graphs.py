"""No write over HTTP changes a protected graph (the build's graphs, the audit graph), however
the update names it.

Hypothesis writes updates that reach a protected graph in every form SPARQL Update has (INSERT
and DELETE DATA, DELETE WHERE, INSERT ... WHERE, WITH, CLEAR, DROP, COPY, MOVE, ADD, sometimes
after a CLEAR ALL), with the graph's IRI escaped, relative to a BASE or a prefixed name with
escaped local parts. Whatever drugkg answers (403, 400, or 200 when the update only reads the
graph), no answer is a server error and every protected graph holds exactly what it held.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from disguises import graph_update
from hypothesis import HealthCheck, event, given, settings
from pyoxigraph import NamedNode, Quad
from writeclient import Writable, writable_server

from graph.vocabulary.namespace import BASE

pytestmark = pytest.mark.slow

EX = "http://example.org/protected/"
PROTECTED = [
    BASE + "graph/entities",
    BASE + "graph/ontology",
    BASE + "graph/links",
    BASE + "graph/audit",
    BASE + "graph/facts/thinkprogress-2017-doj-opioids",
    BASE + "graph/facts/thinkprogress-2017-doj-opioids/q-1469-1595",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, token: tuple[str, Path]) -> Iterator[Writable]:
    running = writable_server(tmp_path_factory.mktemp("protected"), token)
    yield running
    running.live.stop()


def protected_quads(server: Writable) -> dict[str, set[Quad]]:
    store = server.on_disk()
    return {g: set(store.quads_for_pattern(None, None, None, NamedNode(g))) for g in PROTECTED}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(update=graph_update(PROTECTED, EX))
def test_no_update_changes_a_protected_graph(server: Writable, update: str) -> None:
    before = protected_quads(server)
    response = server.update(update)
    event(f"status {response.status_code}")
    assert response.status_code < 500, (update, response.text)
    after = protected_quads(server)
    audit = BASE + "graph/audit"
    for graph in PROTECTED:
        if graph == audit and response.status_code == 200:
            assert before[graph] <= after[graph], update  # the write was recorded, nothing else
            continue
        assert after[graph] == before[graph], (update, graph, response.status_code)
