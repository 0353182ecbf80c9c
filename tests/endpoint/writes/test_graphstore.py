"""The Graph Store Protocol at /store: every method, its status codes, every RDF syntax."""

from __future__ import annotations

import httpx
import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Quad, RdfFormat, parse, serialize
from writeclient import Writable

pytestmark = pytest.mark.slow

TRIPLES = """\
<http://example.org/wd/Q1> <http://www.w3.org/2000/01/rdf-schema#label> "one"@en .
<http://example.org/wd/Q1> <http://example.org/p> _:b .
_:b <http://example.org/q> 42 .
"""


def put(
    server: Writable, graph: str | None, body: bytes, media: str = "text/turtle"
) -> httpx.Response:
    params = {"graph": graph} if graph else {"default": ""}
    return httpx.put(
        server.gsp, params=params, content=body, headers={"content-type": media, **server.auth}
    )


def get(
    server: Writable, graph: str | None, accept: str = "application/n-triples"
) -> httpx.Response:
    params = {"graph": graph} if graph else {"default": ""}
    return httpx.get(server.gsp, params=params, headers={"accept": accept})


def triples(text: bytes, fmt: RdfFormat = RdfFormat.N_TRIPLES) -> Dataset:
    return Dataset(Quad(q.subject, q.predicate, q.object) for q in parse(text, fmt))


def isomorphic(a: Dataset, b: Dataset) -> bool:
    a.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    b.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(a) == set(b)


def test_put_creates_then_replaces_get_reads_delete_removes(writable: Writable) -> None:
    graph = "http://example.org/gsp/lifecycle"
    assert get(writable, graph).status_code == 404
    created = put(writable, graph, TRIPLES.encode())
    assert created.status_code == 201, created.text
    assert created.headers["x-drugkg-audit"].startswith("https://w3id.org/drugkg/id/write-")
    read = get(writable, graph)
    assert read.status_code == 200
    assert isomorphic(triples(read.content), triples(TRIPLES.encode(), RdfFormat.TURTLE))
    replaced = put(writable, graph, b"<http://example.org/a> <http://example.org/b> 1 .")
    assert replaced.status_code == 204
    assert writable.count(graph) == 1
    head = httpx.head(writable.gsp, params={"graph": graph})
    assert head.status_code == 200
    assert head.content == b""
    added = httpx.post(
        writable.gsp,
        params={"graph": graph},
        content=b"<http://example.org/a> <http://example.org/b> 2 .",
        headers={"content-type": "text/turtle", **writable.auth},
    )
    assert added.status_code == 204
    assert writable.count(graph) == 2
    deleted = httpx.delete(writable.gsp, params={"graph": graph}, headers=writable.auth)
    assert deleted.status_code == 204
    assert get(writable, graph).status_code == 404
    again = httpx.delete(writable.gsp, params={"graph": graph}, headers=writable.auth)
    assert again.status_code == 404


FORMATS = [
    RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS,
    RdfFormat.TRIG,
    RdfFormat.RDF_XML,
    RdfFormat.JSON_LD,
    RdfFormat.N3,
]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_every_syntax_pyoxigraph_reads_is_accepted(writable: Writable, fmt: RdfFormat) -> None:
    graph = f"http://example.org/gsp/syntax/{fmt.name.lower()}"
    data = Dataset(parse(TRIPLES.encode(), RdfFormat.TURTLE))
    body = (
        serialize(data, format=fmt)
        if fmt.supports_datasets
        else serialize((q.triple for q in data), format=fmt)
    )
    assert body is not None
    response = put(writable, graph, body, fmt.media_type)
    assert response.status_code == 201, response.text
    assert isomorphic(
        triples(get(writable, graph).content), triples(TRIPLES.encode(), RdfFormat.TURTLE)
    )


def test_the_default_graph_may_be_written(writable: Writable) -> None:
    assert (
        put(writable, None, b"<http://example.org/d> <http://example.org/p> 1 .").status_code == 204
    )
    assert b"<http://example.org/d>" in get(writable, None).content


def test_post_to_the_graph_store_names_a_new_graph(writable: Writable) -> None:
    response = httpx.post(
        writable.gsp,
        content=b"<http://example.org/n> <http://example.org/p> 1 .",
        headers={"content-type": "text/turtle", **writable.auth},
    )
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith("/store?graph=urn:uuid:")
    assert httpx.get(writable.live.url + location).status_code == 200


@pytest.mark.parametrize(
    ("graph", "body", "media", "status", "needle"),
    [
        (
            "http://example.org/gsp/bad",
            b"<a> <b> <c> . garbage",
            "text/turtle",
            400,
            "does not parse",
        ),
        ("http://example.org/gsp/bad", b"x", "application/x-unknown", 415, "send one of"),
        ("https://w3id.org/drugkg/graph/links", b"", "text/turtle", 403, "build's own graphs"),
        ("https://w3id.org/drugkg/graph/audit", b"", "text/turtle", 403, "audit"),
        ("not an iri", b"", "text/turtle", 400, "not an absolute IRI"),
    ],
)
def test_refusals_name_the_problem_and_change_nothing(
    writable: Writable, graph: str, body: bytes, media: str, status: int, needle: str
) -> None:
    before = writable.version()
    response = put(writable, graph, body, media)
    assert response.status_code == status, response.text
    assert needle in response.text
    assert writable.version() == before


def test_a_payload_over_the_limit_is_413(fresh: Writable) -> None:
    big = b"<http://example.org/s> <http://example.org/p> " + b'"' + b"x" * 2_000_000 + b'" .'
    settings_limit = httpx.put(
        fresh.gsp,
        params={"graph": "http://example.org/big"},
        content=big * 200,
        headers={"content-type": "text/turtle", **fresh.auth},
        timeout=60,
    )
    assert settings_limit.status_code == 413
