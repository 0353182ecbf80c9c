"""`drugkg load --graph IRI FILE`: an external dataset in its own named graph of the store.

The file (N-Triples, Turtle, RDF/XML, N-Quads' triples..., chosen by its extension) is parsed whole
before anything is written, then a new store version is written with the old store's quads, minus
whatever that graph held before, plus the file's triples in the graph, and swapped in atomically
like a build (`graph.storage.versions.write_store`); the dump is rewritten too. A parse error or a
refused graph name leaves the store exactly as it was.

The graphs the build writes (`<base>graph/...`) are refused: a load must never overwrite the
article's graphs. Every other named graph of the store is a loaded dataset, and a rebuild keeps
it (`loaded_quads`): the build writes its own graphs anew and carries the loaded ones over, as
they were, without checking them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from graph.errors import InputError
from graph.settings import Settings
from graph.storage.versions import open_read_only, write_dump, write_store, writer_lock

_FORMATS = {
    ".nt": RdfFormat.N_TRIPLES,
    ".ttl": RdfFormat.TURTLE,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
    ".n3": RdfFormat.N3,
}


@dataclass(frozen=True, slots=True)
class LoadReport:
    graph: str
    triples: int
    replaced: int
    """Quads the graph held before, now replaced."""
    store_quads: int


def rdf_format(path: Path) -> RdfFormat:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise InputError(f"unknown RDF file type; use one of {known}", file=path) from None


def read_triples(path: Path) -> list[Quad]:
    """Every triple of an RDF file (as default-graph quads); InputError names file and line."""
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    try:
        return list(parse(path=str(path), format=fmt))
    except SyntaxError as exc:
        raise InputError(f"not valid {fmt.name}: {exc.msg}", file=path, line=exc.lineno) from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read: {exc}", file=path) from exc


def check_graph_name(iri: str, settings: Settings) -> NamedNode:
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https", "urn") or not (parts.netloc or parts.path):
        raise InputError(f"the graph name must be an absolute http(s) or urn IRI, not {iri!r}")
    try:
        graph = NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"the graph name {iri!r} is not a valid IRI: {exc}") from exc
    if is_build_graph(graph, settings):
        raise InputError(f"{iri} is a graph the build writes; load external data under another IRI")
    return graph


def load(settings: Settings, graph_iri: str, path: Path) -> LoadReport:
    """Load the file's triples into the named graph; one writer at a time (`writer_lock`)."""
    graph = check_graph_name(graph_iri, settings)
    triples = read_triples(path)
    with writer_lock(settings.store, f"drugkg load --graph {graph_iri}"):
        old = open_read_only(settings.store)
        kept = [q for q in old if q.graph_name != graph]
        replaced = len(old) - len(kept)
        del old
        new = {Quad(q.subject, q.predicate, q.object, graph) for q in triples}
        write_store(settings.store, [*kept, *new])
        store = Store.read_only(str(settings.store))
        write_dump(settings.dump_path, store)
        return LoadReport(graph_iri, len(new), replaced, len(store))


AUDIT_GRAPH = "graph/audit"
"""The audit graph, below the base IRI: written by the endpoint's writer, kept by builds."""


def is_build_graph(graph: NamedNode | str, settings: Settings | str) -> bool:
    """Whether `graph` is one the build writes (ontology, entities, facts/..., links,
    inferred); the audit graph, below the same base, is not one of them."""
    base = settings if isinstance(settings, str) else settings.base_iri
    name = graph if isinstance(graph, str) else graph.value
    return name.startswith(base + "graph/") and name != base + AUDIT_GRAPH


def loaded_quads(settings: Settings) -> list[Quad]:
    """What a build keeps of the current store: the graphs `load` and HTTP writes put in it,
    the audit graph and the store's default graph (none when there is no store)."""
    if not settings.store.exists():
        return []
    store = open_read_only(settings.store)
    return [
        q
        for q in store
        if not (isinstance(q.graph_name, NamedNode) and is_build_graph(q.graph_name, settings))
    ]
