"""Do not edit: generated from ontology/drugkg.ttl
by `python -m graph.vocabulary.generate`.

Closed namespaces of the terms the ontology declares; a misspelt term fails at import.
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/drugkg/"
DKID = Namespace(BASE + "id/")
SOURCE = Namespace(BASE + "source/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


class DK(DefinedNamespace):
    """The drugkg ontology, https://w3id.org/drugkg/ontology#"""

    _NS = Namespace("https://w3id.org/drugkg/ontology#")
    _fail = True

    AdulterationMethod: URIRef
    AdulterationPractice: URIRef
    AlcoholicBeverage: URIRef
    Border: URIRef
    Campaign: URIRef
    Cartel: URIRef
    ChangeDirection: URIRef
    ChargeKind: URIRef
    City: URIRef
    Claim: URIRef
    Concept: URIRef
    Contribution: URIRef
    Cooperation: URIRef
    CounterfeitPill: URIRef
    Country: URIRef
    Decrease: URIRef
    Document: URIRef
    DrugMarket: URIRef
    DrugProduct: URIRef
    EnforcementPolicy: URIRef
    Event: URIRef
    ForeignPolicy: URIRef
    Government: URIRef
    GovernmentAgency: URIRef
    GovernmentBody: URIRef
    GraphChange: URIRef
    HistoricalAnalogy: URIRef
    Importing: URIRef
    Increase: URIRef
    Indictment: URIRef
    LawEnforcementAgency: URIRef
    Manufacturing: URIRef
    Meeting: URIRef
    Mixing: URIRef
    Neutral: URIRef
    NewsConference: URIRef
    NewsOrganization: URIRef
    Opioid: URIRef
    Opposes: URIRef
    Overland: URIRef
    Photo: URIRef
    Place: URIRef
    Policy: URIRef
    Position: URIRef
    PotencyComparison: URIRef
    PrecursorChemical: URIRef
    PredictedEffect: URIRef
    Prediction: URIRef
    Pressing: URIRef
    PublicHealthPolicy: URIRef
    Quote: URIRef
    Region: URIRef
    Report: URIRef
    River: URIRef
    ShippedDirectly: URIRef
    Skeptical: URIRef
    SourceDocument: URIRef
    Stance: URIRef
    StatementGraph: URIRef
    Substance: URIRef
    SubstanceForm: URIRef
    SubstanceGroup: URIRef
    SubstanceOrGroup: URIRef
    Supports: URIRef
    SyntheticOpioid: URIRef
    TaskForce: URIRef
    TemporalExpression: URIRef
    ThinkTank: URIRef
    Topic: URIRef
    TraffickingOrganization: URIRef
    TraffickingRoute: URIRef
    TransportMode: URIRef
    WriteActivity: URIRef
    WriteToken: URIRef
    about: URIRef
    accordingTo: URIRef
    acting: URIRef
    addedTo: URIRef
    adulterant: URIRef
    adulterated: URIRef
    affects: URIRef
    agreesWith: URIRef
    aimsToStem: URIRef
    analogue: URIRef
    announced: URIRef
    announcedAt: URIRef
    announcedOn: URIRef
    antagonizes: URIRef
    appliesTo: URIRef
    asOf: URIRef
    asserts: URIRef
    author: URIRef
    awarenessExpression: URIRef
    basedIn: URIRef
    borderOf: URIRef
    carriedOn: URIRef
    carries: URIRef
    changedGraph: URIRef
    charge: URIRef
    chargeSubstance: URIRef
    citedIn: URIRef
    cites: URIRef
    claimant: URIRef
    claimantRole: URIRef
    comparedSubstance: URIRef
    comparedWith: URIRef
    contributesTo: URIRef
    contributor: URIRef
    cooperatesWith: URIRef
    counterpartOf: URIRef
    countsExact: URIRef
    date: URIRef
    defendant: URIRef
    depicts: URIRef
    description: URIRef
    destination: URIRef
    direction: URIRef
    dominatedBy: URIRef
    dominates: URIRef
    effectOf: URIRef
    evidenceFor: URIRef
    expertOn: URIRef
    extent: URIRef
    firstOfItsKind: URIRef
    followsUp: URIRef
    formOf: URIRef
    frequency: URIRef
    graphChange: URIRef
    groupClass: URIRef
    hasForm: URIRef
    headOf: URIRef
    implementedIn: URIRef
    inDefaultGraph: URIRef
    indictedBy: URIRef
    ingredientOf: URIRef
    instanceOfApproach: URIRef
    jurisdiction: URIRef
    leadsTo: URIRef
    lesson: URIRef
    locatedIn: URIRef
    maxPotencyRatio: URIRef
    memberCount: URIRef
    method: URIRef
    mixedInto: URIRef
    morePotentThan: URIRef
    nationality: URIRef
    neighbours: URIRef
    operation: URIRef
    organizedBy: URIRef
    origin: URIRef
    originalExpression: URIRef
    participant: URIRef
    participatedIn: URIRef
    photographer: URIRef
    position: URIRef
    practisedBy: URIRef
    predicts: URIRef
    presidentOf: URIRef
    pressedInto: URIRef
    producedIn: URIRef
    productionMethod: URIRef
    proposedBy: URIRef
    publishedBy: URIRef
    purpose: URIRef
    pursuedBy: URIRef
    pursues: URIRef
    quadsAdded: URIRef
    quadsAfter: URIRef
    quadsBefore: URIRef
    quadsRemoved: URIRef
    ratioExpression: URIRef
    referenceDate: URIRef
    referenceSubstance: URIRef
    reportedBy: URIRef
    resolution: URIRef
    resolvedDate: URIRef
    resolvedEnd: URIRef
    resolvedStart: URIRef
    roleTitle: URIRef
    routePlace: URIRef
    sourcedFrom: URIRef
    stance: URIRef
    summary: URIRef
    targets: URIRef
    thrivesIn: URIRef
    toldTo: URIRef
    toward: URIRef
    transit: URIRef
    transportMode: URIRef
    updateText: URIRef
    westOf: URIRef
    year: URIRef


class OA(DefinedNamespace):
    """The W3C Web Annotation terms drugkg uses, http://www.w3.org/ns/oa#"""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    Selector: URIRef
    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    end: URIRef
    exact: URIRef
    hasSelector: URIRef
    hasSource: URIRef
    start: URIRef


__all__ = [
    "BASE",
    "DCTERMS",
    "DK",
    "DKID",
    "FOAF",
    "GRAPH",
    "OA",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SD",
    "SDO",
    "SKOS",
    "SOURCE",
    "VOID",
    "XSD",
]
