"""What the store holds, counted once per build for the home page, service and VoID.

Counting a large store takes a while (tens of seconds at a million triples), so the counts are
kept beside the store's directory in `<directory>.stats.json`, keyed by the build id: the
first server process to start counts, the others (and later restarts) read the file. The build
removes the file together with the store version it describes.

Counts per named graph (triples, entities = distinct IRI subjects, classes, properties), for
the union of the named graphs (distinct triples: a triple in two graphs counts once), and
link sets: triples whose object lies in an external dataset's IRI space, per predicate.
The queries hold on a remote store too: `!isBlank` beside `isIRI` is for Virtuoso 7, whose
isIRI is true of blank nodes inside an expression (it is right in a FILTER of its own).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolution, QuerySolutions, Store

from graph.errors import StoreMissingError
from graph.linking.linkset import EXTERNAL_DATASETS, ExternalDataset

log = logging.getLogger("drugkg.endpoint")


@dataclass(frozen=True, slots=True)
class GraphStats:
    name: str | None
    """The graph's IRI; None for the union of the named graphs."""
    triples: int
    entities: int
    classes: int
    properties: int


@dataclass(frozen=True, slots=True)
class LinkSet:
    target: ExternalDataset
    predicate: str
    triples: int


@dataclass(frozen=True, slots=True)
class StoreStats:
    build_id: str
    graphs: tuple[GraphStats, ...]
    union: GraphStats
    default_graph_triples: int
    """Triples in the store's own default graph (empty in a drugkg build)."""
    linksets: tuple[LinkSet, ...]


_PER_GRAPH = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?c) AS ?classes)
WHERE { GRAPH ?g { ?s ?p ?o
        BIND(IF(isIRI(?s) && !isBlank(?s), ?s, ?unbound) AS ?e)
        BIND(IF(?p = <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>, ?o, ?unbound) AS ?c) } }
GROUP BY ?g
"""

_UNION = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?c) AS ?classes)
WHERE { { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }
        BIND(IF(isIRI(?s) && !isBlank(?s), ?s, ?unbound) AS ?e)
        BIND(IF(?p = <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>, ?o, ?unbound) AS ?c) }
"""

DEFAULT_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
"""The size of the store's own default graph."""

DEFAULT = ""
"""The key of the store's default graph in per-graph tables (`quads_per_graph`)."""
_QUADS_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def quads_per_graph(store: Store) -> dict[str, int]:
    """Quads per named graph that holds any, and in the default graph (key `DEFAULT`) when it
    holds any: what a write changed (`graph.storage.writes`) and what a publish must find on
    the remote (`graph.storage.publish`)."""
    counts: dict[str, int] = {}
    for row in _rows(store, _QUADS_PER_GRAPH):
        graph, n = row["g"], row["n"]
        if isinstance(graph, NamedNode) and isinstance(n, Literal):
            counts[graph.value] = int(n.value)
    for row in _rows(store, DEFAULT_GRAPH_SIZE):
        n = row["n"]
        if isinstance(n, Literal) and int(n.value):
            counts[DEFAULT] = int(n.value)
    return counts


_LINKS = """
SELECT ?space ?p (COUNT(*) AS ?n)
WHERE { { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(isIRI(?o)) } } }
        VALUES ?space { %s }
        FILTER(STRSTARTS(STR(?o), ?space)) }
GROUP BY ?space ?p ORDER BY ?space ?p
"""


def build_id(store_path: Path) -> str:
    """A name for this build of the store: the versioned directory (the one a store symlink
    points at), or else the directory's name and modification time."""
    directory = store_path.resolve()
    if ".build-" in directory.name:
        return directory.name
    return f"{directory.name}-{directory.stat().st_mtime_ns:x}"


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


def _rows(store: Store, query: str) -> QuerySolutions:
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    return result


Rows = Callable[[str], Iterable[QuerySolution]]
"""How the counting queries are evaluated: over the store as it is (no union default graph),
a local store or a remote one (`endpoint.execution.remote`)."""


def compute(store_path: Path) -> StoreStats:
    if not store_path.exists():
        raise StoreMissingError(store_path)
    store = Store.read_only(str(store_path))
    return count(lambda query: _rows(store, query), build_id(store_path))


def count(rows: Rows, build: str) -> StoreStats:
    """The counts of a store whose queries `rows` evaluates, under the build id `build`."""
    graphs = []
    for row in rows(_PER_GRAPH):
        graph = row["g"]
        graphs.append(
            GraphStats(
                name=graph.value if isinstance(graph, NamedNode) else str(graph),
                triples=_int(row["triples"]),
                entities=_int(row["entities"]),
                classes=_int(row["classes"]),
                properties=_int(row["properties"]),
            )
        )
    graphs.sort(key=lambda g: g.name or "")
    (row,) = list(rows(_UNION))
    union = GraphStats(
        None,
        _int(row["triples"]),
        _int(row["entities"]),
        _int(row["classes"]),
        _int(row["properties"]),
    )
    (default,) = list(rows(DEFAULT_GRAPH_SIZE))
    spaces = " ".join(f'"{d.uri_space}"' for d in EXTERNAL_DATASETS)
    by_space = {d.uri_space: d for d in EXTERNAL_DATASETS}
    linksets = []
    for link in rows(_LINKS % spaces):
        space, predicate = link["space"], link["p"]
        if isinstance(space, Literal) and isinstance(predicate, NamedNode):
            linksets.append(LinkSet(by_space[space.value], predicate.value, _int(link["n"])))
    return StoreStats(
        build_id=build,
        graphs=tuple(graphs),
        union=union,
        default_graph_triples=_int(default["n"]),
        linksets=tuple(linksets),
    )


def stats_file(store_path: Path) -> Path:
    """Where the counts of this version of the store are kept: beside its directory."""
    directory = store_path.resolve()
    return directory.with_name(f"{directory.name}.stats.json")


def kept(store_path: Path) -> StoreStats | None:
    """The counts kept beside this version of the store, if they are there."""
    try:
        stats = _from_json(json.loads(stats_file(store_path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stats if stats.build_id == build_id(store_path) else None


def load_or_compute(store_path: Path) -> StoreStats:
    """The counts of the store's current build: from its stats file, else counted (and kept)."""
    if not store_path.exists():
        raise StoreMissingError(store_path)
    path = stats_file(store_path)
    current = build_id(store_path)
    try:
        kept = _from_json(json.loads(path.read_text(encoding="utf-8")))
        if kept.build_id == current:
            return kept
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent, unreadable or of another version: count again
    stats = compute(store_path)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(_to_json(stats)), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:  # a read-only location: count again next time
        log.warning("could not keep the store's counts in %s: %s", path, error)
        temporary.unlink(missing_ok=True)
    return stats


def _to_json(stats: StoreStats) -> dict[str, object]:
    data = asdict(stats)
    data["linksets"] = [
        {"target": ls.target.key, "predicate": ls.predicate, "triples": ls.triples}
        for ls in stats.linksets
    ]
    return data


def _from_json(data: dict[str, Any]) -> StoreStats:
    datasets = {d.key: d for d in EXTERNAL_DATASETS}
    return StoreStats(
        build_id=str(data["build_id"]),
        graphs=tuple(GraphStats(**g) for g in data["graphs"]),
        union=GraphStats(**data["union"]),
        default_graph_triples=int(data["default_graph_triples"]),
        linksets=tuple(
            LinkSet(datasets[ls["target"]], str(ls["predicate"]), int(ls["triples"]))
            for ls in data["linksets"]
        ),
    )


def count_current(store: Path) -> None:
    """Count the store's current version and keep the counts beside it, again as long as a
    newer version without counts has taken its place meanwhile (the write process runs this
    in a process of its own, at low priority, after writes: `endpoint.execution.writer`).
    One runs at a time (a lock beside the store); one started meanwhile waits for it and then
    counts what is current. A version whose counts cannot be kept (a full disk) is counted
    once, not again."""
    import fcntl

    from graph.storage.versions import hold_version

    lock = store.with_name(f".{store.name}.count.lock")
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        counted: Path | None = None
        while True:
            hold = hold_version(store)
            try:
                if kept(hold.version) is not None or hold.version.resolve() == counted:
                    return
                load_or_compute(hold.version)
                counted = hold.version.resolve()
            finally:
                hold.release()


if __name__ == "__main__":
    import sys

    os.nice(10)
    count_current(Path(sys.argv[1]))
