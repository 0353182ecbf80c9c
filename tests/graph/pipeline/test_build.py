"""The pipeline: named graphs, reports, IRI rewriting, broken input, validate writes nothing."""

from __future__ import annotations

import shutil

import pytest
from fixturepaths import FIXTURES as SHARED_FIXTURES
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, parse

from graph.errors import InputError, StatementError
from graph.pipeline.build import ChecksFailedError, build, count_graphs, load_dataset, validate
from graph.pipeline.inputs import Sources
from graph.pipeline.seeds import load_seeds
from graph.settings import Settings
from graph.storage.versions import open_read_only
from graph.vocabulary.namespace import BASE, GRAPH, SOURCE

FIXTURES = SHARED_FIXTURES
DOC = "fixture-doc"
STEPS = [
    "read",
    "quotes",
    "statements",
    "reasoning",
    "hermit",
    "shacl",
    "write store",
    "write dump",
]
STATEMENT_GRAPHS = {f"facts/{DOC}/q-0-71", f"facts/{DOC}/q-73-108", f"facts/{DOC}/q-115-123"}


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
    expected = {str(GRAPH[n]) for n in ("ontology", "entities", "links", "inferred")}
    expected |= {str(GRAPH[f"facts/{s.doc_id}"]) for s in seeds}
    statement_graphs = {n for n in names if n.startswith(tuple(f"{g}/" for g in expected))}
    assert len(statement_graphs) > 40
    assert names == expected | statement_graphs
    store = open_read_only(built_store.store)
    for seed in seeds:
        assert next(store.quads_for_pattern(NamedNode(str(SOURCE[seed.doc_id])), None, None))
    del store
    dumped = {q.graph_name for q in parse(path=built_store.dump_path, format=RdfFormat.N_QUADS)}
    assert {g.value for g in dumped if isinstance(g, NamedNode)} == expected | statement_graphs


@pytest.mark.slow
def test_fixture_build_reports_steps_counts_and_checks(fixture_settings: Settings) -> None:
    report = build(fixture_settings)
    assert [s.name for s in report.steps] == STEPS
    assert all(s.seconds >= 0 and s.peak_rss_mb > 0 for s in report.steps)
    assert report.validation.ok
    assert report.validation.quotes_checked == 3
    assert report.validation.statements is not None
    assert report.validation.statements.total == 3
    store = open_read_only(fixture_settings.store)
    assert report.counts == count_graphs(store)
    del store
    assert set(report.counts) == {
        str(GRAPH[name])
        for name in ("ontology", "entities", f"facts/{DOC}", "links", "inferred", *STATEMENT_GRAPHS)
    }
    assert report.counts[str(GRAPH["inferred"])] > 0
    assert report.dump.is_file()


@pytest.mark.slow
def test_validate_runs_every_check_and_writes_nothing(fixture_settings: Settings) -> None:
    result = validate(fixture_settings)
    assert result.ok, result.summary()
    assert [s.name for s in result.steps] == STEPS[:6]
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
    shutil.copy(FIXTURES / "quotes" / "non-verbatim.trig", fixture_sources.facts / f"{DOC}.trig")
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
    (fixture_sources.facts / "orphan.trig").write_text("")
    with pytest.raises(InputError, match=r"orphan\.trig: facts file has no seed"):
        validate(fixture_settings)


def test_an_undeclared_ontology_term_is_named_with_its_line(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    facts = fixture_sources.facts / f"{DOC}.trig"
    text = facts.read_text(encoding="utf-8")
    typo = "stmt:q-0-71 {\n    dkid:fentanyl dk:morePotentThann dkid:heroin .\n}\n"
    facts.write_text(text + "\n" + typo, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        validate(fixture_settings)
    assert caught.value.term == "dk:morePotentThann"
    assert caught.value.line == text.count("\n") + 3


def test_an_entity_file_with_an_undeclared_term_is_named_too(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    entities = fixture_sources.entities / "fixture.ttl"
    entities.write_text(entities.read_text(encoding="utf-8") + "dkid:x a dk:Substanse .\n")
    with pytest.raises(InputError) as caught:
        validate(fixture_settings)
    assert caught.value.file == entities
    assert caught.value.term == "dk:Substanse"


def test_a_triple_outside_any_graph_block_is_named_with_its_line(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    facts = fixture_sources.facts / f"{DOC}.trig"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + "\ndkid:cocaine a dk:Substance .\n", encoding="utf-8")
    with pytest.raises(InputError, match="a triple outside any graph block") as caught:
        validate(fixture_settings)
    assert caught.value.file == facts
    assert caught.value.line == text.count("\n") + 2


def test_a_graph_of_another_name_is_refused(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    facts = fixture_sources.facts / f"{DOC}.trig"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + "\nfacts:other-doc { dkid:cocaine a dk:Substance . }\n")
    with pytest.raises(InputError, match="neither the document graph") as caught:
        validate(fixture_settings)
    assert caught.value.term == str(GRAPH["facts/other-doc"])
    assert caught.value.line == text.count("\n") + 2
    facts.write_text(text + "\nstmt:sentence-one { dkid:cocaine a dk:Substance . }\n")
    with pytest.raises(InputError, match="q-START-END"):
        validate(fixture_settings)


def test_a_turtle_facts_file_is_refused_with_the_new_layout(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    (fixture_sources.facts / f"{DOC}.ttl").write_text("")
    with pytest.raises(InputError, match=r"facts files are TriG \(DOC\.trig\)"):
        validate(fixture_settings)


@pytest.mark.slow
def test_a_statement_outside_its_quotes_graph_stops_the_build(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    facts = fixture_sources.facts / f"{DOC}.trig"
    text = facts.read_text(encoding="utf-8")
    fact = "facts:fixture-doc {\n    dkid:heroin dk:sourcedFrom dkid:mexico .\n}\n"
    facts.write_text(text + fact, encoding="utf-8")
    with pytest.raises(StatementError) as caught:
        build(fixture_settings)
    assert "states a fact about <https://w3id.org/drugkg/id/heroin>" in str(caught.value)
    assert caught.value.exit_code == 1
    assert not fixture_settings.store.exists()
    result = validate(fixture_settings)
    assert not result.ok
    assert result.statements is not None
    assert len(result.statements.problems) == 1
    assert "1 problem with the statement graphs" in result.summary()


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
