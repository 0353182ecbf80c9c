"""The OWL 2 DL check: HermiT, through owlready2, on the ontology and every fact.

The graphs are written as N-Triples (by pyoxigraph) into a temporary directory and loaded into a
fresh in-memory `owlready2.World`, so no quadstore is left behind and runs never share state.
HermiT reports whether the whole is consistent and which classes are unsatisfiable (equivalent
to owl:Nothing). owlready2 gives no explanation of an inconsistency, so `explain` looks for the
usual culprit itself: an individual typed (asserted or inferred) with two disjoint classes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
from pyoxigraph import DefaultGraph, NamedNode, Quad, QuerySolutions, RdfFormat, Store

from graph.errors import JavaMissingError, ReasonerError
from graph.vocabulary.namespace import OWL

_DISJOINT_TYPES = """
SELECT DISTINCT ?x ?a ?b WHERE {
  { ?a owl:disjointWith ?b }
  UNION
  { ?d a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b . FILTER(?a != ?b) }
  ?x a ?a , ?b .
  FILTER(isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b))
} ORDER BY ?x ?a ?b LIMIT 20
"""


@dataclass(frozen=True)
class HermitReport:
    """What HermiT concluded about the ontology and its facts."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    explanation: str | None = None

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def summary(self) -> str:
        if not self.consistent:
            text = "HermiT: the ontology with its facts is INCONSISTENT"
            return text + (f"\n{self.explanation}" if self.explanation else "")
        if self.unsatisfiable:
            names = "\n".join(f"  - {iri}" for iri in self.unsatisfiable)
            return f"HermiT: {len(self.unsatisfiable)} unsatisfiable class(es):\n{names}"
        return "HermiT: consistent, no unsatisfiable class"


def find_java(configured: str | None) -> str:
    """The java executable to run HermiT on: the configured one, else `java` on the PATH."""
    wanted = configured or "java"
    found = shutil.which(wanted)
    if found is None:
        raise JavaMissingError(wanted)
    return found


def check(
    quads: Iterable[Quad],
    *,
    java: str | None = None,
    memory_mb: int = 1000,
) -> HermitReport:
    """Run HermiT on the union of `quads` (graph names are dropped) and report what it found."""
    store = Store()
    store.extend(Quad(q.subject, q.predicate, q.object) for q in quads)
    java_exe = find_java(java)
    with _scratch_dir() as scratch:
        data = scratch / "drugkg.nt"
        store.dump(data, RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
        world = owlready2.World()
        try:
            world.get_ontology(data.as_uri()).load()
            with _hermit_settings(java_exe, memory_mb, scratch):
                # OWL 2's datatype map has no xsd:gYear or xsd:date, which the facts use for
                # publication years and resolved dates; without this HermiT refuses to start.
                # It then treats those literals as opaque values, which costs no check we make.
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=0,
                    ignore_unsupported_datatypes=True,
                )
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            message = str(exc).strip()
            return HermitReport(consistent=False, explanation=message or explain(store))
        except owlready2.OwlReadyJavaError as exc:
            raise ReasonerError(f"HermiT failed: {exc}") from exc
        except OSError as exc:
            raise ReasonerError(f"HermiT could not run with {java_exe}: {exc}") from exc
        else:
            unsatisfiable = sorted(
                cls.iri for cls in world.inconsistent_classes() if cls.iri != str(OWL.Nothing)
            )
        finally:
            world.close()
    return HermitReport(consistent=True, unsatisfiable=unsatisfiable)


def explain(store: Store) -> str | None:
    """Name individuals typed with two disjoint classes, if any (a likely cause of inconsistency).

    `store` holds the triples HermiT saw, in its default graph.
    """
    rows = store.query(_DISJOINT_TYPES, prefixes={"owl": str(OWL), "rdf": _RDF})
    if not isinstance(rows, QuerySolutions):  # pragma: no cover - the query is a SELECT
        return None
    clashes = [f"  - {_iri(r['x'])} is both {_iri(r['a'])} and {_iri(r['b'])}" for r in rows]
    if not clashes:
        return None
    return "individuals typed with disjoint classes:\n" + "\n".join(clashes)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _iri(term: object) -> str:
    return f"<{term.value}>" if isinstance(term, NamedNode) else str(term)


@contextmanager
def _scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="drugkg-hermit-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _hermit_settings(java_exe: str, memory_mb: int, scratch: Path) -> Iterator[None]:
    """Point owlready2's module-level knobs at our java, heap and scratch directory.

    owlready2 configures HermiT through globals and writes its own temporary N-Triples file with
    `tempfile`, which it leaves behind when HermiT finds an inconsistency; redirecting `tempfile`
    into our scratch directory (removed afterwards) keeps /tmp clean. Restored on exit.
    """
    saved = (owlready2.JAVA_EXE, owlready2.reasoning.JAVA_MEMORY, tempfile.tempdir)
    owlready2.JAVA_EXE = java_exe
    owlready2.reasoning.JAVA_MEMORY = memory_mb
    tempfile.tempdir = str(scratch)
    try:
        yield
    finally:
        owlready2.JAVA_EXE, owlready2.reasoning.JAVA_MEMORY, tempfile.tempdir = saved
