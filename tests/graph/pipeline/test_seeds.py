"""Seeds: metadata and verbatim text load, bad seeds name file and field, triples are right."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fixturepaths import FIXTURES as SHARED_FIXTURES
from pyoxigraph import Literal, NamedNode, Store

from graph.errors import SeedError
from graph.paths import SEEDS_DIR
from graph.pipeline.seeds import load_seed, load_seeds, seed_quads
from graph.vocabulary.namespace import DK, DKID, GRAPH, RDF, RDFS, SDO, SOURCE, XSD

FIXTURE_SEEDS = SHARED_FIXTURES / "build" / "seeds"
DOC = "fixture-doc"


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(FIXTURE_SEEDS, target)
    return target


def _edit(seed_dir: Path, change: dict[str, Any], drop: str | None = None) -> Path:
    path = seed_dir / f"{DOC}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(change)
    if drop:
        del data[drop]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def nn(term: object) -> NamedNode:
    return NamedNode(str(term))


def test_every_real_seed_loads_with_its_verbatim_text() -> None:
    seeds = load_seeds(SEEDS_DIR)
    assert [s.doc_id for s in seeds] == sorted(p.stem for p in SEEDS_DIR.glob("*.json"))
    for seed in seeds:
        assert seed.text == seed.text_path.read_text(encoding="utf-8")
        assert not seed.text.endswith("\n")


def test_seed_triples_describe_the_source_document() -> None:
    seed = load_seed(FIXTURE_SEEDS / f"{DOC}.json")
    store = Store()
    store.extend(seed_quads(seed))
    graph = nn(GRAPH[f"facts/{DOC}"])
    assert {q.graph_name for q in store} == {graph}
    doc, photo = nn(SOURCE[DOC]), nn(DKID[f"{DOC}-photo"])

    def values(s: NamedNode, p: object) -> set[object]:
        return {q.object for q in store.quads_for_pattern(s, nn(p), None, graph)}

    assert values(doc, RDF.type) == {nn(DK.SourceDocument)}
    title = Literal("A fixture article about fentanyl", language="en")
    assert values(doc, RDFS.label) == values(doc, SDO.headline) == {title}
    assert values(doc, SDO.alternativeHeadline) == {
        Literal("Small enough to check by hand.", language="en")
    }
    assert values(doc, DK.publishedBy) == {nn(DKID["fixture-press"])}
    assert values(doc, SDO.datePublished) == {Literal("2017", datatype=nn(XSD.gYear))}
    assert values(doc, SDO.inLanguage) == {Literal("en")}
    assert values(doc, SDO.text) == {Literal(seed.text)}
    assert values(doc, SDO.associatedMedia) == {photo}
    assert values(photo, RDF.type) == {nn(DK.Photo)}
    assert values(photo, SDO.caption) == {Literal("A border crossing.")}
    assert values(photo, SDO.creditText) == {Literal("Fixture Photo/A. Person")}


def test_invalid_json_names_file_and_line(seed_dir: Path) -> None:
    path = seed_dir / f"{DOC}.json"
    path.write_text('{\n  "id": "fixture-doc",\n  "title": \n}', encoding="utf-8")
    with pytest.raises(SeedError, match=r"fixture-doc\.json:4:1: invalid JSON") as caught:
        load_seed(path)
    assert caught.value.line == 4


@pytest.mark.parametrize(
    ("change", "drop", "field"),
    [
        ({}, "title", "title"),
        ({"year": "last year"}, None, "year"),
        ({"publisher_id": "Fixture Press"}, None, "publisher_id"),
        ({"photo": {"id": "p", "caption": "c"}}, None, "photo.credit"),
    ],
)
def test_a_missing_or_invalid_field_is_named(
    seed_dir: Path, change: dict[str, Any], drop: str | None, field: str
) -> None:
    path = _edit(seed_dir, change, drop)
    with pytest.raises(SeedError, match=f"field '{field}'") as caught:
        load_seed(path)
    assert caught.value.file == path
    assert caught.value.term == field


def test_the_id_must_match_the_file_name(seed_dir: Path) -> None:
    path = _edit(seed_dir, {"id": "another-doc"})
    with pytest.raises(SeedError, match="field 'id' is 'another-doc'"):
        load_seed(path)


def test_a_missing_text_file_is_named(seed_dir: Path) -> None:
    (seed_dir / f"{DOC}.txt").unlink()
    with pytest.raises(SeedError, match=f"field 'text' names '{DOC}.txt', which does not exist"):
        load_seed(seed_dir / f"{DOC}.json")


def test_text_that_is_not_utf8_is_refused(seed_dir: Path) -> None:
    (seed_dir / f"{DOC}.txt").write_bytes(b"caf\xe9")
    with pytest.raises(SeedError, match="not UTF-8"):
        load_seed(seed_dir / f"{DOC}.json")


def test_a_missing_seeds_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="does not exist"):
        load_seeds(tmp_path / "nowhere")
