"""Resource pages across two documents, on a live server: the article and the invented second
document of tests/fixtures/curation (a test fixture, never shipped as data), built together.

A statement both documents support shows them side by side, each with its sentence, in whose
voice it says it and a link to the quote on its source page; where claims of the two take
opposite sides on one thing (the fixture's Okafor supports the border wall that Jones and Tree
oppose in the article), the page shows both sides. The article alone shows neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest
from liveservers import LiveServer, start_drugkg
from projectcopy import SECOND

from graph.paths import QUERIES_DIR
from graph.settings import Settings

pytestmark = pytest.mark.slow

ARTICLE = "thinkprogress-2017-doj-opioids"
BROWSER = {"Accept": "text/html"}
FACT = "Fentanyl sold in the United States is sourced from China and Mexico."


@pytest.fixture(scope="module")
def two(two_documents: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """drugkg on the store of both documents (the session's `two_documents`)."""
    root = tmp_path_factory.mktemp("two-documents-server")
    server = start_drugkg(two_documents.store, root, query_timeout="10")
    yield server
    server.stop()


def _page(server: LiveServer, path: str) -> str:
    response = httpx.get(server.url + path, headers=BROWSER, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def _section(html: str, anchor: str) -> str:
    return html.split(f'<h2 id="{anchor}">', 1)[1].split("</h2>", 1)[1].split("</ul>", 1)[0]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _sources(item: str) -> list[str]:
    """The columns of one statement's sources, side by side, in order."""
    return item.split('<div class="source">')[1:]


def test_a_statement_two_documents_support_shows_both_side_by_side(two: LiveServer) -> None:
    html = _page(two, "/id/fentanyl")
    across = _section(html, "across-sources")
    items = across.split("<li>")[1:]
    statements = [_text(item.split("</div>", 1)[0]) for item in items]
    assert statements == ["fentanyl sourced from China", "fentanyl sourced from Mexico"]
    for item in items:
        fixture, article = _sources(item)
        assert f'<h3><a href="/source/{SECOND}"' in fixture
        assert "Fentanyl routes and the border debate (test fixture)" in fixture
        assert f"<mark>{FACT}</mark>" in fixture
        start = (two_text := _source_text(two, SECOND)).index(FACT)
        assert f"href='/source/{SECOND}#char={start},{start + len(FACT)}'" in fixture
        assert two_text[start : start + len(FACT)] == FACT
        assert "in its own voice" in _text(fixture)
        assert f'<h3><a href="/source/{ARTICLE}"' in article
        assert "<mark>primarily sourced from China and Mexico" in article
        assert f"href='/source/{ARTICLE}#char=1469,1595'" in article
        voice = _text(article.split('<p class="voice">', 1)[1].split("</p>", 1)[0])
        assert voice == (
            "reported by 2017 National Drug Threat Assessment , quoted by "
            "Why the DOJ\u2019s plan to combat opioids through international cooperation "
            "won\u2019t work"
        )
    row = html.split("<h2>Properties</h2>", 1)[1]
    assert row.count('<div class="sources">') == 2  # the rows of the table too


def _source_text(server: LiveServer, doc: str) -> str:
    query = f"SELECT ?t {{ <https://w3id.org/drugkg/source/{doc}> <https://schema.org/text> ?t }}"
    response = httpx.get(
        server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    value: str = response.json()["results"]["bindings"][0]["t"]["value"]
    return value


def test_where_sources_disagree_both_sides_are_shown(two: LiveServer) -> None:
    disagree = _section(_page(two, "/id/border-wall"), "disagreements")
    assert (
        _text(disagree.split('<div class="sources">', 1)[0])
        == "on Trump\u2019s proposed border wall"
    )
    supporting, against = _sources(disagree)
    assert supporting.startswith("<h3>for it</h3>")
    assert 'href="/id/claim-okafor-wall-stops-route"' in supporting
    assert '<span class="badge">supports</span>' in supporting
    text = _source_text(two, SECOND)
    quote = "“A wall on the border would stop the overland route,” Okafor told the Fixture Gazette."
    start = text.index(quote)
    assert f"href='/source/{SECOND}#char={start},{start + len(quote)}'" in supporting
    assert "reported by Ray Okafor , quoted by Fentanyl routes" in _text(supporting)
    claims = re.findall(r'href="/id/(claim-[a-z-]+)"', against)
    assert claims == [
        "claim-jones-tree-wall-disaster",
        "claim-jones-wall-fuels-nationalism",
        "claim-jones-wall-raises-prices",
        "claim-tree-wall-worse",
    ]
    assert against.count('<span class="badge">opposes</span>') == 4
    assert "Nathan Jones , Sanho Tree : Jones and Tree" in _text(against)  # a joint claim
    assert f"href='/source/{ARTICLE}#char=6422,6540'" in against


def test_a_claims_page_shows_the_claims_on_the_other_side(two: LiveServer) -> None:
    okafor = _section(_page(two, "/id/claim-okafor-wall-stops-route"), "disagreements")
    supporting, against = _sources(okafor)
    assert re.findall(r'href="/id/(claim-[a-z-]+)"', supporting) == [
        "claim-okafor-wall-stops-route"
    ]
    assert "claim-tree-wall-worse" in against
    tree = _section(_page(two, "/id/claim-tree-wall-worse"), "disagreements")
    supporting, against = _sources(tree)
    assert "claim-okafor-wall-stops-route" in supporting
    assert re.findall(r'href="/id/(claim-[a-z-]+)"', against) == ["claim-tree-wall-worse"]
    # a claim that takes no side against another claimant's shows no disagreement
    assert 'id="disagreements"' not in _page(two, "/id/claim-whitlock-seizures")


def test_the_article_alone_shows_no_disagreement_and_no_second_source(
    ld_server: LiveServer,
) -> None:
    for path in ("/id/border-wall", "/id/fentanyl", "/id/claim-tree-wall-worse", "/id/china"):
        html = _page(ld_server, path)  # the article's store (conftest)
        assert 'id="disagreements"' not in html
        assert 'id="across-sources"' not in html
        assert '<div class="sources">' not in html


def test_the_home_page_lists_both_documents(two: LiveServer) -> None:
    home = _page(two, "/")
    assert f'href="/source/{SECOND}"' in home
    assert f'href="/source/{ARTICLE}"' in home


def test_the_question_of_agreement_finds_the_disagreement_across_documents(
    two: LiveServer,
) -> None:
    query = (QUERIES_DIR / "agreement-and-disagreement.rq").read_text(encoding="utf-8")
    response = httpx.post(
        two.sparql, data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    rows = response.json()["results"]["bindings"]
    disputed = sorted(
        (r["claimant"]["value"].rsplit("/", 1)[1], r["claim"]["value"].rsplit("/", 1)[1])
        for r in rows
        if r["disputed"]["value"] == "true"
    )
    assert disputed == [
        ("nathan-jones", "claim-jones-tree-wall-disaster"),
        ("nathan-jones", "claim-jones-wall-fuels-nationalism"),
        ("nathan-jones", "claim-jones-wall-raises-prices"),
        ("ray-okafor", "claim-okafor-wall-stops-route"),
        ("sanho-tree", "claim-jones-tree-wall-disaster"),
        ("sanho-tree", "claim-tree-wall-worse"),
    ]
    subjects = {r["subject"]["value"] for r in rows if r["disputed"]["value"] == "true"}
    assert subjects == {"https://w3id.org/drugkg/id/border-wall"}
