"""The query page in a real headless Chromium, with the YASGUI CDN unreachable.

Every request to a host other than loopback is aborted (see conftest `page`), so what is
tested is the page's built-in fallback: the rendering people get offline. Screenshots of each
test's final page are kept under tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.paths import QUERIES_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 60_000
"""Bound on waiting for a page state (readiness, not a measurement)."""

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def snapshot(page: Any, name: str) -> None:
    """Keep a screenshot of a view as an artefact (the page fixture keeps the final one)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_query_page(page: Any, base: str) -> None:
    page.goto(base + "/query")
    page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
    # the CDN is blocked: the enhancement must give up and keep the built-in editor
    page.wait_for_selector("body[data-cdn=failed]", timeout=WAIT_MS)


def run_example(page: Any, name: str) -> None:
    page.click(f'#gallery .example[data-name="{name}"]')
    page.wait_for_function(
        "() => /rows|triples|true|false|error|timed out/.test("
        "document.querySelector('#status').textContent)",
        timeout=WAIT_MS,
    )


def label_of(base: str, iri: str) -> str:
    answer = httpx.post(
        base + "/sparql",
        data={"query": f"SELECT ?l WHERE {{ <{iri}> <{LABEL}> ?l }}"},
        headers={"accept": "application/sparql-results+json"},
    )
    bindings = answer.json()["results"]["bindings"]
    assert bindings, f"{iri} has no rdfs:label in the store"
    label: str = bindings[0]["l"]["value"]
    return label


def test_offline_page_loads_example_and_shows_labelled_linked_table(
    page: Any, live_server: str
) -> None:
    open_query_page(page, live_server)
    assert any("cdn.jsdelivr.net" in url for url in page.blocked), page.blocked
    assert page.inner_text("#editor-kind") == "built-in editor"
    titles = page.locator("#gallery .example").all_inner_texts()
    assert len(titles) == len(list(QUERIES_DIR.glob("*.rq")))

    run_example(page, "fentanyl-supply-routes")
    assert (
        page.input_value("#query-text") == (QUERIES_DIR / "fentanyl-supply-routes.rq").read_text()
    )
    assert "5 rows" in page.inner_text("#status")
    headers = page.locator("table.results th").all_inner_texts()
    assert headers[:2] == ["?route", "?originLabel"]
    assert headers[-1].startswith("provenance")

    link = page.locator("table.results td a.iri").first
    iri = link.get_attribute("title")
    assert iri is not None
    assert iri.startswith("https://w3id.org/drugkg/id/")
    assert link.get_attribute("href") == "/id/" + iri.rsplit("/", 1)[1]
    assert link.inner_text() == label_of(live_server, iri)

    quote = page.locator("table.results td.prov blockquote.quote").first.inner_text()
    assert quote.startswith("primarily sourced from China and Mexico")


def test_route_view_draws_origin_transit_destination(page: Any, live_server: str) -> None:
    open_query_page(page, live_server)
    run_example(page, "fentanyl-supply-routes")
    page.click("#views [data-view=route]")
    routes = page.locator("svg.routes g.route")
    assert routes.count() == 5
    snapshot(page, "route-view")
    stops = [routes.nth(i).locator("text.stop-label").all_text_contents() for i in range(5)]
    assert ["China", "Canada", "United States"] in stops
    assert ["Mexico", "United States"] in stops
    page.click("#views [data-view=table]")
    assert page.locator("table.results tbody tr").count() == 5


def test_graph_view_for_construct(page: Any, live_server: str) -> None:
    open_query_page(page, live_server)
    run_example(page, "indictment-provenance")
    assert "triples" in page.inner_text("#status")
    assert page.get_attribute("#results", "data-view") == "graph"
    nodes = page.locator("svg.graph g.node")
    assert nodes.count() > 3
    snapshot(page, "graph-view")
    indictment = page.locator("svg.graph g.node a").first
    assert (indictment.get_attribute("href") or "").startswith(("/id/", "/source/"))
    page.click("#views [data-view=table]")
    assert page.locator("table.results th").all_inner_texts() == [
        "?subject",
        "?predicate",
        "?object",
    ]
    assert page.is_disabled("#views [data-view=route]")


def test_download_csv(page: Any, live_server: str, tmp_path: Path) -> None:
    open_query_page(page, live_server)
    run_example(page, "fentanyl-supply-routes")
    names = page.locator("#downloads a.download").all_inner_texts()
    assert names == ["json", "xml", "csv", "tsv"]
    with page.expect_download() as info:
        page.click("#downloads a.download:text-is('csv')")
    target = tmp_path / "result.csv"
    info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == [
        "route",
        "originLabel",
        "transitLabel",
        "destinationLabel",
        "modeLabel",
        "quote",
        "reportLabel",
    ]
    assert len(rows) == 6
    assert {r[1] for r in rows[1:]} == {"China", "Mexico"}


def test_parser_error_shows_message_and_position(page: Any, live_server: str) -> None:
    open_query_page(page, live_server)
    page.fill("#query-text", "SELECT * WHERE {\n  ?s ?p \n")
    page.click("#run")
    page.wait_for_selector(".notice.error", timeout=WAIT_MS)
    text = page.inner_text(".notice.error")
    assert "MalformedQueryError (400)" in text
    assert "at line 3, column 1" in text
    assert page.inner_text(".fb-editor .gutter .err") == "3"


def test_keyboard_run_and_autocompletion(page: Any, live_server: str) -> None:
    open_query_page(page, live_server)
    page.click("#new")
    area = page.locator("#query-text")
    assert "PREFIX dk: <https://w3id.org/drugkg/ontology#>" in area.input_value()
    area.press("Control+End")
    area.type("\n# dk:TraffickingR")
    page.wait_for_selector(".fb-editor ul.complete li", timeout=WAIT_MS)
    area.press("Enter")
    assert area.input_value().rstrip().endswith("# dk:TraffickingRoute")
    area.press("Control+Enter")
    page.wait_for_function(
        "() => /rows/.test(document.querySelector('#status').textContent)", timeout=WAIT_MS
    )
    assert page.locator("table.results tbody tr").count() > 0


def test_timeout_and_truncation_notices(page: Any, start_live_server: Any) -> None:
    base = start_live_server(query_timeout="1", result_limit="3")
    open_query_page(page, base)
    page.fill("#query-text", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    page.click("#run")
    page.wait_for_selector(".notice.timeout", timeout=WAIT_MS)
    assert "Timed out" in page.inner_text(".notice.timeout")
    assert "time limit of 1 s" in page.inner_text(".notice.timeout")

    run_example(page, "fentanyl-supply-routes")
    page.wait_for_selector(".notice.truncated", timeout=WAIT_MS)
    assert "limit of 3 rows" in page.inner_text(".notice.truncated")
    assert page.locator("table.results tbody tr").count() == 3
