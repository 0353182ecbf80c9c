"""The SHACL shapes accept valid data and reject each broken fixture with exactly its violations.

Checks as data: every `fixtures/<rule>.ttl` (or `.trig`) with its `<rule>.expected.json` is one
case, rejected with exactly the violations the sidecar lists (focus node, result path, source
shape, message substring); every file under `fixtures/valid/` conforms; and the real dataset,
with its entities, statement graphs, links and the inferred graph the build materialises,
conforms too.

Validation is pySHACL as the build runs it: a dataset whose default graph is the union of its
graphs, the ontology in the `ontology` graph, inference 'none', SHACL-SPARQL on, warnings
counted as failures. A TriG fixture keeps its named graphs; a Turtle fixture lies in a graph of
its own, outside the build's graphs, where the statement-graph shapes of shapes/statements.ttl
(which look at the build's named graphs only) leave it alone.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, parse
from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from graph.paths import ONTOLOGY_FILE, SHAPES_DIR
from graph.pipeline.build import load_dataset
from graph.pipeline.shacl import dataset_warnings_silenced, to_dataset
from graph.settings import Settings
from graph.vocabulary.namespace import BASE, GRAPH, RDFS

SH = Namespace("http://www.w3.org/ns/shacl#")
FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"

# The prefixes the .expected.json sidecars may use for focus nodes, paths and shapes.
PREFIXES = {
    "dk": "https://w3id.org/drugkg/ontology#",
    "dkid": "https://w3id.org/drugkg/id/",
    "dksh": "https://w3id.org/drugkg/shapes#",
    "src": "https://w3id.org/drugkg/source/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


@dataclass(frozen=True)
class Result:
    """One validation result, with nodes written as prefixed names (or <IRI>)."""

    focus: str
    path: str | None
    shape: str
    message: str
    severity: str
    value: str | None

    def __str__(self) -> str:
        value = f" value={self.value}" if self.value is not None else ""
        return (
            f"{self.focus} path={self.path} shape={self.shape}{value} "
            f"[{self.severity}]: {self.message}"
        )


@dataclass(frozen=True)
class Expected:
    focus: str
    path: str | None
    shape: str
    message: str

    def matches(self, result: Result) -> bool:
        return (
            (self.focus, self.path, self.shape) == (result.focus, result.path, result.shape)
            and self.message in result.message
            and result.severity == "sh:Violation"
        )


def show(node: Node | None) -> str | None:
    """A node as a prefixed name where a prefix fits, else <IRI>; literals as N-Triples."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            local = str(node).removeprefix(namespace)
            if local != str(node) and "#" not in local and "/" not in local:
                return f"{prefix}:{local}"
        if str(node).startswith(SH):
            return "sh:" + str(node).removeprefix(str(SH))
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    return f"_:{node}"


def show_path(graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path as SPARQL path syntax: `a/b`, `^a`, `a|b`, `a*`, `a+`, `a?`."""
    if path is None:
        return None
    if isinstance(path, BNode):
        if graph.value(path, RDF.first) is not None:
            return "/".join(str(show_path(graph, step)) for step in Collection(graph, path))
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = graph.value(path, predicate)
            if inner is not None:
                return template.format(show_path(graph, inner))
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "|".join(str(show_path(graph, step)) for step in Collection(graph, alternatives))
    return show(path)


def expand(name: str) -> str:
    """A prefixed name or <IRI> from a sidecar, in the form `show` writes it."""
    if name.startswith("<") and name.endswith(">"):
        return show(URIRef(name[1:-1])) or name
    return name


def results_of(report: Graph) -> list[Result]:
    results = []
    # Top-level results only: nested ones (sh:detail, from sh:node and the like) explain these.
    for result in report.objects(None, SH.result):
        results.append(
            Result(
                focus=show(report.value(result, SH.focusNode)) or "?",
                path=show_path(report, report.value(result, SH.resultPath)),
                shape=show(report.value(result, SH.sourceShape)) or "?",
                message=" ".join(str(m) for m in report.objects(result, SH.resultMessage)),
                severity=show(report.value(result, SH.resultSeverity)) or "?",
                value=show(report.value(result, SH.value)),
            )
        )
    return sorted(results, key=str)


def validate(data: Dataset, shapes: Graph, ontology: Graph) -> tuple[bool, list[Result]]:
    ontology_graph = data.graph(URIRef(str(GRAPH["ontology"])))  # as in the build's dataset
    ontology_graph += ontology
    # as the build validates: on pyoxigraph (to_dataset), rdflib's own deprecations silenced
    with dataset_warnings_silenced():
        conforms, report, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=False,
            inplace=True,
        )
    assert isinstance(report, Graph)
    return bool(conforms), results_of(report)


FIXTURE_GRAPH = NamedNode("urn:x-drugkg:fixture")
"""Where a Turtle fixture's triples lie: a graph outside the build's own."""


def parse_fixture(path: Path) -> Dataset:
    """A fixture as a dataset: TriG with its named graphs, Turtle in a graph of its own."""
    if path.suffix == ".trig":
        quads = list(parse(path=path, format=RdfFormat.TRIG))
    else:
        triples = parse(path=path, format=RdfFormat.TURTLE)
        quads = [Quad(t.subject, t.predicate, t.object, FIXTURE_GRAPH) for t in triples]
    return to_dataset(quads)


def broken_cases() -> Iterator[Any]:
    for path in sorted(FIXTURES.glob("*.*")):
        if path.suffix not in {".ttl", ".trig"}:
            continue
        yield pytest.param(path, id=path.stem)


def valid_cases() -> Iterator[Any]:
    for path in sorted(VALID.glob("*.*")):
        if path.suffix in {".ttl", ".trig"}:
            yield pytest.param(path, id=path.stem)


def load_expected(fixture: Path) -> tuple[str, list[Expected]]:
    sidecar = fixture.with_name(fixture.stem + ".expected.json")
    assert sidecar.is_file(), f"{fixture.name} has no sidecar {sidecar.name}"
    spec = json.loads(sidecar.read_text(encoding="utf-8"))
    violations = [
        Expected(
            focus=expand(v["focus"]),
            path=v["path"],
            shape=expand(v["shape"]),
            message=v["message"],
        )
        for v in spec["violations"]
    ]
    assert violations, f"{sidecar.name} lists no violation"
    return spec["description"], violations


@pytest.fixture(scope="session")
def shapes() -> Graph:
    graph = Graph()
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    assert files, f"no shapes in {SHAPES_DIR}"
    for path in files:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.mark.parametrize("fixture", list(broken_cases()))
def test_broken_fixture_is_rejected_with_its_violations(
    fixture: Path, shapes: Graph, ontology: Graph
) -> None:
    description, expected = load_expected(fixture)
    conforms, results = validate(parse_fixture(fixture), shapes, ontology)
    unmatched = list(results)
    missing = []
    for want in expected:
        found = next((r for r in unmatched if want.matches(r)), None)
        if found is None:
            missing.append(want)
        else:
            unmatched.remove(found)
    report = "\n".join(f"  {r}" for r in results) or "  (none)"
    assert not conforms, f"{fixture.name} ({description}) conforms but should not"
    assert (missing, unmatched) == ([], []), (
        f"{fixture.name} ({description}):\n"
        f" expected but not reported: {missing}\n"
        f" reported but not expected: {[str(r) for r in unmatched]}\n"
        f" all results:\n{report}"
    )


@pytest.mark.parametrize("fixture", list(valid_cases()))
def test_valid_fixture_conforms(fixture: Path, shapes: Graph, ontology: Graph) -> None:
    conforms, results = validate(parse_fixture(fixture), shapes, ontology)
    assert not results, "\n".join(str(r) for r in results)
    assert conforms


def real_data() -> tuple[Dataset, Graph]:
    """The dataset as the build makes it, every named graph kept, and its ontology graph."""
    store = load_dataset(Settings(base_iri=BASE))
    data = to_dataset(store)
    ontology = Graph()
    dumped = store.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(GRAPH["ontology"]))
    ontology.parse(data=dumped or b"", format="nt")
    return data, ontology


def test_real_facts_conform(shapes: Graph) -> None:
    data, ontology = real_data()
    assert len(data) > 0, "the build loaded no facts"
    assert len(ontology) > 0, "the build loaded no ontology"
    conforms, results = validate(data, shapes, ontology)
    by_resource: dict[str, list[Result]] = {}
    for result in results:
        by_resource.setdefault(result.focus, []).append(result)
    listing = "\n".join(
        f"{focus}:\n" + "\n".join(f"    {r.shape} path={r.path}: {r.message}" for r in found)
        for focus, found in sorted(by_resource.items())
    )
    assert not results, (
        f"{len(by_resource)} resource(s) of the real facts violate the shapes:\n{listing}"
    )
    assert conforms


def test_every_shape_is_named_and_explains_itself(shapes: Graph) -> None:
    """Reports name the shape and say what is wrong: every shape has an IRI and a message."""
    problems = []
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if not isinstance(shape, URIRef):
                problems.append(f"a {show(kind)} without an IRI: {shape}")
    for shape in shapes.subjects(RDF.type, SH.PropertyShape):
        if shapes.value(shape, SH.message) is None:
            problems.append(f"{show(shape)} has no sh:message")
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if shapes.value(constraint, SH.message) is None:
            problems.append(f"the SPARQL constraint of {show(shape)} has no sh:message")
    for shape in shapes.subjects(SH.property, None):
        for prop in shapes.objects(shape, SH.property):
            if not isinstance(prop, URIRef):
                problems.append(f"{show(shape)} has an anonymous property shape")
    assert not problems, "\n".join(problems)


def test_every_constraint_shape_has_a_broken_fixture(shapes: Graph) -> None:
    """Each named shape that reports violations is exercised by at least one broken fixture."""
    reporting = set()
    for shape in shapes.subjects(RDF.type, SH.PropertyShape):
        reporting.add(show(shape))
    for shape in shapes.subjects(SH.sparql, None):
        reporting.add(show(shape))
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if shapes.value(shape, SH.message) is not None:
            reporting.add(show(shape))
    covered = set()
    for path in FIXTURES.glob("*.expected.json"):
        for violation in json.loads(path.read_text(encoding="utf-8"))["violations"]:
            covered.add(expand(violation["shape"]))
    uncovered = sorted(str(s) for s in reporting - covered)
    assert not uncovered, f"shapes without a broken fixture: {uncovered}"


def test_shapes_graph_names_itself() -> None:
    """The shapes file that declares the SPARQL prefixes is there and labelled."""
    graph = Graph().parse(SHAPES_DIR / "core.ttl", format="turtle")
    shapes_iri = URIRef("https://w3id.org/drugkg/shapes")
    assert graph.value(shapes_iri, RDFS.label) is not None
    declared = {str(graph.value(d, SH.prefix)) for d in graph.objects(shapes_iri, SH.declare)}
    assert {"dk", "oa", "schema", "prov", "xsd", "owl", "skos", "org"} <= declared
