"""The generated namespace module stays in step with the ontology."""

import pytest

from graph.vocabulary import generate as vocabgen
from graph.vocabulary.namespace import DK, OA


def test_namespace_module_matches_the_ontology() -> None:
    on_disk = vocabgen.MODULE_PATH.read_text(encoding="utf-8")
    assert on_disk == vocabgen.render(), (
        "graph/vocabulary/namespace.py is out of date: run `python -m graph.vocabulary.generate`"
    )


def test_a_misspelt_term_fails() -> None:
    with pytest.raises(AttributeError):
        _ = DK.Claimm
    with pytest.raises(AttributeError):
        _ = OA.exakt


def test_terms_resolve_to_the_ontology_namespace() -> None:
    assert str(DK.TraffickingRoute) == "https://w3id.org/drugkg/ontology#TraffickingRoute"
    assert str(OA.TextQuoteSelector) == "http://www.w3.org/ns/oa#TextQuoteSelector"
