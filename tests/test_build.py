"""The pipeline: named graphs, reports, IRI rewriting, broken input, validate writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, parse

from graph.build import build, count_graphs, load_dataset, validate
from graph.errors import ChecksFailedError, InputError
from graph.inputs import Sources
from graph.namespace import BASE, GRAPH, SOURCE
from graph.seeds import load_seeds
from graph.settings import Settings
from graph.store import open_read_only

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOC = "fixture-doc"
STEPS = ["read", "quotes", "reasoning", "hermit", "shacl", "write store", "write dump"]


def graph_names(settings: Settings) -> set[str]:
    store = open_read_only(settings.store)
    names = {g.value for g in store.named_graphs() if isinstance(g, NamedNode)}
    assert next(store.quads_for_pattern(None, None, None, DefaultGraph()), None) is None
    del store
    return names


@pytest.mark.slow
def test_the_real_data_builds_into_every_named_graph(built_store: Settings) -> None:
    names = graph_names(built_store)
    seeds = load_seeds(Settings().seeds_dir or Sources().seeds)
    expected = {str(GRAPH["ontology"]), str(GRAPH["links"]), str(GRAPH["inferred"])}
    expected |= {str(GRAPH[f"facts/{s.doc_id}"]) for s in seeds}
    assert names == expected
    store = open_read_only(built_store.store)
    for seed in seeds:
        assert next(store.quads_for_pattern(NamedNode(str(SOURCE[seed.doc_id])), None, None))
    del store
    dumped = {q.graph_name for q in parse(path=built_store.dump_path, format=RdfFormat.N_QUADS)}
    assert {g.value for g in dumped if isinstance(g, NamedNode)} == expected


@pytest.mark.slow
def test_fixture_build_reports_steps_counts_and_checks(fixture_settings: Settings) -> None:
    report = build(fixture_settings)
    assert [s.name for s in report.steps] == STEPS
    assert all(s.seconds >= 0 and s.peak_rss_mb > 0 for s in report.steps)
    assert report.validation.ok
    assert report.validation.quotes_checked == 3
    store = open_read_only(fixture_settings.store)
    assert report.counts == count_graphs(store)
    del store
    assert set(report.counts) == {
        str(GRAPH[name]) for name in ("ontology", f"facts/{DOC}", "links", "inferred")
    }
    assert report.counts[str(GRAPH["inferred"])] > 0
    assert report.dump.is_file()


@pytest.mark.slow
def test_validate_runs_every_check_and_writes_nothing(fixture_settings: Settings) -> None:
    result = validate(fixture_settings)
    assert result.ok, result.summary()
    assert [s.name for s in result.steps] == STEPS[:5]
    assert result.hermit is not None
    assert result.hermit.ok
    assert result.shacl is not None
    assert result.shacl.conforms
    assert not fixture_settings.store.exists()
    assert not fixture_settings.dump_path.exists()


@pytest.mark.slow
def test_validate_reports_a_broken_quote_instead_of_raising(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    shutil.copy(FIXTURES / "quotes" / "non-verbatim.ttl", fixture_sources.facts / f"{DOC}.ttl")
    result = validate(fixture_settings)
    assert not result.ok
    assert len(result.quote_problems) == 1
    assert "id/mexico" in result.summary()


@pytest.mark.slow
def test_an_inconsistent_graph_refuses_the_build(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    shutil.copy(FIXTURES / "hermit" / "disjoint.ttl", fixture_sources.links / "clash.ttl")
    with pytest.raises(ChecksFailedError) as caught:
        build(fixture_settings)
    assert "INCONSISTENT" in str(caught.value)
    assert "id/atlantis" in str(caught.value)
    assert caught.value.exit_code == 1
    assert not fixture_settings.store.exists()


def test_load_dataset_has_every_graph_without_writing(fixture_settings: Settings) -> None:
    store = load_dataset(fixture_settings)
    names = {g.value for g in store.named_graphs() if isinstance(g, NamedNode)}
    assert str(GRAPH["inferred"]) in names
    assert str(GRAPH[f"facts/{DOC}"]) in names
    assert not fixture_settings.store.exists()


def test_a_different_base_iri_rewrites_every_drugkg_iri(fixture_settings: Settings) -> None:
    base = "http://localhost:8000/"
    store = load_dataset(fixture_settings.model_copy(update={"base_iri": base}))
    iris = set()
    for q in store:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, NamedNode):
                iris.add(term.value)
    assert not any(iri.startswith(BASE) for iri in iris)
    assert f"{base}id/fentanyl" in iris
    assert f"{base}source/{DOC}#char=0,71" in iris
    assert f"{base}ontology#SyntheticOpioid" in iris
    assert f"{base}graph/inferred" in iris


def test_a_turtle_syntax_error_names_file_and_line(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    broken = fixture_sources.links / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c\nex:d .\n")
    with pytest.raises(InputError) as caught:
        validate(fixture_settings)
    assert caught.value.file == broken
    assert caught.value.line == 4
    assert str(caught.value).startswith(f"{broken}:4:")


def test_a_facts_file_without_its_seed_is_refused(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    (fixture_sources.facts / "orphan.ttl").write_text("")
    with pytest.raises(InputError, match=r"orphan\.ttl: facts file has no seed"):
        validate(fixture_settings)


def test_an_undeclared_ontology_term_is_named_with_its_line(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    facts = fixture_sources.facts / f"{DOC}.ttl"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + "\ndkid:fentanyl dk:morePotentThann dkid:heroin .\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        validate(fixture_settings)
    assert caught.value.term == "dk:morePotentThann"
    assert caught.value.line == text.count("\n") + 2


@pytest.mark.slow
def test_no_shapes_conforms_but_says_so_loudly(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    for shape in fixture_sources.shapes.glob("*.ttl"):
        shape.unlink()
    result = validate(fixture_settings)
    assert result.ok
    assert result.shacl is not None
    assert not result.shacl.shapes_found
    assert "NO SHAPES FOUND" in result.summary()
    assert any("no shapes found" in w for w in result.warnings)
