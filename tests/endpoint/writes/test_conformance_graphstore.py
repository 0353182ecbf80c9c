"""The SPARQL 1.1 Graph Store HTTP Protocol at /store, from the specification, over real HTTP.

The W3C's Graph Store Protocol test suite is not in the shared folder, so its cases are
written here from the specification (https://www.w3.org/TR/sparql11-http-rdf-update/,
sections 4 and 5) and the suite's list: PUT of a new graph (201) and of an existing one
(200/204), of the default graph and of an empty graph, GET of each in every RDF syntax the
endpoint offers, DELETE (then 404) and of a missing graph (404), POST merging into a graph
and creating one, POST to the store itself (201 and a Location that reads the new graph back),
HEAD (a GET without its body), a mismatched payload (400, nothing changed) and an unsupported
media type (415, nothing changed). Graphs are indirectly identified (`?graph=IRI`, `?default`);
a write carries the token.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from conformance_support import WriteServer, read_rdf, same_dataset, writable_fixture

pytestmark = pytest.mark.slow

EX = "http://example.org/gsp/"
PERSON = f"""\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix v: <http://www.w3.org/2006/vcard/ns#> .
<{EX}john> a foaf:Person ;
    foaf:businessCard [ a v:VCard ; v:fn "John Doe" ] ;
    foaf:name "Jöhn Döe, 城市"@en .
"""
MORE = f"""\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<{EX}john> foaf:name "Jöhn Döe, 城市"@en ; foaf:nick "jd" .
"""
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
OFFERED = [TURTLE, NTRIPLES, "application/rdf+xml", "application/ld+json", "application/trig",
           "application/n-quads"]  # fmt: skip
"""What a GET can be answered in (the endpoint's table for graphs)."""


@pytest.fixture(scope="module")
def gsp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteServer]:
    yield from writable_fixture(tmp_path_factory, "graph-store")


@pytest.fixture
def store(gsp_server: WriteServer) -> WriteServer:
    """The module's server, emptied first."""
    gsp_server.reset()
    return gsp_server


def graph(name: str) -> str:
    return EX + "graphs/" + name


def turtle(text: str) -> ox.Dataset:
    return read_rdf(text.encode(), TURTLE)


def put(
    store: WriteServer,
    target: dict[str, str],
    body: str | bytes,
    media: str = TURTLE,
    method: str = "PUT",
) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return httpx.request(
        method,
        store.gsp,
        params=target,
        content=content,
        headers={"content-type": media, **store.auth},
        timeout=120,
    )


def get(
    store: WriteServer, target: dict[str, str], accept: str = NTRIPLES, method: str = "GET"
) -> httpx.Response:
    return httpx.request(method, store.gsp, params=target, headers={"accept": accept}, timeout=60)


def read_back(store: WriteServer, target: dict[str, str]) -> ox.Dataset:
    response = get(store, target)
    assert response.status_code == 200, response.text
    return read_rdf(response.content, response.headers["content-type"])


def assert_graph(store: WriteServer, target: dict[str, str], expected: str) -> None:
    difference = same_dataset(turtle(expected), read_back(store, target))
    assert difference is None, difference


def test_put_new_graph_is_201_and_get_reads_it(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    response = put(store, target, PERSON)
    assert response.status_code == 201, response.text
    assert_graph(store, target, PERSON)


def test_put_existing_graph_replaces_it_with_200_or_204(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    response = put(store, target, MORE)
    assert response.status_code in (200, 204), response.text
    assert_graph(store, target, MORE)


def test_put_default_graph(store: WriteServer) -> None:
    response = put(store, {"default": ""}, PERSON)
    assert response.status_code in (200, 201, 204), response.text
    assert_graph(store, {"default": ""}, PERSON)
    again = httpx.put(
        store.gsp + "?default",
        content=MORE.encode(),
        headers={"content-type": TURTLE, **store.auth},
    )
    assert again.status_code in (200, 204), again.text
    assert_graph(store, {"default": ""}, MORE)
    assert store.graphs() == [], "a PUT of the default graph made a named graph"


def test_put_empty_graph_makes_an_empty_graph(store: WriteServer) -> None:
    target = {"graph": graph("empty")}
    response = put(store, target, b"")
    assert response.status_code == 201, response.text
    found = get(store, target)
    assert found.status_code == 200
    assert len(read_rdf(found.content, found.headers["content-type"])) == 0
    assert store.graphs() == [graph("empty")]


@pytest.mark.parametrize("accept", OFFERED)
def test_get_negotiates_each_rdf_syntax(store: WriteServer, accept: str) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    response = get(store, target, accept=accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    assert "accept" in response.headers.get("vary", "").lower()
    found = read_rdf(response.content, accept)
    difference = same_dataset(turtle(PERSON), found)
    assert difference is None, difference


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("*/*", TURTLE),
        ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples, text/turtle;q=0.9", NTRIPLES),
        ("text/*", TURTLE),
    ],
)
def test_get_follows_accept_preferences(store: WriteServer, accept: str, chosen: str) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    response = get(store, target, accept=accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == chosen


def test_get_with_an_unacceptable_type_is_406(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    assert get(store, target, accept="image/png").status_code == 406


def test_get_of_a_missing_graph_is_404(store: WriteServer) -> None:
    assert get(store, {"graph": graph("nowhere")}).status_code == 404


def test_head_is_get_without_a_body(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    full = get(store, target, accept=TURTLE)
    head = get(store, target, accept=TURTLE, method="HEAD")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == full.headers["content-type"]
    assert int(head.headers["content-length"]) == len(full.content)
    assert get(store, {"graph": graph("nowhere")}, method="HEAD").status_code == 404


def test_delete_existing_graph_then_404(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    response = httpx.delete(store.gsp, params=target, headers=store.auth)
    assert response.status_code in (200, 204), response.text
    assert get(store, target).status_code == 404
    assert store.graphs() == []


def test_delete_missing_graph_is_404(store: WriteServer) -> None:
    before = store.version()
    response = httpx.delete(store.gsp, params={"graph": graph("nowhere")}, headers=store.auth)
    assert response.status_code == 404
    assert store.version() == before


def test_delete_default_graph_empties_it(store: WriteServer) -> None:
    assert put(store, {"default": ""}, PERSON).status_code in (200, 201, 204)
    response = httpx.delete(store.gsp, params={"default": ""}, headers=store.auth)
    assert response.status_code in (200, 204), response.text
    assert len(read_back(store, {"default": ""})) == 0


def test_post_merges_into_an_existing_graph(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    response = put(store, target, MORE, method="POST")
    assert response.status_code in (200, 204), response.text
    merged = PERSON + f'<{EX}john> <http://xmlns.com/foaf/0.1/nick> "jd" .\n'
    assert_graph(store, target, merged)  # the name that was in both is there once


def test_post_to_a_new_graph_creates_it(store: WriteServer) -> None:
    target = {"graph": graph("new")}
    response = put(store, target, MORE, method="POST")
    assert response.status_code == 201, response.text
    assert_graph(store, target, MORE)


def test_post_to_the_store_creates_a_graph_at_its_location(store: WriteServer) -> None:
    response = httpx.post(
        store.gsp, content=PERSON.encode(), headers={"content-type": TURTLE, **store.auth}
    )
    assert response.status_code == 201, response.text
    location = urljoin(store.gsp, response.headers["location"])
    assert location != store.gsp
    found = httpx.get(location, headers={"accept": NTRIPLES})
    assert found.status_code == 200, found.text
    difference = same_dataset(turtle(PERSON), read_rdf(found.content, NTRIPLES))
    assert difference is None, difference
    (name,) = parse_qs(urlsplit(location).query)["graph"]
    assert store.graphs() == [name]
    second = httpx.post(
        store.gsp, content=MORE.encode(), headers={"content-type": TURTLE, **store.auth}
    )
    assert second.status_code == 201
    assert second.headers["location"] != response.headers["location"]


@pytest.mark.parametrize(
    "name",
    [
        "http://example.org/gsp/with?query=1&and=2",
        "http://example.org/gsp/with#fragment",
        "http://example.org/gsp/with%20percent",
        "urn:example:with+plus",
    ],
)
def test_location_of_a_created_graph_names_it(store: WriteServer, name: str) -> None:
    """The Location of a 201 reads back the graph that was made, whatever its IRI holds."""
    response = put(store, {"graph": name}, PERSON)
    assert response.status_code == 201, response.text
    location = urljoin(store.gsp, response.headers["location"])
    assert parse_qs(urlsplit(location).query)["graph"] == [name]
    found = httpx.get(location, headers={"accept": NTRIPLES})
    assert found.status_code == 200, found.text
    assert same_dataset(turtle(PERSON), read_rdf(found.content, NTRIPLES)) is None


@pytest.mark.parametrize(
    ("media", "body"),
    [
        (NTRIPLES, f'<{EX}s> <{EX}p> "o" .\n'),
        ("application/rdf+xml", (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}s"><ex:p>o</ex:p>'
            "</rdf:Description></rdf:RDF>"
        )),
        ("application/ld+json", f'{{"@id": "{EX}s", "{EX}p": "o"}}'),
        ("text/turtle; charset=utf-8", f'<{EX}s> <{EX}p> "o" .'),
        ("application/n-quads", f'<{EX}s> <{EX}p> "o" <{EX}elsewhere> .\n'),
        ("application/trig", f'<{EX}elsewhere> {{ <{EX}s> <{EX}p> "o" }}'),
    ],
)  # fmt: skip
def test_put_reads_each_rdf_syntax_into_the_target_graph(
    store: WriteServer, media: str, body: str
) -> None:
    target = {"graph": graph("syntax")}
    response = put(store, target, body, media=media)
    assert response.status_code == 201, response.text
    assert_graph(store, target, f'<{EX}s> <{EX}p> "o" .')
    assert store.graphs() == [graph("syntax")], "a quad's own graph name was kept"


def test_mismatched_payload_is_400_and_changes_nothing(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    assert put(store, target, PERSON).status_code == 201
    before = store.version()
    rdfxml = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    response = put(store, target, rdfxml, media=TURTLE)
    assert response.status_code == 400, response.text
    assert store.version() == before
    assert_graph(store, target, PERSON)


def test_bad_last_line_changes_nothing(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    body = "".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(1000)) + "<broken"
    response = put(store, target, body, media=NTRIPLES)
    assert response.status_code == 400, response.text
    assert get(store, target).status_code == 404


@pytest.mark.parametrize("media", ["application/pdf", "text/csv; charset=utf-8", ""])
def test_unsupported_media_type_is_415_and_changes_nothing(store: WriteServer, media: str) -> None:
    before = store.version()
    headers = {**store.auth, **({"content-type": media} if media else {})}
    for method in ("PUT", "POST"):
        response = httpx.request(
            method, store.gsp, params={"graph": graph("x")}, content=b"x", headers=headers
        )
        assert response.status_code == 415, f"{method}: {response.status_code} {response.text}"
    assert store.version() == before


@pytest.mark.parametrize(
    "query",
    ["graph=not%20an%20iri", "graph=relative/path", "default&graph=http://example.org/g",
     "graph=http://example.org/a&graph=http://example.org/b", ""],
)  # fmt: skip
def test_bad_graph_identification_is_400(store: WriteServer, query: str) -> None:
    url = store.gsp + ("?" + query if query else "")
    assert httpx.get(url).status_code == 400
    if query:
        response = httpx.put(
            url, content=PERSON.encode(), headers={"content-type": TURTLE, **store.auth}
        )
        assert response.status_code == 400, response.text


def test_reads_need_no_token_and_writes_do(store: WriteServer) -> None:
    target = {"graph": graph("person")}
    refused = httpx.put(
        store.gsp, params=target, content=PERSON.encode(), headers={"content-type": TURTLE}
    )
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].lower().startswith("bearer")
    assert put(store, target, PERSON).status_code == 201
    assert get(store, target).status_code == 200  # no authorization header
    assert httpx.delete(store.gsp, params=target).status_code == 401
    assert get(store, target).status_code == 200


def test_the_build_graphs_are_refused_with_403(store: WriteServer) -> None:
    """drugkg's own rule beside the protocol: the build's graphs change through a build."""
    before = store.version()
    for name in ("ontology", "entities", "facts/some-doc", "links", "inferred", "audit"):
        target = {"graph": f"https://w3id.org/drugkg/graph/{name}"}
        response = put(store, target, PERSON)
        assert response.status_code == 403, f"{name}: {response.status_code} {response.text}"
    assert store.version() == before
