"""The SPARQL 1.1 Protocol over real HTTP: request forms, query forms, datasets, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from liveservers import LiveServer

pytestmark = pytest.mark.slow

RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
GRAPH_A = "https://w3id.org/drugkg/graph/test-a"
GRAPH_B = "https://w3id.org/drugkg/graph/test-b"
EX = "http://example.org/test/"
LABELS = f"SELECT ?l WHERE {{ ?s {RDFS_LABEL} ?l FILTER(STRSTARTS(STR(?s), '{EX}')) }}"
NAMED = f"SELECT ?g ?l WHERE {{ GRAPH ?g {{ ?s {RDFS_LABEL} ?l }} }}"
JSON = {"Accept": "application/sparql-results+json"}


def labels(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return sorted(row["l"]["value"] for row in rows)


def test_get(server: LiveServer) -> None:
    response = httpx.get(server.sparql, params={"query": LABELS}, headers=JSON)
    assert labels(response) == ["alpha one", "alpha two", "beta one"]
    assert response.headers["content-type"] == "application/sparql-results+json"


def test_post_form(server: LiveServer) -> None:
    response = httpx.post(server.sparql, data={"query": LABELS}, headers=JSON)
    assert labels(response) == ["alpha one", "alpha two", "beta one"]


def test_post_form_with_charset(server: LiveServer) -> None:
    body = httpx.QueryParams({"query": LABELS}).__str__().encode()
    headers = {**JSON, "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    response = httpx.post(server.sparql, content=body, headers=headers)
    assert labels(response) == ["alpha one", "alpha two", "beta one"]


def test_post_direct(server: LiveServer) -> None:
    headers = {**JSON, "Content-Type": "application/sparql-query"}
    response = httpx.post(server.sparql, content=LABELS.encode(), headers=headers)
    assert labels(response) == ["alpha one", "alpha two", "beta one"]


def test_non_ascii_query_round_trips(server: LiveServer) -> None:
    query = 'SELECT ?x WHERE { BIND("Ciudad Juárez, 城市" AS ?x) }'
    headers = {**JSON, "Content-Type": "application/sparql-query; charset=utf-8"}
    response = httpx.post(server.sparql, content=query.encode(), headers=headers)
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "Ciudad Juárez, 城市"


def test_post_direct_with_a_byte_order_mark(server: LiveServer) -> None:
    headers = {**JSON, "Content-Type": "application/sparql-query"}
    body = "\ufeff".encode() + LABELS.encode()
    response = httpx.post(server.sparql, content=body, headers=headers)
    assert labels(response) == ["alpha one", "alpha two", "beta one"]


def test_ask(server: LiveServer) -> None:
    yes = httpx.get(server.sparql, params={"query": f"ASK {{ <{EX}a1> ?p ?o }}"})
    no = httpx.get(server.sparql, params={"query": f"ASK {{ <{EX}nothing> ?p ?o }}"})
    assert yes.json() == {"head": {}, "boolean": True}
    assert no.json()["boolean"] is False


def test_construct(server: LiveServer) -> None:
    query = (
        f"CONSTRUCT {{ ?s {RDFS_LABEL} ?l }} WHERE {{ GRAPH <{GRAPH_B}> {{ ?s {RDFS_LABEL} ?l }} }}"
    )
    response = httpx.get(
        server.sparql, params={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200
    assert response.text == f'<{EX}b1> {RDFS_LABEL} "beta one"@en .\n'


def test_describe(server: LiveServer) -> None:
    response = httpx.get(
        server.sparql,
        params={"query": f"DESCRIBE <{EX}a1>"},
        headers={"Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    lines = sorted(response.text.splitlines())
    assert f'<{EX}a1> {RDFS_LABEL} "alpha one"@en .' in lines
    assert f"<{EX}a1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Thing> ." in lines


def test_default_graph_is_union_of_named_graphs(server: LiveServer) -> None:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}a1> {RDFS_LABEL} ?l }}"
    response = httpx.get(server.sparql, params={"query": query})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "1"


def test_default_graph_uri_overrides_the_dataset(server: LiveServer) -> None:
    params = {"query": LABELS, "default-graph-uri": GRAPH_B}
    assert labels(httpx.get(server.sparql, params=params)) == ["beta one"]


def test_repeated_default_graph_uri_merges_graphs(server: LiveServer) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("query", LABELS),
        ("default-graph-uri", GRAPH_A),
        ("default-graph-uri", GRAPH_B),
    ]
    assert labels(httpx.get(server.sparql, params=params)) == ["alpha one", "alpha two", "beta one"]


def test_default_graph_uri_takes_precedence_over_from(server: LiveServer) -> None:
    query = LABELS.replace("WHERE", f"FROM <{GRAPH_A}> WHERE")
    assert labels(httpx.get(server.sparql, params={"query": query})) == ["alpha one", "alpha two"]
    params = {"query": query, "default-graph-uri": GRAPH_B}
    assert labels(httpx.get(server.sparql, params=params)) == ["beta one"]


def test_from_in_query_replaces_the_union_default_graph(server: LiveServer) -> None:
    query = LABELS.replace("WHERE", f"FROM <{GRAPH_B}> WHERE")
    assert labels(httpx.get(server.sparql, params={"query": query})) == ["beta one"]


def test_named_graph_uri_restricts_graph_patterns(server: LiveServer) -> None:
    params = {"query": NAMED, "named-graph-uri": GRAPH_A}
    response = httpx.get(server.sparql, params=params)
    rows = response.json()["results"]["bindings"]
    assert {row["g"]["value"] for row in rows} == {GRAPH_A}
    # the protocol dataset has no default-graph-uri: its default graph is empty
    params = {"query": LABELS, "named-graph-uri": GRAPH_A}
    assert labels(httpx.get(server.sparql, params=params)) == []


def test_dataset_parameters_of_direct_post_go_in_the_url(server: LiveServer) -> None:
    response = httpx.post(
        server.sparql,
        params=[("default-graph-uri", GRAPH_A)],
        content=LABELS.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert labels(response) == ["alpha one", "alpha two"]


def test_dataset_parameters_of_form_post_go_in_the_body(server: LiveServer) -> None:
    data = {"query": LABELS, "default-graph-uri": [GRAPH_B]}
    assert labels(httpx.post(server.sparql, data=data)) == ["beta one"]


def test_malformed_query_is_400_with_parser_message_and_position(server: LiveServer) -> None:
    response = httpx.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "malformed query" in response.text
    assert "1:" in response.text  # the parser's line:column


def test_error_body_is_json_when_asked(server: LiveServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": "SELEKT"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    body = json.loads(response.text)
    assert body["status"] == 400
    assert body["error"] == "MalformedQueryError"
    assert "malformed query" in body["message"]


@pytest.mark.parametrize(
    ("request_kwargs", "needle"),
    [
        ({"method": "POST", "data": {"format": "json"}}, "no query"),
        ({"method": "GET", "params": {"default-graph-uri": GRAPH_A}}, "no query"),
        ({"method": "GET", "params": {"query": "  "}}, "query is empty"),
        ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, "2 queries"),
        (
            {
                "method": "POST",
                "params": {"query": "ASK {}"},
                "content": b"ASK {}",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            "2 queries",
        ),
        ({"method": "GET", "params": {"query": "INSERT DATA { <a:s> <a:p> <a:o> }"}}, "read-only"),
        (
            {"method": "POST", "data": {"query": "PREFIX a: <a:> DELETE WHERE { ?s ?p ?o }"}},
            "read-only",
        ),
        (
            {"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
            "IRI",
        ),
    ],
)
def test_requests_that_are_not_one_query_get_400(
    server: LiveServer, request_kwargs: dict[str, object], needle: str
) -> None:
    method = str(request_kwargs.pop("method"))
    response = httpx.request(method, server.sparql, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    assert needle in response.text


def test_unsupported_body_type_is_415(server: LiveServer) -> None:
    for content_type in ("text/plain", "application/json", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = httpx.post(server.sparql, content=b"ASK {}", headers=headers)
        assert response.status_code == 415, content_type
        assert "application/sparql-query" in response.text


def test_oversized_requests_are_413(server: LiveServer) -> None:
    big = "ASK {} #" + "x" * 1_100_000
    posted = httpx.post(
        server.sparql, content=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert posted.status_code == 413
    assert "limit of 1000000 bytes" in posted.text
    form = httpx.post(server.sparql, data={"query": big})
    assert form.status_code == 413


def test_oversized_chunked_body_without_length_is_413(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"#" + b"y" * 99_999

    response = httpx.post(
        server.sparql, content=chunks(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_repeated_format_parameter_the_first_counts(server: LiveServer) -> None:
    params = httpx.QueryParams(
        [("query", "ASK {}"), ("format", "tsv"), ("format", "text/tab-separated-values")]
    )
    response = httpx.get(server.sparql, params=params)
    assert response.headers["content-type"].startswith("text/tab-separated-values")


def test_other_methods_are_405(server: LiveServer) -> None:
    assert httpx.put(server.sparql, content=b"ASK {}").status_code == 405
    assert httpx.delete(server.sparql).status_code == 405


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"update": "CLEAR ALL"}},
        {"content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
    ],
)
def test_an_update_to_a_read_only_endpoint_is_403(
    server: LiveServer, request_kwargs: dict[str, object]
) -> None:
    response = httpx.post(server.sparql, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 403, response.text
    assert "read-only" in response.text
    assert "--writable" in response.text
