"""Materialise the entailments queries should not have to work out, into the `inferred` graph.

The rules, each a SPARQL CONSTRUCT over the union of every graph, run to a fixpoint:

- rdfs:subClassOf: instances get every superclass; the subclass relation is closed transitively;
- rdfs:subPropertyOf: statements hold for every superproperty; closed transitively;
- owl:equivalentClass / owl:equivalentProperty between named terms: as subclass/subproperty
  both ways;
- owl:inverseOf, owl:SymmetricProperty, owl:TransitiveProperty on statements;
- rdfs:domain and rdfs:range type the named individuals (IRIs only, never literals or blank nodes)
  at either end of a statement.

Only triples asserted in no graph are added, so `inferred` holds exactly what the rules add,
and `describe` then says so in `inferred` itself: which graphs it was derived from (every other
graph of the build), and, plainly, that the statement graph a single entailment came from is not
recorded (an entailment may need the ontology's axioms and the statements of several quotes).
Types and classes from the RDF, RDFS, OWL and XSD vocabularies are never inferred (no
`rdfs:Resource`, no `owl:Thing`), nor anything about their terms.

Why not owlrl: its full OWL 2 RL closure follows owl:sameAs into the external datasets the
link sets point at (Wikidata, DBpedia, ChEBI…) and copies every statement across each link, and
adds the built-in axiomatic triples; the graph floods with triples no one asked for. These rules
never infer from owl:sameAs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, QueryTriples, Store, Triple

from graph.vocabulary.namespace import BASE, GRAPH, OWL, PROV, RDF, RDFS, XSD

INFERRED = NamedNode(str(GRAPH["inferred"]))

_BUILT_IN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_MAX_ROUNDS = 1000

_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}

# A term is "named" when it is an IRI outside the built-in vocabularies.
_NAMED = (
    "isIRI({v}) && !STRSTARTS(STR({v}), '{rdf}') && !STRSTARTS(STR({v}), '{rdfs}') && "
    "!STRSTARTS(STR({v}), '{owl}') && !STRSTARTS(STR({v}), '{xsd}')"
)


def _named(var: str) -> str:
    return _NAMED.format(v=var, rdf=RDF, rdfs=RDFS, owl=OWL, xsd=XSD)


# Schema closure: the relations between named classes and properties.
_SCHEMA_RULES: dict[str, str] = {
    "subClassOf transitive": f"""
        CONSTRUCT {{ ?a rdfs:subClassOf ?c }} WHERE {{
          ?a rdfs:subClassOf ?b . ?b rdfs:subClassOf ?c .
          FILTER({_named("?a")} && {_named("?c")} && ?a != ?c) }}""",
    "subPropertyOf transitive": f"""
        CONSTRUCT {{ ?a rdfs:subPropertyOf ?c }} WHERE {{
          ?a rdfs:subPropertyOf ?b . ?b rdfs:subPropertyOf ?c .
          FILTER({_named("?a")} && {_named("?c")} && ?a != ?c) }}""",
    "equivalentClass as subClassOf": f"""
        CONSTRUCT {{ ?a rdfs:subClassOf ?b . ?b rdfs:subClassOf ?a }} WHERE {{
          ?a owl:equivalentClass ?b . FILTER({_named("?a")} && {_named("?b")} && ?a != ?b) }}""",
    "equivalentProperty as subPropertyOf": f"""
        CONSTRUCT {{ ?a rdfs:subPropertyOf ?b . ?b rdfs:subPropertyOf ?a }} WHERE {{
          ?a owl:equivalentProperty ?b . FILTER({_named("?a")} && {_named("?b")} && ?a != ?b) }}""",
    "inverseOf is symmetric": f"""
        CONSTRUCT {{ ?q owl:inverseOf ?p }} WHERE {{
          ?p owl:inverseOf ?q . FILTER({_named("?p")} && {_named("?q")}) }}""",
}

# Instance rules: statements about the things the graph describes.
_INSTANCE_RULES: dict[str, str] = {
    "subClassOf typing": f"""
        CONSTRUCT {{ ?x a ?d }} WHERE {{
          ?x a ?c . ?c rdfs:subClassOf ?d .
          FILTER({_named("?d")} && !isLITERAL(?x)) }}""",
    "subPropertyOf statements": f"""
        CONSTRUCT {{ ?s ?q ?o }} WHERE {{
          ?p rdfs:subPropertyOf ?q . ?s ?p ?o . FILTER({_named("?p")} && {_named("?q")}) }}""",
    "inverseOf statements": f"""
        CONSTRUCT {{ ?o ?q ?s }} WHERE {{
          ?p owl:inverseOf ?q . ?s ?p ?o .
          FILTER({_named("?p")} && {_named("?q")} && !isLITERAL(?o)) }}""",
    "SymmetricProperty statements": f"""
        CONSTRUCT {{ ?o ?p ?s }} WHERE {{
          ?p a owl:SymmetricProperty . ?s ?p ?o . FILTER({_named("?p")} && !isLITERAL(?o)) }}""",
    "TransitiveProperty statements": f"""
        CONSTRUCT {{ ?a ?p ?c }} WHERE {{
          ?p a owl:TransitiveProperty . ?a ?p ?b . ?b ?p ?c . FILTER({_named("?p")}) }}""",
    "domain typing": f"""
        CONSTRUCT {{ ?s a ?c }} WHERE {{
          ?p rdfs:domain ?c . ?s ?p ?o .
          FILTER({_named("?p")} && {_named("?c")} && {_named("?s")}) }}""",
    "range typing": f"""
        CONSTRUCT {{ ?o a ?c }} WHERE {{
          ?p rdfs:range ?c . ?s ?p ?o .
          FILTER({_named("?p")} && {_named("?c")} && {_named("?o")}) }}""",
}

RULES: dict[str, str] = {**_SCHEMA_RULES, **_INSTANCE_RULES}


@dataclass(frozen=True)
class ReasoningReport:
    """How the closure went: triples added per rule, and rounds until nothing was new."""

    added: dict[str, int]
    rounds: int

    @property
    def total(self) -> int:
        return sum(self.added.values())


def materialise(store: Store, graph: NamedNode = INFERRED) -> ReasoningReport:
    """Add every entailment of the rules, not already asserted, to `graph` in `store`.

    Runs rounds of every rule over the union of all graphs (earlier inferences included) until a
    round adds nothing. The store is usually an in-memory copy of the dataset being built.
    """
    added = dict.fromkeys(RULES, 0)
    for rounds in range(1, _MAX_ROUNDS + 1):
        new_in_round = 0
        for name, query in RULES.items():
            fresh = _new_quads(store, _construct(store, query), graph)
            if fresh:
                store.extend(fresh)
                added[name] += len(fresh)
                new_in_round += len(fresh)
        if new_in_round == 0:
            return ReasoningReport(added=added, rounds=rounds)
    raise RuntimeError(f"reasoning did not reach a fixpoint in {_MAX_ROUNDS} rounds")


INFERRED_COMMENT = (
    "Entailments the build materialised (rdfs:subClassOf, rdfs:subPropertyOf, owl:inverseOf, "
    "symmetric and transitive properties, domains and ranges) over the union of the graphs this "
    "graph is derived from. Which statement graph a single entailment came from is not recorded: "
    "an entailment may need the ontology's axioms and the statements of several quotes. To see "
    "which sentence supports a statement, look for it in the statement graphs, not here."
)


def describe(store: Store, graph: NamedNode = INFERRED) -> None:
    """Say in `graph` what it is: derived from every other build graph, entailments untraced."""
    comment = Literal(INFERRED_COMMENT, language="en")
    quads = [Quad(graph, NamedNode(str(RDFS.comment)), comment, graph)]
    derived = NamedNode(str(PROV.wasDerivedFrom))
    for name in sorted(store.named_graphs(), key=str):
        if isinstance(name, NamedNode) and name != graph and name.value.startswith(BASE + "graph/"):
            quads.append(Quad(graph, derived, name, graph))
    store.extend(quads)


def _construct(store: Store, query: str) -> QueryTriples:
    result = store.query(query, prefixes=_PREFIXES, use_default_graph_as_union=True)
    if not isinstance(result, QueryTriples):  # pragma: no cover - every rule is a CONSTRUCT
        raise TypeError("a reasoning rule must be a CONSTRUCT query")
    return result


def _new_quads(store: Store, triples: Iterable[Triple], graph: NamedNode) -> list[Quad]:
    seen: set[Triple] = set()
    fresh: list[Quad] = []
    for triple in triples:
        if triple in seen or _is_built_in(triple.subject):
            continue
        seen.add(triple)
        if next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object), None):
            continue
        fresh.append(Quad(triple.subject, triple.predicate, triple.object, graph))
    return fresh


def _is_built_in(term: object) -> bool:
    return isinstance(term, NamedNode) and term.value.startswith(_BUILT_IN)
