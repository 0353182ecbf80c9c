"""The HTML page of a source document: its text with every annotated quote highlighted, each
linked to the statements it supports.

Each quote has an anchor `#char=start,end` at its start in the text (the fragment of the
quote's own IRI), so a resource page links straight to the sentence of a statement. Below the
text, each quote lists its statement graph (`graph/facts/DOC/q-S-E`) and the statements in it,
grouped by the resource they are about, claims told apart from facts, with whom the source
attributes the sentence to.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from endpoint import templating
from endpoint.linkeddata.pages import FORMATS, Shown, local_url, onward, shown
from endpoint.linkeddata.query import Row, Term, iri_ref, select
from endpoint.linkeddata.text import Mark, highlighted
from graph.vocabulary.namespace import DK, OA, PROV, RDFS, SDO, SKOS

if TYPE_CHECKING:
    from endpoint.linkeddata.query import Evaluator

_LABEL = f"<{RDFS.label}>|<{SKOS.prefLabel}>"

DOCUMENT = f"""SELECT ?text (SAMPLE(?l) AS ?label) (SAMPLE(?pub) AS ?publisher)
  (SAMPLE(?publ) AS ?publisherLabel) (SAMPLE(?date) AS ?published)
WHERE {{ %(iri)s <{SDO.text}> ?text
  OPTIONAL {{ %(iri)s <{RDFS.label}> ?l }}
  OPTIONAL {{ %(iri)s <{DK.publishedBy}> ?pub OPTIONAL {{ ?pub <{RDFS.label}> ?publ }} }}
  OPTIONAL {{ %(iri)s <{SDO.datePublished}> ?date }} }}
GROUP BY ?text"""

QUOTES = f"""SELECT ?quote ?start ?end ?g ?who (SAMPLE(?wl) AS ?wholabel)
WHERE {{ ?quote <{OA.hasSource}> %(iri)s ; <{OA.hasSelector}> ?sel .
  ?sel <{OA.start}> ?start ; <{OA.end}> ?end .
  OPTIONAL {{ ?g a <{DK.StatementGraph}> ; <{PROV.wasDerivedFrom}> ?quote }}
  OPTIONAL {{ ?quote <{DK.accordingTo}>|<{PROV.wasQuotedFrom}> ?who
    OPTIONAL {{ ?who {_LABEL} ?wl }} }} }}
GROUP BY ?quote ?start ?end ?g ?who ORDER BY ?start ?end ?who"""

STATEMENTS = f"""SELECT ?g ?s (SAMPLE(?sl) AS ?slabel) (SAMPLE(?c) AS ?claim)
  ?p (SAMPLE(?pl) AS ?plabel) ?o (SAMPLE(?ol) AS ?olabel)
WHERE {{ ?quote <{OA.hasSource}> %(iri)s .
  ?g a <{DK.StatementGraph}> ; <{PROV.wasDerivedFrom}> ?quote .
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (isIRI(?s) && ?p != <{RDFS.label}>)
  OPTIONAL {{ ?s {_LABEL} ?sl }}
  OPTIONAL {{ VALUES ?c {{ %(claim_kinds)s }} ?s a ?c }}
  OPTIONAL {{ ?p <{RDFS.label}> ?pl }}
  OPTIONAL {{ ?o {_LABEL} ?ol }} }}
GROUP BY ?g ?s ?p ?o ORDER BY ?g ?s ?p ?o"""
"""The statements of each quote; a subject with a claim kind (`CLAIM_KINDS`) is a claim."""

CLAIM_KINDS = f"SELECT DISTINCT ?kind WHERE {{ ?kind <{RDFS.subClassOf}>* <{DK.Claim}> }}"
"""dk:Claim and its subclasses, asked apart: Virtuoso 7 binds a path inside the OPTIONAL of
STATEMENTS for one row only (`a/rdfs:subClassOf* dk:Claim` there marked 1 row of 251)."""


@dataclass
class Subject:
    """What one statement graph says of one resource."""

    term: Term
    label: Term | None
    claim: bool
    statements: list[Row] = field(default_factory=list)


@dataclass
class Quote:
    start: int
    end: int
    graph: str | None = None
    according_to: list[tuple[Term, Term | None]] = field(default_factory=list)
    subjects: dict[str, Subject] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return f"char={self.start},{self.end}"


@dataclass
class SourceView:
    iri: str
    document: Row
    quotes: list[Quote]


async def gather(pool: Evaluator, iri: str) -> SourceView | None:
    """The source's text, its quotes and their statements; None when the IRI is not a source
    with a text."""
    ref = {"iri": iri_ref(iri)}
    documents = await select(pool, DOCUMENT % ref)
    if not documents:
        return None
    quotes: dict[tuple[int, int], Quote] = {}
    by_graph: dict[str, Quote] = {}
    for row in await select(pool, QUOTES % ref):
        key = (int(row["start"].value), int(row["end"].value))
        quote = quotes.setdefault(key, Quote(*key))
        if "g" in row:
            quote.graph = row["g"].value
            by_graph[quote.graph] = quote
        if "who" in row and all(t.value != row["who"].value for t, _ in quote.according_to):
            quote.according_to.append((row["who"], row.get("wholabel")))
    kinds = " ".join(sorted(await _claim_kinds(pool)))
    for row in await select(pool, STATEMENTS % {**ref, "claim_kinds": kinds}):
        holder = by_graph.get(row["g"].value)
        if holder is None:
            continue
        subject = holder.subjects.setdefault(
            row["s"].value, Subject(row["s"], row.get("slabel"), "claim" in row)
        )
        subject.statements.append(row)
    return SourceView(iri, documents[0], sorted(quotes.values(), key=lambda q: (q.start, q.end)))


async def _claim_kinds(pool: Evaluator) -> set[str]:
    """dk:Claim and its named subclasses, as IRIs written for a query."""
    kinds = {iri_ref(str(DK.Claim))}
    for row in await select(pool, CLAIM_KINDS):
        kind = row["kind"]
        if kind.kind == "uri":
            with contextlib.suppress(ValueError):  # an IRI no query can name: no claim kind
                kinds.add(iri_ref(kind.value))
    return kinds


@dataclass(frozen=True, slots=True)
class Told:
    """What one statement graph says of one resource, as the source page lists it."""

    kind: str
    """`claim` or `fact`."""
    subject: Shown
    said: tuple[tuple[Shown, Shown | None], ...]
    """(predicate, object) pairs; None for a blank node (a claim's position)."""


@dataclass(frozen=True, slots=True)
class QuoteShown:
    anchor: str
    text: str
    start: int
    end: int
    graph: str | None
    according_to: tuple[Shown, ...]
    told: tuple[Told, ...]


def _told(quote: Quote, base: str) -> tuple[Told, ...]:
    return tuple(
        Told(
            "claim" if subject.claim else "fact",
            shown(subject.term, subject.label, base),
            tuple(
                (
                    shown(r["p"], r.get("plabel"), base),
                    None if r["o"].kind == "bnode" else shown(r["o"], r.get("olabel"), base),
                )
                for r in subject.statements
            ),
        )
        for subject in quote.subjects.values()
    )


def render(view: SourceView, base: str, *, query_page: bool) -> str:
    text = view.document["text"].value
    label = view.document.get("label")
    quotes = [q for q in view.quotes if q.end <= len(text)]
    marks = [
        Mark(
            q.start,
            q.end,
            q.anchor,
            "; ".join(s.label.value for s in q.subjects.values() if s.label is not None)
            or "a quote",
        )
        for q in quotes
    ]
    publisher = None
    if "publisher" in view.document:
        publisher = shown(view.document["publisher"], view.document.get("publisherLabel"), base)
    published = view.document["published"].value if "published" in view.document else None
    shown_quotes = [
        QuoteShown(
            q.anchor,
            text[q.start : q.end],
            q.start,
            q.end,
            None if q.graph is None else local_url(q.graph, base),
            tuple(shown(t, who, base) for t, who in q.according_to),
            _told(q, base),
        )
        for q in quotes
    ]
    return templating.render(
        "source.html",
        title=label.value if label is not None else view.iri,
        iri=view.iri,
        path=local_url(view.iri, base),
        formats=FORMATS,
        publisher=publisher,
        published=published,
        count=len(view.quotes),
        text=highlighted(text, marks),
        quotes=shown_quotes,
        onward=onward(view.iri, query_page=query_page),
    )
