"""The HTML page of a source document: its text with every annotated quote highlighted, each
linked to the statements it supports.

Each quote has an anchor `#char=start,end` at its start in the text (the fragment of the
quote's own IRI), so a resource page links straight to the sentence of a statement. Below the
text, each quote lists its statement graph (`graph/facts/DOC/q-S-E`) and the statements in it,
grouped by the resource they are about, claims told apart from facts, with whom the source
attributes the sentence to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from endpoint.linkeddata.pages import formats_nav, local_url, page, query_links, term_html
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
  OPTIONAL {{ ?s a/<{RDFS.subClassOf}>* <{DK.Claim}> BIND(true AS ?c) }}
  OPTIONAL {{ ?p <{RDFS.label}> ?pl }}
  OPTIONAL {{ ?o {_LABEL} ?ol }} }}
GROUP BY ?g ?s ?p ?o ORDER BY ?g ?s ?p ?o"""


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
    for row in await select(pool, STATEMENTS % ref):
        holder = by_graph.get(row["g"].value)
        if holder is None:
            continue
        subject = holder.subjects.setdefault(
            row["s"].value, Subject(row["s"], row.get("slabel"), "claim" in row)
        )
        subject.statements.append(row)
    return SourceView(iri, documents[0], sorted(quotes.values(), key=lambda q: (q.start, q.end)))


def _statements(quote: Quote, base: str) -> str:
    if not quote.subjects:
        return "<p>No statement rests on this quote.</p>"
    items = []
    for subject in quote.subjects.values():
        kind = "claim" if subject.claim else "fact"
        said = "; ".join(
            f"{term_html(r['p'], r.get('plabel'), base)} {_object(r, base)}"
            for r in subject.statements
        )
        link = term_html(subject.term, subject.label, base)
        items.append(f'<li><span class="badge">{kind}</span> {link}: {said}</li>')
    return "<ul>" + "".join(items) + "</ul>"


def _object(row: Row, base: str) -> str:
    if row["o"].kind == "bnode":
        return "(a position, on the claim's page)"
    return term_html(row["o"], row.get("olabel"), base)


def _heading(quote: Quote, text: str, base: str) -> str:
    links = [f"({quote.start}&ndash;{quote.end})"]
    if quote.graph is not None:
        href = escape(local_url(quote.graph, base))
        links.append(f"<a class=statements href='{href}'>statement graph</a>")
    if quote.according_to:
        who = ", ".join(term_html(t, label, base) for t, label in quote.according_to)
        links.append(f"according to {who}")
    return (
        f'<h3><a href="#{escape(quote.anchor)}">“{escape(text[quote.start : quote.end])}”</a> '
        f"<small>{' · '.join(links)}</small></h3>"
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
    meta = []
    if "publisher" in view.document:
        meta.append(
            "published by "
            + term_html(view.document["publisher"], view.document.get("publisherLabel"), base)
        )
    if "published" in view.document:
        meta.append(escape(view.document["published"].value))
    index = "".join(
        f'<section id="about-{escape(q.anchor)}">{_heading(q, text, base)}'
        f"{_statements(q, base)}</section>"
        for q in quotes
    )
    body = (
        f"<p>{', '.join(meta)}. {len(view.quotes)} annotated quotes, highlighted below; "
        "darker where quotes overlap. Each supports the statements of its own statement "
        "graph.</p>"
        f'<div class="text" id="text">{highlighted(text, marks)}</div>'
        f"<h2>Quotes and the statements they support</h2>{index}"
        f"{query_links(view.iri, query_page=query_page)}"
    )
    title = label.value if label is not None else view.iri
    path = local_url(view.iri, base)
    return page(title, body, iri=view.iri, formats=formats_nav(path))
