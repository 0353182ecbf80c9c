"""The OWL 2 DL check: HermiT on the ontology and every fact.

The graphs are written as N-Triples (by pyoxigraph, `owl:imports` left out so nothing is
fetched) into a temporary directory and given to HermiT's command line, the HermiT that
owlready2 ships, asking for the classes equivalent to owl:Nothing (`-U`). HermiT first checks
that the whole is consistent (an inconsistent whole ends it with "Inconsistent ontology"),
then lists the unsatisfiable classes. It gives no explanation of an inconsistency, so `explain`
looks for the usual culprit itself: an individual typed (asserted or inferred) with two
disjoint classes.

HermiT is run here rather than through `owlready2.sync_reasoner_hermit` because that always
asks HermiT to classify every individual as well (`-c -O -D -I`) and then writes each one's
types back into owlready2's quadstore: work the check never used. Measured on one N-Triples
file of the article and nine copies of it (18,955 triples, a machine shared with other work),
HermiT's command line took 94 s with those options and 14 s with `-U`; bench/README.md
("Adding sources") has the build's figures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import owlready2
from pyoxigraph import NamedNode, Quad, QuerySolutions, RdfFormat, Store, Triple, serialize

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


_SHIPPED = Path(owlready2.__file__).parent / "hermit"
HERMIT_CLASSPATH = os.pathsep.join([str(_SHIPPED), str(_SHIPPED / "HermiT.jar")])
"""HermiT and the OWL API, as owlready2 ships them."""
_OWL_IMPORTS = NamedNode(str(OWL) + "imports")
_UNSATISFIABLE_HEAD = "Classes equivalent to 'owl:Nothing':"
_INCONSISTENT = "Inconsistent ontology"


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
        with data.open("wb") as out:
            kept = (q for q in store if q.predicate != _OWL_IMPORTS)
            _write_ntriples(kept, out)
        command = [
            java_exe,
            f"-Xmx{memory_mb}M",
            "-cp",
            HERMIT_CLASSPATH,
            "org.semanticweb.HermiT.cli.CommandLine",
            "-U",
            # OWL 2's datatype map has no xsd:gYear or xsd:date, which the facts use for
            # publication years and resolved dates; without this HermiT refuses to start.
            # It then treats those literals as opaque values, which costs no check we make.
            "--ignoreUnsupportedDatatypes",
            data.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise ReasonerError(f"HermiT could not run with {java_exe}: {exc}") from exc
    if done.returncode != 0:
        if _INCONSISTENT in done.stdout + done.stderr:
            return HermitReport(consistent=False, explanation=explain(store))
        message = (done.stderr or done.stdout).strip()[-2000:]
        raise ReasonerError(f"HermiT failed (exit code {done.returncode}): {message}")
    return HermitReport(consistent=True, unsatisfiable=_unsatisfiable(done.stdout))


def _write_ntriples(quads: Iterable[Quad], out: BinaryIO) -> None:
    """Write `quads` to `out` as N-Triples (their graph names dropped)."""
    serialize((Triple(q.subject, q.predicate, q.object) for q in quads), out, RdfFormat.N_TRIPLES)


def _unsatisfiable(output: str) -> list[str]:
    """The IRIs HermiT lists after "Classes equivalent to 'owl:Nothing':", one per line."""
    lines = output.splitlines()
    if _UNSATISFIABLE_HEAD not in lines:
        raise ReasonerError(f"HermiT's answer has no list of unsatisfiable classes: {output[:500]}")
    found = []
    for line in lines[lines.index(_UNSATISFIABLE_HEAD) + 1 :]:
        item = line.strip()
        if not line.startswith("\t") or not item:
            break
        if item.startswith("<") and item.endswith(">"):
            found.append(item[1:-1])
    return sorted(iri for iri in found if iri != str(OWL.Nothing))


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
