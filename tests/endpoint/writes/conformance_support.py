"""A writable drugkg on loopback for the write conformance and client tests, and the W3C suite.

    start_writable(root, **settings)   `python -m endpoint` over a new empty store, writable,
                                       with a fresh write token and the standard dataset
                                       semantics (the default graph is the store's own, not
                                       the union of the named graphs)
    WriteServer                        its URLs, token, and the requests the tests send
    suite_dir()                        the W3C SPARQL 1.1 suite (DRUGKG_SHARED_DIR), as the
                                       query conformance tests find it
    suite_missing()                    skip (fail with CI=true) when it is absent
    dataset_of(...), same_dataset()    RDF datasets read back over HTTP, compared up to
                                       blank-node renaming (pyoxigraph's canonicalisation)

Each test module starts its own server from a module fixture, so the files of this folder
never share a store.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from liveservers import start_drugkg, unavailable
from writeclient import HTTP_TIMEOUT, Writable, new_token

from graph.settings import Settings
from graph.storage.versions import write_store

JSON_RESULTS = "application/sparql-results+json"
AUDIT_GRAPH = "https://w3id.org/drugkg/graph/audit"
"""The graph every accepted write is recorded in (`graph.storage.loading.AUDIT_GRAPH`)."""

_REPO = Path(__file__).resolve().parents[3]


class WriteServer(Writable):
    """A writable server over an empty store, with what the conformance tests read back."""

    def select(self, query: str) -> list[dict[str, ox.Term]]:
        response = httpx.post(
            self.sparql,
            data={"query": query},
            headers={"accept": JSON_RESULTS},
            timeout=HTTP_TIMEOUT,
        )
        assert response.status_code == 200, response.text
        solutions = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [
            {name: term for name in names if (term := row[name]) is not None} for row in solutions
        ]

    def graphs(self) -> list[str]:
        """The named graphs of the store (empty ones too), the audit graph left out."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
        return sorted(r["g"].value for r in rows if r["g"].value != AUDIT_GRAPH)

    def dataset(self) -> ox.Dataset:
        """Every quad of the store but the audit graph's, read in one SELECT so that a blank
        node shared by two graphs stays one node."""
        rows = self.select(
            "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION "
            f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{AUDIT_GRAPH}>) }} }}"
        )
        quads = []
        for row in rows:
            graph = row.get("g")
            quads.append(
                ox.Quad(
                    row["s"],  # type: ignore[arg-type]
                    row["p"],  # type: ignore[arg-type]
                    row["o"],
                    graph if isinstance(graph, ox.NamedNode) else ox.DefaultGraph(),
                )
            )
        return ox.Dataset(quads)

    def reset(self) -> None:
        """Empty the store (its default graph and every named graph but the audit graph), in
        one update, when there is anything to remove."""
        graphs = self.graphs()
        if not graphs and not self._default_has_data():
            return
        text = " ;\n".join([*(f"DROP GRAPH <{g}>" for g in graphs), "CLEAR DEFAULT"])
        response = self.update(text)
        assert response.status_code == 200, f"could not empty the store: {response.text}"

    def _default_has_data(self) -> bool:
        """The store's own default graph holds a triple (read with the Graph Store Protocol:
        a query's default graph may be the union of the named graphs)."""
        response = httpx.get(
            self.gsp + "?default", headers={"accept": "application/n-triples"}, timeout=HTTP_TIMEOUT
        )
        assert response.status_code == 200, response.text
        return bool(response.content.strip())


def start_writable(root: Path, **settings: str) -> WriteServer:
    """A writable server over a new empty store under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    store = root / "store"
    write_store(store, [])
    token, token_file = new_token(root)
    live = start_drugkg(
        store,
        root,
        writable="true",
        write_token_file=str(token_file),
        **{"union_default_graph": "false", "dump": str(root / "drugkg.nq"), **settings},
    )
    return WriteServer(live, token, store)


def writable_fixture(
    factory: pytest.TempPathFactory, name: str, **settings: str
) -> Iterator[WriteServer]:
    """Body of a module fixture: a writable server, stopped afterwards."""
    server = start_writable(factory.mktemp(name), **settings)
    try:
        yield server
    finally:
        server.live.stop()


def suite_dir() -> Path:
    """The W3C SPARQL 1.1 suite, where tests/conformance finds it."""
    shared = Settings().shared_dir
    return (shared if shared.is_absolute() else _REPO / shared) / "conformance" / "sparql11"


def suite_missing(reason: str) -> None:
    """Skip with `reason` (the suite is absent), or fail when running in CI."""
    unavailable(reason)


def read_rdf(data: bytes, media_type: str, base_iri: str | None = None) -> ox.Dataset:
    """A response body as a dataset (its triples in the default graph)."""
    fmt = ox.RdfFormat.from_media_type(media_type.split(";", 1)[0].strip())
    assert fmt is not None, f"not an RDF media type: {media_type!r}"
    return ox.Dataset(ox.parse(io.BytesIO(data), format=fmt, base_iri=base_iri))


def dataset_of(files: Iterable[tuple[Path, str, str | None]]) -> ox.Dataset:
    """A dataset of suite files: (path, base IRI, graph name or None for the default)."""
    quads: list[ox.Quad] = []
    for path, base, graph in files:
        fmt = ox.RdfFormat.from_extension(path.suffix[1:])
        assert fmt is not None, f"unknown RDF file extension: {path}"
        name: ox.NamedNode | ox.DefaultGraph = (
            ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
        )
        for quad in ox.parse(path=str(path), format=fmt, base_iri=base):
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, name))
    return ox.Dataset(quads)


def same_dataset(expected: ox.Dataset, actual: ox.Dataset) -> str | None:
    """None when the datasets are isomorphic, else what differs (a few quads each way)."""
    left, right = ox.Dataset(expected), ox.Dataset(actual)
    left.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    right.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    missing = {str(q) for q in left} - {str(q) for q in right}
    extra = {str(q) for q in right} - {str(q) for q in left}
    if not missing and not extra:
        return None
    return (
        f"expected {len(left)} quads, got {len(right)}; missing {sorted(missing)[:5]}, "
        f"unexpected {sorted(extra)[:5]}"
    )
