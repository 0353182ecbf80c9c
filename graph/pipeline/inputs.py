"""Reading the build's inputs (ontology, seeds, entities, facts, links, shapes) into named graphs.

Where they are read from is a `Sources` value (defaults from graph/paths.py, overridable by
settings), so tests and curators can build from a copy of the data. Every file is parsed with
pyoxigraph; a syntax error becomes an InputError with the file, line and column.

- `entities/*.ttl` (Turtle) go into the shared `entities` graph.
- `facts/DOC.trig` (TriG) keep their own graphs, and may only name the document graph
  `graph/facts/DOC` and its statement graphs `graph/facts/DOC/q-START-END`: a triple outside
  any graph block, or a graph of another name, is an InputError naming it and its line. A facts
  file in Turtle (`DOC.ttl`, the layout before statement graphs) is refused with the same.
  Drafts (`DOC.draft.trig`, written by `drugkg draft` for a curator) are never read.
- `links/*.ttl` go into the `links` graph.

Entities, facts and links may only use drugkg ontology terms the ontology declares: a misspelt
`dk:` term is an InputError naming the term and the line it first appears on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from graph import paths
from graph.errors import InputError
from graph.pipeline.seeds import Seed, load_seeds, seed_quads
from graph.pipeline.shacl import to_rdflib
from graph.settings import Settings
from graph.vocabulary.namespace import BASE, DK, DKID, GRAPH, RDF, SOURCE

ONTOLOGY_GRAPH = NamedNode(str(GRAPH["ontology"]))
ENTITIES_GRAPH = NamedNode(str(GRAPH["entities"]))
LINKS_GRAPH = NamedNode(str(GRAPH["links"]))
INFERRED = NamedNode(str(GRAPH["inferred"]))

DRAFT_SUFFIX = ".draft.trig"
"""`DOC.draft.trig`: a curator's draft (`drugkg draft`), never read by the build."""

QUOTE_ID = re.compile(r"q-(?P<start>0|[1-9][0-9]*)-(?P<end>0|[1-9][0-9]*)")
"""A statement graph's quote id: `q-START-END`, the code-point offsets of its quote."""

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
    entities: Path = paths.ENTITIES_DIR

    @classmethod
    def from_settings(cls, settings: Settings) -> Sources:
        default = cls()
        return cls(
            ontology=settings.ontology_file or default.ontology,
            seeds=settings.seeds_dir or default.seeds,
            facts=settings.facts_dir or default.facts,
            links=settings.links_dir or default.links,
            shapes=settings.shapes_dir or default.shapes,
            entities=settings.entities_dir or default.entities,
        )


@dataclass
class Inputs:
    """Everything read: the dataset so far (ontology, entities, facts, links), seeds, shapes."""

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
    triples, prefixes = _parse(path, RdfFormat.TURTLE, "Turtle")
    if graph is None:
        return triples, prefixes
    return [Quad(q.subject, q.predicate, q.object, graph) for q in triples], prefixes


def parse_trig(path: Path) -> tuple[list[Quad], dict[str, str]]:
    """The quads of a TriG file, in the graphs it names, and its prefixes."""
    return _parse(path, RdfFormat.TRIG, "TriG")


def _parse(path: Path, fmt: RdfFormat, name: str) -> tuple[list[Quad], dict[str, str]]:
    try:
        parser = parse(path=path, format=fmt, rename_blank_nodes=True)
        quads = list(parser)
    except SyntaxError as exc:
        raise InputError(
            f"{name} syntax error: {exc.msg}", file=path, line=exc.lineno, column=exc.offset
        ) from exc
    except FileNotFoundError as exc:
        raise InputError("file does not exist", file=path) from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read: {exc}", file=path) from exc
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
    for path in _files(sources.entities, ".ttl"):
        _add(inputs, path, ENTITIES_GRAPH, declared)
    facts = _facts_files(sources.facts)
    for path in facts:
        if path.stem not in seeds:
            raise InputError(
                f"facts file has no seed: expected {sources.seeds / (path.stem + '.json')}",
                file=path,
            )
        quads, _ = parse_trig(path)
        _check_graphs(path, quads, seeds[path.stem])
        _check_terms(path, quads, declared)
        store.extend(quads)
        inputs.files.append(path)
    for doc_id in sorted(seeds.keys() - {p.stem for p in facts}):
        inputs.warnings.append(f"seed {doc_id!r} has no facts file in {sources.facts}")
    for path in _files(sources.links, ".ttl"):
        _add(inputs, path, LINKS_GRAPH, declared)
    inputs.shapes = read_shapes(sources)
    inputs.files += _files(sources.shapes, ".ttl")
    return inputs


def read_shapes(sources: Sources) -> rdflib.Graph:
    """The SHACL shapes of shapes/*.ttl, as one rdflib graph (pySHACL's input)."""
    shapes = rdflib.Graph()
    for path in _files(sources.shapes, ".ttl"):
        triples, _ = parse_turtle(path)
        shapes += to_rdflib(triples)
    return shapes


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


def _files(folder: Path, suffix: str) -> list[Path]:
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise InputError(f"expected a folder of *{suffix} files", file=folder)
    return sorted(folder.glob(f"*{suffix}"))


def _facts_files(folder: Path) -> list[Path]:
    turtle = _files(folder, ".ttl")
    if turtle:
        raise InputError(
            "facts files are TriG (DOC.trig), one block per quote with its statement graph: "
            "see graph/facts/README.md",
            file=turtle[0],
        )
    return [p for p in _files(folder, ".trig") if not p.name.endswith(DRAFT_SUFFIX)]


def _check_graphs(path: Path, quads: list[Quad], seed: Seed) -> None:
    """A facts file speaks of its own document only: its graph and its statement graphs."""
    document = seed.graph.value
    for q in quads:
        graph = q.graph_name
        if not isinstance(graph, NamedNode):
            raise InputError(
                "a triple outside any graph block: every triple of a facts file lies in the "
                f"document graph <{document}> or in a statement graph <{document}/q-START-END>",
                file=path,
                line=_line_naming(path, q.subject),
                term=str(q.subject),
            )
        name = graph.value
        local = name.removeprefix(document + "/")
        if name != document and (local == name or not QUOTE_ID.fullmatch(local)):
            raise InputError(
                f"graph <{name}> is neither the document graph <{document}> nor one of its "
                "statement graphs <…/q-START-END> (START, END: the offsets of its quote)",
                file=path,
                line=_line_naming(path, graph),
                term=name,
            )


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


def _line_naming(path: Path, term: object) -> int | None:
    """The first line naming an IRI (in full or by its last segment), for an error message."""
    if not isinstance(term, NamedNode):
        return None
    iri = term.value
    tail = re.split(r"[/#:]", iri)[-1]
    lines = path.read_text(encoding="utf-8").splitlines()
    for wanted in (f"<{iri}>", tail):
        pattern = re.compile(rf"(?<![\w-]){re.escape(wanted)}(?![\w-])")
        for number, line in enumerate(lines, start=1):
            if pattern.search(line):
                return number
    return None


def _first_line(path: Path, local: str) -> int | None:
    """The first line naming dk:LOCAL (prefixed or in full), for the error message."""
    pattern = re.compile(rf"(?:\bdk:|{re.escape(_DK)}){re.escape(local)}(?![\w-])")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if pattern.search(line):
            return number
    return None
