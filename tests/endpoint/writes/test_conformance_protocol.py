"""The update half of the SPARQL 1.1 Protocol (section 2.2) over real HTTP, with the token.

The W3C protocol test suite is not in the shared folder (`../shared/conformance` holds the
query and update evaluation suites only), so its fourteen update tests are written here from
the specification and the suite's descriptions, one test each, named after the suite's
(`update_post_form`, ..., `bad_update_dataset_conflict`). Where the suite starts with
`CLEAR ALL`, these drop the graphs they use instead: CLEAR ALL reaches the audit graph and
is refused by design (see test_conformance_update.DESIGN_REFUSALS). Each `bad_` request must
get a 4xx and leave the store as it was (no new store version).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from conformance_support import JSON_RESULTS, WriteServer, writable_fixture
from writeclient import UPDATE

pytestmark = pytest.mark.slow

DOC1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
DOC2 = "http://kasei.us/2009/09/sparql/data/data2.rdf"
TARGET = "http://example.org/protocol-update-dataset-test/"
BASE_GRAPH = "http://example.org/protocol-base-test/"
PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteServer]:
    yield from writable_fixture(tmp_path_factory, "protocol-update")


@pytest.fixture
def emptied(protocol_server: WriteServer) -> WriteServer:
    """The module's server, emptied first."""
    protocol_server.reset()
    return protocol_server


def ask(server: WriteServer, query: str) -> bool:
    response = httpx.get(
        server.sparql, params={"query": PREFIXES + query}, headers={"accept": JSON_RESULTS}
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def form(server: WriteServer, pairs: list[tuple[str, str]], **headers: str) -> httpx.Response:
    return httpx.post(
        server.sparql,
        content=str(httpx.QueryParams(pairs)).encode(),
        headers={"content-type": FORM, **server.auth, **headers},
        timeout=120,
    )


def documents(*graphs: str) -> str:
    """INSERT DATA of each document, typed foaf:Document in a graph of its own name."""
    data = " ".join(f"GRAPH <{g}> {{ <{g}> a foaf:Document }}" for g in graphs)
    return f"{PREFIXES}INSERT DATA {{ {data} }}"


def _assert_refused(server: WriteServer, response: httpx.Response, before: str) -> None:
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text}"
    assert server.version() == before, "a refused request made a new store version"


# The suite's positive update tests.


def test_update_post_form(emptied: WriteServer) -> None:
    update = f"INSERT DATA {{ GRAPH <{TARGET}> {{ <{DOC1}> a <{DOC2}> }} }}"
    response = form(emptied, [("update", update)])
    assert 200 <= response.status_code < 300, response.text
    assert ask(emptied, f"ASK {{ GRAPH <{TARGET}> {{ <{DOC1}> a <{DOC2}> }} }}")


def test_update_post_direct(emptied: WriteServer) -> None:
    update = f"INSERT DATA {{ GRAPH <{TARGET}> {{ <{DOC1}> a <{DOC2}> }} }}"
    response = emptied.update(update)
    assert 200 <= response.status_code < 300, response.text
    assert ask(emptied, f"ASK {{ GRAPH <{TARGET}> {{ <{DOC1}> a <{DOC2}> }} }}")


def test_update_post_direct_with_charset(emptied: WriteServer) -> None:
    update = f'INSERT DATA {{ GRAPH <{TARGET}> {{ <{DOC1}> <{DOC2}> "Juárez, 城市" }} }}'
    response = emptied.update(update, **{"content-type": f"{UPDATE}; charset=UTF-8"})
    assert 200 <= response.status_code < 300, response.text
    assert ask(emptied, f'ASK {{ GRAPH <{TARGET}> {{ <{DOC1}> <{DOC2}> "Juárez, 城市" }} }}')


def test_update_base_uri(emptied: WriteServer) -> None:
    """A relative IRI in an update with no BASE resolves against the request's URL."""
    update = f"INSERT DATA {{ GRAPH <{BASE_GRAPH}> {{ <http://example.org/s> <p> <test> }} }}"
    response = emptied.update(update)
    assert 200 <= response.status_code < 300, response.text
    rows = emptied.select(f"SELECT ?p ?o WHERE {{ GRAPH <{BASE_GRAPH}> {{ ?s ?p ?o }} }}")
    assert len(rows) == 1
    assert rows[0]["o"].value == emptied.live.url + "/test"
    assert rows[0]["p"].value == emptied.live.url + "/p"


def test_update_dataset_default_graph(emptied: WriteServer) -> None:
    """using-graph-uri is the default graph of the INSERT's WHERE (form POST)."""
    update = (
        f"{documents(DOC1)} ;\n"
        f"INSERT {{ GRAPH <{TARGET}> {{ ?s a dc:BibliographicResource }} }} "
        "WHERE { ?s a foaf:Document }"
    )
    response = form(emptied, [("update", update), ("using-graph-uri", DOC1)])
    assert 200 <= response.status_code < 300, response.text
    assert ask(emptied, f"ASK {{ GRAPH <{TARGET}> {{ <{DOC1}> a dc:BibliographicResource }} }}")


def test_update_dataset_default_graph_without_the_parameter(emptied: WriteServer) -> None:
    """The control of the test above: without using-graph-uri the WHERE reads the store's
    (empty) default graph, so the parameter is what made the difference."""
    update = (
        f"{documents(DOC1)} ;\n"
        f"INSERT {{ GRAPH <{TARGET}> {{ ?s a dc:BibliographicResource }} }} "
        "WHERE { ?s a foaf:Document }"
    )
    response = form(emptied, [("update", update)])
    assert 200 <= response.status_code < 300, response.text
    assert not ask(emptied, f"ASK {{ GRAPH <{TARGET}> {{ ?s ?p ?o }} }}")


def test_update_dataset_default_graphs(emptied: WriteServer) -> None:
    """Two using-graph-uri: their merge is the default graph (direct POST: in the URL)."""
    update = (
        f"{documents(DOC1, DOC2)} ;\n"
        f"INSERT {{ GRAPH <{TARGET}> {{ ?s a dc:BibliographicResource }} }} "
        "WHERE { ?s a foaf:Document }"
    )
    response = httpx.post(
        emptied.sparql,
        params=[("using-graph-uri", DOC1), ("using-graph-uri", DOC2)],
        content=update.encode(),
        headers={"content-type": UPDATE, **emptied.auth},
        timeout=120,
    )
    assert 200 <= response.status_code < 300, response.text
    for doc in (DOC1, DOC2):
        assert ask(emptied, f"ASK {{ GRAPH <{TARGET}> {{ <{doc}> a dc:BibliographicResource }} }}")


def test_update_dataset_named_graphs(emptied: WriteServer) -> None:
    """using-named-graph-uri: only the graphs named are seen by GRAPH ?g."""
    update = (
        f"{documents(DOC1, DOC2)} ;\n"
        f"INSERT {{ GRAPH <{TARGET}> {{ ?s a dc:BibliographicResource }} }} "
        "WHERE { GRAPH ?g { ?s a foaf:Document } }"
    )
    response = form(emptied, [("update", update), ("using-named-graph-uri", DOC1)])
    assert 200 <= response.status_code < 300, response.text
    assert ask(emptied, f"ASK {{ GRAPH <{TARGET}> {{ <{DOC1}> a dc:BibliographicResource }} }}")
    assert not ask(emptied, f"ASK {{ GRAPH <{TARGET}> {{ <{DOC2}> ?p ?o }} }}")


def test_update_dataset_full(emptied: WriteServer) -> None:
    """using-graph-uri and using-named-graph-uri together."""
    update = (
        f"{documents(DOC1, DOC2)} ;\n"
        f"INSERT {{ GRAPH <{TARGET}> {{ ?s <http://example.org/in> ?g }} }} "
        "WHERE { ?s a foaf:Document . GRAPH ?g { ?x a foaf:Document } }"
    )
    pairs = [("update", update), ("using-graph-uri", DOC1), ("using-named-graph-uri", DOC2)]
    response = form(emptied, pairs)
    assert 200 <= response.status_code < 300, response.text
    rows = emptied.select(f"SELECT ?s ?g WHERE {{ GRAPH <{TARGET}> {{ ?s ?p ?g }} }}")
    assert [(r["s"].value, r["g"].value) for r in rows] == [(DOC1, DOC2)]


def test_update_dataset_applies_to_delete_where(emptied: WriteServer) -> None:
    """DELETE WHERE takes the protocol's dataset too: it matches in the using-graph-uri
    graph, so nothing of the store's default graph matches and nothing is deleted there
    unless the graph holds it too."""
    setup = (
        f"{documents(DOC1)} ;\nINSERT DATA {{ <{DOC2}> a foaf:Document . "
        f"<{DOC1}> a foaf:Document }}"
    )
    assert emptied.update(setup).status_code == 200
    update = f"{PREFIXES}DELETE WHERE {{ ?s a foaf:Document }}"
    response = form(emptied, [("update", update), ("using-graph-uri", DOC1)])
    assert 200 <= response.status_code < 300, response.text
    # matched in DOC1's graph: only <DOC1> a foaf:Document, removed from the default graph
    assert not ask(emptied, f"ASK {{ <{DOC1}> a foaf:Document }}")
    assert ask(emptied, f"ASK {{ <{DOC2}> a foaf:Document }}")
    assert ask(emptied, f"ASK {{ GRAPH <{DOC1}> {{ <{DOC1}> a foaf:Document }} }}")


# The suite's bad update requests: 4xx, nothing changed.


def test_bad_update_get(emptied: WriteServer) -> None:
    before = emptied.version()
    response = httpx.get(
        emptied.sparql,
        params={"update": f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}"},
        headers=emptied.auth,
    )
    _assert_refused(emptied, response, before)
    assert not ask(emptied, f"ASK {{ <{DOC1}> a <{DOC2}> }}")


def test_bad_multiple_updates(emptied: WriteServer) -> None:
    before = emptied.version()
    pairs = [
        ("update", f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}"),
        ("update", f"INSERT DATA {{ <{DOC2}> a <{DOC1}> }}"),
    ]
    _assert_refused(emptied, form(emptied, pairs), before)


def test_bad_multiple_updates_body_and_url(emptied: WriteServer) -> None:
    before = emptied.version()
    response = httpx.post(
        emptied.sparql,
        params={"update": f"INSERT DATA {{ <{DOC2}> a <{DOC1}> }}"},
        content=f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}".encode(),
        headers={"content-type": UPDATE, **emptied.auth},
    )
    _assert_refused(emptied, response, before)


def test_bad_query_and_update_together(emptied: WriteServer) -> None:
    before = emptied.version()
    pairs = [("update", f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}"), ("query", "ASK {}")]
    _assert_refused(emptied, form(emptied, pairs), before)


def test_bad_update_wrong_media_type(emptied: WriteServer) -> None:
    before = emptied.version()
    response = httpx.post(
        emptied.sparql,
        content=f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}".encode(),
        headers={"content-type": "text/plain", **emptied.auth},
    )
    _assert_refused(emptied, response, before)
    assert response.status_code == 415


def test_bad_update_missing_form_type(emptied: WriteServer) -> None:
    """A form body sent without its Content-Type."""
    before = emptied.version()
    body = str(httpx.QueryParams({"update": f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}"}))
    request = httpx.Request("POST", emptied.sparql, content=body.encode(), headers=emptied.auth)
    assert "content-type" not in request.headers
    with httpx.Client() as client:
        response = client.send(request)
    _assert_refused(emptied, response, before)


def test_bad_update_non_utf8(emptied: WriteServer) -> None:
    before = emptied.version()
    response = httpx.post(
        emptied.sparql,
        content=f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}".encode("utf-16"),
        headers={"content-type": f"{UPDATE}; charset=UTF-16", **emptied.auth},
    )
    _assert_refused(emptied, response, before)


def test_bad_update_syntax(emptied: WriteServer) -> None:
    before = emptied.version()
    response = form(emptied, [("update", "INSERT DATA { <a> <b> <c> } XYZ")])
    _assert_refused(emptied, response, before)
    assert response.status_code == 400


def test_update_of_only_a_comment_is_valid(emptied: WriteServer) -> None:
    """The grammar's Update may hold no operation (the suite's syntax-update-38, sent here
    as it is, with no BASE before it): applied, changing no graph."""
    response = emptied.update("# Empty\n")
    assert response.status_code == 200, response.text
    assert emptied.graphs() == []


@pytest.mark.parametrize(
    "clause", ["USING <http://example.org/g>", "USING NAMED <http://example.org/g>"]
)
def test_bad_update_dataset_conflict(emptied: WriteServer, clause: str) -> None:
    """using-graph-uri with an update that names its own dataset: refused (2.2.3)."""
    before = emptied.version()
    update = f"INSERT {{ <{DOC1}> a <{DOC2}> }} {clause} WHERE {{ ?s ?p ?o }}"
    response = form(emptied, [("update", update), ("using-graph-uri", DOC1)])
    _assert_refused(emptied, response, before)
    assert response.status_code == 400


def test_bad_update_dataset_conflict_with(emptied: WriteServer) -> None:
    before = emptied.version()
    update = f"WITH <{DOC1}> INSERT {{ <{DOC1}> a <{DOC2}> }} WHERE {{ ?s ?p ?o }}"
    response = form(emptied, [("update", update), ("using-named-graph-uri", DOC1)])
    _assert_refused(emptied, response, before)


def test_bad_using_graph_uri_not_an_iri(emptied: WriteServer) -> None:
    before = emptied.version()
    update = f"INSERT {{ <{DOC1}> a <{DOC2}> }} WHERE {{ ?s ?p ?o }}"
    response = form(emptied, [("update", update), ("using-graph-uri", "not an iri")])
    _assert_refused(emptied, response, before)
    assert response.status_code == 400


def test_update_needs_the_token(emptied: WriteServer) -> None:
    """Not one of the suite's tests: the endpoint's own rule, checked here for both forms."""
    before = emptied.version()
    update = f"INSERT DATA {{ <{DOC1}> a <{DOC2}> }}"
    direct = httpx.post(emptied.sparql, content=update.encode(), headers={"content-type": UPDATE})
    assert direct.status_code == 401
    assert direct.headers["www-authenticate"].lower().startswith("bearer")
    by_form = httpx.post(emptied.sparql, data={"update": update})
    assert by_form.status_code == 401
    assert emptied.version() == before
