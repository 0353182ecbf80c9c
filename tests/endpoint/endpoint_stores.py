"""Stores the endpoint tests serve, written with the build's own atomic store writer.

The article store holds the repository's ontology, entities, facts and links in their named graphs
(the graphs a `drugkg build` writes, without the slow reasoning and validation steps, which
the build's own tests cover), plus two small fixture graphs with known content for the
protocol's dataset semantics. The large store is synthetic: enough rows to stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from graph.paths import ENTITIES_DIR, FACTS_DIR, LINKS_DIR, ONTOLOGY_FILE
from graph.storage.versions import write_dump, write_store
from graph.vocabulary.namespace import GRAPH, RDF, RDFS

EX = "http://example.org/test/"
GRAPH_A = NamedNode(str(GRAPH["test-a"]))
GRAPH_B = NamedNode(str(GRAPH["test-b"]))


def _node(term: object) -> NamedNode:
    return NamedNode(str(term))


def _file_quads(path: Path, graph: NamedNode) -> Iterator[Quad]:
    for quad in parse(path=path, format=RdfFormat.TURTLE):
        yield Quad(quad.subject, quad.predicate, quad.object, graph)


def fixture_quads() -> Iterator[Quad]:
    """Graph test-a: ex:a1 and ex:a2 (labels "alpha one", "alpha two"); test-b: ex:b1."""
    label = _node(RDFS.label)
    thing = NamedNode(EX + "Thing")
    for name, text, graph in (
        ("a1", "alpha one", GRAPH_A),
        ("a2", "alpha two", GRAPH_A),
        ("b1", "beta one", GRAPH_B),
    ):
        yield Quad(NamedNode(EX + name), label, Literal(text, language="en"), graph)
        yield Quad(NamedNode(EX + name), _node(RDF.type), thing, graph)


def article_quads() -> Iterator[Quad]:
    yield from _file_quads(ONTOLOGY_FILE, _node(GRAPH["ontology"]))
    for entities in sorted(ENTITIES_DIR.glob("*.ttl")):
        yield from _file_quads(entities, _node(GRAPH["entities"]))
    for facts in sorted(FACTS_DIR.glob("*.trig")):  # the document graph and statement graphs
        yield from parse(path=facts, format=RdfFormat.TRIG)
    for links in sorted(LINKS_DIR.glob("*.ttl")):
        yield from _file_quads(links, _node(GRAPH["links"]))
    yield from fixture_quads()


def write_article_store(store: Path, dump: Path) -> None:
    write_store(store, article_quads())
    write_dump(dump, Store.read_only(str(store)))


def synthetic_quads(rows: int) -> Iterator[Quad]:
    """`rows` resources with one label each, in graph `synthetic`."""
    graph = _node(GRAPH["synthetic"])
    label = _node(RDFS.label)
    for i in range(rows):
        yield Quad(NamedNode(f"{EX}item/{i}"), label, Literal(f"item number {i}"), graph)


def write_synthetic_store(store: Path, rows: int) -> None:
    write_store(store, synthetic_quads(rows))
