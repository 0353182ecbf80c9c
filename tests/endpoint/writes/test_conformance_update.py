"""The W3C SPARQL 1.1 Update tests, run over HTTP against a live writable drugkg.

For each evaluation test of `manifest-sparql11-update.ttl` (add, basic-update, clear, copy,
delete-data, delete-insert, delete-where, delete, drop, move, update-silent): the store is
emptied; the test's `ut:data` is PUT into the default graph and each `ut:graphData` into the
graph its label names, with the Graph Store Protocol; the `ut:request` is POSTed to /sparql
with the write token; then the whole dataset is read back in one SELECT (the audit graph, which
records every write, left out) and compared with the expected `mf:result` up to blank-node
renaming, and each expected graph is read with a Graph Store Protocol GET and compared too.
The syntax tests are POSTed too: a negative one must get 400 and change nothing; a positive
one must not be refused as malformed.

Every evaluation test passes. Five positive syntax tests LOAD from the web: drugkg reads them
as SPARQL and refuses to run them (the allow-list), which `SYNTAX_REFUSALS` expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from _pytest.mark import ParameterSet
from conformance_support import (
    HTTP_TIMEOUT,
    WriteServer,
    dataset_of,
    read_rdf,
    same_dataset,
    suite_dir,
    suite_missing,
    writable_fixture,
)
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

pytestmark = [pytest.mark.conformance, pytest.mark.slow]

SUITE_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
UPDATE_MANIFEST = "manifest-sparql11-update.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

_LOAD_REASON = (
    "LOAD reaches only allow-listed sources (DESIGN.md, Service: outgoing federation only to "
    "allow-listed endpoints; DRUGKG_FEDERATION_ALLOWLIST is empty here): the guard refuses a "
    "LOAD before it runs, with 400 (a LOAD SILENT it refuses succeeds and changes nothing)"
)
SYNTAX_REFUSALS = {
    **{f"syntax-update-1/test_{n}": _LOAD_REASON for n in (1, 2, 3, 4, 37)},
}
"""Positive syntax tests whose updates drugkg accepts as SPARQL and then refuses to run, by
design (a LOAD from outside the allow-list): they pass when refused so, never as malformed."""


@dataclass(frozen=True)
class GraphFile:
    path: Path
    iri: str
    """The file's IRI in the suite: the base its relative IRIs resolve against."""
    graph: str | None
    """The graph it fills; None: the default graph."""


@dataclass(frozen=True)
class UpdateCase:
    id: str
    kind: str
    """`evaluation`, `positive` or `negative` (syntax)."""
    request: GraphFile
    before: tuple[GraphFile, ...] = ()
    after: tuple[GraphFile, ...] = ()


def _local(root: Path, iri: str) -> GraphFile:
    assert iri.startswith(SUITE_BASE), f"{iri} is outside the suite base {SUITE_BASE}"
    path = root / iri.removeprefix(SUITE_BASE)
    assert path.is_file(), f"{iri}: no file at {path}"
    return GraphFile(path, iri, None)


def _graph_files(root: Path, graph: Graph, node: Node | None) -> tuple[GraphFile, ...]:
    if node is None:
        return ()
    files = [_local(root, str(data)) for data in graph.objects(node, UT.data)]
    for entry in graph.objects(node, UT.graphData):
        data = graph.value(entry, UT.graph)
        label = graph.value(entry, RDFS.label)
        assert data is not None, f"a ut:graphData without ut:graph in {node}"
        local = _local(root, str(data))
        files.append(GraphFile(local.path, local.iri, str(label or data)))
    return tuple(files)


def _test_id(iri: str) -> str:
    folder, _, name = iri.removeprefix(SUITE_BASE).partition("/manifest")
    return f"{folder}/{name.lstrip('#').removeprefix('.ttl#')}"


_KINDS = {
    MF.UpdateEvaluationTest: "evaluation",
    MF.PositiveUpdateSyntaxTest11: "positive",
    MF.NegativeUpdateSyntaxTest11: "negative",
    MF.NegativeSyntaxTest11: "negative",  # delete-insert types its bad updates so
}


def update_cases(root: Path, manifest: Path) -> Iterator[UpdateCase]:
    graph = Graph()
    graph.parse(
        manifest, format="turtle", publicID=SUITE_BASE + manifest.relative_to(root).as_posix()
    )
    for top in graph.subjects(RDF.type, MF.Manifest):
        include = graph.value(top, MF.include)
        if include is not None:
            for child in Collection(graph, include):
                yield from update_cases(root, _local(root, str(child)).path)
        entries = graph.value(top, MF.entries)
        for entry in Collection(graph, entries) if entries is not None else []:
            kinds = [_KINDS[t] for t in graph.objects(entry, RDF.type) if t in _KINDS]
            if not kinds:
                continue
            action = graph.value(entry, MF.action)
            assert action is not None, f"{entry}: no mf:action"
            if kinds[0] != "evaluation":
                yield UpdateCase(_test_id(str(entry)), kinds[0], _local(root, str(action)))
                continue
            request = graph.value(action, UT.request)
            assert isinstance(request, URIRef), f"{entry}: no ut:request"
            yield UpdateCase(
                _test_id(str(entry)),
                "evaluation",
                _local(root, str(request)),
                _graph_files(root, graph, action),
                _graph_files(root, graph, graph.value(entry, MF.result)),
            )


def _params() -> list[ParameterSet]:
    root = suite_dir()
    manifest = root / UPDATE_MANIFEST
    if not manifest.is_file():
        reason = f"the W3C SPARQL 1.1 suite is not at {root} (set DRUGKG_SHARED_DIR)"
        return [pytest.param(None, reason, id="suite-missing")]
    return [pytest.param(case, "", id=case.id) for case in update_cases(root, manifest)]


@pytest.fixture(scope="module")
def update_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteServer]:
    """The server, after one write: the audit graph exists from a store's first write on, so
    every test (whichever runs first) meets the store as it is once in use."""
    for server in writable_fixture(tmp_path_factory, "update-conformance"):
        first = server.update("# the first write: it makes the audit graph\n")
        assert first.status_code == 200, first.text
        yield server


def _load(server: WriteServer, files: tuple[GraphFile, ...]) -> None:
    """Each file into its graph with a Graph Store Protocol PUT (POST for a second file of
    the same graph), its base made explicit: HTTP carries none."""
    seen: set[str | None] = set()
    for file in files:
        body = f"@base <{file.iri}> .\n".encode() + file.path.read_bytes()
        target = {"default": ""} if file.graph is None else {"graph": file.graph}
        method = "POST" if file.graph in seen else "PUT"
        seen.add(file.graph)
        response = httpx.request(
            method,
            server.gsp,
            params=target,
            content=body,
            headers={**server.auth, "content-type": "text/turtle"},
            timeout=HTTP_TIMEOUT,
        )
        assert response.status_code in (200, 201, 204), (
            f"{method} of {file.path.name} into {file.graph or 'the default graph'}: "
            f"{response.status_code} {response.text[:300]}"
        )


def _check_graphs_by_gsp(server: WriteServer, case: UpdateCase) -> None:
    """Each graph of the expected result, read with a Graph Store Protocol GET."""
    graphs = {f.graph for f in case.after} | {None}
    for graph in sorted(graphs, key=lambda g: g or ""):
        expected = dataset_of((f.path, f.iri, None) for f in case.after if f.graph == graph)
        target = {"default": ""} if graph is None else {"graph": graph}
        response = httpx.get(
            server.gsp,
            params=target,
            headers={"accept": "application/n-triples"},
            timeout=HTTP_TIMEOUT,
        )
        where = graph or "the default graph"
        if response.status_code == 404 and len(expected) == 0:
            continue  # an expected empty graph the update removed
        assert response.status_code == 200, f"GET {where}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/n-triples")
        found = read_rdf(response.content, "application/n-triples")
        difference = same_dataset(expected, found)
        assert difference is None, f"GET {where}: {difference}"


def _check_valid(server: WriteServer, case: UpdateCase, text: str) -> None:
    """A positive syntax test, on an empty store: never refused as malformed; applied (200)
    unless pyoxigraph, the engine, fails to apply it on an empty store of its own too (a DROP
    of a graph that is not there, say), and then refused as an update that failed (400)."""
    response = server.update(text)
    assert not response.text.startswith("malformed"), (
        f"a valid update was refused as malformed ({response.status_code}): {response.text[:300]}"
    )
    if case.id in SYNTAX_REFUSALS:  # the syntax is accepted; the allow-list refuses the LOAD
        assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"
        assert response.text.startswith("update refused"), response.text[:300]
        return
    if response.status_code == 200:
        return
    reference: str | None = None
    try:
        ox.Store().update(text)
    except (RuntimeError, OSError) as error:
        reference = str(error)
    if reference is None:
        pytest.fail(
            f"pyoxigraph applies the update to an empty store, the server answered "
            f"{response.status_code}: {response.text[:300]}"
        )
    assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"
    assert response.text.startswith("the update failed"), response.text[:300]
    assert reference in response.text


@pytest.mark.parametrize(("case", "missing"), _params())
def test_update_conformance(
    case: UpdateCase | None, missing: str, request: pytest.FixtureRequest
) -> None:
    if case is None:
        suite_missing(missing)
        return
    server: WriteServer = request.getfixturevalue("update_server")
    text = f"BASE <{case.request.iri}>\n" + case.request.path.read_text(encoding="utf-8")
    if case.kind == "negative":
        before = server.version()
        response = server.update(text)
        assert response.status_code == 400, (
            f"an invalid update got {response.status_code}: {response.text[:300]}"
        )
        assert server.version() == before, "a refused update made a new store version"
        return
    server.reset()
    if case.kind == "positive":
        _check_valid(server, case, text)
        return
    _load(server, case.before)
    response = server.update(text)
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    expected = dataset_of((f.path, f.iri, f.graph) for f in case.after)
    difference = same_dataset(expected, server.dataset())
    assert difference is None, difference
    _check_graphs_by_gsp(server, case)
