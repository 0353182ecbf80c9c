"""What the graph says about one resource, for its page: its statements both ways with the
graphs that hold them, the quotes of those statement graphs and their sources' texts, and
from them its label, types, kinds (the types stated, not inferred), definitions and its links
to external datasets. Blank-node values (a claim's positions) come with their own properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from endpoint.linkeddata.disagreement import POSITIONS
from endpoint.linkeddata.provenance import Support
from endpoint.linkeddata.query import Evaluator, Row, Term, iri_ref, select
from graph.linking.linkset import EXTERNAL_DATASETS
from graph.vocabulary.namespace import DK, OA, OWL, PROV, RDF, RDFS, SDO, SKOS

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

_EXACT = f"<{OA.hasSelector}>/<{OA.exact}>"
"""The exact text of a quote, which stands for it where it has no label."""

OUTGOING = f"""SELECT ?p ?o ?g (SAMPLE(?pl) AS ?plabel) (SAMPLE(?ol) AS ?olabel)
  (SAMPLE(?ox) AS ?oexact)
WHERE {{ GRAPH ?g {{ %(iri)s ?p ?o }} FILTER(!isBlank(?o))
  OPTIONAL {{ ?p <{RDFS.label}> ?pl {_LANG.format(v="?pl")} }}
  OPTIONAL {{ ?o {_LABEL} ?ol {_LANG.format(v="?ol")} }}
  OPTIONAL {{ ?o {_EXACT} ?ox }} }}
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
  (SAMPLE(?sx) AS ?sexact)
WHERE {{ GRAPH ?g {{ ?s ?p %(iri)s }} FILTER(isIRI(?s))
  OPTIONAL {{ ?p <{RDFS.label}> ?pl {_LANG.format(v="?pl")} }}
  OPTIONAL {{ ?s {_LABEL} ?sl {_LANG.format(v="?sl")} }}
  OPTIONAL {{ ?s {_EXACT} ?sx }} }}
GROUP BY ?s ?p ?g ORDER BY ?p ?s LIMIT 2000"""

QUOTES = f"""SELECT DISTINCT ?g ?source ?start ?end ?who (SAMPLE(?wl) AS ?wholabel) ?quoted
  (SAMPLE(?tl) AS ?title)
WHERE {{ %(graphs)s
  ?g a <{DK.StatementGraph}> ; <{PROV.wasDerivedFrom}> ?quote .
  ?quote <{OA.hasSource}> ?source ; <{OA.hasSelector}> ?sel .
  ?sel <{OA.start}> ?start ; <{OA.end}> ?end .
  OPTIONAL {{ ?source <{RDFS.label}> ?tl {_LANG.format(v="?tl")} }}
  OPTIONAL {{ VALUES ?how {{ <{DK.accordingTo}> <{PROV.wasQuotedFrom}> }} ?quote ?how ?who
    BIND(?how = <{PROV.wasQuotedFrom}> AS ?quoted)
    OPTIONAL {{ ?who {_LABEL} ?wl {_LANG.format(v="?wl")} }} }} }}
GROUP BY ?g ?source ?start ?end ?who ?quoted ORDER BY ?start ?end ?who"""
"""The quotes of statement graphs (`%(graphs)s` binds ?g), their sources and attribution."""

SUPPORT = QUOTES % {"graphs": "{ GRAPH ?g { %(iri)s ?p ?o } } UNION { GRAPH ?g { ?s ?p %(iri)s } }"}
"""The quotes of the statement graphs that speak of a resource."""

TEXTS = f"""SELECT ?source ?text WHERE {{ VALUES ?source {{ %(sources)s }}
  ?source <{SDO.text}> ?text }}"""


SAME = {str(OWL.sameAs), str(SKOS.exactMatch)}
"""The match predicates that say "the same as"; the other SKOS matches say "related to"."""


@dataclass
class Match:
    """The resources of one external dataset this one is linked to, in one way: the same as
    (`exact`), or related to (close, broader, narrower, related)."""

    dataset: str
    exact: bool
    iris: list[str] = field(default_factory=list)
    predicates: list[str] = field(default_factory=list)
    """Local names of the predicates linking to them (`sameAs`, `exactMatch`)."""
    graphs: set[str] = field(default_factory=set)


@dataclass
class ResourceView:
    iri: str
    label: str
    types: list[tuple[Term, Term | None]] = field(default_factory=list)
    kinds: list[tuple[Term, Term | None]] = field(default_factory=list)
    """The types stated of the resource (not inferred): what it is, in short."""
    definitions: list[str] = field(default_factory=list)
    outgoing: list[Row] = field(default_factory=list)
    blank: dict[str, list[Row]] = field(default_factory=dict)
    """blank node (a value of the resource's) -> its own properties"""
    incoming: list[Row] = field(default_factory=list)
    matches: dict[tuple[str, bool], Match] = field(default_factory=dict)
    """(external dataset title, exact) -> the resources of it this one is linked to"""
    support: dict[str, Support] = field(default_factory=dict)
    """statement graph IRI -> its quote"""
    texts: dict[str, str] = field(default_factory=dict)
    """source document IRI -> its verbatim text"""
    positions: list[Row] = field(default_factory=list)
    """The positions toward it, or toward what it takes a side on (disagreement.POSITIONS)"""


async def gather(pool: Evaluator, iri: str) -> ResourceView:
    ref = {"iri": iri_ref(iri)}
    outgoing = await select(pool, OUTGOING % ref)
    incoming = await select(pool, INCOMING % ref)
    view = ResourceView(iri, "", outgoing=outgoing, incoming=incoming)
    for row in await select(pool, BLANKS % ref):
        if row["o"].value not in view.blank:
            view.outgoing.append(row)
        view.blank.setdefault(row["o"].value, []).append(row)
    add_support(view.support, await select(pool, SUPPORT % ref))
    view.positions = await select(pool, POSITIONS % ref)
    missing = sorted({r["g"].value for r in view.positions} - set(view.support))
    if missing:
        graphs = "VALUES ?g { " + " ".join(iri_ref(g) for g in missing) + " }"
        add_support(view.support, await select(pool, QUOTES % {"graphs": graphs}))
    sources = sorted({s.source for s in view.support.values()})
    if sources:
        refs = " ".join(iri_ref(s) for s in sources)
        for row in await select(pool, TEXTS % {"sources": refs}):
            view.texts[row["source"].value] = row["text"].value
    _classify(view)
    return view


def add_support(support: dict[str, Support], rows: list[Row]) -> None:
    """The quotes of the rows of QUOTES, by statement graph."""
    for row in rows:
        graph = row["g"].value
        found = support.setdefault(
            graph,
            Support(graph, row["source"].value, int(row["start"].value), int(row["end"].value)),
        )
        found.title = row.get("title")
        if "who" in row:
            if all(t.value != row["who"].value for t, _ in found.according_to):
                found.according_to.append((row["who"], row.get("wholabel")))
            found.quoted = found.quoted or row.get("quoted", Term("literal", "")).value == "true"


def _classify(view: ResourceView) -> None:
    """Label, types, kinds, definitions and external matches, from the outgoing rows."""
    spaces = {d.uri_space: d.title for d in EXTERNAL_DATASETS}
    seen: set[str] = set()
    for row in view.outgoing:
        p, o = row["p"].value, row["o"]
        if p in (str(RDFS.label), str(SKOS.prefLabel)) and not view.label:
            view.label = o.value
        elif p == str(RDF.type):
            if o.value not in seen:
                seen.add(o.value)
                view.types.append((o, row.get("olabel")))
            stated = not row["g"].value.endswith("/graph/inferred")
            if stated and all(t.value != o.value for t, _ in view.kinds):
                view.kinds.append((o, row.get("olabel")))
        elif p in (str(SKOS.definition), str(RDFS.comment)) and o.value not in view.definitions:
            view.definitions.append(o.value)
        elif p in MATCH_PREDICATES and o.is_iri:
            for space, title in spaces.items():
                if o.value.startswith(space):
                    exact = p in SAME
                    match = view.matches.setdefault((title, exact), Match(title, exact))
                    if o.value not in match.iris:
                        match.iris.append(o.value)
                    name = p.rpartition("#")[2]
                    if name not in match.predicates:
                        match.predicates.append(name)
                    match.graphs.add(row["g"].value)


def is_match(row: Row) -> bool:
    """A link to an external dataset: shown once per dataset, not as a row of the table."""
    if row["p"].value not in MATCH_PREDICATES or not row["o"].is_iri:
        return False
    return any(row["o"].value.startswith(d.uri_space) for d in EXTERNAL_DATASETS)
