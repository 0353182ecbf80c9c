"""The link set holds exactly the verified identifiers, with the match kind the table gives, each
pair linked once: owl:sameAs for the same individual, a SKOS match otherwise."""

import csv
from pathlib import Path

import pytest
import rdflib

from graph.paths import ENTITIES_DIR, LINKS_DIR
from graph.vocabulary.namespace import DK, DKID, OWL, RDF, RDFS, SKOS

# The table's key for an entity whose drugkg slug differs from it.
SLUG_FOR_KEY = {
    "counterfeit-medication": "counterfeit-prescription-pills",
    "trump-wall": "border-wall",
}
TARGET_COLUMNS = ("wikidata", "dbpedia", "chebi", "mesh", "geonames")
INDIVIDUALS = (
    "http://www.wikidata.org/entity/",
    "http://dbpedia.org/resource/",
    "https://sws.geonames.org/",
)
"""Datasets whose resources are individuals (ChEBI IRIs are classes, MeSH ones descriptors)."""
OTHER_KIND = {
    "supervised-injection-site": "DBpedia's resource is a kind of facility; drugkg's the policy",
    "heroin-assisted-treatment": "DBpedia's resource is the treatment; drugkg's the policy",
    "border-wall": "DBpedia's resource is the wall itself; drugkg's the proposal",
}
"""Entities whose verified match is exact but of another kind than drugkg's: never owl:sameAs."""
LINKS = {OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch}


@pytest.fixture(scope="module")
def links() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(LINKS_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def entities() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(ENTITIES_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def verified_rows(shared_dir: Path) -> list[dict[str, str]]:
    table = shared_dir / "linking" / "verified-ids.tsv"
    with table.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def is_concept(entities: rdflib.Graph, subject: rdflib.URIRef) -> bool:
    """A group of substances (SKOS concept) or a topic: matched with SKOS only."""
    return bool({DK.SubstanceGroup, DK.Topic} & set(entities.objects(subject, RDF.type)))


def expected_links(
    rows: list[dict[str, str]], entities: rdflib.Graph
) -> set[tuple[rdflib.URIRef, rdflib.URIRef, rdflib.URIRef]]:
    expected = set()
    for row in rows:
        slug = SLUG_FOR_KEY.get(row["key"], row["key"])
        subject = DKID[slug]
        for column in TARGET_COLUMNS:
            target = row[column]
            if not target:
                continue
            if row["match"] == "broad":
                predicate = SKOS.broadMatch
            elif row["match"] == "exact":
                same = (
                    target.startswith(INDIVIDUALS)
                    and not is_concept(entities, subject)
                    and slug not in OTHER_KIND
                )
                predicate = OWL.sameAs if same else SKOS.exactMatch
            else:
                pytest.fail(f"{row['key']}: match kind {row['match']!r} is neither exact nor broad")
            expected.add((subject, predicate, rdflib.URIRef(target)))
    return expected


def test_links_are_exactly_the_verified_identifiers(
    links: rdflib.Graph, entities: rdflib.Graph, verified_rows: list[dict[str, str]]
) -> None:
    actual = set(links)
    expected = expected_links(verified_rows, entities)
    assert sorted(actual - expected) == [], "links not in verified-ids.tsv, or of the wrong kind"
    assert sorted(expected - actual) == [], "verified identifiers missing from graph/links/"


def test_each_pair_is_linked_once(links: rdflib.Graph) -> None:
    pairs: dict[tuple[rdflib.term.Node, rdflib.term.Node], set[rdflib.term.Node]] = {}
    for s, p, o in links:
        if p in LINKS:
            pairs.setdefault((s, o), set()).add(p)
    twice = {pair: kinds for pair, kinds in pairs.items() if len(kinds) > 1}
    assert twice == {}


def test_same_as_joins_individuals_only(links: rdflib.Graph, entities: rdflib.Graph) -> None:
    wrong = [
        (s, o)
        for s, o in links.subject_objects(OWL.sameAs)
        if not str(o).startswith(INDIVIDUALS) or is_concept(entities, s)  # type: ignore[arg-type]
    ]
    assert wrong == []
    assert (None, OWL.sameAs, None) in links  # the rule has something to check


def test_every_linked_entity_is_a_shared_entity(
    links: rdflib.Graph, entities: rdflib.Graph
) -> None:
    unknown = sorted({s for s in links.subjects() if (s, RDFS.label, None) not in entities})
    assert unknown == []
