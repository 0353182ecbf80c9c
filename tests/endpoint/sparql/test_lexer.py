"""The lexical scan: keywords only where the grammar has them."""

from __future__ import annotations

import pytest

from endpoint.sparql.lexer import scan


@pytest.mark.parametrize(
    ("text", "first", "has_from", "has_service"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False, False),
        (
            "PREFIX ex: <http://x/> BASE <http://b/> select * from <g> { ?s ?p ?o }",
            "SELECT",
            True,
            False,
        ),
        ("PREFIX : <http://x/> ASK FROM NAMED <g> { GRAPH ?g {} }", "ASK", True, False),
        ('SELECT * { ?s ?p "from here, via service" }', "SELECT", False, False),
        (
            "SELECT * { ?s <http://x/from> ?from . ?s ex:service ?o . ?o from:x ?y }",
            "SELECT",
            False,
            False,
        ),
        ("SELECT * { ?s ?p ?o } # FROM <g> SERVICE <x>", "SELECT", False, False),
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", "SELECT", False, True),
        ("select * { service silent ?x { ?s ?p ?o } }", "SELECT", False, True),
        ("SELECT * {?s ?p ?o}SERVICE", "SELECT", False, True),
        ("SELECT * { ?s ?p '''multi\nline FROM''' }", "SELECT", False, False),
        ("INSERT DATA { <a> <b> <c> }", "INSERT", False, False),
        ("PREFIX a: <a:> DELETE WHERE { ?s ?p ?o }", "DELETE", False, False),
        ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", False, False),
        ("", None, False, False),
    ],
)
def test_scan(text: str, first: str | None, has_from: bool, has_service: bool) -> None:
    shape = scan(text)
    assert shape.first_keyword == first
    assert shape.has_dataset_clause is has_from
    assert shape.has_service is has_service


def test_updates_are_recognised() -> None:
    assert scan("CLEAR ALL").is_update
    assert not scan("SELECT * {}").is_update


def test_only_short_texts_are_kept_in_the_scan_cache() -> None:
    from endpoint.sparql.lexer import CACHED_TEXT_MAX, _scan_cached

    short = "SELECT * WHERE { ?s ?p 'kept' }"
    long = "SELECT * WHERE { ?s ?p ?o }" + " " * CACHED_TEXT_MAX + "# not kept"
    scan(short)
    before = _scan_cached.cache_info().currsize
    assert scan(short) == scan(short)
    assert scan(long).first_keyword == "SELECT"
    assert scan(long + " ").first_keyword == "SELECT"
    assert _scan_cached.cache_info().currsize == before  # long texts are scanned, not kept
    assert _scan_cached.cache_info().maxsize == 1024


def test_scan_reports_a_text_nested_too_deeply() -> None:
    assert scan("SELECT * WHERE { ?s ?p ?o }").too_deep is None
    deep = scan("SELECT * WHERE " + "{" * 1200 + "}" * 1200)
    assert deep.too_deep is not None
    assert "line 1, column 1016" in deep.too_deep
