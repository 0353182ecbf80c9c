"""The query page in a real headless Chromium: YASGUI's editor served by the server itself,
and the built-in editor it falls back to when YASGUI's files are not there.

Every request to a host other than loopback is aborted (see conftest `page`), and the YASGUI
tests check that none was made. The fallback tests refuse the page's requests for YASGUI's
files (/static/yasgui/), as a server without them would. Screenshots of each test's final
page are kept under tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from vendored import require

from endpoint.querypage.page import YASGUI_DIR
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


def open_query_page(
    page: Any, base: str, *, editor: str = "built-in", path: str = "/query"
) -> None:
    """Open the query page with YASGUI's editor (`editor="yasgui"`) or without its files."""
    if editor == "yasgui":
        require(YASGUI_DIR, "@triply/yasgui")
    else:
        page.route("**/static/yasgui/**", lambda route: route.abort("failed"))
    page.goto(base + path)
    page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
    page.wait_for_selector(f"body[data-editor={editor}]", timeout=WAIT_MS)


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


def test_without_yasgui_the_built_in_editor_runs_an_example(page: Any, live_server: str) -> None:
    open_query_page(page, live_server)
    assert page.blocked == []
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


def yasqe_value(page: Any) -> str:
    value: str = page.evaluate(
        "() => document.querySelector('#editor .CodeMirror').CodeMirror.getValue()"
    )
    return value


def test_yasgui_runs_an_example_from_the_gallery_and_shows_the_table(
    page: Any, live_server: str
) -> None:
    open_query_page(page, live_server, editor="yasgui")
    version = httpx.get(live_server + "/query.json").json()["yasgui"]["version"]
    assert page.inner_text("#editor-kind") == f"YASGUI editor {version}"
    assert page.locator("#editor .yasqe .CodeMirror").count() == 1
    assert page.locator(".fb-editor").count() == 0
    titles = page.locator("#gallery .example").all_inner_texts()
    assert titles[0] == "Fentanyl supply routes into the United States"  # it leads

    run_example(page, "fentanyl-supply-routes")
    assert yasqe_value(page) == (QUERIES_DIR / "fentanyl-supply-routes.rq").read_text()
    assert "5 rows" in page.inner_text("#status")
    snapshot(page, "yasgui-example")
    headers = page.locator("table.results th").all_inner_texts()
    assert headers[:2] == ["?route", "?originLabel"]
    assert headers[-1].startswith("provenance")
    assert {
        page.locator("table.results tbody tr").nth(i).locator("td").nth(1).inner_text()
        for i in range(5)
    } == {"China", "Mexico"}
    quote = page.locator("table.results td.prov blockquote.quote").first.inner_text()
    assert quote.startswith("primarily sourced from China and Mexico")
    assert page.locator("table.results sub").count() == 0  # every label English: no @en
    page.click("#views [data-view=route]")
    assert page.locator("svg.routes g.route").count() == 5  # drugkg's views beside YASGUI
    assert page.blocked == []  # YASGUI came from this server, nothing from elsewhere


def test_yasgui_marks_the_line_of_a_parser_error(page: Any, live_server: str) -> None:
    open_query_page(page, live_server, editor="yasgui")
    page.evaluate(
        "() => document.querySelector('#editor .CodeMirror').CodeMirror"
        ".setValue('SELECT * WHERE {\\n  ?s ?p \\n')"
    )
    page.click("#run")
    page.wait_for_selector(".notice.error", timeout=WAIT_MS)
    text = page.inner_text(".notice.error")
    assert "MalformedQueryError (400)" in text
    assert "at line 3, column 1" in text
    marked = page.locator("#editor .drugkg-error-line .CodeMirror-linenumber")
    assert marked.all_inner_texts() == ["3"]
    snapshot(page, "yasgui-error")
    page.locator("#editor .CodeMirror").click()
    page.keyboard.type("?o }")  # an edit clears the mark
    assert page.locator("#editor .drugkg-error-line").count() == 0
    assert page.blocked == []


def test_yasgui_completes_the_ontology_terms_from_this_server(page: Any, live_server: str) -> None:
    open_query_page(page, live_server, editor="yasgui")
    page.evaluate(
        "() => { const cm = document.querySelector('#editor .CodeMirror').CodeMirror;"
        " cm.setValue('PREFIX dk: <https://w3id.org/drugkg/ontology#>\\n"
        "SELECT * WHERE { ?r a dk:TraffickingR'); cm.focus(); cm.setCursor(cm.lineCount(), 0); }"
    )
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints li")
    hints.first.wait_for(timeout=WAIT_MS)
    assert hints.all_inner_texts() == ["dk:TraffickingRoute"]  # from the ontology, here
    page.keyboard.press("Enter")
    assert yasqe_value(page).endswith("?r a dk:TraffickingRoute")
    assert page.blocked == []  # no prefix.cc, no LOV


def test_a_link_runs_a_question_or_a_query(page: Any, live_server: str) -> None:
    open_query_page(page, live_server, editor="yasgui", path="/query?example=indictment")
    page.wait_for_function(
        "() => /rows/.test(document.querySelector('#status').textContent)", timeout=WAIT_MS
    )
    assert page.locator("#gallery .example.active").get_attribute("data-name") == "indictment"
    query = "SELECT ?class (COUNT(*) AS ?n) WHERE { ?s a ?class } GROUP BY ?class LIMIT 3"
    open_query_page(
        page, live_server, editor="yasgui", path="/query?" + urlencode({"query": query, "run": "1"})
    )
    page.wait_for_function(
        "() => /3 rows/.test(document.querySelector('#status').textContent)", timeout=WAIT_MS
    )
    assert yasqe_value(page) == query
