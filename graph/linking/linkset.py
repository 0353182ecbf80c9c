"""Checking the link set, and proposing new links for a person to review.

`check` reads the built store: every link (owl:sameAs, skos:*Match in the `links` graph)
must point into an allowed external dataset with a well-formed identifier, and every entity
of a kind that should be linked (countries, substances and groups of them, agencies, people) is
linked or listed
in graph/links/unlinked.tsv with the reason. Problems are a result (`LinkReport`), not an
exception; an unreadable unlinked list is an `InputError`.

`suggest` compares the unlinked entities with a local extract of an external dataset, by
normalised label and compatible type, and returns scored candidates; it never adds a link.
Its matching is `match`, which `drugkg draft` also runs against the verified identifiers
(graph.linking.verified, graph.curation.suggestions). `suggest` proposes whatever the extract
it is given holds; the draft proposes verified identifiers only.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from graph.errors import InputError
from graph.paths import LINKS_DIR
from graph.storage.loading import read_triples
from graph.vocabulary.namespace import DK, FOAF, GRAPH, OWL, RDF, RDFS, SDO, SKOS


@dataclass(frozen=True, slots=True)
class ExternalDataset:
    """An open dataset drugkg links into: its IRI space and the shape of its identifiers."""

    key: str
    title: str
    uri_space: str
    homepage: str
    identifier: re.Pattern[str]
    """A well-formed identifier (a whole IRI) of the dataset."""


EXTERNAL_DATASETS: tuple[ExternalDataset, ...] = (
    ExternalDataset(
        "wikidata",
        "Wikidata",
        "http://www.wikidata.org/entity/",
        "https://www.wikidata.org/",
        re.compile(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*"),
    ),
    ExternalDataset(
        "dbpedia",
        "DBpedia",
        "http://dbpedia.org/resource/",
        "https://dbpedia.org/",
        re.compile(r"http://dbpedia\.org/resource/[^\s<>\"{}|\\^`]+"),
    ),
    ExternalDataset(
        "chebi",
        "ChEBI",
        "http://purl.obolibrary.org/obo/CHEBI_",
        "https://www.ebi.ac.uk/chebi/",
        re.compile(r"http://purl\.obolibrary\.org/obo/CHEBI_[1-9][0-9]*"),
    ),
    ExternalDataset(
        "mesh",
        "MeSH",
        "http://id.nlm.nih.gov/mesh/",
        "https://id.nlm.nih.gov/mesh/",
        re.compile(r"http://id\.nlm\.nih\.gov/mesh/[A-Z][0-9]{6,9}"),
    ),
    ExternalDataset(
        "geonames",
        "GeoNames",
        "https://sws.geonames.org/",
        "https://www.geonames.org/",
        re.compile(r"https://sws\.geonames\.org/[1-9][0-9]*/"),
    ),
)
"""The datasets links may point into (the shapes in shapes/links.ttl say the same in SHACL)."""

IDENTIFIERS: dict[str, re.Pattern[str]] = {d.title: d.identifier for d in EXTERNAL_DATASETS}


LINK_PREDICATES = (
    OWL.sameAs,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)

KINDS = {
    str(DK.Country): "country",
    str(DK.Substance): "substance",
    str(DK.SubstanceGroup): "group of substances",
    str(DK.GovernmentAgency): "agency",
    str(FOAF.Person): "person",
}
"""The classes whose members should be linked, and the kind each stands for (a group of
agents, such as "U.S. law enforcement", is no organisation and has nothing to be linked to)."""

UNLINKED_FILE = LINKS_DIR / "unlinked.tsv"


@dataclass
class LinkReport:
    links: int = 0
    problems: list[str] = field(default_factory=list)
    unlinked: list[tuple[str, str, str]] = field(default_factory=list)
    """(entity IRI, kind, reason) of each entity listed as unlinked."""

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(store: Store, query: str) -> QuerySolutions:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    return result


def read_unlinked(path: Path) -> dict[str, str]:
    """slug -> reason, from the unlinked list (comment lines start with #)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the unlinked list: {exc}", file=path) from exc
    reasons: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#") or line.startswith("slug\t"):
            continue
        slug, tab, reason = line.partition("\t")
        if not tab or not slug.strip() or not reason.strip():
            raise InputError("expected `slug<TAB>reason`", file=path, line=number)
        if slug in reasons:
            raise InputError(f"{slug} is listed twice", file=path, line=number)
        reasons[slug.strip()] = reason.strip()
    return reasons


def check(store: Store, base_iri: str, unlinked_file: Path = UNLINKED_FILE) -> LinkReport:
    report = LinkReport()
    reasons = read_unlinked(unlinked_file)
    predicates = " ".join(f"<{p}>" for p in LINK_PREDICATES)
    links = f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH["links"]}> {{ ?s ?p ?o }}
                VALUES ?p {{ {predicates} }} }} ORDER BY ?s ?p ?o"""
    linked: set[str] = set()
    for row in _rows(store, links):
        report.links += 1
        subject, target = row["s"], row["o"]
        linked.add(subject.value)
        if not isinstance(target, NamedNode):
            report.problems.append(f"{subject.value}: a link to a non-IRI {target}")
        elif not any(p.fullmatch(target.value) for p in IDENTIFIERS.values()):
            report.problems.append(
                f"{subject.value} -> {target.value}: not a well-formed identifier in an allowed "
                f"dataset ({', '.join(IDENTIFIERS)})"
            )
    kinds = " ".join(f"<{k}>" for k in KINDS)
    members = f"SELECT DISTINCT ?e ?k WHERE {{ VALUES ?k {{ {kinds} }} ?e a ?k }} ORDER BY ?e"
    expected: dict[str, str] = {}
    for row in _rows(store, members):
        expected.setdefault(row["e"].value, KINDS[row["k"].value])
    prefix = base_iri + "id/"
    for entity, kind in expected.items():
        slug = entity.removeprefix(prefix)
        if entity in linked:
            if slug in reasons:
                report.problems.append(f"{entity} is linked but listed as unlinked: drop {slug}")
        elif slug in reasons:
            report.unlinked.append((entity, kind, reasons[slug]))
        else:
            report.problems.append(
                f"{entity} ({kind}) has no link and no reason in {unlinked_file.name}"
            )
    for slug in sorted(set(reasons) - {e.removeprefix(prefix) for e in expected}):
        report.problems.append(f"{slug} in {unlinked_file.name} is no {'/'.join(KINDS.values())}")
    return report


_NOISE = re.compile(r"[^\w\s]")
_LEADING = re.compile(r"^(?:the|a|an)\s+")


def normalise(label: str) -> str:
    """Case-folded, accents and punctuation removed, a leading article dropped."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = " ".join(_NOISE.sub(" ", text).split())
    return _LEADING.sub("", text)


EXTERNAL_KINDS: dict[str, str] = {
    "http://www.wikidata.org/entity/Q6256": "country",
    "http://www.wikidata.org/entity/Q3624078": "country",
    "http://www.wikidata.org/entity/Q5": "person",
    "http://www.wikidata.org/entity/Q11173": "substance",
    "http://www.wikidata.org/entity/Q12140": "substance",
    "http://www.wikidata.org/entity/Q8386": "substance",
    "http://www.wikidata.org/entity/Q327333": "agency",
    "http://dbpedia.org/ontology/Country": "country",
    "http://dbpedia.org/ontology/Person": "person",
    "http://dbpedia.org/ontology/Drug": "substance",
    "http://dbpedia.org/ontology/ChemicalCompound": "substance",
    "http://dbpedia.org/ontology/ChemicalSubstance": "substance",
    "http://dbpedia.org/ontology/GovernmentAgency": "agency",
    str(SDO.Country): "country",
    str(SDO.Person): "person",
    str(SDO.Drug): "substance",
    str(SDO.GovernmentOrganization): "agency",
    str(FOAF.Person): "person",
}
"""External classes (rdf:type, or Wikidata's P31 'instance of') and the kind each is."""

_TYPE_PREDICATES = {str(RDF.type), "http://www.wikidata.org/prop/direct/P31"}
_LABEL_PREDICATES = {
    str(RDFS.label): 1.0,
    str(SKOS.prefLabel): 1.0,
    str(SDO.name): 1.0,
    str(SKOS.altLabel): 0.9,
}


@dataclass(frozen=True, slots=True)
class Candidate:
    entity: str
    label: str
    kind: str
    candidate: str
    candidate_label: str
    score: float
    why: str


def _external(path: Path) -> tuple[dict[str, list[tuple[str, float]]], dict[str, set[str]]]:
    labels: dict[str, list[tuple[str, float]]] = defaultdict(list)
    kinds: dict[str, set[str]] = defaultdict(set)
    for quad in read_triples(path):
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not isinstance(s, NamedNode):
            continue
        if p in _LABEL_PREDICATES and isinstance(o, Literal):
            if o.language in (None, "en") or o.language.startswith("en-"):
                labels[s.value].append((o.value, _LABEL_PREDICATES[p]))
        elif p in _TYPE_PREDICATES and isinstance(o, NamedNode) and o.value in EXTERNAL_KINDS:
            kinds[s.value].add(EXTERNAL_KINDS[o.value])
    return labels, kinds


def _similarity(ours: str, theirs: str) -> float:
    if ours == theirs:
        return 1.0
    a, b = set(ours.split()), set(theirs.split())
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True, slots=True)
class Wanted:
    """Something to find links for: an entity (or a name not yet one), its kind, its names."""

    entity: str
    kind: str
    names: list[tuple[str, float]]
    """(name, weight): 1.0 for a label, 0.9 for an alternative label."""


def match(
    wanted: list[Wanted],
    labels: dict[str, list[tuple[str, float]]],
    kinds: dict[str, set[str]],
    threshold: float = 0.5,
) -> list[Candidate]:
    """Scored candidates among the external resources `labels` names, best first.

    A resource of an incompatible kind is never a candidate; one of unknown kind scores 0.7 of
    what its labels give."""
    found: list[Candidate] = []
    for item in wanted:
        best: dict[str, Candidate] = {}
        for iri, names in labels.items():
            their_kinds = kinds.get(iri, set())
            if their_kinds and item.kind not in their_kinds:
                continue  # an incompatible type: never a candidate
            type_weight = 1.0 if their_kinds else 0.7
            for our_label, our_weight in item.names:
                for their_label, their_weight in names:
                    sim = _similarity(normalise(our_label), normalise(their_label))
                    score = round(sim * our_weight * their_weight * type_weight, 3)
                    if score >= threshold and score > getattr(best.get(iri), "score", 0.0):
                        why = "same normalised label" if sim == 1.0 else f"label overlap {sim:.2f}"
                        why += f"; type {item.kind}" if their_kinds else "; type unknown"
                        best[iri] = Candidate(
                            item.entity, item.names[0][0], item.kind, iri, their_label, score, why
                        )
        found.extend(best.values())
    return sorted(found, key=lambda c: (-c.score, c.entity, c.candidate))


def suggest(
    store: Store, report: LinkReport, against: Path, threshold: float = 0.5
) -> list[Candidate]:
    """Scored candidates for each unlinked entity of `report`, best first; adds no link."""
    labels, kinds = _external(against)
    wanted = []
    for entity, kind, _reason in report.unlinked:
        query = f"""SELECT ?l ?w WHERE {{ {{ <{entity}> <{RDFS.label}> ?l BIND(1.0 AS ?w) }}
                    UNION {{ <{entity}> <{SKOS.altLabel}> ?l BIND(0.9 AS ?w) }} }}"""
        ours = [(r["l"].value, float(r["w"].value)) for r in _rows(store, query)]
        if ours:
            wanted.append(Wanted(entity, kind, ours))
    return match(wanted, labels, kinds, threshold)


def write_review(candidates: list[Candidate], path: Path) -> None:
    """The review file: one candidate a row, tab-separated, with a header."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["entity", "label", "kind", "candidate", "candidate_label", "score", "why"])
        for c in candidates:
            row = [c.entity, c.label, c.kind, c.candidate, c.candidate_label, c.score, c.why]
            writer.writerow(row)
