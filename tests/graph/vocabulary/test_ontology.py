"""The ontology is well-formed OWL 2 and documents every term it defines."""

import pytest
import rdflib
from rdflib.term import Node

from graph.paths import ONTOLOGY_FILE
from graph.vocabulary.namespace import DK, OWL, RDF, RDFS, SKOS

DK_NS = str(DK)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


def _declared(g: rdflib.Graph, kinds: tuple[Node, ...]) -> list[rdflib.URIRef]:
    found = {s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, rdflib.URIRef)}
    return sorted(found)


TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)


def test_every_term_has_an_english_label_and_definition(ontology: rdflib.Graph) -> None:
    missing = []
    for term in _declared(ontology, TERM_KINDS):
        labels = [
            o for o in ontology.objects(term, RDFS.label) if getattr(o, "language", None) == "en"
        ]
        definitions = list(ontology.objects(term, SKOS.definition))
        if len(labels) != 1 or len(definitions) != 1:
            missing.append(str(term))
    assert missing == [], f"terms without exactly one @en label and one definition: {missing}"


def test_no_term_is_both_an_object_and_a_datatype_property(ontology: rdflib.Graph) -> None:
    objects = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    data = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    annotations = set(ontology.subjects(RDF.type, OWL.AnnotationProperty))
    assert objects & data == set()
    assert (objects | data) & annotations == set()


def test_every_used_drugkg_term_is_declared(ontology: rdflib.Graph) -> None:
    declared = set(_declared(ontology, (*TERM_KINDS, OWL.AnnotationProperty)))
    used = {
        term
        for triple in ontology
        for term in triple
        if isinstance(term, rdflib.URIRef) and str(term).startswith(DK_NS)
    }
    assert sorted(used - declared) == []


def test_the_top_level_classes_are_declared_disjoint(ontology: rdflib.Graph) -> None:
    members: set[Node] = set()
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        for m in ontology.objects(axiom, OWL.members):
            members |= set(rdflib.collection.Collection(ontology, m))
    for cls in (DK.Substance, DK.Place, DK.Policy, DK.Event, DK.Claim, DK.Quote):
        assert cls in members


def test_the_ontology_has_a_version_and_a_licence(ontology: rdflib.Graph) -> None:
    onto = rdflib.URIRef("https://w3id.org/drugkg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert ontology.value(onto, rdflib.URIRef("http://purl.org/dc/terms/license")) is not None
