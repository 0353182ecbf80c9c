"""The HTML page of a resource: label, types, definition, properties both ways, external
matches and the quotes it was derived from, each in its sentence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from endpoint.ldpages import formats_nav, local_url, page, query_links, term_html
from endpoint.ldquery import Row, Term, iri_ref, select
from endpoint.ldtext import OffsetError, in_sentence
from graph.links import EXTERNAL_DATASETS
from graph.namespace import GRAPH, OA, OWL, PROV, RDF, RDFS, SDO, SKOS

if TYPE_CHECKING:
    from endpoint.execution import QueryPool

MATCH_PREDICATES = {
    str(OWL.sameAs),
    str(SKOS.exactMatch),
    str(SKOS.closeMatch),
    str(SKOS.broadMatch),
    str(SKOS.narrowMatch),
    str(SKOS.relatedMatch),
}
_LABEL = f"<{RDFS.label}>|<{SKOS.prefLabel}>"
_LANG = 'FILTER(LANG({v}) IN ("en", ""))'

OUTGOING = f"""SELECT ?p ?o ?g (SAMPLE(?pl) AS ?plabel) (SAMPLE(?ol) AS ?olabel)
WHERE {{ GRAPH ?g {{ %(iri)s ?p ?o }}
  OPTIONAL {{ ?p <{RDFS.label}> ?pl {_LANG.format(v="?pl")} }}
  OPTIONAL {{ ?o {_LABEL} ?ol {_LANG.format(v="?ol")} }} }}
GROUP BY ?p ?o ?g ORDER BY ?p ?o LIMIT 2000"""

INCOMING = f"""SELECT ?s ?p (SAMPLE(?sl) AS ?slabel) (SAMPLE(?pl) AS ?plabel)
WHERE {{ ?s ?p %(iri)s FILTER(isIRI(?s))
  OPTIONAL {{ ?p <{RDFS.label}> ?pl {_LANG.format(v="?pl")} }}
  OPTIONAL {{ ?s {_LABEL} ?sl {_LANG.format(v="?sl")} }} }}
GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 2000"""

QUOTES = f"""SELECT DISTINCT ?quote ?source ?start ?end ?text
WHERE {{ %(iri)s <{PROV.wasDerivedFrom}>|<{PROV.wasQuotedFrom}> ?quote .
  ?quote <{OA.hasSource}> ?source ; <{OA.hasSelector}> ?sel .
  ?sel <{OA.start}> ?start ; <{OA.end}> ?end .
  ?source <{SDO.text}> ?text }}
ORDER BY ?source ?start"""


@dataclass
class ResourceView:
    iri: str
    label: str
    types: list[tuple[Term, Term | None]] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    outgoing: list[Row] = field(default_factory=list)
    incoming: list[Row] = field(default_factory=list)
    matches: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    """external IRI -> (dataset title, local names of the predicates linking to it)"""
    quotes: list[Row] = field(default_factory=list)


async def gather(pool: QueryPool, iri: str) -> ResourceView:
    ref = {"iri": iri_ref(iri)}
    outgoing = await select(pool, OUTGOING % ref)
    incoming = await select(pool, INCOMING % ref)
    quotes = await select(pool, QUOTES % ref)
    view = ResourceView(iri, "", outgoing=outgoing, incoming=incoming, quotes=quotes)
    spaces = {d.uri_space: d.title for d in EXTERNAL_DATASETS}
    seen: set[tuple[str, str]] = set()
    for row in outgoing:
        p, o = row["p"].value, row["o"]
        if p in (str(RDFS.label), str(SKOS.prefLabel)) and not view.label:
            view.label = o.value
        elif p == str(RDF.type) and (o.value, "") not in seen:
            seen.add((o.value, ""))
            view.types.append((o, row.get("olabel")))
        elif p in (str(SKOS.definition), str(RDFS.comment)) and o.value not in view.definitions:
            view.definitions.append(o.value)
        elif p in MATCH_PREDICATES and o.is_iri:
            for space, title in spaces.items():
                if o.value.startswith(space):
                    view.matches.setdefault(o.value, (title, []))[1].append(p.rpartition("#")[2])
    return view


def _property_table(rows: list[tuple[str, str, str]], heading: tuple[str, str]) -> str:
    if not rows:
        return "<p>None.</p>"
    body = "".join(f"<tr><td>{p}</td><td>{o}</td><td>{extra}</td></tr>" for p, o, extra in rows)
    return f"<table><tr><th>{heading[0]}</th><th>{heading[1]}</th><th></th></tr>{body}</table>"


def render(view: ResourceView, base: str, *, query_page: bool) -> str:
    path = local_url(view.iri, base)
    types = "".join(term_html(t, label, base) for t, label in view.types)
    parts = [f'<p class="types">{types}</p>' if types else ""]
    parts += [f"<p>{escape(d)}</p>" for d in view.definitions]
    inferred_graph = str(GRAPH["inferred"])
    graphs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in view.outgoing:
        graphs[(row["p"].value, row["o"].value)].add(row["g"].value)
    out: list[tuple[str, str, str]] = []
    shown: set[tuple[str, str]] = set()
    for row in view.outgoing:
        key = (row["p"].value, row["o"].value)
        if key in shown:
            continue
        shown.add(key)
        badge = '<span class="badge">inferred</span>' if graphs[key] == {inferred_graph} else ""
        predicate = term_html(row["p"], row.get("plabel"), base)
        out.append((predicate, term_html(row["o"], row.get("olabel"), base), badge))
    parts.append("<h2>Properties</h2>" + _property_table(out, ("property", "value")))
    inc = [
        (term_html(r["s"], r.get("slabel"), base), term_html(r["p"], r.get("plabel"), base), "")
        for r in view.incoming
    ]
    parts.append("<h2>Referred to by</h2>" + _property_table(inc, ("resource", "property")))
    if view.matches:
        items = "".join(
            f"<li>{escape(title)} ({escape(', '.join(preds))}): "
            f'<a class="external" href="{escape(iri)}">{escape(iri)}</a></li>'
            for iri, (title, preds) in view.matches.items()
        )
        parts.append(f"<h2>External matches</h2><ul>{items}</ul>")
    if view.quotes:
        parts.append("<h2>Provenance</h2>" + _quotes(view.quotes, base))
    parts.append(query_links(view.iri, query_page=query_page))
    title = view.label or view.iri.rpartition("/")[2]
    return page(title, "".join(parts), iri=view.iri, formats=formats_nav(path))


def _quotes(rows: list[Row], base: str) -> str:
    items = []
    for row in rows:
        text, start, end = row["text"].value, int(row["start"].value), int(row["end"].value)
        try:
            sentence = in_sentence(text, start, end)
        except OffsetError as error:
            sentence = escape(f"(the quote cannot be shown: {error})")
        href = local_url(row["source"].value, base) + f"#char={start},{end}"
        items.append(
            f"<blockquote>{sentence}<br><small><a class=quote href='{escape(href)}'>"
            f"in the source, characters {start}&ndash;{end}</a></small></blockquote>"
        )
    return "".join(items)
