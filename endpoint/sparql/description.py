"""The service description (SPARQL 1.1 Service Description) and the VoID description.

Both are small graphs built from the settings and the start-up counts (`graph.storage.statistics`),
served by content negotiation like any CONSTRUCT result. The endpoint's own IRIs depend on
the address it is reached at, so both take the server's root URL.

drugkg's limits are stated with two extension properties in `https://w3id.org/drugkg/service#`
(`queryTimeout` in seconds, `resultLimit` in solutions or triples per response) and the
allow-listed SERVICE endpoints with `federationAllowed`.
"""

from __future__ import annotations

from decimal import Decimal

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from endpoint.settings import ServerSettings
from graph.query import formats
from graph.query.formats import Kind
from graph.storage.statistics import GraphStats, StoreStats
from graph.vocabulary.namespace import BASE, DCTERMS, FOAF, RDF, SD, VOID, XSD

Subject = NamedNode | BlankNode
Object = NamedNode | BlankNode | Literal


class DKS(DefinedNamespace):
    """drugkg's service extension terms, https://w3id.org/drugkg/service#"""

    _NS = Namespace(BASE + "service#")
    _fail = True

    queryTimeout: URIRef  # noqa: N815
    resultLimit: URIRef  # noqa: N815
    federationAllowed: URIRef  # noqa: N815


def _n(term: URIRef | str) -> NamedNode:
    return NamedNode(str(term))


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=_n(XSD.integer))


class _Graph:
    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def add(self, s: Subject, p: URIRef, o: Object) -> None:
        self.triples.append(Triple(s, _n(p), o))

    def counts(self, s: Subject, stats: GraphStats) -> None:
        self.add(s, VOID.triples, _int(stats.triples))
        self.add(s, VOID.entities, _int(stats.entities))
        self.add(s, VOID.classes, _int(stats.classes))
        self.add(s, VOID.properties, _int(stats.properties))


def service_description(settings: ServerSettings, stats: StoreStats, root: str) -> list[Triple]:
    g = _Graph()
    service, dataset, default = BlankNode("service"), BlankNode("dataset"), BlankNode("default")
    g.add(service, RDF.type, _n(SD.Service))
    g.add(service, SD.endpoint, NamedNode(root + "sparql"))
    g.add(service, DCTERMS.title, Literal("drugkg SPARQL 1.1 endpoint", language="en"))
    g.add(service, SD.supportedLanguage, _n(SD.SPARQL11Query))
    for kind in Kind:
        for rep in formats.offered(kind):
            g.add(service, SD.resultFormat, NamedNode(rep.format_iri))
    if settings.union_default_graph:
        g.add(service, SD.feature, _n(SD.UnionDefaultGraph))
    g.add(service, SD.feature, _n(SD.BasicFederatedQuery))
    for allowed in settings.federation_allowlist:
        g.add(service, DKS.federationAllowed, NamedNode(allowed))
    timeout = Literal(str(Decimal(str(settings.query_timeout))), datatype=_n(XSD.decimal))
    g.add(service, DKS.queryTimeout, timeout)
    if settings.result_limit is not None:
        g.add(service, DKS.resultLimit, _int(settings.result_limit))
    g.add(service, SD.defaultDataset, dataset)
    g.add(dataset, RDF.type, _n(SD.Dataset))
    g.add(dataset, SD.defaultGraph, default)
    g.add(default, RDF.type, _n(SD.Graph))
    if settings.union_default_graph:
        g.counts(default, stats.union)
    else:
        g.add(default, VOID.triples, _int(stats.default_graph_triples))
    for index, graph in enumerate(stats.graphs):
        named, inner = BlankNode(f"named{index}"), BlankNode(f"graph{index}")
        g.add(dataset, SD.namedGraph, named)
        g.add(named, RDF.type, _n(SD.NamedGraph))
        g.add(named, SD.name, NamedNode(graph.name or ""))
        g.add(named, SD.graph, inner)
        g.add(inner, RDF.type, _n(SD.Graph))
        g.counts(inner, graph)
    return g.triples


def void_description(
    settings: ServerSettings, stats: StoreStats, root: str, *, has_dump: bool
) -> list[Triple]:
    g = _Graph()
    here = root + ".well-known/void"
    document, dataset = NamedNode(here), NamedNode(here + "#drugkg")
    g.add(document, RDF.type, _n(VOID.DatasetDescription))
    g.add(document, DCTERMS.title, Literal("VoID description of drugkg", language="en"))
    g.add(document, FOAF.primaryTopic, dataset)
    g.add(dataset, RDF.type, _n(VOID.Dataset))
    g.add(dataset, DCTERMS.title, Literal("drugkg", language="en"))
    g.add(
        dataset,
        DCTERMS.description,
        Literal("An open drug-policy knowledge graph with quote provenance.", language="en"),
    )
    g.add(dataset, VOID.uriSpace, Literal(settings.base_iri))
    g.add(dataset, VOID.sparqlEndpoint, NamedNode(root + "sparql"))
    if has_dump:
        g.add(dataset, VOID.dataDump, NamedNode(root + "dump.nq"))
        g.add(dataset, VOID.feature, NamedNode("http://www.w3.org/ns/formats/N-Quads"))
    g.add(dataset, VOID.vocabulary, NamedNode(BASE + "ontology#"))
    g.counts(dataset, stats.union)
    for graph in stats.graphs:
        subset = NamedNode(graph.name or "")
        g.add(dataset, VOID.subset, subset)
        g.add(subset, RDF.type, _n(VOID.Dataset))
        g.counts(subset, graph)
        if (graph.name or "").startswith(settings.base_iri):  # downloadable at /graph/<name>.ttl
            path = (graph.name or "")[len(settings.base_iri) :]
            g.add(subset, VOID.dataDump, NamedNode(f"{root}{path}.ttl"))
            g.add(subset, FOAF.page, NamedNode(root + path))
    targets = {}
    for index, link in enumerate(stats.linksets):
        linkset = NamedNode(f"{here}#linkset-{link.target.key}-{index}")
        target = NamedNode(f"{here}#{link.target.key}")
        targets[link.target.key] = (target, link.target)
        g.add(dataset, VOID.subset, linkset)
        g.add(linkset, RDF.type, _n(VOID.Linkset))
        g.add(linkset, VOID.subjectsTarget, dataset)
        g.add(linkset, VOID.objectsTarget, target)
        g.add(linkset, VOID.linkPredicate, NamedNode(link.predicate))
        g.add(linkset, VOID.triples, _int(link.triples))
    for target, external in targets.values():
        g.add(target, RDF.type, _n(VOID.Dataset))
        g.add(target, DCTERMS.title, Literal(external.title))
        g.add(target, VOID.uriSpace, Literal(external.uri_space))
        g.add(target, FOAF.homepage, NamedNode(external.homepage))
    return g.triples
