"""The whole site works over a remote store: every page and description drugkg serves is the
one the embedded store gives, its figures counted over the remote.

Compared with `embedded`, a drugkg on the embedded store holding the same graphs, with the
same settings. Pages name the server they are served from and the build they answer from;
those aside, a page over the oxigraph server is the embedded drugkg's page, byte for byte.
RDF is compared as graphs (blank-node labels are each server's own), the ontology's pyLODE
page by its anchors (it orders terms as the triples come), and the embedded store's dump,
which a remote store has none of here, is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib.compare
from liveservers import LiveServer, start_drugkg
from remote_support import assert_same_page, description_graph

pytestmark = pytest.mark.slow

WAIT_S = 60.0
HTML = {"accept": "text/html"}
TURTLE = {"accept": "text/turtle"}


@pytest.fixture(scope="module")
def embedded(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    live = start_drugkg(article_store, workdir, query_workers="1", query_workers_max="2")
    yield live
    live.stop()


def get(server: LiveServer, path: str, headers: dict[str, str]) -> httpx.Response:
    response = httpx.get(server.url + path, headers=headers, timeout=WAIT_S)
    assert response.status_code in (200, 404), response.text[:500]
    return response


SAME_BYTES = {
    "home": ("/", HTML),
    "resource page": ("/id/fentanyl", HTML),
    "resource as RDF": ("/id/fentanyl", TURTLE),
    "source page": ("/source/thinkprogress-2017-doj-opioids", HTML),
    "graph page": ("/graph/links", HTML),
    "graph download": ("/graph/links.ttl", {}),
    "query page": ("/query", HTML),
    "unknown resource": ("/id/no-such-thing", HTML),
    "graph store read": ("/store?graph=https://w3id.org/drugkg/graph/links", TURTLE),
}


@pytest.mark.parametrize(("path", "headers"), SAME_BYTES.values(), ids=SAME_BYTES.keys())
def test_a_page_is_the_embedded_page(
    path: str, headers: dict[str, str], over_oxigraph: LiveServer, embedded: LiveServer
) -> None:
    actual = assert_same_page(over_oxigraph, embedded, path, headers)
    assert actual.status_code in (200, 404), actual.text[:500]


RDF = {
    "service description": "/sparql",
    "VoID": "/.well-known/void",
    "ontology": "/ontology.ttl",
}


@pytest.mark.parametrize("path", RDF.values(), ids=RDF.keys())
def test_a_description_is_the_embedded_description(
    path: str, over_oxigraph: LiveServer, embedded: LiveServer
) -> None:
    expected = description_graph(embedded, get(embedded, path, TURTLE))
    actual = description_graph(over_oxigraph, get(over_oxigraph, path, TURTLE))
    assert len(actual) > 10
    assert rdflib.compare.isomorphic(expected, actual)


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void", "/ontology"])
def test_a_description_page_renders(
    path: str, over_oxigraph: LiveServer, embedded: LiveServer
) -> None:
    expected, actual = get(embedded, path, HTML), get(over_oxigraph, path, HTML)
    assert actual.headers["content-type"].startswith("text/html")
    assert _anchors(over_oxigraph, actual) == _anchors(embedded, expected)


def _anchors(server: LiveServer, response: httpx.Response) -> set[str]:
    """The page's ids and links, but for the embedded store's dump."""
    text = response.text.replace(server.url, "{root}")
    found = set(re.findall(r'(?:id|href)="([^"]+)"', text))
    left_out = ("dump", "n-quads", "void#feature")
    return {a for a in found if not any(d in a.lower() for d in left_out)}


def test_the_counts_and_etags_are_the_remotes(
    over_oxigraph: LiveServer, embedded: LiveServer
) -> None:
    """ETags come from the remote's content, not from a local store version; a dump of the
    remote is not served from here."""
    remote = get(over_oxigraph, "/sparql", TURTLE)
    assert remote.headers["etag"] != get(embedded, "/sparql", TURTLE).headers["etag"]
    again = httpx.get(
        over_oxigraph.url + "/sparql",
        headers={**TURTLE, "if-none-match": remote.headers["etag"]},
        timeout=WAIT_S,
    )
    assert again.status_code == 304
    assert get(over_oxigraph, "/dump.nq", {}).status_code == 404
