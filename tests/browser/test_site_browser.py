"""The pages a newcomer starts from, in a real headless Chromium: the home page, the links
to the endpoint and to VoID (pages, not downloads), the key question, and /docs.

Uses the `live_server` and `page` fixtures of tests/browser/conftest.py (Debian's Chromium,
loopback only, a screenshot of each page kept under tests/artifacts/).
"""

from __future__ import annotations

from typing import Any

import pytest
from vendored import require

from endpoint.querypage.page import YASGUI_DIR
from endpoint.site import SWAGGER_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 60_000
"""Bound on waiting for a page state (readiness, not a measurement)."""


def downloads(page: Any) -> list[Any]:
    found: list[Any] = []

    def started(download: Any) -> None:
        found.append(download)

    page.on("download", started)
    return found


@pytest.mark.parametrize(
    ("link", "heading", "shown"),
    [
        ("SPARQL endpoint", "SPARQL endpoint", "SPARQL11Query"),
        ("VoID", "VoID description", "Link sets"),
    ],
)
def test_endpoint_and_void_links_open_pages(
    page: Any, live_server: str, link: str, heading: str, shown: str
) -> None:
    got = downloads(page)
    page.goto(live_server + "/")
    page.locator("header.top a", has_text=link).first.click()
    page.wait_for_selector("h1", timeout=WAIT_MS)
    assert page.locator("h1").inner_text() == heading
    assert shown in page.inner_text("body")
    assert got == []  # a page, not sparql.rdf or void.rdf
    assert page.blocked == []


def test_the_key_question_is_one_click_from_its_answer(page: Any, live_server: str) -> None:
    require(YASGUI_DIR, "@triply/yasgui")
    page.goto(live_server + "/")
    page.locator("p.key a").click()
    page.wait_for_url("**/query?example=fentanyl-supply-routes", timeout=WAIT_MS)
    page.wait_for_function(
        "() => /rows/.test(document.querySelector('#status').textContent)", timeout=WAIT_MS
    )
    assert "5 rows" in page.inner_text("#status")
    assert page.locator("table.results td.prov blockquote.quote").count() == 5
    assert page.blocked == []


def test_ten_largest_classes_show_as_a_table(page: Any, live_server: str) -> None:
    got = downloads(page)
    page.goto(live_server + "/")
    page.locator("a", has_text="the ten largest classes").click()
    page.wait_for_function(
        "() => /10 rows/.test(document.querySelector('#status').textContent)", timeout=WAIT_MS
    )
    assert page.locator("table.results tbody tr").count() == 10
    assert got == []
    assert page.blocked == []


def test_home_page_leads_to_a_resource_with_its_summary(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.locator(".cards a", has_text="fentanyl").first.click()
    page.wait_for_url("**/id/fentanyl", timeout=WAIT_MS)
    summary = page.locator("section.summary")
    assert "synthetic opioid" in summary.locator(".types").inner_text()
    assert summary.locator("blockquote mark").count() >= 1
    assert summary.locator("ul.matches li").count() == 4
    assert page.blocked == []


def test_docs_show_the_operations(page: Any, live_server: str) -> None:
    require(SWAGGER_DIR, "swagger-ui-dist")
    page.goto(live_server + "/docs")
    page.wait_for_selector(".opblock", timeout=WAIT_MS)
    text = page.inner_text("#swagger-ui")
    assert "Unable to render" not in text
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in ("/sparql", "/ontology", "/graph/{name}", "/.well-known/void"):
        assert any(p.replace("\u200b", "") == path for p in paths), (path, paths)
    assert page.locator(".opblock-get").count() >= 10
    assert page.locator(".opblock-post").count() == 1
    page.locator(".opblock-summary-path", has_text="/ontology.ttl").first.click()
    page.wait_for_selector(".opblock.is-open .response-col_status", timeout=WAIT_MS)
    statuses = page.locator(".opblock.is-open .response-col_status").all_inner_texts()
    assert {"200", "304"} <= {s.strip() for s in statuses}
    assert page.blocked == []
