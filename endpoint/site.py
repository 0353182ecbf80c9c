"""The human-facing pages that are not a drugkg IRI: the home page and the API docs.

The home page is the entry point: the key question (the gallery's first) one click from its
answer, the source
documents, the entities the sources speak of most, the ontology, the named graphs (the
build's own, each source document with its statement graphs, and datasets loaded beside
them), and every way in (query page, endpoint, VoID, API). Its figures come from the store's
counts (`graph.storage.statistics`) and two small queries, once per store version.

/docs is Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes), served from the
`swagger-ui-dist` files the set-up installs under endpoint/vendor/swagger-ui (no CDN); where
they are missing, the page lists the operations of the OpenAPI document itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from endpoint import templating
from endpoint.linkeddata.pages import Shown, local_url, shown
from endpoint.linkeddata.query import select
from endpoint.querypage.page import page_config
from graph.storage.statistics import GraphStats, StoreStats
from graph.vocabulary.namespace import DK, OA, RDFS, SDO

if TYPE_CHECKING:
    from endpoint.linkeddata.query import Evaluator

SWAGGER_PREFIX = "/static/swagger-ui"
SWAGGER_DIR = templating.VENDOR_DIR / "swagger-ui"
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")

LARGEST_CLASSES = (
    "SELECT ?class (COUNT(*) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) "
    "LIMIT 10"
)

SOURCES = f"""SELECT ?doc (SAMPLE(?l) AS ?label) (SAMPLE(?pl) AS ?publisher)
  (SAMPLE(?d) AS ?published) (COUNT(DISTINCT ?q) AS ?quotes)
WHERE {{ ?doc <{SDO.text}> ?text
  OPTIONAL {{ ?doc <{RDFS.label}> ?l }}
  OPTIONAL {{ ?doc <{DK.publishedBy}>/<{RDFS.label}> ?pl }}
  OPTIONAL {{ ?doc <{SDO.datePublished}> ?d }}
  OPTIONAL {{ ?q <{OA.hasSource}> ?doc }} }}
GROUP BY ?doc ORDER BY ?doc"""

MENTIONED = f"""SELECT ?e (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?g) AS ?n)
WHERE {{ ?g a <{DK.StatementGraph}> .
  GRAPH ?g {{ {{ ?e ?p ?o }} UNION {{ ?s ?p ?e }} }}
  GRAPH <%(entities)s> {{ ?e <{RDFS.label}> ?l FILTER(LANG(?l) IN ("en", "")) }} }}
GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 8"""
"""The shared entities (substances, places, organisations, people, policies) the most
statement graphs speak of."""


@dataclass(frozen=True, slots=True)
class Source:
    link: Shown
    publisher: str | None
    published: str | None
    quotes: int


@dataclass
class Document:
    """A source document's graph and its statement graphs."""

    name: str
    graph: GraphStats
    statements: list[GraphStats] = field(default_factory=list)

    @property
    def statement_triples(self) -> int:
        return sum(g.triples for g in self.statements)


@dataclass
class Graphs:
    """The named graphs, as a newcomer reads them."""

    build: list[tuple[str, GraphStats]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    other: list[GraphStats] = field(default_factory=list)


def sorted_graphs(stats: StoreStats, base: str) -> Graphs:
    prefix = base + "graph/"
    out = Graphs()
    documents: dict[str, Document] = {}
    statements: list[tuple[str, GraphStats]] = []
    for graph in stats.graphs:
        name = (graph.name or "").removeprefix(prefix)
        if name == graph.name:
            out.other.append(graph)
        elif name.startswith("facts/") and name.count("/") == 1:
            documents[name] = Document(name, graph)
        elif name.startswith("facts/"):
            statements.append((name.rsplit("/", 1)[0], graph))
        elif name in ("ontology", "entities", "links", "inferred"):
            out.build.append((name, graph))
        else:
            out.other.append(graph)
    for parent, graph in statements:
        if parent in documents:
            documents[parent].statements.append(graph)
        else:
            out.other.append(graph)
    out.documents = list(documents.values())
    return out


async def home_page(
    pool: Evaluator, stats: StoreStats, *, base: str, union_default_graph: bool
) -> str:
    sources = [
        Source(
            shown(r["doc"], r.get("label"), base),
            r["publisher"].value if "publisher" in r else None,
            r["published"].value if "published" in r else None,
            int(r["quotes"].value),
        )
        for r in await select(pool, SOURCES)
    ]
    entities = [
        (shown(r["e"], r.get("label"), base), int(r["n"].value))
        for r in await select(pool, MENTIONED % {"entities": base + "graph/entities"})
    ]
    config = page_config(base)
    examples = config["examples"]
    kinds = [t["kind"] for t in config["terms"]]
    key = examples[0]  # the gallery's first question: what a reader asks first
    return templating.render(
        "home.html",
        title="drugkg",
        stats=stats,
        graphs=sorted_graphs(stats, base),
        graph_url=lambda g: _graph_url(g, base),
        union_default_graph=union_default_graph,
        sources=sources,
        entities=entities,
        classes=kinds.count("class"),
        properties=kinds.count("property"),
        key=key,
        key_url="/query?" + urlencode({"example": key["name"]}),
        examples=len(examples),
        largest_classes="/query?" + urlencode({"query": LARGEST_CLASSES, "run": "1"}),
    )


def _graph_url(graph: GraphStats, base: str) -> str | None:
    """A named graph's page here, for the graphs under the base; None for any other."""
    name = graph.name or ""
    return local_url(name, base) if name.startswith(base + "graph/") else None


def docs_page(schema: dict[str, Any], folder: Path = SWAGGER_DIR) -> str:
    """Swagger UI over /openapi.json, or the operations listed when its files (in `folder`)
    are missing."""
    operations = [
        (method.upper(), path, operation.get("summary", ""))
        for path, item in schema.get("paths", {}).items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "delete", "head", "patch")
    ]
    return templating.render(
        "docs.html",
        title=f"{schema['info']['title']} HTTP API",
        swagger=all((folder / name).is_file() for name in SWAGGER_FILES),
        prefix=SWAGGER_PREFIX,
        openapi_url="/openapi.json",
        version=schema["info"].get("version", ""),
        operations=operations,
    )
