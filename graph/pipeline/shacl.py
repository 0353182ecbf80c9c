"""SHACL validation with pySHACL: the shapes of shapes/*.ttl against the built dataset.

The data is the dataset itself, every named graph kept (`to_dataset`): shapes see the union of
the graphs as their default graph (ontology, entities, facts, links, inferred), and the
SHACL-SPARQL constraints of shapes/statements.ttl ask with GRAPH patterns which statement graph
holds what. `advanced=True` runs the SHACL-SPARQL constraints; `inference` is off because the
build has already materialised the `inferred` graph. Only sh:Violation results make the data
non-conforming; sh:Warning and sh:Info results are reported but let it through.

The dataset pySHACL reads is an rdflib `Dataset` over an in-memory pyoxigraph store (oxrdflib,
Oxigraph's own rdflib store): pySHACL's triple lookups go to pyoxigraph's indexes, and its
SHACL-SPARQL queries are evaluated by pyoxigraph, with the focus node substituted for `$this`
(`substitutions`, the pre-binding the SHACL specification defines). rdflib's own evaluator
answered each `GRAPH ?g` pattern by visiting every named graph, and the statement shapes run
one query per statement graph, quote and entity: with a graph per statement, the step grew
with the square of the number of sources (bench/README.md, "Adding sources": 42 s at 10
sources, 361 s at 30); on pyoxigraph, 28 s at 30 and 125 s at 100 (k = 1.2, pySHACL's own
work per focus node).

pySHACL asks for the data graph's length while it builds each result (`bool(graph)`), and
oxrdflib counts it with a query each time; the length is kept while the dataset is unchanged
(`_OxigraphStore`). pySHACL hands every query over as text, so none reaches rdflib's own
evaluator (counted on the real data: 0 calls).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import rdflib
from oxrdflib import OxigraphStore
from pyoxigraph import Quad, RdfFormat, Store, Triple, serialize
from rdflib.namespace import SH
from rdflib.term import Node


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result."""

    focus_node: str
    path: str | None
    message: str
    severity: str
    source_shape: str
    value: str | None = None

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return (
            f"{self.severity}: {self.focus_node}{path}{value}: {self.message} [{self.source_shape}]"
        )


@dataclass(frozen=True)
class ShaclReport:
    """The outcome of SHACL validation: conformance, every result, and the report graph."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    graph: rdflib.Graph = field(default_factory=rdflib.Graph)
    shapes_found: bool = True

    def turtle(self) -> str:
        """The SHACL validation report graph, as Turtle."""
        return self.graph.serialize(format="turtle")

    def summary(self) -> str:
        if not self.shapes_found:
            return "SHACL: NO SHAPES FOUND, nothing was validated (add shapes/*.ttl)"
        if self.conforms and not self.violations:
            return "SHACL: conforms"
        head = "SHACL: conforms, with" if self.conforms else "SHACL: does NOT conform,"
        lines = "\n".join(f"  - {v}" for v in self.violations)
        return f"{head} {len(self.violations)} result(s):\n{lines}"


def to_rdflib(quads: Iterable[Quad]) -> rdflib.Graph:
    """The union of `quads` as one rdflib Graph (graph names dropped, blank nodes kept apart)."""
    triples = [Triple(q.subject, q.predicate, q.object) for q in quads]
    data = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=data, format="nt")


def to_dataset(quads: Iterable[Quad]) -> rdflib.Dataset:
    """`quads` as an rdflib Dataset over a pyoxigraph store of their own: every named graph
    kept, the default graph their union."""
    store = Store()
    store.bulk_extend(quads)
    return rdflib.Dataset(store=_OxigraphStore(store=store), default_union=True)


class _OxigraphStore(OxigraphStore):
    """oxrdflib's store, with the length of the union kept until the data changes (pySHACL
    asks for it with every result it makes; oxrdflib counts it with a query each time)."""

    _length: int | None = None

    def __len__(self, context: Any = None) -> int:
        if context is not None:
            return int(super().__len__(context))
        if self._length is None:
            self._length = int(super().__len__(None))
        return self._length

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        self._length = None
        super().add(triple, context, quoted)

    def addN(self, quads: Iterable[Any]) -> None:  # noqa: N802 (rdflib's name)
        self._length = None
        super().addN(quads)

    def remove(self, triple: Any, context: Any = None) -> None:
        self._length = None
        super().remove(triple, context)


def validate(
    data: rdflib.Graph, shapes: rdflib.Graph, focus_nodes: Iterable[str] | None = None
) -> ShaclReport:
    """Validate the dataset `data` (its ontology in its `ontology` graph) against `shapes`;
    with `focus_nodes`, only those nodes (IRIs) are validated (a write's own resources)."""
    if len(shapes) == 0:
        return ShaclReport(conforms=True, shapes_found=False)
    from pyshacl import validate as pyshacl_validate  # slow to import; only builds need it

    with dataset_warnings_silenced():
        conforms, report, _text = pyshacl_validate(
            data,
            shacl_graph=shapes,
            advanced=True,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            inplace=True,  # the Dataset is made for this validation: no copy
            focus_nodes=None if focus_nodes is None else list(focus_nodes),
        )
    assert isinstance(report, rdflib.Graph)
    violations = sorted(_results(report), key=lambda v: (v.severity, v.focus_node, v.message))
    return ShaclReport(conforms=bool(conforms), violations=violations, graph=report)


@contextmanager
def dataset_warnings_silenced() -> Iterator[None]:
    """Within the block, rdflib's warnings that its Dataset uses its own deprecated API are off.

    rdflib 7's `Dataset.triples` (and so every lookup pySHACL makes on a dataset) calls the
    deprecated `default_context` and `contexts` itself; nothing the caller does avoids it.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib(\.|$)")
        yield


def _results(report: rdflib.Graph) -> Iterable[Violation]:
    for result in report.subjects(SH.resultSeverity, None):
        yield Violation(
            focus_node=_show(report.value(result, SH.focusNode)) or "?",
            path=_show(report.value(result, SH.resultPath)),
            message=str(report.value(result, SH.resultMessage) or "(no message)"),
            severity=_local(report.value(result, SH.resultSeverity)),
            source_shape=_show(report.value(result, SH.sourceShape)) or "?",
            value=_show(report.value(result, SH.value)),
        )


def _show(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.BNode):
        return "[]"
    return str(node.n3())


def _local(node: Node | None) -> str:
    text = str(node or "")
    return text.rsplit("#", 1)[-1] or "Violation"
