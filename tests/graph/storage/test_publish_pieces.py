"""The pieces of `drugkg publish` that need no server: what the store holds (graphs, blank
nodes shared between graphs, quads counted with literals equal in value merged), the URLs of
the Graph Store Protocol, the password file, the authentication as the server asks for it
(through httpx's mock transport) and the excerpt of a server's answer."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

from graph.settings import Settings
from graph.storage.publish import (
    ChallengeAuth,
    LocalGraph,
    PublishUsageError,
    Remote,
    _Session,
    challenges,
    check_url,
    excerpt,
    local_graphs,
    merged_count,
    read_password,
    shared_blank_nodes,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"
G = NamedNode(EX + "g")
S, P = NamedNode(EX + "s"), NamedNode(EX + "p")


def typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=NamedNode(XSD + datatype))


def test_literals_equal_in_value_count_once() -> None:
    store = Store()
    objects = [
        typed("1", "integer"),
        typed("1.0", "decimal"),
        typed("1E0", "double"),
        typed("-0", "integer"),
        typed("0.0", "double"),
        typed("NaN", "double"),
        typed("2017-01-01T01:00:00+01:00", "dateTime"),
        typed("2017-01-01T00:00:00Z", "dateTime"),
        typed("2017-01-01T00:00:00", "dateTime"),  # no time zone: its own value
        typed("abc", "integer"),  # ill-typed: itself
        Literal("1"),
        Literal("1", language="en"),
    ]
    store.extend(Quad(S, P, o, G) for o in objects)
    graph = LocalGraph(G.value, len(store))
    # 1 = 1.0 = 1E0; -0 = 0.0; the two instants; the rest apart
    assert merged_count(store, graph) == len(objects) - 2 - 1 - 1


def test_the_graphs_of_a_store_empty_ones_too_and_the_default_graph_last() -> None:
    store = Store()
    store.add(Quad(S, P, Literal("in b"), NamedNode(EX + "b")))
    store.add(Quad(S, P, Literal("in the default graph"), DefaultGraph()))
    store.add_graph(NamedNode(EX + "a-empty"))
    assert local_graphs(store) == [
        LocalGraph(EX + "a-empty", 0),
        LocalGraph(EX + "b", 1),
        LocalGraph(None, 1),
    ]


def test_blank_nodes_shared_between_graphs_are_found() -> None:
    store = Store()
    shared, own = BlankNode("shared"), BlankNode("own")
    store.add(Quad(S, P, shared, NamedNode(EX + "a")))
    store.add(Quad(shared, P, Literal("x"), NamedNode(EX + "b")))
    store.add(Quad(own, P, Literal("y"), NamedNode(EX + "b")))
    store.add(Quad(shared, P, Literal("z"), DefaultGraph()))
    assert shared_blank_nodes(store) == {("", EX + "a", EX + "b"): 1}


@pytest.mark.slow
def test_the_build_shares_its_quote_selectors_with_the_inferred_graph(
    built_store: Settings,
) -> None:
    graph = "https://w3id.org/drugkg/graph/"
    document = graph + "facts/thinkprogress-2017-doj-opioids"
    store = Store.read_only(str(built_store.store))
    assert shared_blank_nodes(store) == {(document, graph + "inferred"): 104}


def test_a_graph_store_url_is_never_the_bare_endpoint() -> None:
    """A PUT to the bare endpoint replaces the whole dataset (the Oxigraph server does)."""
    for gsp in ("http://127.0.0.1:7878/store", "http://h/crud?x=1"):
        session = _Session(Remote("http://127.0.0.1:7878/query", gsp))
        try:
            assert session.gsp_url(None) == gsp + ("&" if "?" in gsp else "?") + "default"
            named = session.gsp_url("http://e/g?a=b&c#f")
            assert named.endswith("graph=http%3A%2F%2Fe%2Fg%3Fa%3Db%26c%23f")
            assert named.startswith(gsp)
        finally:
            session.close()


def test_urls_are_http_without_credentials() -> None:
    assert check_url("https://h/sparql", "--remote") == "https://h/sparql"
    with pytest.raises(PublishUsageError, match="holds credentials"):
        check_url("http://dba:dba@h/sparql", "--remote")
    with pytest.raises(PublishUsageError, match="must be an http"):
        check_url("ftp://h/sparql", "--gsp")


def test_the_password_is_the_first_line_of_its_file(tmp_path: Path) -> None:
    path = tmp_path / "password"
    path.write_text(" spaced pass \n", encoding="utf-8")
    assert read_password(path) == " spaced pass "
    path.write_text("one\ntwo\n", encoding="utf-8")
    with pytest.raises(PublishUsageError, match="on one line"):
        read_password(path)
    with pytest.raises(PublishUsageError, match="cannot read the password file"):
        read_password(tmp_path / "missing")


def test_a_challenge_is_shown_without_its_nonce() -> None:
    offered = [
        'Digest realm="SPARQL", domain="/x", nonce="6e6f2b92", qop="auth", algorithm="MD5"',
        'Basic realm="other"',
    ]
    assert challenges(offered) == 'Digest realm="SPARQL", Basic realm="other"'
    assert challenges([]) is None


def _server(scheme: str | None, seen: list[str | None]) -> httpx.MockTransport:
    """A server asking for `scheme` (None: asking for nothing), recording what it was sent."""

    def answer(request: httpx.Request) -> httpx.Response:
        given = request.headers.get("authorization")
        seen.append(given)
        if scheme is None:
            return httpx.Response(200)
        if scheme == "basic":
            good = "Basic " + base64.b64encode(b"user:secret").decode()
            if given == good:
                return httpx.Response(200)
            return httpx.Response(401, headers={"www-authenticate": 'Basic realm="r"'})
        if given and given.startswith("Digest ") and 'username="user"' in given:
            return httpx.Response(200)
        return httpx.Response(
            401, headers={"www-authenticate": 'Digest realm="r", nonce="abc", qop="auth"'}
        )

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("scheme", ["basic", "digest", None])
def test_credentials_go_only_as_the_server_asks(scheme: str | None) -> None:
    seen: list[str | None] = []
    auth = ChallengeAuth("user", "secret")
    with httpx.Client(transport=_server(scheme, seen), auth=auth) as client:
        assert client.get("http://h/a").status_code == 200
        assert client.get("http://h/b").status_code == 200
    assert seen[0] is None  # nothing is sent before the server asks
    if scheme is None:
        assert seen == [None, None]
        return
    assert auth.scheme == scheme
    assert len(seen) == 3  # asked once; the second request goes with the scheme chosen
    assert all(s is not None and s.lower().startswith(scheme) for s in seen[1:])
    assert all("secret" not in (s or "") for s in seen if scheme == "digest")


def test_an_answer_is_excerpted_readably() -> None:
    page = (
        '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN"><html><head><title>failed'
        "</title></head><body><h3>Error 37000</h3><xmp>SP029: TURTLE RDF loader, line 3: "
        "End-of-line in a short double-quoted string &amp; more</xmp></body></html>"
    )
    response = httpx.Response(500, content=page.encode(), headers={"content-type": "text/html"})
    assert excerpt(response) == (
        "Error 37000 SP029: TURTLE RDF loader, line 3: End-of-line in a short double-quoted "
        "string & more"
    )
    assert excerpt(httpx.Response(401)) == "(empty body)"
    long = excerpt(httpx.Response(400, content=b"x" * 10_000), limit=50)
    assert len(long) == 50
    assert long.endswith("…")
