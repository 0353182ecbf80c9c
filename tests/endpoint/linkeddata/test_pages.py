"""Every IRI answers: resources, sources, named graphs and the ontology, for people and
machines, against a live server on the store the real build writes."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import httpx
import pytest
from liveservers import LiveServer as Server
from pyoxigraph import NamedNode, RdfFormat, parse

from graph.vocabulary.namespace import DKID, OA, RDFS, SOURCE, VOID

pytestmark = pytest.mark.slow

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DOC = "thinkprogress-2017-doj-opioids"
RDF_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}


def _get(server: Server, path: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(server.url + path, headers=headers, timeout=30)


@pytest.mark.parametrize("path", ["/id/fentanyl", f"/source/{DOC}", "/ontology", "/graph/links"])
@pytest.mark.parametrize(("media", "fmt"), list(RDF_TYPES.items()))
def test_machines_get_rdf_by_negotiation(
    ld_server: Server, path: str, media: str, fmt: RdfFormat
) -> None:
    response = _get(ld_server, path, media)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    assert list(parse(response.content, fmt))


@pytest.mark.parametrize("path", ["/id/fentanyl", f"/source/{DOC}", "/ontology", "/graph/links"])
def test_every_iri_names_its_other_representations(ld_server: Server, path: str) -> None:
    response = _get(ld_server, path, BROWSER)
    assert response.headers["content-type"].startswith("text/html")
    links = response.headers["link"]
    for media in RDF_TYPES:
        assert f'rel="alternate"; type="{media}"' in links
    for target in re.findall(r"<([^>]+)>", links):  # each alternate really is that type
        alternate = _get(ld_server, target)
        assert alternate.status_code == 200
        wanted = re.search(rf"<{re.escape(target)}>[^,]*type=\"([^\"]+)\"", links)
        assert wanted is not None
        assert alternate.headers["content-type"].startswith(wanted[1])


def test_curl_gets_turtle_by_default(ld_server: Server) -> None:
    response = _get(ld_server, "/id/fentanyl", "*/*")
    assert response.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("path", ["/id/no-such-thing", "/source/no-such-doc", "/graph/nope"])
def test_unknown_iris_are_404_never_an_empty_graph(ld_server: Server, path: str) -> None:
    page = _get(ld_server, path, BROWSER)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text
    machine = _get(ld_server, path, "text/turtle")
    assert machine.status_code == 404
    assert not machine.headers["content-type"].startswith("text/turtle")


def _rows(html: str) -> dict[tuple[str, str], str]:
    """The property table rows of a page: (property, value) as text -> the third cell's HTML."""
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)

    def text(cell: str) -> str:
        return unescape(re.sub(r"<[^>]+>", "", cell))

    return {(text(p), text(o)): extra for p, o, extra in cells}


def test_resource_page_shows_label_types_properties_matches_and_quotes(ld_server: Server) -> None:
    html = _get(ld_server, "/id/fentanyl", BROWSER).text
    assert "<h1>fentanyl</h1>" in html
    assert 'href="/ontology#SyntheticOpioid"' in html  # a type, linked to the ontology docs
    assert 'href="/id/heroin"' in html  # an outgoing property (morePotentThan)
    assert "Referred to by" in html
    assert 'href="/id/route-fentanyl-mexico-us-direct"' in html
    for external in (
        "http://www.wikidata.org/entity/Q407541",
        "http://dbpedia.org/resource/Fentanyl",
        "http://purl.obolibrary.org/obo/CHEBI_119915",
        "http://id.nlm.nih.gov/mesh/D005283",
    ):
        assert f'class="external" href="{external}"' in html
    # each quote in its whole sentence, linked to its anchor on the source page
    assert (
        "<mark>Fentanyl, a synthetic opioid up to 50 times more powerful than regular heroin</mark>"
        ", is one of the most dangerous drugs in the United States today." in html
    )
    assert f"href='/source/{DOC}#char=1240,1317'" in html
    assert "<h2>Provenance</h2>" not in html  # no list of quotes apart from their statements
    assert "/sparql?query=DESCRIBE%20%3Chttps%3A%2F%2Fw3id.org%2Fdrugkg%2Fid%2Ffentanyl%3E" in html


def test_each_statement_shows_the_sentence_that_supports_it(ld_server: Server) -> None:
    rows = _rows(_get(ld_server, "/id/fentanyl", BROWSER).text)
    potency = rows[("more potent than", "heroin")]
    fentanyl = "<mark>Fentanyl, a synthetic opioid up to 50 times more powerful than regular heroin"
    assert fentanyl in potency
    assert f"href='/graph/facts/{DOC}/q-1240-1317'" in potency
    assert "primarily sourced" not in potency  # that sentence supports other statements
    china = rows[("sourced from", "China")]
    assert "<mark>primarily sourced from China and Mexico" in china
    assert f"href='/source/{DOC}#char=1469,1595'" in china
    assert "according to" in china
    assert "2017 National Drug Threat Assessment" in china
    assert (
        "<mark>Traffickers in the United States usually mix fentanyl"
        in (rows[("mixed into", "heroin products")])
    )
    assert '<span class="badge">shared entity</span>' in rows[("type", "synthetic opioid")]
    assert "<mark>" not in rows[("type", "synthetic opioid")]


def test_a_claims_page_shows_its_positions_and_its_sentence(ld_server: Server) -> None:
    html = _get(ld_server, "/id/claim-jones-tree-canada-public-health-works", BROWSER).text
    rows = _rows(html)
    positions = {o: cell for (p, o), cell in rows.items() if p == "position"}
    assert "toward supervised injection sites · stance supports" in positions
    assert "toward enforcement approach to drugs · stance opposes" in positions
    claimant = rows[("claimant", "Sanho Tree")]
    assert "public health policies like supervised injection sites" in claimant
    assert "according to" in claimant
    assert 'href="/id/nathan-jones"' in claimant


def test_country_page_links_geonames(ld_server: Server) -> None:
    html = _get(ld_server, "/id/china", BROWSER).text
    assert 'class="external" href="https://sws.geonames.org/1814991/"' in html


def test_source_page_highlights_every_quote_and_links_what_came_from_it(ld_server: Server) -> None:
    html = _get(ld_server, f"/source/{DOC}", BROWSER).text
    turtle = _get(ld_server, f"/source/{DOC}", "text/turtle").content
    text = next(
        t.object.value
        for t in parse(turtle, RdfFormat.TURTLE)
        if t.predicate == NamedNode("https://schema.org/text")
    )
    anchors = re.findall(r'<span class="anchor" id="char=(\d+),(\d+)"></span>', html)
    quotes = httpx.get(
        ld_server.url + "/sparql",
        params={"query": f"SELECT DISTINCT ?q {{ ?q <{OA.hasSource}> <{SOURCE[DOC]}> }}"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    assert len(anchors) == len(quotes) > 40
    for start, end in anchors:
        assert f'id="about-char={start},{end}"' in html

    def section(anchor: str) -> str:
        return html.split(f'id="about-{anchor}"', 1)[1].split("</section>", 1)[0]

    claim = section("char=1240,1381")
    assert '<span class="badge">claim</span> <a href="/id/claim-author-fentanyl-dangerous"' in claim
    assert '<span class="badge">fact</span> <a href="/id/fentanyl"' in section("char=1240,1317")
    routes = section("char=1469,1595")  # the quote, its statement graph and its statements
    assert f"class=statements href='/graph/facts/{DOC}/q-1469-1595'" in routes
    assert '<span class="badge">fact</span> <a href="/id/route-fentanyl-china-us-direct"' in routes
    assert 'according to <a href="/id/dea-2017-national-drug-threat-assessment"' in routes
    assert "claim-author-fentanyl-dangerous" not in routes
    body = html.split('<div class="text" id="text">', 1)[1].split("</div>", 1)[0]
    plain = re.sub(r"<[^>]+>", "", body)
    assert unescape(plain) == text  # the whole text, nothing lost or doubled


def test_named_graph_downloads_by_extension_and_page(ld_server: Server) -> None:
    for ext, fmt in (("ttl", RdfFormat.TURTLE), ("nt", RdfFormat.N_TRIPLES)):
        response = _get(ld_server, f"/graph/links.{ext}")
        assert response.status_code == 200
        triples = list(parse(response.content, fmt))
        assert any(t.subject == NamedNode(str(DKID["fentanyl"])) for t in triples)
    facts = _get(ld_server, f"/graph/facts/{DOC}.nt")
    assert facts.status_code == 200
    assert facts.content.count(b"\n") > 500
    page = _get(ld_server, "/graph/links", BROWSER).text
    assert 'href="/graph/links.ttl"' in page
    assert "triples" in page


def test_ontology_documentation_and_files(ld_server: Server) -> None:
    html = _get(ld_server, "/ontology", BROWSER).text
    assert "pyLODE" in html or "pylode" in html
    assert 'id="Claim"' in html
    assert 'id="morePotentThan"' in html
    assert "<script src=" not in html  # no external assets
    assert 'rel="stylesheet"' not in html
    ttl = _get(ld_server, "/ontology.ttl")
    assert ttl.headers["content-type"].startswith("text/turtle")
    labels = [
        t for t in parse(ttl.content, RdfFormat.TURTLE) if t.predicate == NamedNode(str(RDFS.label))
    ]
    assert labels
    rdf = _get(ld_server, "/ontology.rdf")
    assert rdf.headers["content-type"].startswith("application/rdf+xml")
    assert len(list(parse(rdf.content, RdfFormat.RDF_XML))) == len(
        list(parse(ttl.content, RdfFormat.TURTLE))
    )


def test_void_links_a_download_for_every_named_graph(ld_server: Server) -> None:
    void = _get(ld_server, "/.well-known/void", "application/n-triples")
    triples = list(parse(void.content, RdfFormat.N_TRIPLES))
    dumps = {
        t.subject.value: t.object.value
        for t in triples
        if t.predicate == NamedNode(str(VOID.dataDump))
    }
    assert dumps.pop(ld_server.url + "/.well-known/void#drugkg") == ld_server.url + "/dump.nq"
    assert set(dumps) >= {
        str(SOURCE).replace("source/", "graph/") + n for n in ("links", "ontology")
    }
    for dump in dumps.values():
        response = httpx.get(dump, timeout=30)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/turtle")


def _summary(html: str) -> str:
    return html.split('<section class="summary">', 1)[1].split("</section>", 1)[0]


def test_external_links_are_one_line_per_dataset(ld_server: Server) -> None:
    html = _get(ld_server, "/id/fentanyl", BROWSER).text
    rows = _rows(html)
    assert not [key for key in rows if key[0] in ("sameAs", "has exact match")]
    summary = _summary(html)
    same = summary.split("<dt>same as</dt>", 1)[1].split("</dd>", 1)[0]
    lines = re.findall(r"<li>(.*?)</li>", same)
    assert [line.split(":", 1)[0] for line in lines] == ["DBpedia", "Wikidata", "MeSH", "ChEBI"]
    wikidata = next(line for line in lines if line.startswith("Wikidata"))
    assert "(sameAs)" in wikidata
    assert '<span class="badge">link set</span>' in wikidata
    for external in (
        "http://www.wikidata.org/entity/Q407541",
        "http://dbpedia.org/resource/Fentanyl",
        "http://purl.obolibrary.org/obo/CHEBI_119915",
        "http://id.nlm.nih.gov/mesh/D005283",
    ):
        assert html.count(f'href="{external}"') == 1, external


def test_a_broad_match_is_related_not_the_same(ld_server: Server) -> None:
    summary = _summary(_get(ld_server, "/id/counterfeit-prescription-pills", BROWSER).text)
    assert "<dt>same as</dt>" not in summary
    related = summary.split("<dt>related to</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Wikidata: " in related
    assert "(broadMatch)" in related


def test_a_quote_stands_by_its_text(ld_server: Server) -> None:
    html = _get(ld_server, "/id/dea-2017-national-drug-threat-assessment", BROWSER).text
    rows = _rows(html)
    quoted = {resource for resource, prop in rows if prop == "according to"}
    assert (
        "\u201cprimarily sourced from China and Mexico and shipped directly to the United States "
        "or trafficked overland via Mexico and Canada\u201d"
    ) in quoted
    assert not re.search(r">char=\d+,\d+<", html)  # no quote shown by its fragment name
    assert f'href="/source/{DOC}#char=1469,1595"' in html


def test_summary_on_top_names_kind_and_the_sentences_of_key_statements(
    ld_server: Server,
) -> None:
    html = _get(ld_server, "/id/fentanyl", BROWSER).text
    assert html.index('<section class="summary">') < html.index("<h2>Properties</h2>")
    summary = _summary(html)
    kind = summary.split("<dt>kind</dt>", 1)[1].split("</dd>", 1)[0]
    assert "synthetic opioid" in kind
    assert "opioid</a>" not in kind.replace("synthetic opioid</a>", "")  # the stated type only
    sayings = re.findall(r'<li><div class="statement">(.*?)</blockquote></li>', summary)
    assert 1 <= len(sayings) <= 4
    first = unescape(re.sub(r"<[^>]+>", "", sayings[0]))
    assert first.startswith("fentanyl more potent than heroin")
    assert "Fentanyl, a synthetic opioid up to 50 times more powerful than regular heroin" in first
    starts = [int(m) for m in re.findall(r"characters (\d+)&ndash;", "".join(sayings))]
    assert starts == sorted(starts)  # in the order of the text
    assert any("sourced from" in s and "China" in s and "Mexico" in s for s in sayings)


def test_claim_summary_shows_its_positions(ld_server: Server) -> None:
    html = _get(ld_server, "/id/claim-jones-tree-canada-public-health-works", BROWSER).text
    text = unescape(re.sub(r"<[^>]+>", "", _summary(html)))
    assert "toward supervised injection sites · stance supports" in text
    assert "public health policies like supervised injection sites" in text


def test_no_language_tags_where_every_literal_is_english(ld_server: Server) -> None:
    html = _get(ld_server, "/id/fentanyl", BROWSER).text
    assert _rows(html)[("label", "fentanyl")]  # the label row is there ...
    assert 'class="lang"' not in html  # ... without a grey @en


@pytest.mark.parametrize(
    ("path", "markup"),
    [
        ("/graph/<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("/id/<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ],
)
def test_a_not_found_page_escapes_the_iri_it_names(
    ld_server: Server, path: str, markup: str
) -> None:
    page = _get(ld_server, quote(path), BROWSER)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert markup not in page.text  # the templates escape it (autoescape)
    escaped = markup.replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in page.text  # named, as text
