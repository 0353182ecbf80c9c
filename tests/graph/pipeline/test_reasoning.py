"""Materialisation: each rule kind on a tiny ontology, nothing asserted twice, no noise."""

from __future__ import annotations

import pytest
from fixturepaths import FIXTURES as SHARED_FIXTURES
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse

from graph.pipeline.inputs import ONTOLOGY_GRAPH
from graph.pipeline.reasoning import INFERRED, RULES, describe, materialise
from graph.vocabulary.namespace import GRAPH, OWL, PROV, RDF, RDFS

FIXTURES = SHARED_FIXTURES / "reasoning"
EX = "http://example.org/onto#"
ID = "http://example.org/id/"
EXTERNAL = NamedNode("http://example.org/external/fentanyl")
ONTOLOGY = NamedNode("http://example.org/graph/ontology")
FACTS = NamedNode("http://example.org/graph/facts")
TYPE = NamedNode(str(RDF.type))


def ex(name: str) -> NamedNode:
    return NamedNode(EX + name)


def id_(name: str) -> NamedNode:
    return NamedNode(ID + name)


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    for name, graph in (("ontology.ttl", ONTOLOGY), ("data.ttl", FACTS)):
        store.extend(
            Quad(q.subject, q.predicate, q.object, graph)
            for q in parse(path=FIXTURES / name, format=RdfFormat.TURTLE)
        )
    materialise(store)
    return store


Term = NamedNode | BlankNode


def inferred(
    store: Store, s: Term | None = None, p: NamedNode | None = None, o: Term | None = None
) -> set[tuple[object, object, object]]:
    """The triples of the `inferred` graph that match the pattern."""
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(s, p, o, INFERRED)}


def types(store: Store, subject: Term) -> set[object]:
    return {o for (_s, _p, o) in inferred(store, subject, TYPE)}


def test_subclass_typing_follows_the_transitive_closure(store: Store) -> None:
    assert {ex("Opioid"), ex("Substance")} <= types(store, id_("fentanyl"))
    sub = NamedNode(str(RDFS.subClassOf))
    assert (ex("SyntheticOpioid"), sub, ex("Substance")) in inferred(store)


def test_equivalent_named_classes_share_instances(store: Store) -> None:
    assert ex("Drug") in types(store, id_("fentanyl"))
    sub = NamedNode(str(RDFS.subClassOf))
    assert (ex("Opioid"), sub, ex("Drug")) in inferred(store)


def test_subproperties_imply_their_superproperties_transitively(store: Store) -> None:
    assert (id_("fentanyl"), ex("addedTo"), id_("heroin")) in inferred(store)
    assert (id_("fentanyl"), ex("relatedTo"), id_("heroin")) in inferred(store)


def test_equivalent_properties_hold_both_ways(store: Store) -> None:
    assert (id_("fentanyl"), ex("partOf"), id_("pill")) in inferred(store)


def test_inverse_properties_both_directions(store: Store) -> None:
    assert (id_("dea"), ex("headedBy"), id_("rosenberg")) in inferred(store)
    assert (id_("fbi"), ex("headOf"), id_("smith")) in inferred(store)


def test_symmetric_property(store: Store) -> None:
    assert (id_("united-states"), ex("neighbours"), id_("mexico")) in inferred(store)


def test_transitive_property_reaches_the_fixpoint(store: Store) -> None:
    located = inferred(store, None, ex("locatedIn"))
    assert (id_("mexico"), ex("locatedIn"), id_("americas")) in located
    assert (id_("mexico"), ex("locatedIn"), id_("earth")) in located
    assert (id_("north-america"), ex("locatedIn"), id_("earth")) in located


def test_domain_and_range_type_named_individuals_only(store: Store) -> None:
    assert ex("Place") in types(store, id_("china"))
    assert ex("Named") in types(store, id_("label-holder"))
    blank_objects = [o for (_s, _p, o) in inferred(store, None, ex("producedIn"))]
    assert blank_objects == []
    for quad in store.quads_for_pattern(None, ex("producedIn"), None, FACTS):
        if isinstance(quad.object, BlankNode):
            assert types(store, quad.object) == set()
    # the range rdfs:Literal never types a literal (and a literal cannot be a subject anyway)
    assert not any(o == NamedNode(str(RDFS.Literal)) for (_s, _p, o) in inferred(store))


def test_no_built_in_noise(store: Store) -> None:
    built_in = (str(RDF), str(RDFS), str(OWL))
    for _s, _p, o in inferred(store, None, TYPE):
        assert isinstance(o, NamedNode)
        assert not o.value.startswith(built_in), o
    subjects = {s for (s, _p, _o) in inferred(store)}
    assert not any(isinstance(s, NamedNode) and s.value.startswith(built_in) for s in subjects)


def test_owl_same_as_is_never_followed(store: Store) -> None:
    assert types(store, EXTERNAL) == set()
    assert inferred(store, EXTERNAL) == set()
    assert inferred(store, id_("fentanyl"), NamedNode("http://example.org/onto#potency")) == set()
    assert ex("Poison") not in types(store, id_("fentanyl"))


def test_no_inferred_triple_is_already_asserted(store: Store) -> None:
    quads = list(store.quads_for_pattern(None, None, None, INFERRED))
    assert quads
    for q in quads:
        same = store.quads_for_pattern(q.subject, q.predicate, q.object)
        assert [other.graph_name for other in same] == [INFERRED], q


def test_a_second_run_adds_nothing(store: Store) -> None:
    before = len(store)
    report = materialise(store)
    assert report.total == 0
    assert report.rounds == 1
    assert len(store) == before


def test_every_rule_has_a_name_and_is_a_construct() -> None:
    assert all("CONSTRUCT" in query for query in RULES.values())


def test_the_inferred_graph_says_what_it_comes_from_and_what_it_does_not_record() -> None:
    """`describe` names every other build graph as a source, and says plainly that single
    entailments are not traced to statement graphs; datasets loaded beside are not sources."""
    store = Store()
    statements = NamedNode(str(GRAPH["facts/doc/q-0-8"]))
    loaded = NamedNode("http://example.org/graph/loaded")
    for graph in (ONTOLOGY_GRAPH, statements, loaded):
        store.add(Quad(id_("a"), TYPE, ex("Thing"), graph))
    describe(store)
    derived = {
        q.object
        for q in store.quads_for_pattern(INFERRED, NamedNode(str(PROV.wasDerivedFrom)), None)
    }
    assert derived == {ONTOLOGY_GRAPH, statements}
    [comment] = store.quads_for_pattern(INFERRED, NamedNode(str(RDFS.comment)), None, INFERRED)
    assert isinstance(comment.object, Literal)
    assert comment.object.language == "en"
    assert "Which statement graph a single entailment came from is not recorded" in (
        comment.object.value
    )
