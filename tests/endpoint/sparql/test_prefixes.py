"""Graph answers in Turtle, TriG and RDF/XML use the ontology's prefixes; same triples."""

from __future__ import annotations

import httpx
import pytest
from liveservers import LiveServer
from pyoxigraph import RdfFormat, parse

from graph.vocabulary.namespace import DK, DKID

QUERY = f"CONSTRUCT {{ ?route <{DK.carries}> ?s }} WHERE {{ ?route <{DK.carries}> ?s }}"


def fetch(server: LiveServer, accept: str) -> bytes:
    response = httpx.post(server.sparql, data={"query": QUERY}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return response.content


def test_turtle_uses_the_prefixes(server: LiveServer) -> None:
    body = fetch(server, "text/turtle").decode()
    assert f"@prefix dk: <{DK}> ." in body
    assert f"@prefix dkid: <{DKID}> ." in body
    assert "dkid:fentanyl" in body


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/trig", RdfFormat.TRIG),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ],
)
def test_prefixed_answers_hold_the_same_triples(
    server: LiveServer, accept: str, fmt: RdfFormat
) -> None:
    plain = {q.triple for q in parse(fetch(server, "application/n-triples"), RdfFormat.N_TRIPLES)}
    assert plain
    assert {q.triple for q in parse(fetch(server, accept), fmt)} == plain
