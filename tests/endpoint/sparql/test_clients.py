"""Real SPARQL clients against a live `drugkg serve` on a loopback port.

SPARQLWrapper and rdflib's SPARQLStore are driven as their users drive them; the raw requests
carry the Accept headers Apache Jena (ARQ's defaults) and Comunica (fetch-sparql-endpoint)
send, over GET, POST form and POST direct. The store is the article graph, written from the
curated sources (`graph.pipeline.build.load_dataset`) without the slow checks of a full build.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from xml.dom.minidom import Document

import httpx
import pytest
import rdflib
from liveservers import start_drugkg
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from graph.pipeline.build import load_dataset
from graph.settings import Settings
from graph.storage.versions import write_store
from graph.vocabulary.namespace import DK, DKID, RDFS

pytestmark = pytest.mark.slow

FENTANYL = str(DKID["fentanyl"])
LABEL_QUERY = f"SELECT ?label WHERE {{ <{FENTANYL}> <{RDFS.label}> ?label }}"
ASK_QUERY = f"ASK {{ <{FENTANYL}> a <{DK.SyntheticOpioid}> }}"
CONSTRUCT_QUERY = (
    f"CONSTRUCT {{ ?route <{DK.carries}> <{FENTANYL}> ; <{DK.origin}> ?from }} "
    f"WHERE {{ ?route <{DK.carries}> <{FENTANYL}> ; <{DK.origin}> ?from }}"
)

# Apache Jena ARQ's default Accept headers (org.apache.jena.riot.WebContent).
JENA_SELECT = (
    "application/sparql-results+json,application/sparql-results+xml;q=0.9,"
    "text/tab-separated-values;q=0.7,text/csv;q=0.5,application/json;q=0.2,"
    "application/xml;q=0.2,*/*;q=0.1"
)
JENA_ASK = (
    "application/sparql-results+json,application/sparql-results+xml;q=0.9,"
    "application/json;q=0.2,application/xml;q=0.2,*/*;q=0.1"
)
JENA_GRAPH = "text/turtle,application/n-triples;q=0.9,application/rdf+xml;q=0.7,*/*;q=0.5"
# Comunica's fetch-sparql-endpoint asks for one type per query form.
COMUNICA_BINDINGS = "application/sparql-results+json"
COMUNICA_TRIPLES = "text/turtle"


@pytest.fixture(scope="module")
def article_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("clients") / "store"
    write_store(target, load_dataset(Settings()))
    return target


@pytest.fixture(scope="module")
def endpoint(article_store: Path) -> Iterator[str]:
    """`drugkg serve` on the article store, as a user starts it."""
    server = start_drugkg(article_store, article_store.parent, cli=True)
    yield server.sparql
    server.stop()


def wrapper(url: str, query: str, return_format: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(url, returnFormat=return_format)
    client.setQuery(query)
    client.setMethod(method)
    return client


# --- SPARQLWrapper ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(endpoint: str, method: str) -> None:
    result = wrapper(endpoint, LABEL_QUERY, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    labels = [b["label"] for b in result["results"]["bindings"]]
    assert {"type": "literal", "value": "fentanyl", "xml:lang": "en"} in labels


def test_sparqlwrapper_select_json_posted_directly(endpoint: str) -> None:
    client = wrapper(endpoint, LABEL_QUERY, JSON, POST)
    client.setRequestMethod(POSTDIRECTLY)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == ["fentanyl"]


def test_sparqlwrapper_select_xml(endpoint: str) -> None:
    document = wrapper(endpoint, LABEL_QUERY, XML).queryAndConvert()
    assert isinstance(document, Document)
    literals = document.getElementsByTagName("literal")
    assert [node.firstChild.data for node in literals] == ["fentanyl"]  # type: ignore[union-attr]
    assert literals[0].getAttribute("xml:lang") == "en"


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_tsv(endpoint: str, fmt: str, delimiter: str) -> None:
    # For TSV, SPARQLWrapper sends `format=tsv&format=text/tab-separated-values` (and the
    # same for `output`, `results`): two `format` values that agree.
    body = wrapper(endpoint, LABEL_QUERY, fmt).queryAndConvert()
    assert isinstance(body, bytes)
    # TSV fields are RDF terms in Turtle syntax, not quoted CSV fields: no quote character.
    quoting = csv.QUOTE_MINIMAL if fmt == CSV else csv.QUOTE_NONE
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter, quoting=quoting))
    assert rows[0] == (["label"] if fmt == CSV else ["?label"])
    assert rows[1] == (["fentanyl"] if fmt == CSV else ['"fentanyl"@en'])


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_ask(endpoint: str, method: str) -> None:
    result = wrapper(endpoint, ASK_QUERY, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    assert result["boolean"] is True


def test_sparqlwrapper_ask_xml(endpoint: str) -> None:
    document = wrapper(endpoint, ASK_QUERY, XML).queryAndConvert()
    assert isinstance(document, Document)
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


def _routes(graph: rdflib.Graph) -> set[tuple[str, str]]:
    return {
        (str(s), str(o))
        for s in graph.subjects(rdflib.URIRef(DK.carries), rdflib.URIRef(FENTANYL))
        for o in graph.objects(s, rdflib.URIRef(DK.origin))
    }


def test_sparqlwrapper_construct_turtle(endpoint: str) -> None:
    body = wrapper(endpoint, CONSTRUCT_QUERY, TURTLE).queryAndConvert()
    assert isinstance(body, bytes)
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert (str(DKID["route-fentanyl-china-us-direct"]), str(DKID["china"])) in _routes(graph)


# SPARQLWrapper 2.0 builds its graph as an rdflib ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_construct_rdfxml(endpoint: str, method: str) -> None:
    graph = wrapper(endpoint, CONSTRUCT_QUERY, XML, method).queryAndConvert()
    assert isinstance(graph, rdflib.Graph)
    assert (str(DKID["route-fentanyl-mexico-us-direct"]), str(DKID["mexico"])) in _routes(graph)


# --- rdflib SPARQLStore ----------------------------------------------------------------------


@pytest.fixture
def remote_graph(endpoint: str) -> Iterator[rdflib.Graph]:
    store = SPARQLStore(query_endpoint=endpoint)
    graph = rdflib.Graph(store)
    yield graph
    graph.close()


def test_sparqlstore_select(remote_graph: rdflib.Graph) -> None:
    rows = list(remote_graph.query(LABEL_QUERY))
    assert [row[0] for row in rows] == [rdflib.Literal("fentanyl", lang="en")]  # type: ignore[index]


def test_sparqlstore_ask(remote_graph: rdflib.Graph) -> None:
    assert remote_graph.query(ASK_QUERY).askAnswer is True


def test_sparqlstore_construct(remote_graph: rdflib.Graph) -> None:
    result = remote_graph.query(CONSTRUCT_QUERY).graph
    assert result is not None
    assert (str(DKID["route-fentanyl-china-us-direct"]), str(DKID["china"])) in _routes(result)


# --- raw requests as Jena and Comunica send them ---------------------------------------------


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def test_jena_select_by_get(endpoint: str) -> None:
    response = httpx.get(endpoint, params={"query": LABEL_QUERY}, headers={"Accept": JENA_SELECT})
    assert response.status_code == 200, response.text
    assert _media_type(response) == "application/sparql-results+json"
    assert response.json()["results"]["bindings"][0]["label"]["value"] == "fentanyl"


def test_jena_ask_by_post_form(endpoint: str) -> None:
    response = httpx.post(endpoint, data={"query": ASK_QUERY}, headers={"Accept": JENA_ASK})
    assert response.status_code == 200, response.text
    assert _media_type(response) == "application/sparql-results+json"
    assert response.json()["boolean"] is True


def test_jena_construct_by_get(endpoint: str) -> None:
    response = httpx.get(
        endpoint, params={"query": CONSTRUCT_QUERY}, headers={"Accept": JENA_GRAPH}
    )
    assert response.status_code == 200, response.text
    assert _media_type(response) == "text/turtle"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert len(_routes(graph)) >= 2


def test_comunica_select_by_get_and_post_form(endpoint: str) -> None:
    headers = {"Accept": COMUNICA_BINDINGS}
    by_get = httpx.get(endpoint, params={"query": LABEL_QUERY}, headers=headers)
    # Comunica switches to a POST form for long queries; the answer must be the same.
    by_post = httpx.post(endpoint, data={"query": LABEL_QUERY + " " * 3000}, headers=headers)
    for response in (by_get, by_post):
        assert response.status_code == 200, response.text
        assert _media_type(response) == COMUNICA_BINDINGS
    assert by_get.json()["results"] == by_post.json()["results"]


def test_comunica_construct(endpoint: str) -> None:
    response = httpx.get(
        endpoint, params={"query": CONSTRUCT_QUERY}, headers={"Accept": COMUNICA_TRIPLES}
    )
    assert response.status_code == 200, response.text
    assert _media_type(response) == "text/turtle"
    assert len(_routes(rdflib.Graph().parse(data=response.text, format="turtle"))) >= 2


def test_post_direct_with_charset(endpoint: str) -> None:
    response = httpx.post(
        endpoint,
        content=LABEL_QUERY.encode(),
        headers={
            "Content-Type": "application/sparql-query; charset=UTF-8",
            "Accept": "application/sparql-results+xml",
        },
    )
    assert response.status_code == 200, response.text
    assert _media_type(response) == "application/sparql-results+xml"
    assert "fentanyl" in response.text


def test_curl_style_defaults(endpoint: str) -> None:
    """curl sends `Accept: */*`: SELECT gets JSON, CONSTRUCT gets Turtle."""
    select = httpx.get(endpoint, params={"query": LABEL_QUERY}, headers={"Accept": "*/*"})
    assert _media_type(select) == "application/sparql-results+json"
    json.loads(select.text)
    graph = httpx.get(endpoint, params={"query": CONSTRUCT_QUERY}, headers={"Accept": "*/*"})
    assert _media_type(graph) == "text/turtle"


def test_malformed_query_is_400_for_every_client(endpoint: str) -> None:
    response = httpx.get(
        endpoint, params={"query": "SELECT ?x WHERE { ?x"}, headers={"Accept": JENA_SELECT}
    )
    assert response.status_code == 400
    assert response.text.strip()
