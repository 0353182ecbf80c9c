"""A synthetic drugkg graph in the ontology's own shape, for benchmarks.

Each synthetic source document gets its own named graph `facts/synthetic-NNNNN` holding what
the curated facts hold for the article: the document, quotes with their text-quote and
text-position selectors, claims with claimant, subject and stance, trafficking routes with
origin, transit and destination, substances and countries, each derived from a quote.
The ontology goes into the `ontology` graph. The output is deterministic for a seed.

    .venv/bin/python -m bench.generate --docs 6500 --out var/bench/synthetic.nq \
        --store var/bench/synthetic-store

6500 documents give about 1.02 million quads (plus the ontology).
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from graph.paths import ONTOLOGY_FILE
from graph.vocabulary.namespace import DCTERMS, DK, DKID, GRAPH, OA, PROV, RDF, RDFS, SOURCE, XSD

SUBSTANCES = 2000
COUNTRIES = 200
PEOPLE = 3000
AGENCIES = 150
OUTLETS = 60
TOPICS = 120

_WORDS = [
    "fentanyl",
    "heroin",
    "cartel",
    "border",
    "shipment",
    "precursor",
    "pill",
    "market",
    "policy",
    "enforcement",
    "treatment",
    "overdose",
    "epidemic",
    "cooperation",
    "indictment",
    "smuggling",
    "route",
    "demand",
    "supply",
    "prohibition",
    "crisis",
    "agency",
    "report",
    "assessment",
    "health",
    "harm",
    "reduction",
    "trafficking",
    "chemical",
    "laboratory",
    "powder",
]
_STANCES = (DK.Supports, DK.Opposes, DK.Neutral, DK.Skeptical)
_MODES = (DK.ShippedDirectly, DK.Overland)
_SUBSTANCE_CLASSES = (DK.Substance, DK.Opioid, DK.SyntheticOpioid, DK.PrecursorChemical)


def iri(term: str) -> str:
    return f"<{term}>"


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{datatype}>' if datatype else f'"{escaped}"'


def substance(n: int) -> str:
    return iri(DKID[f"substance-{n:05d}"])


def country(n: int) -> str:
    return iri(DKID[f"country-{n:03d}"])


def person(n: int) -> str:
    return iri(DKID[f"person-{n:05d}"])


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def document_quads(d: int, rng: random.Random) -> Iterator[str]:
    """The N-Quads lines of one synthetic document's graph."""
    doc_id = f"synthetic-{d:05d}"
    graph = iri(GRAPH[f"facts/{doc_id}"])
    doc = iri(SOURCE[doc_id])
    a, label = iri(RDF.type), iri(RDFS.label)
    derived = iri(PROV.wasDerivedFrom)

    def q(s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} {graph} .\n"

    yield q(doc, a, iri(DK.SourceDocument))
    yield q(doc, label, lit(f"synthetic report {d}", lang="en"))
    yield q(doc, iri(DK.publishedBy), iri(DKID[f"outlet-{rng.randrange(OUTLETS):02d}"]))
    yield q(doc, iri(DK.author), person(rng.randrange(PEOPLE)))
    year = 2000 + rng.randrange(25)
    yield q(doc, iri(DCTERMS.date), lit(f"{year}-{1 + rng.randrange(12):02d}-01", XSD.date))

    quotes = []
    offset = 0
    for _ in range(8):
        text = _sentence(rng, 6 + rng.randrange(10))
        start, end = offset, offset + len(text)
        offset = end + 1
        quote = iri(f"{SOURCE[doc_id]}#char={start},{end}")
        quotes.append(quote)
        by_text, by_position = f"_:d{d}q{start}t", f"_:d{d}q{start}p"
        yield q(quote, a, iri(DK.Quote))
        yield q(quote, iri(OA.hasSource), doc)
        yield q(quote, iri(OA.hasSelector), by_text)
        yield q(quote, iri(OA.hasSelector), by_position)
        yield q(by_text, a, iri(OA.TextQuoteSelector))
        yield q(by_text, iri(OA.exact), lit(text))
        yield q(by_position, a, iri(OA.TextPositionSelector))
        yield q(by_position, iri(OA.start), lit(str(start), XSD.nonNegativeInteger))
        yield q(by_position, iri(OA.end), lit(str(end), XSD.nonNegativeInteger))

    for c in range(4):
        claim = iri(DKID[f"claim-{d:05d}-{c}"])
        yield q(claim, a, iri(DK.Claim))
        yield q(claim, label, lit(_sentence(rng, 5), lang="en"))
        yield q(claim, iri(DK.claimant), person(rng.randrange(PEOPLE)))
        yield q(claim, iri(DK.about), substance(rng.randrange(SUBSTANCES)))
        yield q(claim, iri(DK.about), iri(DKID[f"topic-{rng.randrange(TOPICS):03d}"]))
        yield q(claim, iri(DK.stance), iri(rng.choice(_STANCES)))
        yield q(claim, iri(DK.summary), lit(_sentence(rng, 12)))
        yield q(claim, derived, rng.choice(quotes))

    for r in range(3):
        route = iri(DKID[f"route-{d:05d}-{r}"])
        yield q(route, a, iri(DK.TraffickingRoute))
        yield q(route, label, lit(f"route {d}-{r}", lang="en"))
        yield q(route, iri(DK.carries), substance(rng.randrange(SUBSTANCES)))
        yield q(route, iri(DK.origin), country(rng.randrange(COUNTRIES)))
        yield q(route, iri(DK.destination), country(rng.randrange(COUNTRIES)))
        if rng.random() < 0.5:
            yield q(route, iri(DK.transit), country(rng.randrange(COUNTRIES)))
        yield q(route, iri(DK.transportMode), iri(rng.choice(_MODES)))
        yield q(route, iri(DK.reportedBy), iri(DKID[f"agency-{rng.randrange(AGENCIES):03d}"]))
        yield q(route, derived, rng.choice(quotes))

    for _ in range(3):
        n = rng.randrange(SUBSTANCES)
        s = substance(n)
        yield q(s, a, iri(_SUBSTANCE_CLASSES[n % len(_SUBSTANCE_CLASSES)]))
        yield q(s, label, lit(f"substance {n}", lang="en"))
        yield q(s, iri(DK.sourcedFrom), country(rng.randrange(COUNTRIES)))
        yield q(s, iri(DK.morePotentThan), substance(rng.randrange(SUBSTANCES)))
        yield q(s, derived, rng.choice(quotes))

    for _ in range(2):
        n = rng.randrange(COUNTRIES)
        yield q(country(n), a, iri(DK.Country))
        yield q(country(n), label, lit(f"country {n}", lang="en"))
        yield q(country(n), iri(DK.neighbours), country(rng.randrange(COUNTRIES)))
        yield q(country(n), derived, rng.choice(quotes))


def write_nquads(path: Path, docs: int, seed: int) -> int:
    """Write the synthetic documents as N-Quads; returns the number of quads."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for d in range(docs):
            lines = list(document_quads(d, rng))
            out.writelines(lines)
            count += len(lines)
    return count


def build_store(nquads: Path, store_dir: Path) -> int:
    """A fresh on-disk store with the synthetic graphs and the ontology graph."""
    if store_dir.exists():
        shutil.rmtree(store_dir)
    store = ox.Store(str(store_dir))
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    store.bulk_load(
        path=ONTOLOGY_FILE,
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(str(GRAPH["ontology"])),
    )
    store.optimize()
    count = len(store)
    store.flush()
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=6500, help="synthetic documents (6500)")
    parser.add_argument("--seed", type=int, default=20171017, help="random seed")
    parser.add_argument("--out", type=Path, default=Path("var/bench/synthetic.nq"))
    parser.add_argument("--store", type=Path, default=None, help="also load into this store")
    args = parser.parse_args(argv)
    quads = write_nquads(args.out, args.docs, args.seed)
    print(f"wrote {quads} quads to {args.out}")
    if args.store is not None:
        total = build_store(args.out, args.store)
        print(f"loaded {total} quads into {args.store}")


if __name__ == "__main__":
    main()
