"""The service description, the VoID description, the home page, the docs and the dump."""

from __future__ import annotations

import httpx
import pytest
from liveservers import LiveServer
from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat, Store, parse

from graph.vocabulary.namespace import GRAPH

pytestmark = pytest.mark.slow

PREFIXES = """
PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dks: <https://w3id.org/drugkg/service#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def load(response: httpx.Response, fmt: RdfFormat) -> Store:
    assert response.status_code == 200, response.text
    store = Store()
    store.extend(parse(response.content, fmt, base_iri="http://base.example/"))
    return store


def values(store: Store, query: str) -> list[str]:
    rows = store.query(PREFIXES + query)
    assert isinstance(rows, QuerySolutions)
    return sorted(
        term.value for row in rows for term in row if isinstance(term, NamedNode | Literal)
    )


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/rdf+xml", RdfFormat.RDF_XML),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/n-triples", RdfFormat.N_TRIPLES),
    ],
)
def test_service_description_by_content_negotiation(
    server: LiveServer, accept: str, fmt: RdfFormat
) -> None:
    response = httpx.get(server.sparql, headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == accept
    sd = load(response, fmt)
    assert values(sd, "SELECT ?e { ?s a sd:Service ; sd:endpoint ?e }") == [server.sparql]
    assert values(sd, "SELECT ?l { ?s sd:supportedLanguage ?l }") == [
        "http://www.w3.org/ns/sparql-service-description#SPARQL11Query"
    ]
    formats = values(sd, "SELECT ?f { ?s sd:resultFormat ?f }")
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/SPARQL_Results_TSV" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    assert "http://www.w3.org/ns/formats/JSON-LD" in formats
    assert len(formats) == 10
    assert values(sd, "SELECT ?f { ?s sd:feature ?f }") == [
        "http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery",
        "http://www.w3.org/ns/sparql-service-description#UnionDefaultGraph",
    ]
    assert values(sd, "SELECT ?t { ?s dks:queryTimeout ?t }") == ["2"]
    assert values(sd, "SELECT ?l { ?s dks:resultLimit ?l }") == []  # unlimited
    assert len(values(sd, "SELECT ?a { ?s dks:federationAllowed ?a }")) == 2
    named = values(sd, "SELECT ?g { ?s sd:defaultDataset/sd:namedGraph/sd:name ?g }")
    assert str(GRAPH["ontology"]) in named
    assert str(GRAPH["links"]) in named
    assert str(GRAPH["facts/thinkprogress-2017-doj-opioids"]) in named
    (triples,) = values(
        sd,
        f"SELECT ?n {{ ?s sd:namedGraph [ sd:name <{GRAPH['test-a']}> ; "
        "sd:graph/void:triples ?n ] }",
    )
    assert triples == "4"
    (union,) = values(sd, "SELECT ?n { ?s sd:defaultGraph/void:triples ?n }")
    assert int(union) > 1000


def test_service_description_format_parameter(server: LiveServer) -> None:
    response = httpx.get(server.sparql, params={"format": "ntriples"})
    assert response.headers["content-type"] == "application/n-triples"
    assert "sparql-service-description#Service" in response.text


def test_result_limit_is_in_the_service_description(limited_server: LiveServer) -> None:
    sd = load(httpx.get(limited_server.sparql, headers={"Accept": "text/turtle"}), RdfFormat.TURTLE)
    assert values(sd, "SELECT ?l { ?s dks:resultLimit ?l }") == ["5"]


def test_void_description(server: LiveServer) -> None:
    response = httpx.get(server.url + "/.well-known/void")
    assert response.headers["content-type"].startswith("text/turtle")
    void = load(response, RdfFormat.TURTLE)
    dataset = server.url + "/.well-known/void#drugkg"
    assert values(
        void,
        "SELECT ?d { ?doc a void:DatasetDescription ; "
        "<http://xmlns.com/foaf/0.1/primaryTopic> ?d }",
    ) == [dataset]
    assert values(void, f"SELECT ?e {{ <{dataset}> void:sparqlEndpoint ?e }}") == [server.sparql]
    assert values(void, f"SELECT ?e {{ <{dataset}> void:dataDump ?e }}") == [
        server.url + "/dump.nq"
    ]
    for prop in ("triples", "entities", "classes", "properties"):
        (count,) = values(void, f"SELECT ?n {{ <{dataset}> void:{prop} ?n }}")
        assert int(count) > 0, prop
    subsets = values(void, f"SELECT ?g {{ <{dataset}> void:subset ?g . ?g a void:Dataset }}")
    assert str(GRAPH["ontology"]) in subsets
    (test_a,) = values(void, f"SELECT ?n {{ <{GRAPH['test-a']}> void:entities ?n }}")
    assert test_a == "2"
    (classes,) = values(void, f"SELECT ?n {{ <{GRAPH['test-a']}> void:classes ?n }}")
    assert classes == "1"
    targets = values(
        void,
        f"SELECT ?title {{ <{dataset}> void:subset ?ls . ?ls a void:Linkset ; "
        "void:objectsTarget/dcterms:title ?title ; void:linkPredicate ?p ; void:triples ?n "
        "FILTER(?n > 0) }",
    )
    for name in ("Wikidata", "DBpedia", "ChEBI", "MeSH", "GeoNames"):
        assert name in targets, name
    spaces = values(
        void, "SELECT ?u { ?t a void:Dataset ; dcterms:title 'Wikidata' ; void:uriSpace ?u }"
    )
    assert spaces == ["http://www.wikidata.org/entity/"]


def test_void_link_counts_match_the_store(server: LiveServer) -> None:
    void = load(
        httpx.get(server.url + "/.well-known/void", params={"format": "turtle"}), RdfFormat.TURTLE
    )
    counted = values(
        void,
        "SELECT ?n { ?ls a void:Linkset ; void:objectsTarget/dcterms:title 'Wikidata' ; "
        "void:triples ?n }",
    )
    expected = httpx.post(
        server.sparql,
        data={
            "query": "SELECT ?p (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { "
            "GRAPH ?g { ?s ?p ?o } "
            "FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/entity/')) } } GROUP BY ?p"
        },
    ).json()["results"]["bindings"]
    assert sorted(counted) == sorted(row["n"]["value"] for row in expected)


def test_void_in_json_ld(server: LiveServer) -> None:
    response = httpx.get(
        server.url + "/.well-known/void", headers={"Accept": "application/ld+json"}
    )
    void = load(response, RdfFormat.JSON_LD)
    assert values(void, "SELECT ?e { ?d void:sparqlEndpoint ?e }") == [server.sparql]


def test_home_page(server: LiveServer) -> None:
    response = httpx.get(server.url + "/")
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for link in ('href="/sparql"', 'href="/.well-known/void"', 'href="/docs"'):
        assert link in page
    assert str(GRAPH["test-a"]) in page
    assert "<script" not in page
    assert "http" not in page.split("<body>")[1].replace("https://w3id.org/drugkg/", "")


def test_docs_work_offline(server: LiveServer) -> None:
    page = httpx.get(server.url + "/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn." not in page
    assert httpx.get(server.url + "/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert httpx.get(server.url + "/static/swagger-ui/swagger-ui.css").status_code == 200
    assert httpx.get(server.url + "/redoc").status_code == 404


def test_openapi_describes_sparql(server: LiveServer) -> None:
    schema = httpx.get(server.url + "/openapi.json").json()
    sparql = schema["paths"]["/sparql"]
    assert {"get", "post"} <= set(sparql)
    assert "application/sparql-query" in sparql["post"]["requestBody"]["content"]
    assert "/.well-known/void" in schema["paths"]


def test_dump(server: LiveServer) -> None:
    response = httpx.get(server.url + "/dump.nq")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-quads")
    quads = list(parse(response.content, RdfFormat.N_QUADS))
    assert any(q.graph_name == NamedNode(str(GRAPH["test-b"])) for q in quads)
