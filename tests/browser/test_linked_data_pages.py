"""The linked-data pages in a real headless Chromium: a resource, the source, the ontology.

Uses the `live_server` and `page` fixtures of tests/browser/conftest.py (Debian's Chromium,
loopback only, a screenshot of each page kept under tests/artifacts/).
"""

from __future__ import annotations

from typing import Any

import pytest

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
