"""The service description and VoID for people: a browser gets a page, every other client
keeps RDF, and the page says what the RDF says (a live server on the built store)."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from liveservers import LiveServer as Server
from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from graph.vocabulary.namespace import GRAPH, VOID

pytestmark = pytest.mark.slow

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PATHS = ["/sparql", "/.well-known/void"]


def _get(server: Server, path: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(server.url + path, headers=headers, params=params, timeout=30)


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    return [
        [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in rows
    ]


@pytest.mark.parametrize("path", PATHS)
def test_browsers_get_a_page(ld_server: Server, path: str) -> None:
    page = _get(ld_server, path, BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert "<h1>" in page.text
    assert 'href="/query"' in page.text
    html = _get(ld_server, path, None, format="html")
    assert html.headers["content-type"].startswith("text/html")
    assert page.headers["etag"] != _get(ld_server, path, "text/turtle").headers["etag"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/sparql-results+json, application/n-triples;q=0.9",
        "text/turtle;q=0.5, text/html;q=0.4",
        "application/ld+json",
    ],
)
def test_other_clients_keep_rdf(ld_server: Server, path: str, accept: str | None) -> None:
    response = _get(ld_server, path, accept)
    assert response.status_code == 200
    media = response.headers["content-type"].split(";")[0]
    fmt = RdfFormat.from_media_type(media)
    assert fmt is not None, media
    assert list(parse(response.content, fmt))


CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)


@pytest.mark.parametrize("path", PATHS)
def test_html_for_a_browser_turtle_for_text_turtle(ld_server: Server, path: str) -> None:
    page = _get(ld_server, path, CHROMIUM)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.text.lstrip().lower().startswith("<!doctype html>")
    turtle = _get(ld_server, path, "text/turtle")
    assert turtle.status_code == 200
    assert turtle.headers["content-type"].split(";")[0] == "text/turtle"
    assert "<html" not in turtle.text
    assert list(parse(turtle.content, RdfFormat.TURTLE))


def test_service_page_shows_the_endpoint_its_formats_and_graphs(ld_server: Server) -> None:
    html = _get(ld_server, "/sparql", BROWSER).text
    assert "<h1>SPARQL endpoint</h1>" in html
    assert f"<code>{ld_server.sparql}</code>" in html
    cells = {row[0]: row[1:] for row in _cells(html) if row}
    assert "SPARQL_Results_JSON" in cells["resultFormat"][0]
    assert "Turtle" in cells["resultFormat"][0]
    assert cells["supportedLanguage"] == ["SPARQL11Query"]
    assert "facts/thinkprogress-2017-doj-opioids" in cells
    assert cells["the default graph"][0].replace(",", "").isdigit()


def test_void_page_counts_are_the_rdf_counts(ld_server: Server) -> None:
    html = _get(ld_server, "/.well-known/void", BROWSER).text
    turtle = _get(ld_server, "/.well-known/void", "text/turtle")
    triples = list(parse(turtle.content, RdfFormat.TURTLE))
    counted = {
        t.subject.value: int(t.object.value)
        for t in triples
        if t.predicate == NamedNode(str(VOID.triples)) and isinstance(t.object, Literal)
    }
    cells = {row[0]: row[1:] for row in _cells(html) if row}
    for name in ("links", "ontology", "entities", "facts/thinkprogress-2017-doj-opioids"):
        assert int(cells[name][0].replace(",", "")) == counted[str(GRAPH[name])], name
    assert int(cells["triples"][0]) == counted[ld_server.url + "/.well-known/void#drugkg"]
    download = re.search(r'<a class="download" href="([^"]+links\.ttl)"', html)
    assert download is not None
    assert httpx.get(ld_server.url + download[1]).headers["content-type"].startswith("text/turtle")
    linksets = [row for row in _cells(html.split("<h2>Link sets</h2>", 1)[1]) if row]
    assert {row[0] for row in linksets} >= {"Wikidata", "DBpedia", "ChEBI", "MeSH", "GeoNames"}
