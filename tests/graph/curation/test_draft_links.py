"""`drugkg draft` proposes links, as commented triples with where each came from, for the new
names of a document and the known entities it mentions that have no link yet, from the verified
identifiers (shared/linking/verified-ids.tsv) and from nothing else."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from curation_support import run
from projectcopy import copy_real_data, environment
from pyoxigraph import RdfFormat, parse

from graph.curation.draft import PREFIXES

ARTICLE = "thinkprogress-2017-doj-opioids"
TRIPLE = re.compile(r"^# (dkid:\S+) (owl:sameAs|skos:exactMatch|skos:broadMatch) <(\S+)> \.$", re.M)


def _verified(shared_dir: Path) -> dict[str, tuple[int, dict[str, str]]]:
    """Each identifier of the table: its line and its row."""
    table = shared_dir / "linking" / "verified-ids.tsv"
    with table.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    columns = ("wikidata", "dbpedia", "chebi", "mesh", "geonames")
    return {row[c]: (line, row) for line, row in enumerate(rows, 2) for c in columns if row[c]}


def _remove(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert block in text
    path.write_text(text.replace(block, ""), encoding="utf-8")


def test_candidate_links_come_from_the_verified_table_only(
    tmp_path: Path, shared_dir: Path
) -> None:
    data = copy_real_data(tmp_path / "data")
    env = environment(data, tmp_path / "var" / "store")
    env["DRUGKG_SHARED_DIR"] = str(shared_dir)
    path = data / "facts" / f"{ARTICLE}.draft.trig"

    done = run(env, "draft", ARTICLE)  # every entity the table knows is linked already
    assert done.code == 0, done.err
    assert "0 candidate links for 0 entities or names" in done.out
    assert "# None: no new name or unlinked known entity matches a verified one." in (
        path.read_text(encoding="utf-8")
    )

    # China loses its links (a known entity with no link yet); Mexico is not an entity yet
    _remove(data / "links" / "verified.ttl", "dkid:china  # ISO alpha-3 CHN\n    owl:sameAs "
            "<http://www.wikidata.org/entity/Q148> , <http://dbpedia.org/resource/China> , "
            "<https://sws.geonames.org/1814991/> .\n")  # fmt: skip
    _remove(
        data / "entities" / "places.ttl",
        'dkid:mexico a dk:Country ;\n    rdfs:label "Mexico"@en .\n',
    )
    done = run(env, "draft", "--force", ARTICLE)
    assert done.code == 0, done.err
    assert "6 candidate links for 2 entities or names" in done.out
    draft = path.read_text(encoding="utf-8")
    text = (data / "seeds" / f"{ARTICLE}.txt").read_text(encoding="utf-8")

    china, mexico = text.index("China"), text.index("Mexico")
    assert (
        f'# dkid:china: a known entity with no link yet, first at {china}-{china + 5} "China"'
        in draft
    )
    assert f'# new name "Mexico", first at {mexico}-{mexico + 6} "Mexico"' in draft
    table = shared_dir / "linking" / "verified-ids.tsv"
    verified = _verified(shared_dir)
    triples = TRIPLE.findall(draft)
    assert {(s, iri) for s, _p, iri in triples} == {
        (f"dkid:{key}", iri)
        for iri, (_line, row) in verified.items()
        for key in ("china", "mexico")
        if row["key"] == key
    }
    for subject, predicate, iri in triples:
        line, row = verified[iri]
        assert predicate == "owl:sameAs"  # a country: the very individual in each dataset
        column = next(c for c in ("wikidata", "dbpedia", "geonames") if row[c] == iri)
        source = (
            f'#   from {table}:{line} key {row["key"]} "{row["label"]}" (exact match, {column}): '
            f"same normalised label; type unknown, score 0.7; note: {row['note']}"
        )
        assert f"{source}\n# {subject} {predicate} <{iri}> ." in draft

    # ready to uncomment: the lines, uncommented, are Turtle with the draft's prefixes
    uncommented = "\n".join(line[2:] for line in draft.splitlines() if TRIPLE.match(line))
    prefixes = PREFIXES.format(doc=ARTICLE)
    assert len(list(parse(prefixes + uncommented, format=RdfFormat.TURTLE))) == 6


def test_without_the_verified_table_the_draft_says_so_and_proposes_nothing(
    tmp_path: Path,
) -> None:
    data = copy_real_data(tmp_path / "data")
    env = environment(data, tmp_path / "var" / "store")
    env["DRUGKG_SHARED_DIR"] = str(tmp_path / "no-shared")
    done = run(env, "draft", ARTICLE)
    assert done.code == 0, done.err
    assert "note: no verified identifiers at" in done.err
    draft = (data / "facts" / f"{ARTICLE}.draft.trig").read_text(encoding="utf-8")
    assert "# None: the verified identifiers (" in draft
    assert TRIPLE.findall(draft) == []
