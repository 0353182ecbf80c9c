"""The HTML page of a resource: label, types, definition, properties both ways, external
matches, and beside each statement the sentence that supports that very statement.

Provenance is per statement: a statement taken from a source lies in the statement graph of
the quote that supports it (`graph/facts/DOC/q-S-E`), so each row of the property tables shows
that quote in its sentence, whom the source attributes it to, and links to the quote on the
source page and to the statement graph. A statement that lies in no statement graph says where
it comes from instead: the shared entities, a link set, the source document's description, or
the build's entailments. A blank node (a claim's position) is shown with its own properties.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from endpoint.linkeddata.pages import formats_nav, local_url, page, query_links, term_html
from endpoint.linkeddata.query import Row, Term, iri_ref, select
from endpoint.linkeddata.text import OffsetError, in_sentence
from graph.linking.linkset import EXTERNAL_DATASETS
from graph.vocabulary.namespace import DK, OA, OWL, PROV, RDF, RDFS, SDO, SKOS

if TYPE_CHECKING:
    from endpoint.linkeddata.query import Evaluator

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
WHERE {{ GRAPH ?g {{ %(iri)s ?p ?o }} FILTER(!isBlank(?o))
  OPTIONAL {{ ?p <{RDFS.label}> ?pl {_LANG.format(v="?pl")} }}
  OPTIONAL {{ ?o {_LABEL} ?ol {_LANG.format(v="?ol")} }} }}
GROUP BY ?p ?o ?g ORDER BY ?p ?o LIMIT 2000"""

# Blank-node values with their own properties, in one query: blank node labels need not be the
# same from one query's results to the next.
BLANKS = f"""SELECT ?p ?o ?g (SAMPLE(?pl) AS ?plabel) ?bp ?bo (SAMPLE(?bpl) AS ?bplabel)
  (SAMPLE(?bol) AS ?bolabel)
WHERE {{ GRAPH ?g {{ %(iri)s ?p ?o . ?o ?bp ?bo }} FILTER(isBlank(?o))
  OPTIONAL {{ ?p <{RDFS.label}> ?pl {_LANG.format(v="?pl")} }}
  OPTIONAL {{ ?bp <{RDFS.label}> ?bpl {_LANG.format(v="?bpl")} }}
  OPTIONAL {{ ?bo {_LABEL} ?bol {_LANG.format(v="?bol")} }} }}
GROUP BY ?p ?o ?g ?bp ?bo ORDER BY ?p ?o ?bp ?bo LIMIT 2000"""

INCOMING = f"""SELECT ?s ?p ?g (SAMPLE(?sl) AS ?slabel) (SAMPLE(?pl) AS ?plabel)
WHERE {{ GRAPH ?g {{ ?s ?p %(iri)s }} FILTER(isIRI(?s))
  OPTIONAL {{ ?p <{RDFS.label}> ?pl {_LANG.format(v="?pl")} }}
  OPTIONAL {{ ?s {_LABEL} ?sl {_LANG.format(v="?sl")} }} }}
GROUP BY ?s ?p ?g ORDER BY ?p ?s LIMIT 2000"""

SUPPORT = f"""SELECT DISTINCT ?g ?source ?start ?end ?who (SAMPLE(?wl) AS ?wholabel)
WHERE {{ {{ GRAPH ?g {{ %(iri)s ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p %(iri)s }} }}
  ?g a <{DK.StatementGraph}> ; <{PROV.wasDerivedFrom}> ?quote .
  ?quote <{OA.hasSource}> ?source ; <{OA.hasSelector}> ?sel .
  ?sel <{OA.start}> ?start ; <{OA.end}> ?end .
  OPTIONAL {{ ?quote <{DK.accordingTo}>|<{PROV.wasQuotedFrom}> ?who
    OPTIONAL {{ ?who {_LABEL} ?wl {_LANG.format(v="?wl")} }} }} }}
GROUP BY ?g ?source ?start ?end ?who ORDER BY ?start ?end ?who"""

TEXTS = f"""SELECT ?source ?text WHERE {{ VALUES ?source {{ %(sources)s }}
  ?source <{SDO.text}> ?text }}"""


@dataclass
class Support:
    """The quote of a statement graph: where in which source, and whom it is attributed to."""

    graph: str
    source: str
    start: int
    end: int
    according_to: list[tuple[Term, Term | None]] = field(default_factory=list)


@dataclass
class ResourceView:
    iri: str
    label: str
    types: list[tuple[Term, Term | None]] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    outgoing: list[Row] = field(default_factory=list)
    blank: dict[str, list[Row]] = field(default_factory=dict)
    """blank node (a value of the resource's) -> its own properties"""
    incoming: list[Row] = field(default_factory=list)
    matches: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    """external IRI -> (dataset title, local names of the predicates linking to it)"""
    support: dict[str, Support] = field(default_factory=dict)
    """statement graph IRI -> its quote"""
    texts: dict[str, str] = field(default_factory=dict)
    """source document IRI -> its verbatim text"""


async def gather(pool: Evaluator, iri: str) -> ResourceView:
    ref = {"iri": iri_ref(iri)}
    outgoing = await select(pool, OUTGOING % ref)
    incoming = await select(pool, INCOMING % ref)
    view = ResourceView(iri, "", outgoing=outgoing, incoming=incoming)
    for row in await select(pool, BLANKS % ref):
        if row["o"].value not in view.blank:
            view.outgoing.append(row)
        view.blank.setdefault(row["o"].value, []).append(row)
    for row in await select(pool, SUPPORT % ref):
        graph = row["g"].value
        support = view.support.setdefault(
            graph,
            Support(graph, row["source"].value, int(row["start"].value), int(row["end"].value)),
        )
        if "who" in row:
            support.according_to.append((row["who"], row.get("wholabel")))
    sources = sorted({s.source for s in view.support.values()})
    if sources:
        refs = " ".join(iri_ref(s) for s in sources)
        for row in await select(pool, TEXTS % {"sources": refs}):
            view.texts[row["source"].value] = row["text"].value
    spaces = {d.uri_space: d.title for d in EXTERNAL_DATASETS}
    seen: set[str] = set()
    for row in outgoing:
        p, o = row["p"].value, row["o"]
        if p in (str(RDFS.label), str(SKOS.prefLabel)) and not view.label:
            view.label = o.value
        elif p == str(RDF.type) and o.value not in seen:
            seen.add(o.value)
            view.types.append((o, row.get("olabel")))
        elif p in (str(SKOS.definition), str(RDFS.comment)) and o.value not in view.definitions:
            view.definitions.append(o.value)
        elif p in MATCH_PREDICATES and o.is_iri:
            for space, title in spaces.items():
                if o.value.startswith(space):
                    names = view.matches.setdefault(o.value, (title, []))[1]
                    if p.rpartition("#")[2] not in names:
                        names.append(p.rpartition("#")[2])
    return view


def _where(graphs: set[str], view: ResourceView, base: str) -> str:
    """HTML for the provenance of one statement: the sentence of each statement graph holding
    it, or where else it comes from."""
    parts = [_sentence(view.support[g], view, base) for g in sorted(graphs) if g in view.support]
    kinds = sorted({_kind_of_graph(g, base) for g in graphs if g not in view.support})
    parts += [f'<span class="badge">{escape(kind)}</span>' for kind in kinds]
    return "".join(parts)


_GRAPH_KINDS = {
    "entities": "shared entity",
    "links": "link set",
    "inferred": "inferred",
    "ontology": "ontology",
}


def _kind_of_graph(graph: str, base: str) -> str:
    """What a graph that is not a statement graph is, for a badge."""
    name = graph.removeprefix(base + "graph/")
    if name == graph:
        return "loaded dataset"
    if name.startswith("facts/"):
        return "source document"
    return _GRAPH_KINDS.get(name, "loaded dataset")


def _sentence(support: Support, view: ResourceView, base: str) -> str:
    text = view.texts.get(support.source)
    try:
        if text is None:
            raise OffsetError("the source has no text")
        sentence = in_sentence(text, support.start, support.end)
    except OffsetError as error:
        sentence = escape(f"(the quote cannot be shown: {error})")
    quote = local_url(support.source, base) + f"#char={support.start},{support.end}"
    links = [
        f"<a class=quote href='{escape(quote)}'>in the source, characters "
        f"{support.start}&ndash;{support.end}</a>",
        f"<a class=statements href='{escape(local_url(support.graph, base))}'>statement graph</a>",
    ]
    if support.according_to:
        who = ", ".join(term_html(t, label, base) for t, label in support.according_to)
        links.append(f"according to {who}")
    return f"<blockquote>{sentence}<br><small>{' · '.join(links)}</small></blockquote>"


def _property_table(rows: list[tuple[str, str, str]], heading: tuple[str, str]) -> str:
    if not rows:
        return "<p>None.</p>"
    body = "".join(f"<tr><td>{p}</td><td>{o}</td><td>{extra}</td></tr>" for p, o, extra in rows)
    return (
        f"<table><tr><th>{heading[0]}</th><th>{heading[1]}</th>"
        f"<th>said where</th></tr>{body}</table>"
    )


def _value(row: Row, blank: dict[str, list[Row]], base: str) -> str:
    """A property's value; a blank node with its own properties (`toward X · stance Y`)."""
    value = row["o"]
    if value.kind != "bnode":
        return term_html(value, row.get("olabel"), base)
    own = sorted(blank.get(value.value, []), key=lambda r: r["bp"].value != str(DK.toward))
    inner = [
        f"{term_html(r['bp'], r.get('bplabel'), base)} {term_html(r['bo'], r.get('bolabel'), base)}"
        for r in own
    ]
    return " · ".join(inner) or term_html(value, None, base)


def render(view: ResourceView, base: str, *, query_page: bool) -> str:
    path = local_url(view.iri, base)
    types = "".join(term_html(t, label, base) for t, label in view.types)
    parts = [f'<p class="types">{types}</p>' if types else ""]
    parts += [f"<p>{escape(d)}</p>" for d in view.definitions]
    graphs: dict[tuple[str, str], set[str]] = defaultdict(set)
    first: dict[tuple[str, str], Row] = {}
    for row in view.outgoing:
        key = (row["p"].value, row["o"].value)
        graphs[key].add(row["g"].value)
        first.setdefault(key, row)
    out = [
        (
            term_html(row["p"], row.get("plabel"), base),
            _value(row, view.blank, base),
            _where(graphs[key], view, base),
        )
        for key, row in first.items()
    ]
    parts.append("<h2>Properties</h2>" + _property_table(out, ("property", "value")))
    incoming: dict[tuple[str, str], set[str]] = defaultdict(set)
    shown: dict[tuple[str, str], Row] = {}
    for row in view.incoming:
        key = (row["s"].value, row["p"].value)
        incoming[key].add(row["g"].value)
        shown.setdefault(key, row)
    inc = [
        (
            term_html(r["s"], r.get("slabel"), base),
            term_html(r["p"], r.get("plabel"), base),
            _where(incoming[key], view, base),
        )
        for key, r in shown.items()
    ]
    parts.append("<h2>Referred to by</h2>" + _property_table(inc, ("resource", "property")))
    if view.matches:
        items = "".join(
            f"<li>{escape(title)} ({escape(', '.join(preds))}): "
            f'<a class="external" href="{escape(iri)}">{escape(iri)}</a></li>'
            for iri, (title, preds) in view.matches.items()
        )
        parts.append(f"<h2>External matches</h2><ul>{items}</ul>")
    parts.append(query_links(view.iri, query_page=query_page))
    title = view.label or view.iri.rpartition("/")[2]
    return page(title, "".join(parts), iri=view.iri, formats=formats_nav(path))
