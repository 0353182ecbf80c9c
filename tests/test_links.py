"""The link set holds exactly the verified identifiers, with the match kind the table gives."""

import csv
from pathlib import Path

import pytest
import rdflib

from graph.namespace import DKID, OWL, SKOS
from graph.paths import FACTS_DIR, LINKS_DIR

# The table's key for an entity whose drugkg slug differs from it.
SLUG_FOR_KEY = {
    "counterfeit-medication": "counterfeit-prescription-pills",
    "trump-wall": "border-wall",
}
TARGET_COLUMNS = ("wikidata", "dbpedia", "chebi", "mesh", "geonames")
PREDICATES = {
    "exact": {OWL.sameAs, SKOS.exactMatch},
    "broad": {SKOS.broadMatch},
}


@pytest.fixture(scope="module")
def links() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(LINKS_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def verified_rows(shared_dir: Path) -> list[dict[str, str]]:
    table = shared_dir / "linking" / "verified-ids.tsv"
    with table.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _expected(
    rows: list[dict[str, str]],
) -> set[tuple[rdflib.URIRef, rdflib.URIRef, rdflib.URIRef]]:
    expected = set()
    for row in rows:
        subject = DKID[SLUG_FOR_KEY.get(row["key"], row["key"])]
        for column in TARGET_COLUMNS:
            if row[column]:
                for predicate in PREDICATES[row["match"]]:
                    expected.add((subject, predicate, rdflib.URIRef(row[column])))
    return expected


def test_links_are_exactly_the_verified_identifiers(
    links: rdflib.Graph, verified_rows: list[dict[str, str]]
) -> None:
    actual = set(links)
    expected = _expected(verified_rows)
    assert sorted(actual - expected) == [], "links not in verified-ids.tsv (a guessed identifier)"
    assert sorted(expected - actual) == [], "verified identifiers missing from graph/links/"


def test_every_linked_entity_exists_in_the_facts(links: rdflib.Graph) -> None:
    facts = rdflib.Graph()
    for path in FACTS_DIR.glob("*.ttl"):
        facts.parse(path, format="turtle")
    unknown = sorted({s for s in links.subjects() if (s, None, None) not in facts})
    assert unknown == []
