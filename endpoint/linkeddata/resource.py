"""The HTML page of a resource: a summary on top (label, kind, definition, the datasets it is
the same as, and the sentences its key statements rest on), then every property both ways,
each beside the sentence that supports that very statement (`endpoint.linkeddata.provenance`).
A statement several source documents support is shown with the documents side by side, on
top and in its row; and where claims of different claimants take opposite sides on the
resource (or on what it, a claim, takes a side on), both sides
(`endpoint.linkeddata.disagreement`).

Links to external datasets are one line per dataset, not rows of the table; a quote stands
by its text, not its `#char=` name; language tags show only where some literal is not English.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from endpoint import templating
from endpoint.linkeddata.about import ResourceView, gather, is_match
from endpoint.linkeddata.disagreement import Disagreement, disagreements
from endpoint.linkeddata.pages import (
    FORMATS,
    Shown,
    local_name,
    local_url,
    only_english,
    onward,
    shown,
)
from endpoint.linkeddata.provenance import Said, Sentence, kind_of_graph, said, sentence
from endpoint.linkeddata.query import Row, Term
from graph.vocabulary.namespace import DK, RDF, RDFS, SKOS

__all__ = ["gather", "render"]


@dataclass(frozen=True, slots=True)
class Value:
    """A cell's term; a blank node as its own properties (`toward X · stance Y`)."""

    term: Shown
    parts: tuple[tuple[Shown, Shown], ...] = ()


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a property table, with where it is said."""

    first: Shown
    second: Value
    said: Said


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement of the summary: subjects, predicate, objects (the resource among them)."""

    subjects: tuple[Value, ...]
    predicate: Shown
    objects: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Saying:
    """A sentence of a source and the statements about the resource that rest on it."""

    sentence: Sentence
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Across:
    """A statement about the resource that more than one source document supports."""

    statement: Statement
    said: Said


@dataclass(frozen=True, slots=True)
class MatchLine:
    """The links to one external dataset, on one line."""

    dataset: str
    links: tuple[Shown, ...]
    predicates: tuple[str, ...]
    badges: tuple[str, ...]


SUMMARY_SENTENCES = 4
"""How many sentences the summary on top quotes (the rest are in the tables)."""

_NOT_IN_SUMMARY = {
    str(RDF.type),
    str(RDFS.label),
    str(SKOS.prefLabel),
    str(SKOS.definition),
    str(RDFS.comment),
}


class _Page:
    """Builds the page's data from a gathered view."""

    def __init__(self, view: ResourceView, base: str) -> None:
        self.view, self.base = view, base
        literals = [r["o"] for r in view.outgoing] + [
            r["bo"] for rows in view.blank.values() for r in rows
        ]
        self.languages = not only_english(literals)

    def shown(self, term: Term, label: Term | None = None, exact: Term | None = None) -> Shown:
        if label is None and exact is not None:
            label = Term("literal", f"\u201c{exact.value}\u201d")
        return shown(term, label, self.base, languages=self.languages)

    def value(self, row: Row) -> Value:
        term = row["o"]
        if term.kind != "bnode":
            return Value(self.shown(term, row.get("olabel"), row.get("oexact")))
        own = sorted(
            self.view.blank.get(term.value, []), key=lambda r: r["bp"].value != str(DK.toward)
        )
        parts = tuple(
            (self.shown(r["bp"], r.get("bplabel")), self.shown(r["bo"], r.get("bolabel")))
            for r in own
        )
        return Value(self.shown(term), parts)

    def said(self, graphs: set[str]) -> Said:
        return said(graphs, self.view.support, self.view.texts, self.base)

    def outgoing(self) -> list[Line]:
        graphs: dict[tuple[str, str], set[str]] = defaultdict(set)
        first: dict[tuple[str, str], Row] = {}
        for row in self.view.outgoing:
            if is_match(row):
                continue
            key = (row["p"].value, row["o"].value)
            graphs[key].add(row["g"].value)
            first.setdefault(key, row)
        return [
            Line(self.shown(r["p"], r.get("plabel")), self.value(r), self.said(graphs[key]))
            for key, r in first.items()
        ]

    def incoming(self) -> list[Line]:
        graphs: dict[tuple[str, str], set[str]] = defaultdict(set)
        first: dict[tuple[str, str], Row] = {}
        for row in self.view.incoming:
            key = (row["s"].value, row["p"].value)
            graphs[key].add(row["g"].value)
            first.setdefault(key, row)
        return [
            Line(
                self.shown(r["s"], r.get("slabel"), r.get("sexact")),
                Value(self.shown(r["p"], r.get("plabel"))),
                self.said(graphs[key]),
            )
            for key, r in first.items()
        ]

    def summary(self) -> list[Saying]:
        """The sentences the resource's own statements rest on (or, for a resource with none,
        the statements about it), in text order, each with its statements by predicate."""
        itself = Value(Shown(self.view.label or local_name(self.view.iri)))
        found: dict[tuple[str, str], list[Value]] = defaultdict(list)
        predicates: dict[str, Shown] = {}
        support = self.view.support
        for row in self.view.outgoing:
            g, p = row["g"].value, row["p"].value
            if g in support and p not in _NOT_IN_SUMMARY and not is_match(row):
                found[(g, p)].append(self.value(row))
                predicates.setdefault(p, self.shown(row["p"], row.get("plabel")))
        own = bool(found)
        if not own:
            for row in self.view.incoming:
                g, p = row["g"].value, row["p"].value
                if g in support:
                    subject = self.shown(row["s"], row.get("slabel"), row.get("sexact"))
                    found[(g, p)].append(Value(subject))
                    predicates.setdefault(p, self.shown(row["p"], row.get("plabel")))
        by_graph: dict[str, list[Statement]] = defaultdict(list)
        for (g, p), values in found.items():
            statement = (
                Statement((itself,), predicates[p], tuple(values))
                if own
                else Statement(tuple(values), predicates[p], (itself,))
            )
            by_graph[g].append(statement)
        chosen = sorted(by_graph, key=lambda g: (support[g].start, support[g].end))
        return [
            Saying(sentence(support[g], self.view.texts, self.base), tuple(by_graph[g]))
            for g in chosen[:SUMMARY_SENTENCES]
        ]

    def across(self, outgoing: list[Line], incoming: list[Line]) -> list[Across]:
        """The statements of the tables that several source documents support."""
        itself = Value(Shown(self.view.label or local_name(self.view.iri)))
        found = [
            Across(Statement((itself,), line.first, (line.second,)), line.said)
            for line in outgoing
            if line.said.several
        ]
        found += [
            Across(Statement((Value(line.first),), line.second.term, (itself,)), line.said)
            for line in incoming
            if line.said.several
        ]
        return found

    def disagreements(self) -> list[Disagreement]:
        def sentences(graphs: set[str]) -> tuple[Sentence, ...]:
            return self.said(graphs).sentences

        return disagreements(self.view.iri, self.view.positions, self.shown, sentences)

    def matches(self, *, exact: bool) -> list[MatchLine]:
        """One line per external dataset: the same as (`exact`), or related to."""
        lines = []
        for match in self.view.matches.values():
            if match.exact == exact:
                links = tuple(Shown(local_name(i), i, i) for i in match.iris)
                badges = tuple(sorted({kind_of_graph(g, self.base) for g in match.graphs}))
                lines.append(MatchLine(match.dataset, links, tuple(match.predicates), badges))
        return lines


def render(view: ResourceView, base: str, *, query_page: bool) -> str:
    built = _Page(view, base)
    path = local_url(view.iri, base)
    outgoing, incoming = built.outgoing(), built.incoming()
    return templating.render(
        "resource.html",
        title=view.label or view.iri.rpartition("/")[2],
        iri=view.iri,
        path=path,
        formats=FORMATS,
        kinds=[built.shown(t, label) for t, label in view.kinds],
        definitions=view.definitions,
        same=built.matches(exact=True),
        related=built.matches(exact=False),
        summary=built.summary(),
        across=built.across(outgoing, incoming),
        disagreements=built.disagreements(),
        outgoing=outgoing,
        incoming=incoming,
        onward=onward(view.iri, query_page=query_page),
    )
