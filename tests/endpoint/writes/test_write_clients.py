"""Real clients write to a live writable drugkg, with the bearer token, and read back.

- rdflib's SPARQLUpdateStore (the token in its `headers`): Graph.add and Graph.remove become
  INSERT DATA and DELETE DATA, and the store's reads see them;
- SPARQLWrapper (the token as a custom header), by form POST and by direct POST; a wrong token
  is SPARQLWrapper's Unauthorized and writes nothing;
- `curl`: a Graph Store Protocol PUT of a Turtle file (`-T`), a large one (curl sends
  `Expect: 100-continue`), GET and HEAD; a GET revalidated after a write gets the new graph;
- the `oxigraph` server from PyPI, evaluating a query whose SERVICE clause calls drugkg, sees
  the triple just written (and the next one written after it).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import httpx
import pytest
import rdflib
from conformance_support import JSON_RESULTS, WriteServer, read_rdf, same_dataset, writable_fixture
from liveservers import LiveServer, in_ci, start_oxigraph, unavailable
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import Unauthorized

pytestmark = pytest.mark.slow

EX = "http://example.org/clients/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def client_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteServer]:
    """As clients meet drugkg: its default dataset the union of the graphs (the default)."""
    yield from writable_fixture(tmp_path_factory, "write-clients", union_default_graph="true")


@pytest.fixture
def server(client_server: WriteServer) -> WriteServer:
    client_server.reset()
    return client_server


def labels(server: WriteServer, subject: str, graph: str | None = None) -> list[str]:
    pattern = f"<{subject}> <{LABEL}> ?l"
    if graph is not None:
        pattern = f"GRAPH <{graph}> {{ {pattern} }}"
    return sorted(row["l"].value for row in server.select(f"SELECT ?l WHERE {{ {pattern} }}"))


# rdflib


def update_store(server: WriteServer) -> SPARQLUpdateStore:
    store = SPARQLUpdateStore(
        query_endpoint=server.sparql,
        update_endpoint=server.sparql,
        headers={"Authorization": f"Bearer {server.token}"},
    )
    return store


def test_rdflib_update_store_adds_and_removes_in_a_named_graph(server: WriteServer) -> None:
    name = EX + "graphs/rdflib"
    graph = rdflib.Graph(update_store(server), identifier=rdflib.URIRef(name))
    subject = rdflib.URIRef(EX + "heroin")
    graph.add((subject, rdflib.RDFS.label, rdflib.Literal("heroin", lang="en")))
    graph.add((subject, rdflib.RDFS.label, rdflib.Literal("diamorphine")))
    assert labels(server, subject, name) == ["diamorphine", "heroin"]
    assert sorted(str(o) for o in graph.objects(subject, rdflib.RDFS.label)) == [
        "diamorphine",
        "heroin",
    ]
    graph.remove((subject, rdflib.RDFS.label, rdflib.Literal("diamorphine")))
    assert labels(server, subject, name) == ["heroin"]
    assert len(graph) == 1


def test_rdflib_update_store_runs_an_update(server: WriteServer) -> None:
    store = update_store(server)
    store.update(
        f'INSERT DATA {{ <{EX}a> <{LABEL}> "a" }} ;\n'
        f"INSERT {{ ?s <{LABEL}> ?l2 }} WHERE {{ ?s <{LABEL}> ?l BIND(CONCAT(?l, '!') AS ?l2) }}"
    )
    assert labels(server, EX + "a") == ["a", "a!"]


def test_rdflib_update_store_without_the_token_writes_nothing(server: WriteServer) -> None:
    store = SPARQLUpdateStore(query_endpoint=server.sparql, update_endpoint=server.sparql)
    before = server.version()
    with pytest.raises(HTTPError, match="401"):
        store.update(f'INSERT DATA {{ <{EX}a> <{LABEL}> "a" }}')
    assert server.version() == before


# SPARQLWrapper


def wrapper(server: WriteServer, token: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.addCustomHttpHeader("Authorization", f"Bearer {token or server.token}")
    return client


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_update_then_select(server: WriteServer, request_method: str) -> None:
    client = wrapper(server)
    client.setMethod(POST)
    client.setRequestMethod(request_method)
    client.setQuery(f'INSERT DATA {{ <{EX}cocaine> <{LABEL}> "cocaine ({request_method})" }}')
    result = client.query()
    assert result.response.getcode() == 200
    reader = SPARQLWrapper(server.sparql)
    reader.setReturnFormat(JSON)
    reader.setQuery(f"SELECT ?l WHERE {{ <{EX}cocaine> <{LABEL}> ?l }}")
    rows = reader.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [row["l"]["value"] for row in rows] == [f"cocaine ({request_method})"]


def test_sparqlwrapper_with_a_wrong_token_is_unauthorized(server: WriteServer) -> None:
    client = wrapper(server, token="x" * 40)
    client.setMethod(POST)
    client.setQuery(f'INSERT DATA {{ <{EX}cocaine> <{LABEL}> "no" }}')
    before = server.version()
    with pytest.raises(Unauthorized):
        client.query()
    assert server.version() == before


def test_sparqlwrapper_sees_each_write_on_a_repeated_get(server: WriteServer) -> None:
    """The same GET query after a write answers from the new store, not a cached answer."""
    reader = SPARQLWrapper(server.sparql)
    reader.setReturnFormat(JSON)
    reader.setQuery(f"SELECT ?l WHERE {{ <{EX}cannabis> <{LABEL}> ?l }}")
    writer = wrapper(server)
    writer.setMethod(POST)
    for n in range(1, 4):
        writer.setQuery(f'INSERT DATA {{ <{EX}cannabis> <{LABEL}> "name {n}" }}')
        writer.query()
        rows = reader.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
        assert len(rows) == n


# curl


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("curl")
    if binary is None:
        message = "curl is not installed"
        unavailable(message)
    return subprocess.run(
        [binary, "--silent", "--show-error", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _status(done: subprocess.CompletedProcess[str]) -> int:
    assert done.returncode == 0, done.stderr
    return int(done.stdout.rsplit("\n", 1)[-1])


def test_curl_puts_a_turtle_file_and_gets_it(server: WriteServer, tmp_path: Path) -> None:
    data = tmp_path / "substances.ttl"
    data.write_text(
        f"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{EX}fentanyl> rdfs:label "fentanyl"@en, "fentanilo"@es ; '
        f'<{EX}analogue> [ rdfs:label "carfentanil" ] .\n',
        encoding="utf-8",
    )
    headers = tmp_path / "headers"
    headers.write_text(f"Authorization: Bearer {server.token}\nContent-Type: text/turtle\n")
    url = f"{server.gsp}?graph={EX}graphs/curl"
    put = curl("-T", str(data), "-H", f"@{headers}", "-w", "\n%{http_code}", url)
    assert _status(put) == 201, put.stdout
    got = curl("-H", "Accept: text/turtle", "-w", "\n%{http_code}", url)
    assert _status(got) == 200
    body = got.stdout.rsplit("\n", 1)[0]
    expected = read_rdf(data.read_bytes(), "text/turtle")
    assert same_dataset(expected, read_rdf(body.encode(), "text/turtle")) is None
    head = curl("--head", url)
    assert head.returncode == 0, head.stderr
    assert head.stdout.startswith("HTTP/1.1 200")
    assert "content-type: text/turtle" in head.stdout.lower()
    again = curl("-T", str(data), "-H", f"@{headers}", "-w", "\n%{http_code}", url)
    assert _status(again) == 204


def test_curl_puts_a_large_file_with_expect_continue(server: WriteServer, tmp_path: Path) -> None:
    data = tmp_path / "large.nt"
    rows = 40_000
    with data.open("w", encoding="utf-8") as out:
        for i in range(rows):
            out.write(f'<{EX}item/{i}> <{LABEL}> "item number {i} of the large file" .\n')
    assert data.stat().st_size > 1024 * 1024  # curl asks for 100-continue beyond 1 MiB
    headers = tmp_path / "headers"
    headers.write_text(
        f"Authorization: Bearer {server.token}\nContent-Type: application/n-triples\n"
    )
    url = f"{server.gsp}?graph={EX}graphs/large"
    put = curl("-v", "-T", str(data), "-H", f"@{headers}", "-w", "\n%{http_code}", url)
    assert _status(put) == 201, put.stderr[-2000:]
    assert "Expect: 100-continue" in put.stderr
    count = server.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}graphs/large> {{ ?s ?p ?o }} }}"
    )
    assert int(count[0]["n"].value) == rows


def test_curl_revalidation_after_a_write_gets_the_new_answer(server: WriteServer) -> None:
    query = httpx.QueryParams({"query": f"SELECT ?l WHERE {{ <{EX}kratom> <{LABEL}> ?l }}"})
    url = f"{server.sparql}?{query}"
    first = curl("-i", "-H", f"Accept: {JSON_RESULTS}", url)
    assert first.returncode == 0, first.stderr
    etags = [line for line in first.stdout.splitlines() if line.lower().startswith("etag:")]
    assert etags, first.stdout
    etag = etags[0].split(":", 1)[1].strip()
    assert server.update(f'INSERT DATA {{ <{EX}kratom> <{LABEL}> "kratom" }}').status_code == 200
    again = curl("-H", f"Accept: {JSON_RESULTS}", "-H", f"If-None-Match: {etag}",
                 "-w", "\n%{http_code}", url)  # fmt: skip
    assert _status(again) == 200, "a revalidated GET after a write was answered 304"
    assert '"kratom"' in again.stdout


# the oxigraph server


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("oxigraph-engine")
    try:
        server = start_oxigraph(root / "store", None, root)
    except AssertionError as error:  # the console script is not installed
        if in_ci():
            raise
        pytest.skip(str(error))
    yield server
    server.stop()


def test_oxigraph_service_sees_what_was_written(server: WriteServer, oxigraph: LiveServer) -> None:
    name = f"{EX}graphs/federated"
    query = (
        f"SELECT ?l WHERE {{ SERVICE <{server.sparql}> "
        f"{{ GRAPH <{name}> {{ <{EX}naloxone> <{LABEL}> ?l }} }} }}"
    )

    def through_oxigraph() -> list[str]:
        response = httpx.get(
            oxigraph.sparql, params={"query": query}, headers={"accept": JSON_RESULTS}, timeout=60
        )
        assert response.status_code == 200, response.text
        return sorted(row["l"]["value"] for row in response.json()["results"]["bindings"])

    assert through_oxigraph() == []
    written = server.update(
        f'INSERT DATA {{ GRAPH <{name}> {{ <{EX}naloxone> <{LABEL}> "naloxone" }} }}'
    )
    assert written.status_code == 200, written.text
    assert through_oxigraph() == ["naloxone"]
    more = httpx.post(
        server.gsp,
        params={"graph": name},
        content=f'<{EX}naloxone> <{LABEL}> "Narcan" .'.encode(),
        headers={"content-type": "application/n-triples", **server.auth},
    )
    assert more.status_code == 204, more.text
    assert through_oxigraph() == ["Narcan", "naloxone"]
