"""GET /id/<slug> on the server describes <https://w3id.org/drugkg/id/<slug>>."""

from __future__ import annotations

import httpx
import pytest
from liveservers import LiveServer
from pyoxigraph import NamedNode, RdfFormat, parse

pytestmark = pytest.mark.slow

FENTANYL = NamedNode("https://w3id.org/drugkg/id/fentanyl")
SOURCE = NamedNode("https://w3id.org/drugkg/source/thinkprogress-2017-doj-opioids")


def test_resource_is_described_in_turtle(server: LiveServer) -> None:
    response = httpx.get(server.url + "/id/fentanyl")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    triples = list(parse(response.content, RdfFormat.TURTLE))
    assert triples
    assert all(t.subject == FENTANYL for t in triples)
    assert response.headers["etag"].startswith('W/"')


def test_resource_by_content_negotiation(server: LiveServer) -> None:
    response = httpx.get(server.url + "/id/fentanyl", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    assert any(t.subject == FENTANYL for t in parse(response.content, RdfFormat.JSON_LD))


def test_source_document_is_described(server: LiveServer) -> None:
    response = httpx.get(
        server.url + "/source/thinkprogress-2017-doj-opioids", params={"format": "ntriples"}
    )
    assert response.status_code == 200, response.text
    assert any(t.subject == SOURCE for t in parse(response.content, RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("path", ["/id/no-such-thing", "/id/Fentanyl%3E", "/other/fentanyl"])
def test_unknown_resources_are_404(server: LiveServer, path: str) -> None:
    response = httpx.get(server.url + path)
    assert response.status_code == 404
    assert "no resource" in response.text
