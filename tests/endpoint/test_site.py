"""The home page as an entry point, /docs, and an OpenAPI document that says what the routes
return, against a live server on the store the real build writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from liveservers import LiveServer, start_drugkg
from vendored import require

from endpoint.site import SWAGGER_DIR, docs_page
from endpoint.sparql.openapi import GRAPH_MEDIA
from graph.paths import QUERIES_DIR
from graph.settings import Settings

pytestmark = pytest.mark.slow

DOC = "thinkprogress-2017-doj-opioids"


@pytest.fixture(scope="module")
def site(built_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_drugkg(
        built_store.store, tmp_path_factory.mktemp("site"), dump=str(built_store.dump_path)
    )
    yield server
    server.stop()


def _links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every link of a page's body."""
    body = html.split("</header>", 1)[1]
    return [
        (unescape(href), unescape(re.sub(r"<[^>]+>", "", text)).strip())
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', body, re.S)
    ]


def test_home_page_is_an_entry_point(site: LiveServer) -> None:
    html = httpx.get(site.url + "/").text
    links = dict(_links(html))
    assert f"/source/{DOC}" in links  # the source document, by its title
    assert "DOJ" in links[f"/source/{DOC}"]
    for path in ("/ontology", "/query", "/sparql", "/.well-known/void", "/docs"):
        assert path in links, path
    for name in ("entities", "links", "ontology", "inferred", f"facts/{DOC}"):
        assert f"/graph/{name}" in links, name  # the named graphs, each linked to its page
    assert f"/graph/facts/{DOC}/q-1240-1317" in links  # statement graphs, folded under it
    entities = [href for href in links if href.startswith("/id/")]
    assert "/id/fentanyl" in entities
    assert 3 <= len(entities) <= 8
    for href in [*entities[:3], f"/source/{DOC}", f"/graph/facts/{DOC}"]:
        page = httpx.get(site.url + href, headers={"accept": "text/html"})
        assert page.status_code == 200, href


def test_the_key_question_is_one_click_away(site: LiveServer) -> None:
    html = httpx.get(site.url + "/").text
    key = re.search(r'<p class="key">Ask it: <a href="([^"]+)"><strong>(.*?)</strong>', html)
    assert key is not None
    assert unescape(key[2]).startswith("Which countries supply fentanyl")
    target = urlsplit(unescape(key[1]))
    assert target.path == "/query"
    assert parse_qs(target.query) == {"example": ["fentanyl-supply-routes"]}
    assert (QUERIES_DIR / "fentanyl-supply-routes.rq").is_file()


def test_ten_largest_classes_open_on_the_query_page(site: LiveServer) -> None:
    html = httpx.get(site.url + "/").text
    href = next(h for h, text in _links(html) if text == "the ten largest classes")
    target = urlsplit(href)
    assert target.path == "/query"
    params = parse_qs(target.query)
    assert params["run"] == ["1"]
    answer = httpx.get(site.sparql, params={"query": params["query"][0]})
    assert len(answer.json()["results"]["bindings"]) == 10


def test_docs_serve_swagger_ui_5_from_the_server(site: LiveServer) -> None:
    require(SWAGGER_DIR, "swagger-ui-dist")
    html = httpx.get(site.url + "/docs").text
    assert '<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>' in html
    bundle = httpx.get(site.url + "/static/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    package = httpx.get(site.url + "/static/swagger-ui/package.json").json()
    assert package["name"] == "swagger-ui-dist"
    assert package["version"].startswith("5.")
    assert httpx.get(site.url + "/openapi.json").json()["openapi"].startswith("3.1")


def test_docs_list_the_operations_without_swagger_ui(tmp_path: Path) -> None:
    schema: dict[str, Any] = {
        "info": {"title": "drugkg", "version": "0.1.0"},
        "paths": {"/sparql": {"get": {"summary": "SPARQL <query>"}}, "/x": {"post": {}}},
    }
    html = docs_page(schema, tmp_path)
    assert "swagger-ui-bundle.js" not in html
    assert "<td><code>GET</code></td><td><code>/sparql</code></td><td>SPARQL &lt;query&gt;" in html
    assert "<td><code>POST</code></td><td><code>/x</code></td>" in html


def _operation(schema: dict[str, Any], path: str) -> dict[str, Any]:
    operation: dict[str, Any] = schema["paths"][path]["get"]
    return operation


def test_openapi_says_what_the_linked_data_routes_return(site: LiveServer) -> None:
    schema = httpx.get(site.url + "/openapi.json").json()
    for path in ("/ontology", "/graph/{name}", "/{kind}/{slug}", "/.well-known/void"):
        responses = _operation(schema, path)["responses"]
        assert set(responses["200"]["content"]) == {"text/html", *GRAPH_MEDIA}, path
        assert "application/json" not in responses["200"]["content"]
        assert {"304", "406"} <= set(responses), path
    for path in ("/graph/{name}", "/{kind}/{slug}"):
        assert "text/html" in _operation(schema, path)["responses"]["404"]["content"]
    assert set(_operation(schema, "/ontology.ttl")["responses"]["200"]["content"]) == {
        "text/turtle"
    }
    assert set(_operation(schema, "/ontology.rdf")["responses"]["200"]["content"]) == {
        "application/rdf+xml"
    }
    assert "404" in _operation(schema, "/dump.nq")["responses"]
    assert "text/html" in _operation(schema, "/sparql")["responses"]["200"]["content"]


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/ontology.ttl", None),
        ("/ontology.rdf", None),
        ("/ontology", "application/ld+json"),
        ("/ontology", "text/html"),
        ("/graph/links", "application/n-triples"),
        ("/id/fentanyl", "text/turtle"),
        ("/id/no-such-thing", "text/html"),
        ("/graph/nope", None),
        ("/.well-known/void", "text/html"),
        ("/health/live", None),
        ("/health/ready", None),
        ("/health", None),
        ("/metrics", None),
    ],
)
def test_each_answer_is_documented(site: LiveServer, path: str, accept: str | None) -> None:
    schema = httpx.get(site.url + "/openapi.json").json()
    response = httpx.get(site.url + path, headers={"accept": accept} if accept else {}, timeout=60)
    template = next(
        p
        for p in schema["paths"]
        if re.fullmatch(
            re.sub(r"\{[^}]+\}", "[^?]+", re.escape(p).replace(r"\{", "{").replace(r"\}", "}")),
            path,
        )
    )
    documented = _operation(schema, template)["responses"][str(response.status_code)]
    media = response.headers["content-type"].split(";")[0]
    assert media in documented["content"], (path, response.status_code, media)
