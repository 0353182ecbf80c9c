"""The pages' templates on data made by hand: what a page shows is escaped by the templates
(autoescape), and language tags show only where some literal is not English."""

from __future__ import annotations

import re

from endpoint.linkeddata import resource
from endpoint.linkeddata.about import ResourceView
from endpoint.linkeddata.pages import not_found_page, only_english, shown
from endpoint.linkeddata.provenance import Support
from endpoint.linkeddata.query import Term

BASE = "https://w3id.org/drugkg/"
ME = BASE + "id/x"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NOTE = "http://www.w3.org/2004/02/skos/core#note"
SAID = BASE + "graph/facts/doc/q-4-17"
SOURCE = BASE + "source/doc"
EVIL = '<script>alert("x")</script>'


def _row(p: str, o: Term, g: str) -> dict[str, Term]:
    return {"p": Term("uri", p), "o": o, "g": Term("uri", g)}


def _view(*literals: Term) -> ResourceView:
    view = ResourceView(ME, EVIL)
    view.outgoing = [_row(LABEL, t, BASE + "graph/entities") for t in literals]
    view.outgoing.append(_row(NOTE, Term("literal", "a note & more"), SAID))
    view.support[SAID] = Support(SAID, SOURCE, 4, 17)
    view.texts[SOURCE] = "Say <b>bold</b> & mean it. Next."
    return view


def test_not_found_page_escapes_the_message() -> None:
    html = not_found_page(f"no resource {EVIL}")
    assert EVIL not in html
    assert "no resource &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<h1>Not found</h1>" in html


def test_resource_page_escapes_labels_literals_and_sentences() -> None:
    html = resource.render(_view(Term("literal", EVIL, "en")), BASE, query_page=True)
    assert EVIL not in html
    assert "<h1>&lt;script&gt;" in html
    assert "<mark>&lt;b&gt;bold&lt;/b&gt; &amp;</mark>" in html  # the quote, in its sentence
    assert '<span class="lit">a note &amp; more</span>' in html
    assert 'href="/query?query=SELECT%20%3Fp' in html


def test_language_tags_show_only_when_some_literal_is_not_english() -> None:
    english = resource.render(_view(Term("literal", "x", "en")), BASE, query_page=False)
    assert 'class="lang"' not in english
    both = resource.render(
        _view(Term("literal", "x", "en"), Term("literal", "ix", "de")), BASE, query_page=False
    )
    assert re.findall(r'<span class="lang">@(\w+)</span>', both) == ["en", "de"]


def test_terms_as_shown() -> None:
    assert only_english([Term("literal", "a", "en-GB"), Term("literal", "b"), Term("uri", ME)])
    assert not only_english([Term("literal", "a", "fr")])
    link = shown(Term("uri", ME), None, BASE)
    assert (link.text, link.href, link.iri) == ("x", "/id/x", ME)
    assert shown(Term("uri", "http://example.org/y"), None, BASE).href == "http://example.org/y"
    typed = shown(
        Term("literal", "3", datatype="http://www.w3.org/2001/XMLSchema#integer"), None, BASE
    )
    assert typed.datatype == "integer"
    assert shown(Term("literal", "en", "en"), None, BASE, languages=False).lang is None
