"""CORS, gzip, ETag and caching headers."""

from __future__ import annotations

import gzip

import httpx
import pytest
from liveservers import LiveServer

pytestmark = pytest.mark.slow

QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"


def test_cors_simple_request(server: LiveServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://example.com"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "x-drugkg-truncated" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_cors_preflight(server: LiveServer, method: str) -> None:
    response = httpx.options(
        server.sparql,
        headers={
            "Origin": "https://example.com",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert method in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_cors_refuses_other_methods(server: LiveServer) -> None:
    response = httpx.options(
        server.sparql,
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "PATCH"},
    )
    assert response.status_code == 400


def test_gzip_for_large_responses(server: LiveServer) -> None:
    with httpx.Client() as client:
        response = client.get(
            server.sparql, params={"query": QUERY}, headers={"Accept-Encoding": "gzip"}
        )
        raw = client.get(
            server.sparql, params={"query": QUERY}, headers={"Accept-Encoding": "identity"}
        )
    assert response.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in raw.headers
    assert response.json() == raw.json()
    assert int(response.headers["content-length"]) < len(raw.content) / 2


def test_no_gzip_for_small_responses(server: LiveServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in response.headers


def test_gzip_body_is_valid_gzip(server: LiveServer) -> None:
    with httpx.stream(
        "GET",
        server.sparql,
        params={"query": QUERY, "format": "csv"},
        headers={"Accept-Encoding": "gzip"},
    ) as response:
        body = b"".join(response.iter_raw())
    assert gzip.decompress(body).startswith(b"s,p,o\r\n")


def test_etag_and_304(server: LiveServer) -> None:
    first = httpx.get(server.sparql, params={"query": QUERY})
    tag = first.headers["etag"]
    assert tag.startswith('W/"store.build-')
    assert first.headers["cache-control"] == "public, max-age=60"
    again = httpx.get(server.sparql, params={"query": QUERY}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    other = httpx.get(
        server.sparql, params={"query": QUERY}, headers={"If-None-Match": 'W/"other"'}
    )
    assert other.status_code == 200


def test_etag_depends_on_query_and_representation(server: LiveServer) -> None:
    tags = {
        httpx.get(server.sparql, params={"query": QUERY}).headers["etag"],
        httpx.get(server.sparql, params={"query": QUERY + " "}).headers["etag"],
        httpx.get(server.sparql, params={"query": QUERY, "format": "xml"}).headers["etag"],
        httpx.get(server.sparql, params={"query": QUERY}, headers={"Accept": "text/csv"}).headers[
            "etag"
        ],
    }
    assert len(tags) == 4


def test_post_answers_are_not_cached(server: LiveServer) -> None:
    response = httpx.post(server.sparql, data={"query": QUERY})
    assert "etag" not in response.headers
    assert "cache-control" not in response.headers


@pytest.mark.parametrize("path", ["/", "/.well-known/void", "/sparql"])
def test_pages_revalidate(server: LiveServer, path: str) -> None:
    first = httpx.get(server.url + path)
    tag = first.headers["etag"]
    assert httpx.get(server.url + path, headers={"If-None-Match": tag}).status_code == 304


def test_errors_are_not_cached(server: LiveServer) -> None:
    response = httpx.get(server.sparql, params={"query": "SELEKT"})
    assert response.status_code == 400
    assert "etag" not in response.headers
