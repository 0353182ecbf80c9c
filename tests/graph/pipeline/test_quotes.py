"""Quotes are checked against the verbatim source text; broken ones stop the build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixturepaths import FIXTURES as SHARED_FIXTURES
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from graph.errors import QuoteError, QuoteNotFoundError
from graph.pipeline.build import build
from graph.pipeline.inputs import Sources
from graph.pipeline.quotes import (
    check_quotes,
    count_quotes,
    locate,
    occurrences,
    quote_iri,
    quote_turtle,
    statement_graph_iri,
    verify_quotes,
)
from graph.pipeline.seeds import load_seed
from graph.settings import Settings
from graph.vocabulary.namespace import GRAPH, SOURCE

FIXTURES = SHARED_FIXTURES
FIXTURE_DOC = "fixture-doc"
QUOTES = FIXTURES / "quotes"
GRAPH_IRI = NamedNode(str(GRAPH[f"facts/{FIXTURE_DOC}"]))
PREFIXES = (
    "@prefix dk: <https://w3id.org/drugkg/ontology#> .\n"
    "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
    "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


@pytest.fixture(scope="module")
def text() -> str:
    return load_seed(FIXTURES / "build" / "seeds" / f"{FIXTURE_DOC}.json").text


def _store(trig_file: Path) -> Store:
    """A facts file as the build reads it: its quads, in the graphs it names."""
    store = Store()
    store.extend(parse(path=trig_file, format=RdfFormat.TRIG))
    return store


def _texts(text: str) -> dict[str, str]:
    return {str(SOURCE[FIXTURE_DOC]): text}


def test_locate_counts_code_points_not_bytes(text: str) -> None:
    # The curly quote before "fentanyl" is 3 bytes in UTF-8 but one code point.
    start, end = locate(text, "fentanyl")
    assert (start, end) == (115, 123)
    assert text[start:end] == "fentanyl"
    assert text.encode("utf-8").find(b"fentanyl\xe2") == 117


def test_locate_picks_the_nth_occurrence_and_allows_overlaps() -> None:
    assert locate("abcabc", "abc", occurrence=2) == (3, 6)
    assert occurrences("aaa", "aa") == [0, 1]


@pytest.mark.parametrize(
    ("exact", "occurrence", "says"),
    [("cocaine", 1, "occurs 0 time(s)"), ("opioid", 2, "occurs 1 time(s)"), ("", 1, "empty")],
)
def test_locate_explains_what_is_missing(text: str, exact: str, occurrence: int, says: str) -> None:
    with pytest.raises(QuoteNotFoundError, match=says.replace("(", r"\(").replace(")", r"\)")):
        locate(text, exact, occurrence)


def test_quote_turtle_is_a_block_whose_quote_passes_the_check(text: str, tmp_path: Path) -> None:
    start, end = locate(text, "Mexico neighbours the United States")
    block = quote_turtle(FIXTURE_DOC, text, start, end)
    assert block.startswith(f"<{GRAPH_IRI.value}> {{\n")
    assert f"<{quote_iri(FIXTURE_DOC, start, end)}> a dk:Quote ;" in block
    assert f"<{statement_graph_iri(FIXTURE_DOC, start, end)}> a dk:StatementGraph ;" in block
    assert statement_graph_iri(FIXTURE_DOC, start, end).endswith(f"/{FIXTURE_DOC}/q-73-108")
    path = tmp_path / "quote.trig"
    path.write_text(PREFIXES + block, encoding="utf-8")
    store = _store(path)
    assert check_quotes(store, GRAPH_IRI, _texts(text)) == []
    assert count_quotes(store, GRAPH_IRI) == 1


def test_quote_turtle_escapes_quotation_marks_and_newlines(tmp_path: Path) -> None:
    text = 'He said "no"\nand left.'
    start, end = locate(text, 'said "no"\nand')
    path = tmp_path / "quote.trig"
    path.write_text(PREFIXES + quote_turtle(FIXTURE_DOC, text, start, end), encoding="utf-8")
    assert check_quotes(_store(path), GRAPH_IRI, _texts(text)) == []


def test_the_fixture_facts_quotes_are_all_verbatim(text: str) -> None:
    store = _store(FIXTURES / "build" / "facts" / f"{FIXTURE_DOC}.trig")
    assert check_quotes(store, GRAPH_IRI, _texts(text)) == []


def test_broken_offset_names_fact_quote_actual_text_and_fix(text: str) -> None:
    [problem] = check_quotes(_store(QUOTES / "broken-offset.trig"), GRAPH_IRI, _texts(text))
    assert f"<{SOURCE[FIXTURE_DOC]}#char=114,122>" in problem
    assert f"statement graph <{GRAPH_IRI.value}/q-114-122>" in problem
    assert "https://w3id.org/drugkg/id/fentanyl" in problem
    assert 'expected "fentanyl" at 114,122' in problem
    assert f'the text there is "{text[114:122]}"' in problem
    assert "#char=115,123" in problem


def test_non_verbatim_quote_says_the_text_is_nowhere(text: str) -> None:
    [problem] = check_quotes(_store(QUOTES / "non-verbatim.trig"), GRAPH_IRI, _texts(text))
    assert "https://w3id.org/drugkg/id/mexico" in problem
    assert f"<{SOURCE[FIXTURE_DOC]}#char=73,105>" in problem
    assert '"Mexico borders the United States"' in problem
    assert "does not occur anywhere" in problem


def test_fragment_must_equal_position_selector(text: str) -> None:
    [problem] = check_quotes(_store(QUOTES / "fragment-mismatch.trig"), GRAPH_IRI, _texts(text))
    assert "char=73,108 differs from the position selector start=73, end=109" in problem


def test_quote_of_an_unknown_source_is_reported(text: str) -> None:
    [problem] = check_quotes(_store(QUOTES / "unknown-source.trig"), GRAPH_IRI, _texts(text))
    assert "no-such-doc> is not a known seed document" in problem
    assert "https://w3id.org/drugkg/id/heroin" in problem


def test_verify_quotes_counts_good_quotes_and_raises_on_bad_ones(text: str) -> None:
    good = _store(FIXTURES / "build" / "facts" / f"{FIXTURE_DOC}.trig")
    assert verify_quotes(good, [GRAPH_IRI], _texts(text)) == 3
    bad = _store(QUOTES / "broken-offset.trig")
    with pytest.raises(QuoteError, match="1 quote does not match the source text") as caught:
        verify_quotes(bad, [GRAPH_IRI], _texts(text))
    assert len(caught.value.problems) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "fact", "quote"),
    [
        ("broken-offset.trig", "id/fentanyl", "fixture-doc#char=114,122"),
        ("non-verbatim.trig", "id/mexico", "fixture-doc#char=73,105"),
    ],
)
def test_a_broken_quote_stops_the_build(
    fixture_sources: Sources, fixture_settings: Settings, fixture: str, fact: str, quote: str
) -> None:
    shutil.copy(QUOTES / fixture, fixture_sources.facts / f"{FIXTURE_DOC}.trig")
    with pytest.raises(QuoteError) as caught:
        build(fixture_settings, fixture_sources)
    message = str(caught.value)
    assert fact in message
    assert quote in message
    assert caught.value.exit_code == 1
    assert not fixture_settings.store.exists()


def test_a_long_quote_that_differs_is_shown_where_it_parts_from_the_text(tmp_path: Path) -> None:
    said = (
        "The Drug Enforcement Administration says that most of the fentanyl sold in the "
        "United States comes from China, by mail, and from Mexico, over the border."
    )
    path = tmp_path / "quote.trig"
    path.write_text(PREFIXES + quote_turtle(FIXTURE_DOC, said, 0, len(said)), encoding="utf-8")
    edited = said.replace("United States comes", "United States came", 1)
    [problem] = check_quotes(_store(path), GRAPH_IRI, _texts(edited + " More text."))
    at = said.index("comes") + 1  # "c" is shared: the texts part at "o" / "a"
    assert f"they part at character {at + 1} of the quote (offset {at})" in problem
    # both texts are shown around that place, where a cut at the same point hid it before
    assert "United States comes from China" in problem
    assert "United States came from China" in problem
    assert 'after " the United States c"' in problem
