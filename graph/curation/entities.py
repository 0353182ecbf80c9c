"""The entities a curator can link to: every IRI the entities files name, with its names,
its kinds and the file and line that define it.

Names are `rdfs:label`, `skos:prefLabel` and `skos:altLabel`. The files are parsed with
pyoxigraph (the build's parser), so a file the build would refuse is refused here with the same
InputError; the line of a definition is the first line that starts with the entity's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from graph.pipeline.inputs import parse_turtle
from graph.vocabulary.namespace import DKID, RDF, RDFS, SKOS

NAME_PROPERTIES = frozenset(str(p) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel))
_TYPE = str(RDF.type)


@dataclass
class Entity:
    """One entity of the entities graph."""

    iri: str
    names: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    file: Path | None = None
    line: int | None = None

    @property
    def short(self) -> str:
        """`dkid:slug` for an entity of drugkg, else the IRI in angle brackets."""
        slug = self.iri.removeprefix(str(DKID))
        return f"dkid:{slug}" if slug != self.iri else f"<{self.iri}>"

    @property
    def where(self) -> str:
        if self.file is None:
            return "(unknown file)"
        return f"{self.file}:{self.line}" if self.line is not None else str(self.file)


def read_entities(folder: Path) -> list[Entity]:
    """Every entity named or typed in `folder/*.ttl`, sorted by IRI.

    An IRI typed or named in two files keeps the first file (in name order) as its place of
    definition and gathers the names and kinds of both.
    """
    found: dict[str, Entity] = {}
    for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
        triples, prefixes = parse_turtle(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        for quad in triples:
            subject, predicate, value = quad.subject, quad.predicate.value, quad.object
            if not isinstance(subject, NamedNode):
                continue
            if predicate not in NAME_PROPERTIES and predicate != _TYPE:
                continue
            entity = found.get(subject.value)
            if entity is None:
                entity = Entity(subject.value, file=path)
                entity.line = definition_line(lines, subject.value, prefixes)
                found[subject.value] = entity
            if predicate == _TYPE and isinstance(value, NamedNode):
                entity.kinds.add(value.value)
            elif isinstance(value, Literal) and value.value not in entity.names:
                entity.names.append(value.value)
    return [found[iri] for iri in sorted(found)]


def definition_line(lines: list[str], iri: str, prefixes: dict[str, str]) -> int | None:
    """The first line (1-based) that opens with `iri`, in full or as a prefixed name."""
    spellings = [f"<{iri}>"]
    spellings += [f"{p}:{iri[len(ns) :]}" for p, ns in prefixes.items() if iri.startswith(ns)]
    patterns = [re.compile(rf"^\s*{re.escape(s)}(?![\w.-]*\w)") for s in spellings]
    for number, line in enumerate(lines, start=1):
        if any(p.match(line) for p in patterns):
            return number
    return None


def find_by_name(entities: list[Entity], name: str) -> Entity | None:
    """The entity one of whose names is `name` (case and spacing ignored), if exactly one."""
    wanted = fold(name)
    matches = [e for e in entities if any(fold(n) == wanted for n in e.names)]
    return matches[0] if len(matches) == 1 else None


def fold(name: str) -> str:
    """A name as compared: case-folded, typographic apostrophes plain, spaces collapsed."""
    return " ".join(name.replace("\u2019", "'").casefold().split())
