"""SERVICE only to allow-listed endpoints: each kind of refusal, and a real federated query."""

from __future__ import annotations

import httpx
import pytest
from endpoint_processes import Remote
from liveservers import LiveServer

from endpoint.errors import FederationRefusedError, MalformedQueryError
from endpoint.sparql.federation import ServiceCall, ServiceGuard, refusal
from endpoint.sparql.lexer import scan

LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def call(endpoint: str) -> ServiceCall:
    return ServiceCall(f"<{endpoint}>", endpoint)


def calls(query: str, base: str | None = None, **prefixes: str) -> list[ServiceCall]:
    return ServiceGuard([], prefixes).calls(query, scan(query), base)


def test_service_endpoints_are_resolved_by_the_engine() -> None:
    query = (
        "BASE <http://base.example/x/> PREFIX ex: <http://ex.example/> SELECT * { "
        "?s <http://www.w3.org/2000/01/rdf-schema#label> ?o . "
        "SERVICE ex:sparql{ ?s ?p ?o } OPTIONAL { SERVICE SILENT <rel> { ?a ?b ?c } } "
        "{ SELECT * { service pre:x { ?x ?y ?z } } } SERVICE ex:a\\.b {} "
        "SERVICE <http://h.example/\\u0078> {} }"
    )
    assert calls(query, pre="http://pre.example/") == [
        ServiceCall("ex:sparql", "http://ex.example/sparql"),
        ServiceCall("<rel>", "http://base.example/x/rel"),
        ServiceCall("pre:x", "http://pre.example/x"),
        ServiceCall("ex:a\\.b", "http://ex.example/a.b"),
        ServiceCall("<http://h.example/\\u0078>", "http://h.example/x"),
    ]


def test_relative_endpoints_resolve_against_the_endpoint_url() -> None:
    query = "SELECT * { SERVICE <other> {} }"
    assert calls(query, "http://127.0.0.1:8000/sparql") == [
        ServiceCall("<other>", "http://127.0.0.1:8000/other")
    ]


def test_the_word_elsewhere_is_no_service_call() -> None:
    query = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        'SELECT * { ?service sd:endpoint ?e . ?e ?p "service" } # SERVICE <http://x/>'
    )
    assert calls(query) == []


def test_the_escaped_hash_does_not_hide_a_service_call() -> None:
    query = (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\\#b AS ?q) "
        "SERVICE <http://127.0.0.1:9/x> { ?x ?y ?z } }"
    )
    assert calls(query) == [ServiceCall("<http://127.0.0.1:9/x>", "http://127.0.0.1:9/x")]


def test_a_variable_endpoint_is_refused() -> None:
    with pytest.raises(FederationRefusedError, match="variable endpoint"):
        calls("SELECT * { SERVICE ?where { ?x ?y ?z } }")


def test_an_undeclared_prefix_is_the_parser_error() -> None:
    with pytest.raises(MalformedQueryError, match="nope"):
        calls("SELECT * { SERVICE nope:x {} }")


@pytest.mark.parametrize(
    ("endpoint", "needle"),
    [
        ("http://127.0.0.1:8890/sparql", "loopback, private or link-local address (127.0.0.1)"),
        ("http://[::1]/sparql", "(::1)"),
        ("http://10.1.2.3/sparql", "(10.1.2.3)"),
        ("http://192.168.0.1/sparql", "(192.168.0.1)"),
        ("http://169.254.169.254/latest/meta-data", "(169.254.169.254)"),
        ("http://[fe80::1]/sparql", "(fe80::1)"),
        ("http://[::ffff:127.0.0.1]/sparql", "loopback"),
        ("http://localhost/sparql", "loopback"),
        ("ftp://example.org/sparql", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://query.wikidata.org/sparql", "not on the allow-list"),
    ],
)
def test_refusals(endpoint: str, needle: str) -> None:
    reason = refusal(call(endpoint), [])
    assert reason is not None
    assert needle in reason


def test_variable_endpoint_is_refused() -> None:
    reason = refusal(ServiceCall("?x", None), ["http://127.0.0.1/sparql"])
    assert reason is not None
    assert "variable endpoint" in reason


def test_allow_listed_endpoint_is_allowed_even_on_loopback() -> None:
    listed = ["http://127.0.0.1:8890/sparql"]
    assert refusal(call("http://127.0.0.1:8890/sparql"), listed) is None
    # exact IRIs only: another path on the same host is not allowed
    assert refusal(call("http://127.0.0.1:8890/other"), listed)
    assert refusal(call("http://127.0.0.1:8890/sparql#x"), listed)


def test_check_names_every_refused_endpoint() -> None:
    query = "SELECT * { SERVICE <ftp://a/> {} SERVICE <http://127.0.0.1/x> {} }"
    with pytest.raises(FederationRefusedError) as caught:
        ServiceGuard([], {}).check(query, scan(query), None)
    assert "ftp://a/" in caught.value.message
    assert "http://127.0.0.1/x" in caught.value.message


@pytest.mark.slow
@pytest.mark.parametrize(
    ("service", "needle"),
    [
        ("<http://127.0.0.1:1/sparql>", "loopback"),
        ("?endpoint", "variable endpoint"),
        ("<gopher://example.org/>", "only http and https"),
        ("<https://dbpedia.org/sparql>", "not on the allow-list"),
        ("SILENT <http://10.0.0.1/sparql>", "private"),
        ("<relative>", "loopback"),
    ],
)
def test_server_refuses_before_sending(server: LiveServer, service: str, needle: str) -> None:
    query = f"SELECT * WHERE {{ SERVICE {service} {{ ?s ?p ?o }} }}"
    response = httpx.post(server.sparql, data={"query": query})
    assert response.status_code == 400
    assert "federated query refused" in response.text
    assert needle in response.text


@pytest.mark.slow
def test_an_undeclared_prefix_gets_the_parser_message(server: LiveServer) -> None:
    query = "SELECT * WHERE { SERVICE undeclared:endpoint { ?s ?p ?o } }"
    response = httpx.post(server.sparql, data={"query": query})
    assert response.status_code == 400
    assert "malformed query" in response.text
    assert "undeclared" in response.text


@pytest.mark.slow
def test_refused_even_when_the_query_is_an_ask(server: LiveServer, remote: Remote) -> None:
    # a not-listed port on the allow-listed host: the exact endpoint is what counts
    other = remote.url.replace("/query", "/update")
    response = httpx.get(
        server.sparql, params={"query": f"ASK {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"}
    )
    assert response.status_code == 400


@pytest.mark.slow
def test_federated_query_against_a_real_endpoint(server: LiveServer, remote: Remote) -> None:
    query = f"SELECT ?r ?l WHERE {{ SERVICE <{remote.url}> {{ ?r {LABEL} ?l }} }} ORDER BY ?l"
    response = httpx.get(server.sparql, params={"query": query})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [row["l"]["value"] for row in rows] == ["remote one", "remote two"]


@pytest.mark.slow
def test_federated_join_with_local_data(server: LiveServer, remote: Remote) -> None:
    query = (
        f"SELECT ?local ?remote WHERE {{ <http://example.org/test/a1> {LABEL} ?local . "
        f"SERVICE <{remote.url}> {{ <http://example.org/remote/r1> {LABEL} ?remote }} }}"
    )
    rows = httpx.get(server.sparql, params={"query": query}).json()["results"]["bindings"]
    assert [(r["local"]["value"], r["remote"]["value"]) for r in rows] == [
        ("alpha one", "remote one")
    ]


@pytest.mark.slow
def test_service_silent_to_a_down_endpoint_gives_empty_results(
    server: LiveServer, remote: Remote
) -> None:
    query = f"SELECT ?l WHERE {{ SERVICE SILENT <{remote.down}> {{ ?s {LABEL} ?l }} }}"
    response = httpx.get(server.sparql, params={"query": query})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert all("l" not in row for row in rows)


@pytest.mark.slow
def test_service_to_a_down_endpoint_is_a_clear_error(server: LiveServer, remote: Remote) -> None:
    query = f"SELECT ?l WHERE {{ SERVICE <{remote.down}> {{ ?s {LABEL} ?l }} }}"
    response = httpx.get(server.sparql, params={"query": query})
    assert response.status_code == 502
    assert "SERVICE call failed" in response.text
