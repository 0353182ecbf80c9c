"""A named graph at /graph/<name>: its content as a download, or a page with its numbers.

`/graph/links` answers with Turtle, N-Triples, RDF/XML or JSON-LD by content negotiation (or
`?format=`), and a file extension picks the format too: `/graph/links.ttl`,
`/graph/facts/<doc-id>.nt`. Browsers get a small page with the graph's VoID numbers and
the download links.
"""

from __future__ import annotations

from dataclasses import dataclass

from endpoint import templating
from endpoint.linkeddata.negotiation import ALTERNATES
from endpoint.linkeddata.query import iri_ref
from graph.storage.statistics import GraphStats

_BY_EXTENSION = {name: media for media, name in ALTERNATES}


@dataclass(frozen=True, slots=True)
class GraphRequest:
    name: str
    """The graph's name under the base (`links`, `facts/<doc-id>`)."""
    extension: str | None
    """The format named by a file extension on the path, when there is one."""


def parse_name(path: str, known: set[str]) -> GraphRequest | None:
    """`links.ttl` -> (links, ttl); None when no known graph has that name."""
    if path in known:
        return GraphRequest(path, None)
    stem, dot, ext = path.rpartition(".")
    if dot and stem in known and ext in _BY_EXTENSION:
        return GraphRequest(stem, ext)
    return None


def construct(graph_iri: str) -> str:
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(graph_iri)} {{ ?s ?p ?o }} }}"


def render(stats: GraphStats, name: str) -> str:
    numbers = (
        ("triples", stats.triples),
        ("entities (distinct IRI subjects)", stats.entities),
        ("classes", stats.classes),
        ("properties", stats.properties),
    )
    downloads = [(media, f"/graph/{name}.{ext}") for media, ext in ALTERNATES]
    return templating.render(
        "graph.html",
        title=f"Named graph {name}",
        iri=stats.name,
        numbers=numbers,
        downloads=downloads,
    )
