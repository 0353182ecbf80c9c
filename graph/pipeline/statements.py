"""Statement graphs: every triple taken from a source lies in the graph of the quote it came from.

The facts of a source document `DOC` are laid out in named graphs:

    graph/facts/DOC              the document graph: the source document and its photo, its
                                 quotes with their selectors, and the description of each
                                 statement graph (`a dk:StatementGraph ; prov:wasDerivedFrom Q`)
    graph/facts/DOC/q-S-E        a statement graph: the triples quote `source/DOC#char=S,E`
                                 supports, and nothing else
    graph/entities               names, kinds and notes of shared entities: no facts

`check` finds every way the data breaks that layout, as readable sentences naming the graph,
the quote and the facts concerned (an empty list: all is well):

- a triple of a statement graph has no quote: the graph is not described, or is derived from
  no dk:Quote of its document;
- a statement graph has more than one quote, or a quote other than the one its id names
  (`q-S-E` is the quote `#char=S,E`), or no triple;
- a quote supports no statement graph, or two;
- something fact-bearing lies outside a statement graph: a triple of the document graph about
  anything but the document, its photo, its quotes and their selectors, and its statement
  graphs; a statement graph describing quotes or statement graphs; a triple of the entities
  graph with a property other than a name, a kind or a note, or a kind that is not an entity's.

The SHACL-SPARQL shapes of shapes/statements.ttl say the same of a dataset, so that data
written by any tool can be checked with the shapes alone.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, QuerySolutions, Store

from graph.pipeline.inputs import ENTITIES_GRAPH, ONTOLOGY_GRAPH, QUOTE_ID
from graph.pipeline.seeds import Seed
from graph.vocabulary.namespace import DK, FOAF, OA, ORG, PROV, RDF, RDFS, SDO, SKOS

ENTITY_PROPERTIES = frozenset(
    str(p)
    for p in (
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.definition,
        DK.groupClass,
    )
)
"""What the entities graph may say of an entity: its names, its kinds and curators' notes."""

ENTITY_KINDS = tuple(
    str(c)
    for c in (
        DK.Substance,
        DK.SubstanceGroup,
        DK.Place,
        DK.Policy,
        DK.Topic,
        DK.Document,
        FOAF.Person,
        FOAF.Group,
        ORG.Organization,
        ORG.Role,
    )
)
"""The kinds of shared entities; events, claims, routes and memberships are statements."""

QUOTE_PROPERTIES = frozenset(
    str(p) for p in (RDF.type, OA.hasSource, OA.hasSelector, PROV.wasQuotedFrom, DK.accordingTo)
)
STATEMENT_GRAPH_PROPERTIES = frozenset(str(p) for p in (RDF.type, PROV.wasDerivedFrom))
PHOTO_PROPERTIES = frozenset(str(p) for p in (RDF.type, RDFS.label, SDO.caption, SDO.creditText))
SELECTOR_PROPERTIES = frozenset(str(p) for p in (RDF.type, OA.exact, OA.start, OA.end))

_SHOWN = 4  # subjects named per problem before "and N more"


@dataclass
class StatementReport:
    """How many statement graphs each document has, and every problem found."""

    graphs: dict[str, int] = field(default_factory=dict)
    """document graph IRI -> number of its statement graphs"""
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def check(store: Store, seeds: Iterable[Seed]) -> StatementReport:
    """Check the statement-graph layout of every document, and the entities graph."""
    report = StatementReport()
    subjects = _subjects_by_graph(store)
    for seed in seeds:
        report.graphs[seed.graph.value] = _check_document(store, seed, subjects, report.problems)
    report.problems += _check_entities(store)
    return report


def _rows(store: Store, query: str) -> QuerySolutions:
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    return result


class _SubjectsByGraph:
    """The subjects of every named graph, read in one pass over the store, and found by the
    prefix of the graphs' names (a document's graphs: `<doc_graph>/...`) by bisection; and the
    quotes and statement graphs, read once. Asking the store for each document's graphs, and
    joining each statement graph with every quote, grew with the square of the number of
    sources (bench/README.md, "Adding sources": 419 s of a 100-source build)."""

    def __init__(self, rows: Iterable[tuple[str, str]], provenance: set[str]) -> None:
        self.provenance = provenance
        """The quotes and statement graphs (as `_show` writes them), typed in any graph."""
        by_graph: dict[str, list[str]] = {}
        for graph, subject in rows:
            by_graph.setdefault(graph, []).append(subject)
        self._names = sorted(by_graph)
        self._subjects = by_graph

    def under(self, prefix: str) -> dict[str, list[str]]:
        """The graphs whose names start with `prefix`, each with its subjects, in order."""
        start = bisect.bisect_left(self._names, prefix)
        found: dict[str, list[str]] = {}
        for name in self._names[start:]:
            if not name.startswith(prefix):
                break
            found[name] = self._subjects[name]
        return found


def _subjects_by_graph(store: Store) -> _SubjectsByGraph:
    rows = _rows(store, "SELECT ?g ?s { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?s ORDER BY ?g ?s")
    typed = _rows(
        store,
        f"""SELECT DISTINCT ?s {{ GRAPH ?d {{ ?s a ?kind }}
            VALUES ?kind {{ <{DK.Quote}> <{DK.StatementGraph}> }} }}""",
    )
    provenance = {_show(r["s"]) for r in typed}
    return _SubjectsByGraph(((r["g"].value, _show(r["s"])) for r in rows), provenance)


def _check_document(
    store: Store, seed: Seed, subjects: _SubjectsByGraph, problems: list[str]
) -> int:
    doc_graph = seed.graph.value
    source = seed.iri
    described = {
        r["g"].value
        for r in _rows(
            store, f"SELECT ?g {{ GRAPH <{doc_graph}> {{ ?g a <{DK.StatementGraph}> }} }}"
        )
    }
    holding = subjects.under(doc_graph + "/")
    quotes = {
        r["q"].value
        for r in _rows(
            store,
            f"""SELECT ?q {{ GRAPH <{doc_graph}> {{
                ?q a <{DK.Quote}> ; <{OA.hasSource}> <{source}> }} }}""",
        )
    }
    derived: dict[str, list[str]] = {}
    for row in _rows(
        store,
        f"SELECT ?g ?q {{ GRAPH <{doc_graph}> {{ ?g <{PROV.wasDerivedFrom}> ?q }} }} ORDER BY ?q",
    ):
        derived.setdefault(row["g"].value, []).append(row["q"].value)

    for graph in sorted(holding.keys() | described):
        facts = _facts(holding.get(graph, []))
        local = graph.removeprefix(doc_graph + "/")
        if graph not in described:
            problems.append(
                f"statement graph <{graph}> (facts: {facts}) has no quote: describe it in "
                f"<{doc_graph}> as `a dk:StatementGraph ; prov:wasDerivedFrom <{source}#char=S,E>`"
            )
            continue
        if graph not in holding:
            problems.append(
                f"statement graph <{graph}> holds no triple: its quote supports nothing"
            )
        if not graph.startswith(doc_graph + "/") or not QUOTE_ID.fullmatch(local):
            problems.append(
                f"statement graph <{graph}> is not named <{doc_graph}/q-START-END> after its quote"
            )
            continue
        of_quotes = [q for q in derived.get(graph, []) if q in quotes]
        others = [q for q in derived.get(graph, []) if q not in quotes]
        if others:
            problems.append(
                f"statement graph <{graph}> is derived from "
                + ", ".join(f"<{q}>" for q in others)
                + f", which is not a dk:Quote of <{source}>"
            )
        if not of_quotes:
            problems.append(
                f"statement graph <{graph}> (facts: {facts}) has no quote: add "
                f"`prov:wasDerivedFrom <{source}#char=S,E>` to its description in <{doc_graph}>"
            )
        elif len(of_quotes) > 1:
            problems.append(
                f"statement graph <{graph}> (facts: {facts}) has {len(of_quotes)} quotes ("
                + ", ".join(f"<{q}>" for q in of_quotes)
                + "): a statement graph has exactly one"
            )
        else:
            match = QUOTE_ID.fullmatch(local)
            assert match is not None
            expected = f"{source}#char={match['start']},{match['end']}"
            if of_quotes[0] != expected:
                problems.append(
                    f"statement graph <{graph}> is named {local} but is derived from "
                    f"<{of_quotes[0]}>: its quote must be <{expected}>"
                )

    supported: dict[str, list[str]] = {}
    for graph, qs in derived.items():
        for q in qs:
            supported.setdefault(q, []).append(graph)
    for q in sorted(quotes):
        graphs = supported.get(q, [])
        if not graphs:
            problems.append(f"quote <{q}> supports no statement graph: give it one, or drop it")
        elif len(graphs) > 1:
            problems.append(
                f"quote <{q}> supports {len(graphs)} statement graphs ("
                + ", ".join(f"<{g}>" for g in sorted(graphs))
                + "): one quote, one statement graph"
            )

    problems += _outside(store, seed, described)
    for graph in sorted(holding):
        for subject in holding[graph]:
            if subject in subjects.provenance:
                problems.append(
                    f"statement graph <{graph}> describes {subject}: quotes and statement "
                    f"graphs are described in the document graph <{doc_graph}>"
                )
    return len(described)


def _outside(store: Store, seed: Seed, statement_graphs: set[str]) -> list[str]:
    """Fact-bearing triples of the document graph: anything but the document's own description."""
    doc_graph = seed.graph.value
    source = seed.iri
    allowed: dict[str, frozenset[str] | None] = {source: None}  # None: any property
    for g in statement_graphs:
        allowed[g] = STATEMENT_GRAPH_PROPERTIES
    for row in _rows(
        store,
        f"SELECT ?m {{ GRAPH <{doc_graph}> {{ <{source}> <{SDO.associatedMedia}> ?m }} }}",
    ):
        allowed[row["m"].value if isinstance(row["m"], NamedNode) else str(row["m"])] = (
            PHOTO_PROPERTIES
        )
    for row in _rows(
        store,
        f"""SELECT ?q ?sel {{ GRAPH <{doc_graph}> {{ ?q a <{DK.Quote}> ; <{OA.hasSource}> <{source}>
             OPTIONAL {{ ?q <{OA.hasSelector}> ?sel }} }} }}""",
    ):
        allowed[row["q"].value] = QUOTE_PROPERTIES
        if row["sel"] is not None:
            allowed[_key(row["sel"])] = SELECTOR_PROPERTIES
    problems: list[str] = []
    wrong: dict[str, set[str]] = {}
    for row in _rows(store, f"SELECT ?s ?p {{ GRAPH <{doc_graph}> {{ ?s ?p ?o }} }}"):
        subject, predicate = _key(row["s"]), row["p"].value
        if subject not in allowed:
            wrong.setdefault(_show(row["s"]), set()).add(predicate)
            continue
        permitted = allowed[subject]
        if permitted is not None and predicate not in permitted:
            wrong.setdefault(_show(row["s"]), set()).add(predicate)
    for subject, predicates in sorted(wrong.items()):
        problems.append(
            f"the document graph <{doc_graph}> states a fact about {subject} ("
            + ", ".join(f"<{p}>" for p in sorted(predicates))
            + "): a fact lies in the statement graph of the quote that supports it"
        )
    return problems


def _check_entities(store: Store) -> list[str]:
    problems: list[str] = []
    graph = ENTITIES_GRAPH.value
    wrong: dict[str, set[str]] = {}
    for row in _rows(store, f"SELECT DISTINCT ?s ?p {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        if row["p"].value not in ENTITY_PROPERTIES:
            wrong.setdefault(_show(row["s"]), set()).add(row["p"].value)
    for subject, predicates in sorted(wrong.items()):
        problems.append(
            f"the entities graph states a fact about {subject} ("
            + ", ".join(f"<{p}>" for p in sorted(predicates))
            + "): it holds names, kinds and notes only; a fact lies in the statement graph "
            "of the quote that supports it"
        )
    kinds = " ".join(f"<{k}>" for k in ENTITY_KINDS)
    for row in _rows(
        store,
        f"""SELECT DISTINCT ?s ?kind {{ GRAPH <{graph}> {{ ?s a ?kind }}
            FILTER NOT EXISTS {{
              VALUES ?root {{ {kinds} }}
              GRAPH <{ONTOLOGY_GRAPH.value}> {{ ?kind <{RDFS.subClassOf}>* ?root }} }} }}
            ORDER BY ?s""",
    ):
        problems.append(
            f"the entities graph makes {_show(row['s'])} a {_show(row['kind'])}, which is not a "
            "kind of shared entity (substances, groups, places, agents, roles, policies, "
            "topics, documents): events, claims and reported facts are statements"
        )
    return problems


def _key(term: object) -> str:
    return term.value if isinstance(term, NamedNode) else str(term)


def _show(term: object) -> str:
    return f"<{term.value}>" if isinstance(term, NamedNode) else str(term)


def _facts(subjects: list[str]) -> str:
    if not subjects:
        return "none"
    shown = ", ".join(subjects[:_SHOWN])
    if len(subjects) > _SHOWN:
        shown += f" and {len(subjects) - _SHOWN} more"
    return shown
