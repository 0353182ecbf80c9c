"""What `drugkg validate DOC` adds to the build's checks: what a curator easily misses.

    entities defined twice    two IRIs of the entities graph with a name and a kind in common
                              (the same country under two IRIs): an error, at both definitions
    statements without quote  a statement graph of DOC.trig that the document graph does not
                              derive from a dk:Quote: an error, at the graph's block
    unlinked mentions         a known entity the text mentions (graph.curation.mentions) that no
                              statement graph of the quote around the mention names, or, for a
                              mention outside every quote, no statement graph of the document:
                              information, at the line of the seed text

Each finding names its file and line. Names are compared as graph.curation.entities.fold does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from graph.curation.entities import Entity, definition_line, fold, read_entities
from graph.curation.mentions import EntityMatcher
from graph.pipeline.inputs import QUOTE_ID, Sources, parse_trig
from graph.pipeline.seeds import Seed
from graph.vocabulary.namespace import DK, PROV, RDF

_DERIVED_FROM = str(PROV.wasDerivedFrom)
_TYPE = str(RDF.type)
_QUOTE = str(DK.Quote)


@dataclass(frozen=True)
class Finding:
    """One thing to tell the curator: where, what, and whether it fails the check."""

    file: Path
    line: int | None
    message: str
    error: bool

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        return f"{where}: {'error' if self.error else 'info'}: {self.message}"


def entities_defined_twice(entities: list[Entity]) -> list[Finding]:
    """Pairs of IRIs with a name and a kind in common, reported at each definition."""
    by_key: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for entity in entities:
        for name in {fold(n) for n in entity.names}:
            for kind in entity.kinds:
                by_key[(name, kind)].append(entity)
    findings: list[Finding] = []
    reported: set[tuple[str, ...]] = set()
    for (name, kind), group in sorted(by_key.items()):
        iris = tuple(sorted(e.iri for e in group))
        if len(iris) < 2 or iris in reported:
            continue
        reported.add(iris)
        shorts = ", ".join(e.short for e in sorted(group, key=lambda e: e.iri))
        kind_name = kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        for entity in sorted(group, key=lambda e: e.iri):
            findings.append(
                Finding(
                    entity.file or Path("?"),
                    entity.line,
                    f"entity defined twice: {shorts} are each a {kind_name} named {name!r}; "
                    "keep one IRI and use it everywhere",
                    error=True,
                )
            )
    return findings


@dataclass
class _Document:
    """The curated statements of one document, as read from its facts file."""

    quads: list[Quad]
    prefixes: dict[str, str]
    lines: list[str]
    named: dict[str, set[str]]  # statement graph -> the IRIs its triples name
    derived: dict[str, set[str]]  # statement graph -> quotes it is derived from


def read_document(path: Path, seed: Seed) -> _Document:
    quads, prefixes = parse_trig(path)
    document = seed.graph.value
    quotes = {
        q.subject.value
        for q in quads
        if q.graph_name == seed.graph
        and isinstance(q.subject, NamedNode)
        and q.predicate.value == _TYPE
        and q.object == NamedNode(_QUOTE)
    }
    named: dict[str, set[str]] = defaultdict(set)
    derived: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        graph = q.graph_name
        if not isinstance(graph, NamedNode):
            continue
        if graph.value == document:
            subject, value = q.subject, q.object
            if (
                q.predicate.value == _DERIVED_FROM
                and isinstance(subject, NamedNode)
                and isinstance(value, NamedNode)
                and value.value in quotes
            ):
                derived[subject.value].add(value.value)
            continue
        named[graph.value] |= {t.value for t in (q.subject, q.object) if isinstance(t, NamedNode)}
    lines = path.read_text(encoding="utf-8").splitlines()
    return _Document(quads, prefixes, lines, dict(named), dict(derived))


def statements_without_quote(path: Path, document: _Document) -> list[Finding]:
    """Statement graphs that the document graph derives from no dk:Quote."""
    return [
        Finding(
            path,
            _block_line(document, graph),
            f"statement graph <{graph}> holds statements but is derived from no dk:Quote of "
            "the document graph (add `a dk:StatementGraph ; prov:wasDerivedFrom <its quote>`: "
            "`drugkg quote` prints the block)",
            error=True,
        )
        for graph in sorted(document.named)
        if not document.derived.get(graph)
    ]


def _block_line(document: _Document, graph: str) -> int | None:
    spellings = [f"<{graph}>"] + [
        f"{p}:{graph[len(ns) :]}" for p, ns in document.prefixes.items() if graph.startswith(ns)
    ]
    opening = re.compile(rf"^\s*(?:{'|'.join(re.escape(s) for s in spellings)})\s*\{{")
    for number, line in enumerate(document.lines, start=1):
        if opening.match(line):
            return number
    return definition_line(document.lines, graph, document.prefixes)


def unlinked_mentions(seed: Seed, entities: list[Entity], document: _Document) -> list[Finding]:
    """Known entities the text mentions and the curated statements there leave unnamed."""
    text = seed.text
    spans: list[tuple[int, int, str]] = []  # the quote of each statement graph, by its id
    for graph in document.named:
        match = QUOTE_ID.fullmatch(graph.rsplit("/", 1)[-1])
        if match is not None:
            spans.append((int(match["start"]), int(match["end"]), graph))
    everywhere = set().union(*document.named.values()) if document.named else set()
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for mention in EntityMatcher(entities).mentions(text, 0, len(text)):
        assert mention.entity is not None
        iri = mention.entity.iri
        around = [g for s, e, g in spans if s <= mention.start and mention.end <= e]
        if around:
            if any(iri in document.named[g] for g in around):
                continue
            where = ", ".join(g.rsplit("/", 1)[-1] for g in sorted(around))
            message = f"the quote of {where} mentions it, and its statements do not name it"
        else:
            if iri in everywhere:
                continue
            where = "-"
            message = "no quote holds this mention, and no statement of the document names it"
        if (iri, where) in seen:
            continue
        seen.add((iri, where))
        findings.append(
            Finding(
                seed.text_path,
                text.count("\n", 0, mention.start) + 1,
                f"{mention.start}-{mention.end} {mention.text!r} mentions {mention.entity.short}"
                f" ({mention.entity.names[0]}): {message}",
                error=False,
            )
        )
    return findings


def curation_findings(sources: Sources, seed: Seed) -> list[Finding]:
    """Every finding of this module for one document: errors first, then information."""
    entities = read_entities(sources.entities)
    findings = entities_defined_twice(entities)
    path = sources.facts / f"{seed.doc_id}.trig"
    if not path.is_file():
        findings.append(
            Finding(path, None, "no facts file yet: `drugkg draft` starts one", error=False)
        )
        return findings
    document = read_document(path, seed)
    findings += statements_without_quote(path, document)
    findings += unlinked_mentions(seed, entities, document)
    return findings
