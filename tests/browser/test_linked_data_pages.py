"""The linked-data pages in a real headless Chromium: a resource, the source, the ontology.

Uses the `live_server` and `page` fixtures of tests/browser/conftest.py (Debian's Chromium,
loopback only, a screenshot of each page kept under tests/artifacts/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from liveservers import start_drugkg

from graph.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOC = "thinkprogress-2017-doj-opioids"


def test_resource_page_shows_fentanyl_and_links_onwards(page: Any, live_server: str) -> None:
    page.goto(live_server + "/id/fentanyl")
    assert page.locator("h1").inner_text() == "fentanyl"
    assert page.locator(".types a", has_text="synthetic opioid").count() == 1
    wikidata = page.locator('a.external[href="http://www.wikidata.org/entity/Q407541"]')
    assert wikidata.count() == 1
    assert page.locator("blockquote mark").count() >= 3  # quotes, each in its sentence
    page.locator("a.quote").first.click()  # to the quote's anchor on the source page
    page.wait_for_url(f"**/source/{DOC}#char=*")
    anchor = page.url.split("#", 1)[1]
    assert page.locator(f'[id="{anchor}"]').count() == 1
    assert page.blocked == []


def test_source_page_highlights_quotes_and_links_claims(page: Any, live_server: str) -> None:
    page.goto(live_server + f"/source/{DOC}")
    assert "DOJ" in page.locator("h1").inner_text()
    marks = page.locator("#text a.q")
    assert marks.count() > 40
    assert page.locator("#text a.q.d2").count() > 0  # overlapping quotes are shown as such
    page.locator(
        'section[id="about-char=1240,1381"] a[href="/id/claim-author-fentanyl-dangerous"]'
    ).click()
    page.wait_for_url("**/id/claim-author-fentanyl-dangerous")
    assert "fentanyl is one of the most dangerous drugs" in page.locator("h1").inner_text()


def test_ontology_page_documents_the_terms(page: Any, live_server: str) -> None:
    page.goto(live_server + "/ontology#Claim")
    assert page.locator('[id="Claim"]').count() >= 1
    assert page.locator('[id="morePotentThan"]').count() >= 1
    assert page.blocked == []  # pyLODE's page needs nothing from elsewhere


def test_two_documents_side_by_side_and_each_quote_on_its_source_page(
    page: Any, two_documents: Settings, tmp_path: Path
) -> None:
    """On the store of both documents (the invented second one a test fixture): the sources of
    a statement stand side by side, and each quote link opens its source page at the quote."""
    server = start_drugkg(two_documents.store, tmp_path)
    try:
        page.goto(server.url + "/id/fentanyl")
        columns = page.locator("#across-sources + ul.across > li").first.locator(".source")
        assert columns.count() == 2
        left, right = (columns.nth(i).bounding_box() for i in range(2))
        assert left["y"] == right["y"]  # side by side
        assert left["x"] + left["width"] <= right["x"]
        assert columns.nth(0).locator("h3").inner_text().endswith("(test fixture)")
        columns.nth(0).locator("a.quote").click()
        page.wait_for_url("**/source/fixture-fentanyl-routes#char=183,251")
        assert page.locator('[id="char=183,251"]').count() == 1
        page.goto(server.url + "/id/border-wall")
        sides = page.locator("#disagreements + ul.disagreements .sources > .source")
        assert [sides.nth(i).locator("h3").inner_text() for i in range(2)] == [
            "for it",
            "against it, or doubting it",
        ]
        assert page.blocked == []
    finally:
        server.stop()
