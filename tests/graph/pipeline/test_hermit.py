"""HermiT on the real ontology and facts, and on fixtures that break it (runs Java)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixturepaths import FIXTURES as SHARED_FIXTURES
from pyoxigraph import Quad, RdfFormat, Store, parse

from graph.errors import JavaMissingError
from graph.paths import ONTOLOGY_FILE
from graph.pipeline import hermit
from graph.pipeline.build import load_dataset
from graph.pipeline.reasoning import materialise
from graph.settings import Settings

FIXTURES = SHARED_FIXTURES / "hermit"


def _ontology_and(*fixtures: str) -> list[Quad]:
    quads = list(parse(path=ONTOLOGY_FILE, format=RdfFormat.TURTLE))
    for name in fixtures:
        quads += parse(path=FIXTURES / name, format=RdfFormat.TURTLE, rename_blank_nodes=True)
    return quads


def _with_inferences(quads: list[Quad]) -> list[Quad]:
    store = Store()
    store.extend(quads)
    materialise(store)
    return list(store)


@pytest.mark.slow
def test_real_ontology_and_facts_are_consistent() -> None:
    report = hermit.check(load_dataset(Settings()))
    assert report.consistent, report.summary()
    assert report.unsatisfiable == []
    assert report.ok


@pytest.mark.slow
def test_a_disjointness_violation_is_inconsistent_and_explained() -> None:
    report = hermit.check(_ontology_and("disjoint.ttl"))
    assert not report.consistent
    assert not report.ok
    assert report.explanation is not None
    assert "https://w3id.org/drugkg/id/atlantis" in report.explanation
    assert "INCONSISTENT" in report.summary()


@pytest.mark.slow
def test_a_clash_through_subclasses_is_explained_with_inferred_types() -> None:
    report = hermit.check(_with_inferences(_ontology_and("disjoint-inferred.ttl")))
    assert not report.consistent
    assert report.explanation is not None
    assert "fentanyl-river" in report.explanation
    assert "ontology#Substance" in report.explanation
    assert "ontology#Place" in report.explanation


@pytest.mark.slow
def test_an_unsatisfiable_class_is_listed() -> None:
    report = hermit.check(_ontology_and("unsatisfiable.ttl"))
    assert report.consistent
    assert report.unsatisfiable == ["https://w3id.org/drugkg/test#CountryCity"]
    assert "CountryCity" in report.summary()


def test_missing_java_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(JavaMissingError) as caught:
        hermit.check(_ontology_and(), java=str(tmp_path / "no-java"))
    message = str(caught.value)
    assert "apt-get install default-jre-headless" in message
    assert "DRUGKG_JAVA" in message
    assert caught.value.exit_code == 2
