"""The verified identifiers: `shared/linking/verified-ids.tsv`, the one place drugkg's external
identifiers come from (DESIGN.md, "Vocabularies reused").

Each row pairs a key (a drugkg slug, or near one) and a label with its identifiers in
Wikidata, DBpedia, ChEBI, MeSH and GeoNames, each confirmed from a public source, and the kind
of match (`exact` or `broad`). `dataset` turns the table into the labels of an external
dataset for `graph.linking.linkset.match`, so `drugkg draft` proposes links the way `drugkg
links suggest` does, from identifiers that were verified and from nothing else.
`predicate` is the rule of graph/links/verified.ttl: which link a verified identifier gets.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError
from graph.vocabulary.namespace import DK, OWL, SKOS

COLUMNS = ("wikidata", "dbpedia", "chebi", "mesh", "geonames")
"""The table's columns of identifiers, one dataset each."""
INDIVIDUALS = (
    "http://www.wikidata.org/entity/",
    "http://dbpedia.org/resource/",
    "https://sws.geonames.org/",
)
"""Datasets whose resources are individuals (ChEBI IRIs are classes, MeSH ones descriptors)."""
CONCEPTS = frozenset({str(DK.SubstanceGroup), str(DK.Topic)})
"""drugkg classes whose members are SKOS concepts: matched with SKOS only, never owl:sameAs."""


@dataclass(frozen=True, slots=True)
class Verified:
    """One verified identifier: a cell of the table, with its row."""

    key: str
    label: str
    match: str
    """`exact` or `broad`."""
    column: str
    iri: str
    note: str
    line: int
    """The row's line in the table (1-based, the header is line 1)."""


def read_verified(path: Path) -> list[Verified]:
    """Every identifier of the table, in its order; an unreadable table is an InputError."""
    try:
        with path.open(encoding="utf-8", newline="") as table:
            rows = list(csv.DictReader(table, delimiter="\t"))
    except OSError as exc:
        raise InputError(f"cannot read the verified identifiers: {exc}", file=path) from exc
    if rows and not {"key", "label", "match", *COLUMNS} <= set(rows[0]):
        raise InputError(f"expected the columns key, label, match, {', '.join(COLUMNS)}", file=path)
    found = []
    for line, row in enumerate(rows, start=2):
        if row["match"] not in ("exact", "broad"):
            raise InputError(
                f"match {row['match']!r} is neither exact nor broad", file=path, line=line
            )
        for column in COLUMNS:
            if row[column]:
                found.append(
                    Verified(
                        row["key"],
                        row["label"],
                        row["match"],
                        column,
                        row[column],
                        row.get("note") or "",
                        line,
                    )
                )
    return found


def dataset(verified: list[Verified]) -> dict[str, list[tuple[str, float]]]:
    """The labels of each identifier, as `linkset.match` reads an external dataset's."""
    labels: dict[str, list[tuple[str, float]]] = {}
    for v in verified:
        labels.setdefault(v.iri, []).append((v.label, 1.0))
    return labels


def predicate(v: Verified, kinds: set[str]) -> str:
    """The link the rule of graph/links/verified.ttl gives this identifier, for an entity of
    `kinds`: a broad match is skos:broadMatch; an exact one owl:sameAs to an individual (Wikidata,
    DBpedia, GeoNames) from anything but a concept, skos:exactMatch otherwise. (The rule's last
    case, an individual of another kind than drugkg's, is the curator's to see.)"""
    if v.match == "broad":
        return str(SKOS.broadMatch)
    if v.iri.startswith(INDIVIDUALS) and not kinds & CONCEPTS:
        return str(OWL.sameAs)
    return str(SKOS.exactMatch)
