"""Read the W3C SPARQL 1.1 test manifests into plain test cases.

The suite names its files by IRIs under `SUITE_BASE`; a local copy maps those IRIs to files
under the suite folder, so data, queries and expected results keep the IRIs the expected
results were written against (graph names, relative IRIs in queries).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

SUITE_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")

# The manifests whose query-evaluation and syntax tests run over HTTP.
QUERY_MANIFESTS = ("manifest-sparql11-query.ttl", "manifest-sparql11-results.ttl")
# SERVICE tests need remote endpoints named in the test; they are listed and skipped.
FEDERATION_MANIFESTS = ("manifest-sparql11-fed.ttl",)


class ManifestError(Exception):
    """A manifest the runner cannot read: names the manifest and the test."""


class Kind(Enum):
    EVALUATION = "evaluation"
    CSV_RESULT = "csv-result"
    POSITIVE_SYNTAX = "positive-syntax"
    NEGATIVE_SYNTAX = "negative-syntax"


_KINDS = {
    MF.QueryEvaluationTest: Kind.EVALUATION,
    MF.CSVResultFormatTest: Kind.CSV_RESULT,
    MF.PositiveSyntaxTest11: Kind.POSITIVE_SYNTAX,
    MF.NegativeSyntaxTest11: Kind.NEGATIVE_SYNTAX,
}


@dataclass(frozen=True)
class SuiteFile:
    """One file of the suite: the IRI the tests know it by and where it is on disk."""

    iri: str
    path: Path


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a test queries: qt:data into the default graph, qt:graphData named."""

    default: tuple[SuiteFile, ...] = ()
    named: tuple[SuiteFile, ...] = ()

    @property
    def key(self) -> str:
        parts = [f.iri for f in self.default] + ["|"] + [f.iri for f in self.named]
        return " ".join(parts)


@dataclass(frozen=True)
class Case:
    """One test of the suite, named `<folder>/<local name>`."""

    id: str
    kind: Kind
    name: str
    query: SuiteFile
    dataset: Dataset = field(default_factory=Dataset)
    result: SuiteFile | None = None
    needs_service: bool = False


def load_cases(suite_dir: Path, manifests: tuple[str, ...]) -> list[Case]:
    """Every test reachable from the top-level `manifests`, in manifest order."""
    cases: list[Case] = []
    for name in manifests:
        cases.extend(_walk(suite_dir, suite_dir / name))
    return cases


def _walk(suite_dir: Path, manifest: Path) -> Iterator[Case]:
    graph = _parse(suite_dir, manifest)
    for top in graph.subjects(RDF.type, MF.Manifest):
        include = graph.value(top, MF.include)
        if include is not None:
            for child in Collection(graph, include):
                yield from _walk(suite_dir, _local(suite_dir, str(child)).path)
        entries = graph.value(top, MF.entries)
        if entries is not None:
            for entry in Collection(graph, entries):
                case = _case(suite_dir, graph, entry)
                if case is not None:
                    yield case


def _parse(suite_dir: Path, manifest: Path) -> Graph:
    if not manifest.is_file():
        raise ManifestError(f"manifest not found: {manifest}")
    graph = Graph()
    iri = SUITE_BASE + manifest.relative_to(suite_dir).as_posix()
    graph.parse(manifest, format="turtle", publicID=iri)
    return graph


def _case(suite_dir: Path, graph: Graph, entry: Node) -> Case | None:
    types = [t for t in graph.objects(entry, RDF.type) if isinstance(t, URIRef)]
    kinds = [_KINDS[t] for t in types if t in _KINDS]
    if not kinds:
        return None  # update, protocol and other tests are not query tests
    test_id = _test_id(str(entry))
    action = graph.value(entry, MF.action)
    if action is None:
        raise ManifestError(f"{test_id}: no mf:action")
    if kinds[0] in (Kind.POSITIVE_SYNTAX, Kind.NEGATIVE_SYNTAX):
        query_node: Node | None = action  # syntax tests name the query file directly
    else:
        query_node = graph.value(action, QT.query)
    if not isinstance(query_node, URIRef):
        raise ManifestError(f"{test_id}: no query file")
    result = graph.value(entry, MF.result)
    return Case(
        id=test_id,
        kind=kinds[0],
        name=str(graph.value(entry, MF.name) or test_id),
        query=_local(suite_dir, str(query_node)),
        dataset=Dataset(
            default=_files(suite_dir, graph, action, QT.data),
            named=_files(suite_dir, graph, action, QT.graphData),
        ),
        result=_local(suite_dir, str(result)) if isinstance(result, URIRef) else None,
        needs_service=(action, QT.serviceData, None) in graph,
    )


def _files(suite_dir: Path, graph: Graph, action: Node, predicate: URIRef) -> tuple[SuiteFile, ...]:
    if isinstance(action, URIRef):
        return ()
    return tuple(
        sorted(
            (_local(suite_dir, str(o)) for o in graph.objects(action, predicate)),
            key=lambda f: f.iri,
        )
    )


def _local(suite_dir: Path, iri: str) -> SuiteFile:
    if not iri.startswith(SUITE_BASE):
        raise ManifestError(f"{iri} is outside the suite base {SUITE_BASE}")
    path = suite_dir / iri.removeprefix(SUITE_BASE)
    if not path.is_file():
        raise ManifestError(f"{iri}: file not found at {path}")
    return SuiteFile(iri=iri, path=path)


def _test_id(iri: str) -> str:
    folder_and_name = iri.removeprefix(SUITE_BASE)
    folder, _, name = folder_and_name.partition("/manifest")
    return f"{folder}/{name.lstrip('#').removeprefix('.ttl#')}"
