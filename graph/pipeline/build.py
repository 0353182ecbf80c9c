"""The build: read every input, check it, materialise entailments, write the store.

    read ─ quotes ─ statements ─ reasoning ─ HermiT ─ SHACL ─ (rewrite IRIs) ─ store + dump

`build` writes the store and its N-Quads dump only when every check passed; `validate` runs the same
checks and writes nothing; `load_dataset` gives the dataset in memory, `inferred` included (no
checks, no writing), for the endpoint and the benchmarks. The checks run on the canonical IRIs that
graph.vocabulary.namespace names; when `settings.base_iri` differs, IRIs are rewritten last. Each
step is timed: wall time and peak resident memory; `announce`, when given, hears each step as it
starts (the command line prints it, so a long build shows where it is).
"""

from __future__ import annotations

import contextlib
import resource
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from pyoxigraph import NamedNode, Quad, Store

from graph.errors import EXIT_CHECK_FAILED, DrugkgError, QuoteError, StatementError
from graph.pipeline import hermit, reasoning, shacl, statements
from graph.pipeline.inputs import INFERRED, Sources, read_inputs
from graph.pipeline.quotes import check_quotes, count_quotes
from graph.settings import Settings
from graph.storage.loading import loaded_quads
from graph.storage.versions import write_dump, write_store
from graph.vocabulary.namespace import BASE

__all__ = [
    "BuildReport",
    "Sources",
    "StepReport",
    "ValidationResult",
    "build",
    "count_graphs",
    "load_dataset",
    "rewrite",
    "validate",
]


STEPS = {
    "read": "reading the ontology, seeds, entities, facts, links and shapes",
    "quotes": "checking every quote against its source text",
    "statements": "checking that every statement lies in the graph of its one quote",
    "reasoning": "materialising the entailments into the inferred graph",
    "hermit": "checking the ontology and the data with HermiT (OWL 2 DL)",
    "shacl": "validating with the SHACL shapes",
    "write store": "writing the new store version and swapping it in",
    "write dump": "writing the N-Quads dump",
}
"""The steps of a build, in order, and what each one does."""

Announce = Callable[[str, str], None]
"""Told each step's name and what it does, as the step starts."""


@dataclass
class StepReport:
    """One timed step of the pipeline: wall time and the peak resident memory during it."""

    name: str
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    detail: str = ""


class StepTimer:
    """Times a block as a named step and appends its StepReport to `steps`.

    Peak memory is the process's resident high-water mark (Python and Rust; HermiT runs in a
    child process), reset at the start of the step where Linux allows it (/proc/self/clear_refs);
    elsewhere it is the high-water mark since the process started. tracemalloc is not used: it
    sees only Python's heap and slows pySHACL several-fold.
    """

    def __init__(
        self, name: str, steps: list[StepReport], announce: Announce | None = None
    ) -> None:
        self.report = StepReport(name)
        self._steps = steps
        self._announce = announce
        self._start = 0.0

    def __enter__(self) -> StepReport:
        if self._announce is not None:
            self._announce(self.report.name, STEPS.get(self.report.name, ""))
        _reset_peak_rss()
        self._start = time.perf_counter()
        return self.report

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.report.seconds = time.perf_counter() - self._start
        self.report.peak_rss_mb = _peak_rss_mb()
        self._steps.append(self.report)


def _reset_peak_rss() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class ValidationResult:
    """Every check's outcome. Non-conformance is reported here, not raised."""

    quotes_checked: int = 0
    quote_problems: list[str] = field(default_factory=list)
    statements: statements.StatementReport | None = None
    reasoning: reasoning.ReasoningReport | None = None
    hermit: hermit.HermitReport | None = None
    shacl: shacl.ShaclReport | None = None
    counts: dict[str, int] = field(default_factory=dict)
    steps: list[StepReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.quote_problems
            and (self.statements is None or not self.statements.problems)
            and (self.hermit is None or self.hermit.ok)
            and (self.shacl is None or self.shacl.conforms)
        )

    def summary(self) -> str:
        if self.quote_problems:
            lines = [str(QuoteError(self.quote_problems))]
        else:
            lines = [f"quotes: {self.quotes_checked} checked, all verbatim at their offsets"]
        if self.statements is not None:
            if self.statements.problems:
                lines.append(str(StatementError(self.statements.problems)))
            else:
                lines.append(
                    f"statement graphs: {self.statements.total}, each with exactly one quote; "
                    "nothing fact-bearing outside them"
                )
        if self.hermit is not None:
            lines.append(self.hermit.summary())
        if self.shacl is not None:
            lines.append(self.shacl.summary())
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


class ChecksFailedError(DrugkgError):
    """The build stopped because a check failed; nothing was written."""

    exit_code = EXIT_CHECK_FAILED

    def __init__(self, result: ValidationResult) -> None:
        self.result = result
        super().__init__("build refused, the store was not changed:\n" + result.summary())


@dataclass
class BuildReport:
    """What a build wrote, and every check and step that led to it."""

    store: Path
    version: Path
    dump: Path
    validation: ValidationResult

    @property
    def counts(self) -> dict[str, int]:
        return self.validation.counts

    @property
    def steps(self) -> list[StepReport]:
        return self.validation.steps

    @property
    def warnings(self) -> list[str]:
        return self.validation.warnings


def validate(
    settings: Settings,
    sources: Sources | None = None,
    announce: Announce | None = None,
    *,
    documents: Collection[str] | None = None,
) -> ValidationResult:
    """Run every check on the sources and report; write nothing.

    With `documents` (document ids), the quote and statement-graph checks look at those
    documents only; the entities, HermiT and SHACL still check the whole dataset (entities are
    shared, so a document is only consistent together with everything else).
    """
    sources = sources or Sources.from_settings(settings)
    result, _dataset = _run(settings, sources, strict=False, announce=announce, documents=documents)
    return result


def build(
    settings: Settings, sources: Sources | None = None, announce: Announce | None = None
) -> BuildReport:
    """Check everything, then write the store (atomic swap) and the N-Quads dump.

    A quote that is not verbatim raises QuoteError, and a statement outside its quote's graph
    raises StatementError, before the later steps run; any other failed check raises
    ChecksFailedError carrying every result. Either way the old store stays as it was.
    """
    sources = sources or Sources.from_settings(settings)
    result, dataset = _run(settings, sources, strict=True, announce=announce)
    if not result.ok:
        raise ChecksFailedError(result)
    with StepTimer("write store", result.steps, announce) as step:
        loaded = loaded_quads(settings)  # datasets `drugkg load` added: kept as they are
        dataset.extend(loaded)
        result.counts = count_graphs(dataset)
        version = write_store(settings.store, dataset)
        step.detail = f"{settings.store} -> {version.name}"
        if loaded:
            step.detail += f" (kept {len(loaded)} quads of loaded datasets)"
    with StepTimer("write dump", result.steps, announce) as step:
        write_dump(settings.dump_path, dataset)
        step.detail = str(settings.dump_path)
    return BuildReport(settings.store, version, settings.dump_path, result)


def load_dataset(settings: Settings, sources: Sources | None = None) -> Store:
    """Every named graph, `inferred` included, in an in-memory store; no checks, no writing."""
    inputs = read_inputs(sources or Sources.from_settings(settings))
    reasoning.materialise(inputs.store, INFERRED)
    reasoning.describe(inputs.store, INFERRED)
    return _rebased(inputs.store, settings.base_iri)


def _run(
    settings: Settings,
    sources: Sources,
    *,
    strict: bool,
    announce: Announce | None,
    documents: Collection[str] | None = None,
) -> tuple[ValidationResult, Store]:
    result = ValidationResult()
    steps = result.steps
    with StepTimer("read", steps, announce) as step:
        inputs = read_inputs(sources)
        store = inputs.store
        result.warnings += inputs.warnings
        step.detail = f"{len(store)} quads from {len(inputs.files)} files"
    checked = [s for s in inputs.seeds if documents is None or s.doc_id in documents]
    with StepTimer("quotes", steps, announce) as step:
        texts = {seed.iri: seed.text for seed in inputs.seeds}
        for seed in checked:
            result.quotes_checked += count_quotes(store, seed.graph)
            result.quote_problems += check_quotes(store, seed.graph, texts)
        step.detail = f"{result.quotes_checked} quotes, {len(result.quote_problems)} wrong"
    if strict and result.quote_problems:
        raise QuoteError(result.quote_problems)
    with StepTimer("statements", steps, announce) as step:
        result.statements = statements.check(store, checked)
        problems = len(result.statements.problems)
        step.detail = f"{result.statements.total} statement graphs, {problems} problems"
    if strict and result.statements.problems:
        raise StatementError(result.statements.problems)
    with StepTimer("reasoning", steps, announce) as step:
        result.reasoning = reasoning.materialise(store, INFERRED)
        reasoning.describe(store, INFERRED)
        step.detail = f"{result.reasoning.total} triples in {result.reasoning.rounds} rounds"
    with StepTimer("hermit", steps, announce) as step:
        result.hermit = hermit.check(store, java=settings.java, memory_mb=settings.java_memory_mb)
        step.detail = "ok" if result.hermit.ok else "FAILED"
    with StepTimer("shacl", steps, announce) as step:
        result.shacl = shacl.validate(shacl.to_dataset(store), inputs.shapes)
        if not result.shacl.shapes_found:
            result.warnings.append(f"no shapes found in {sources.shapes}: SHACL checked nothing")
        step.detail = f"{len(result.shacl.violations)} results"
    dataset = _rebased(store, settings.base_iri)
    result.counts = count_graphs(dataset)
    return result, dataset


def count_graphs(store: Store) -> dict[str, int]:
    """Quads per named graph (graph IRI -> count), sorted by IRI."""
    counts: dict[str, int] = {}
    for quad in store:
        name = quad.graph_name
        key = name.value if isinstance(name, NamedNode) else str(name)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def _rebased(store: Store, base_iri: str) -> Store:
    if base_iri == BASE:
        return store
    rebased = Store()
    rebased.extend(rewrite(store, BASE, base_iri))
    return rebased


def rewrite(quads: Iterable[Quad], old: str, new: str) -> Iterator[Quad]:
    """The quads with every IRI that starts with `old` starting with `new` instead."""
    for q in quads:
        s, p, o, g = q.subject, q.predicate, q.object, q.graph_name
        yield Quad(
            _rebase(s, old, new) if isinstance(s, NamedNode) else s,
            _rebase(p, old, new),
            _rebase(o, old, new) if isinstance(o, NamedNode) else o,
            _rebase(g, old, new) if isinstance(g, NamedNode) else g,
        )


def _rebase(term: NamedNode, old: str, new: str) -> NamedNode:
    if term.value.startswith(old):
        return NamedNode(new + term.value[len(old) :])
    return term
