"""The HTML page of a source document: its text with every annotated quote highlighted, each
linked to the facts and claims derived from it.

Each quote has an anchor `#char=start,end` at its start in the text (the fragment of the
quote's own IRI), so a resource page links straight to the quote it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from endpoint.ldpages import formats_nav, local_url, page, query_links, term_html
from endpoint.ldquery import Row, iri_ref, select
from endpoint.ldtext import Mark, highlighted
from graph.namespace import DK, OA, PROV, RDFS, SDO

if TYPE_CHECKING:
    from endpoint.execution import QueryPool

DOCUMENT = f"""SELECT ?text (SAMPLE(?l) AS ?label) (SAMPLE(?pub) AS ?publisher)
  (SAMPLE(?publ) AS ?publisherLabel) (SAMPLE(?date) AS ?published)
WHERE {{ %(iri)s <{SDO.text}> ?text
  OPTIONAL {{ %(iri)s <{RDFS.label}> ?l }}
  OPTIONAL {{ %(iri)s <{DK.publishedBy}> ?pub OPTIONAL {{ ?pub <{RDFS.label}> ?publ }} }}
  OPTIONAL {{ %(iri)s <{SDO.datePublished}> ?date }} }}
GROUP BY ?text"""

QUOTES = f"""SELECT ?quote ?start ?end ?thing (SAMPLE(?tl) AS ?label) (SAMPLE(?c) AS ?claim)
WHERE {{ ?quote <{OA.hasSource}> %(iri)s ; <{OA.hasSelector}> ?sel .
  ?sel <{OA.start}> ?start ; <{OA.end}> ?end .
  OPTIONAL {{ ?thing <{PROV.wasDerivedFrom}>|<{PROV.wasQuotedFrom}> ?quote
    OPTIONAL {{ ?thing <{RDFS.label}> ?tl }}
    OPTIONAL {{ ?thing a <{DK.Claim}> BIND(true AS ?c) }} }} }}
GROUP BY ?quote ?start ?end ?thing ORDER BY ?start ?end ?thing"""


@dataclass
class Quote:
    start: int
    end: int
    things: list[Row] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"char={self.start},{self.end}"


@dataclass
class SourceView:
    iri: str
    document: Row
    quotes: list[Quote]


async def gather(pool: QueryPool, iri: str) -> SourceView | None:
    """The source's text and quotes; None when the IRI is not a source with a text."""
    ref = {"iri": iri_ref(iri)}
    documents = await select(pool, DOCUMENT % ref)
    if not documents:
        return None
    quotes: dict[tuple[int, int], Quote] = {}
    for row in await select(pool, QUOTES % ref):
        key = (int(row["start"].value), int(row["end"].value))
        quote = quotes.setdefault(key, Quote(*key))
        if "thing" in row:
            quote.things.append(row)
    return SourceView(iri, documents[0], sorted(quotes.values(), key=lambda q: (q.start, q.end)))


def _derived(quote: Quote, base: str) -> str:
    items = []
    for row in quote.things:
        kind = "claim" if "claim" in row else "fact"
        link = term_html(row["thing"], row.get("label"), base)
        items.append(f'<li><span class="badge">{kind}</span> {link}</li>')
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>Nothing derived yet.</p>"


def render(view: SourceView, base: str, *, query_page: bool) -> str:
    text = view.document["text"].value
    label = view.document.get("label")
    marks = [
        Mark(
            q.start,
            q.end,
            q.anchor,
            "; ".join(r["label"].value for r in q.things if "label" in r) or "a quote",
        )
        for q in view.quotes
        if q.end <= len(text)
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
        f'<section id="about-{escape(q.anchor)}"><h3><a href="#{escape(q.anchor)}">'
        f"“{escape(text[q.start : q.end])}”</a> <small>({q.start}&ndash;{q.end})</small></h3>"
        f"{_derived(q, base)}</section>"
        for q in view.quotes
        if q.end <= len(text)
    )
    body = (
        f"<p>{', '.join(meta)}. {len(view.quotes)} annotated quotes, highlighted below; "
        "darker where quotes overlap.</p>"
        f'<div class="text" id="text">{highlighted(text, marks)}</div>'
        f"<h2>Quotes and what was derived from them</h2>{index}"
        f"{query_links(view.iri, query_page=query_page)}"
    )
    title = label.value if label is not None else view.iri
    path = local_url(view.iri, base)
    return page(title, body, iri=view.iri, formats=formats_nav(path))
