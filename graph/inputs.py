"""Reading the build's inputs: ontology, seeds, facts, links and shapes, into named graphs.

Where they are read from is a `Sources` value (defaults from graph/paths.py, overridable by
settings), so tests and curators can build from a copy of the data. Every file is parsed with
pyoxigraph; a syntax error becomes an InputError with the file, line and column. Facts and
links may only use drugkg ontology terms the ontology declares: a misspelt `dk:` term is an
InputError naming the term and the line it first appears on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from graph import paths
from graph.errors import InputError
from graph.namespace import BASE, DK, DKID, GRAPH, RDF, SOURCE
from graph.seeds import Seed, load_seeds, seed_quads
from graph.settings import Settings
from graph.shacl import to_rdflib

ONTOLOGY_GRAPH = NamedNode(str(GRAPH["ontology"]))
LINKS_GRAPH = NamedNode(str(GRAPH["links"]))
INFERRED = NamedNode(str(GRAPH["inferred"]))

_DK = str(DK._NS)
_TYPE = NamedNode(str(RDF.type))


@dataclass(frozen=True)
class Sources:
    """Where the build reads its inputs from."""

    ontology: Path = paths.ONTOLOGY_FILE
    seeds: Path = paths.SEEDS_DIR
    facts: Path = paths.FACTS_DIR
    links: Path = paths.LINKS_DIR
    shapes: Path = paths.SHAPES_DIR

    @classmethod
    def from_settings(cls, settings: Settings) -> Sources:
        default = cls()
        return cls(
            ontology=settings.ontology_file or default.ontology,
            seeds=settings.seeds_dir or default.seeds,
            facts=settings.facts_dir or default.facts,
            links=settings.links_dir or default.links,
            shapes=settings.shapes_dir or default.shapes,
        )


@dataclass
class Inputs:
    """Everything read: the dataset so far (ontology, facts, links), seeds and shapes."""

    store: Store
    seeds: list[Seed]
    shapes: rdflib.Graph
    prefixes: dict[str, str]
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_turtle(path: Path, graph: NamedNode | None = None) -> tuple[list[Quad], dict[str, str]]:
    """The triples of a Turtle file (as quads in `graph`) and its prefixes.

    Blank nodes are renamed so that two files never share one by accident.
    """
    try:
        parser = parse(path=path, format=RdfFormat.TURTLE, rename_blank_nodes=True)
        triples = list(parser)
    except SyntaxError as exc:
        raise InputError(
            f"Turtle syntax error: {exc.msg}", file=path, line=exc.lineno, column=exc.offset
        ) from exc
    except FileNotFoundError as exc:
        raise InputError("file does not exist", file=path) from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read: {exc}", file=path) from exc
    if graph is None:
        return triples, dict(parser.prefixes)
    quads = [Quad(q.subject, q.predicate, q.object, graph) for q in triples]
    return quads, dict(parser.prefixes)


def read_inputs(sources: Sources) -> Inputs:
    """Read and cross-check every input; broken input raises InputError (or SeedError)."""
    store = Store()
    ontology, prefixes = parse_turtle(sources.ontology, ONTOLOGY_GRAPH)
    store.extend(ontology)
    inputs = Inputs(
        store=store,
        seeds=load_seeds(sources.seeds),
        shapes=rdflib.Graph(),
        prefixes=prefixes,
        files=[sources.ontology],
    )
    declared = {q.subject.value for q in ontology if isinstance(q.subject, NamedNode)}
    seeds = {seed.doc_id: seed for seed in inputs.seeds}
    for seed in inputs.seeds:
        store.extend(seed_quads(seed))
        inputs.files += [seed.json_path, seed.text_path]
    for path in _turtle_files(sources.facts):
        if path.stem not in seeds:
            raise InputError(
                f"facts file has no seed: expected {sources.seeds / (path.stem + '.json')}",
                file=path,
            )
        _add(inputs, path, seeds[path.stem].graph, declared)
    for doc_id in sorted(seeds.keys() - {p.stem for p in _turtle_files(sources.facts)}):
        inputs.warnings.append(f"seed {doc_id!r} has no facts file in {sources.facts}")
    for path in _turtle_files(sources.links):
        _add(inputs, path, LINKS_GRAPH, declared)
    for path in _turtle_files(sources.shapes):
        triples, _ = parse_turtle(path)
        inputs.shapes += to_rdflib(triples)
        inputs.files.append(path)
    return inputs


def default_prefixes(prefixes: dict[str, str], base_iri: str = BASE) -> dict[str, str]:
    """Prefixes for output: the ontology's, plus dkid:, source: and graph:, rebased."""
    merged = {**prefixes, "dkid": str(DKID), "source": str(SOURCE), "graph": str(GRAPH)}
    return {
        p: base_iri + ns[len(BASE) :] if ns.startswith(BASE) else ns for p, ns in merged.items()
    }


def ontology_prefixes(sources: Sources, base_iri: str = BASE) -> dict[str, str]:
    """The Turtle prefixes of the ontology file, plus drugkg's own, for readable output."""
    _, prefixes = parse_turtle(sources.ontology)
    return default_prefixes(prefixes, base_iri)


def _turtle_files(folder: Path) -> list[Path]:
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise InputError("expected a folder of Turtle files", file=folder)
    return sorted(folder.glob("*.ttl"))


def _add(inputs: Inputs, path: Path, graph: NamedNode, declared: set[str]) -> None:
    quads, _ = parse_turtle(path, graph)
    _check_terms(path, quads, declared)
    inputs.store.extend(quads)
    inputs.files.append(path)


def _check_terms(path: Path, quads: list[Quad], declared: set[str]) -> None:
    """Every dk: term a data file uses as property or class must be declared in the ontology."""
    for q in quads:
        used = [q.predicate]
        if q.predicate == _TYPE and isinstance(q.object, NamedNode):
            used.append(q.object)
        for term in used:
            if term.value.startswith(_DK) and term.value not in declared:
                local = term.value[len(_DK) :]
                raise InputError(
                    "uses a drugkg term the ontology does not declare",
                    file=path,
                    line=_first_line(path, local),
                    term=f"dk:{local}",
                )


def _first_line(path: Path, local: str) -> int | None:
    """The first line naming dk:LOCAL (prefixed or in full), for the error message."""
    pattern = re.compile(rf"(?:\bdk:|{re.escape(_DK)}){re.escape(local)}(?![\w-])")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if pattern.search(line):
            return number
    return None
