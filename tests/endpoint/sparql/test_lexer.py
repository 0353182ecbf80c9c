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


# -- the quick scan of short texts ---------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from endpoint.sparql.lexer import _full, _quick  # noqa: E402

_PIECES = st.sampled_from(
    [
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "INSERT",
        "PREFIX",
        "BASE",
        "WHERE",
        "GRAPH",
        "FROM",
        "from",
        "FrOm",
        "NAMED",
        "SERVICE",
        "service",
        "\u017fervice",
        "SİLENT",
        "LIMIT",
        "?s",
        "?from",
        "ex:from",
        "<http://x/service>",
        '"from here"',
        "'''x'''",
        "# from\n",
        "#c\n",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "<<",
        ">>",
        "!",
        "-",
        "+",
        ".",
        ";",
        ",",
        "*",
        " ",
        "\n",
        "\\u0053",
        "\\",
        "1",
        "a",
        "<s>",
        "_:b",
        "@en",
        "^^",
        "x",
        "é",
        "\uff26\uff32\uff2f\uff2d",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=80).map("".join) | st.text(max_size=300))
def test_the_quick_scan_gives_the_full_scans_shape_whenever_it_answers(text: str) -> None:
    quick = _quick(text)
    if quick is not None:
        assert quick == _full(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["[", "(", "{", "!", "-", " "]), min_size=1, max_size=3000))
def test_the_quick_scan_never_passes_a_text_that_nests_too_deeply(pieces: list[str]) -> None:
    text = "SELECT * WHERE " + "".join(pieces)
    full = _full(text)
    if full.too_deep is not None:
        assert _quick(text) is None


def test_a_point_lookup_takes_the_quick_scan() -> None:
    text = "SELECT ?p ?o WHERE { <https://w3id.org/drugkg/id/fentanyl> ?p ?o }"
    assert _quick(text) == _full(text)
    assert _quick("SELECT * FROM <g> WHERE { ?s ?p ?o }") is None
    assert _quick("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }") is None
