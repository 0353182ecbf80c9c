"""Candidate links for a draft: for the names a document uses that the graph does not know, and
for the known entities it mentions that have no link yet.

Each is matched by `drugkg links suggest`'s rule (graph.linking.linkset.match: normalised
label, a score) against the verified identifiers of shared/linking/verified-ids.tsv
(graph.linking.verified), the one source of external identifiers: nothing else is proposed,
and no identifier is ever made up. The draft shows each candidate as a commented triple with
the predicate the link rule gives (graph.linking.verified.predicate) and where it came from
(the table's line, key and label, how it matched); the curator reviews it and moves the right
ones into graph/links/. Nothing here writes a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode

from graph.curation.entities import Entity, fold
from graph.curation.mentions import Span
from graph.linking.linkset import LINK_PREDICATES, Candidate, Wanted, match
from graph.linking.verified import COLUMNS, Verified, dataset, predicate
from graph.pipeline.inputs import parse_turtle

_NEW = "new name"


@dataclass(frozen=True)
class Suggestion:
    """The candidate links of one entity or new name of the document."""

    subject: str
    """`dkid:slug` of a known entity, or the new name's words."""
    known: Entity | None
    first: Span
    """Where the document first names it."""
    links: list[tuple[Candidate, Verified, str]]
    """(candidate, the verified identifier it is, the link predicate's IRI), best first."""


def linked_entities(links_dir: Path) -> set[str]:
    """The IRIs that have a link in the link sets (`links_dir/*.ttl`)."""
    predicates = {str(p) for p in LINK_PREDICATES}
    linked: set[str] = set()
    for path in sorted(links_dir.glob("*.ttl")) if links_dir.is_dir() else []:
        triples, _ = parse_turtle(path)
        linked |= {
            q.subject.value
            for q in triples
            if isinstance(q.subject, NamedNode) and q.predicate.value in predicates
        }
    return linked


def suggest_links(
    mentions: list[Span], names: list[Span], linked: set[str], verified: list[Verified]
) -> list[Suggestion]:
    """Candidates for each known entity mentioned without a link, then for each new name."""
    firsts: dict[str, Span] = {}
    for m in mentions:
        assert m.entity is not None
        if m.entity.iri not in linked:
            firsts.setdefault(m.entity.iri, m)
    for n in names:
        firsts.setdefault(f"{_NEW}:{fold(n.text)}", n)
    wanted = []
    for key, span in firsts.items():
        entity = span.entity
        if entity is None:
            wanted.append(Wanted(key, "unknown", [(span.text, 1.0)]))
        else:
            weights = [(name, 1.0 if i == 0 else 0.9) for i, name in enumerate(entity.names)]
            wanted.append(Wanted(key, "entity", weights or [(span.text, 1.0)]))
    by_iri = {v.iri: v for v in verified}
    found: dict[str, list[tuple[Candidate, Verified, str]]] = {}
    for c in match(wanted, dataset(verified), {}):
        v = by_iri[c.candidate]
        entity = firsts[c.entity].entity
        kinds = entity.kinds if entity is not None else set()
        found.setdefault(c.entity, []).append((c, v, predicate(v, kinds)))
    suggestions = []
    for key, links in found.items():
        span = firsts[key]
        subject = span.entity.short if span.entity is not None else span.text
        links.sort(key=lambda link: (-link[0].score, link[1].line, COLUMNS.index(link[1].column)))
        suggestions.append(Suggestion(subject, span.entity, span, links))
    return sorted(suggestions, key=lambda s: (s.known is None, s.first.start))
