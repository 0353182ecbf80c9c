"""The health checks on live servers: live, ready, not ready with the reason, never cached,
counted apart from queries, and answered as the OpenAPI document says."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from endpoint_processes import COSTLY, children
from liveservers import LiveServer, start_drugkg, wait_until

pytestmark = pytest.mark.slow

REQUESTS = "drugkg_http_requests_total"


@pytest.fixture(scope="module")
def single(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    """One query process at most, so one costly query leaves none for the probe."""
    live = start_drugkg(
        article_store, workdir, query_timeout="5", query_workers="1", query_workers_max="1"
    )
    yield live
    live.stop()


def _documented(server: LiveServer, path: str, response: httpx.Response) -> None:
    schema: dict[str, Any] = httpx.get(server.url + "/openapi.json").json()
    documented = schema["paths"][path]["get"]["responses"][str(response.status_code)]
    assert response.headers["content-type"].split(";")[0] in documented["content"]


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/health"])
def test_a_serving_server_is_live_and_ready(
    single: LiveServer, article_store: Path, path: str
) -> None:
    response = httpx.get(single.url + path)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    body = response.json()
    assert body["status"] == ("live" if path.endswith("live") else "ready")
    if body["status"] == "ready":
        assert body["version"] == article_store.resolve().name
        assert body["query_processes"] == 1
    _documented(single, path, response)


def test_ready_says_what_is_not_ready_while_no_query_process_is_free(single: LiveServer) -> None:
    done = threading.Event()

    def costly() -> None:
        try:
            httpx.get(single.sparql, params={"query": COSTLY}, timeout=30)
        finally:
            done.set()

    runner = threading.Thread(target=costly)
    runner.start()
    try:
        wait_until(lambda: httpx.get(single.url + "/health/ready").status_code == 503, "503")
        response = httpx.get(single.url + "/health", timeout=10)
        assert not done.is_set(), "the costly query ended before the check"
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not ready"
        assert any("no answer within 2 s" in problem for problem in body["problems"]), body
        _documented(single, "/health", response)
        live = httpx.get(single.url + "/health/live")
        assert live.status_code == 200, "a busy server is still live"
    finally:
        runner.join()
    wait_until(
        lambda: httpx.get(single.url + "/health/ready").status_code == 200,
        "ready again once the costly query was stopped",
        limit=30,
    )


def test_health_checks_are_not_counted_as_queries(single: LiveServer) -> None:
    sparql = single.metric(REQUESTS, route="/sparql")
    cache = single.metric("drugkg_result_cache_requests_total")
    checks = single.metric(REQUESTS, route="/health/ready")
    for _ in range(3):
        httpx.get(single.url + "/health/ready").raise_for_status()
    assert single.metric(REQUESTS, route="/health/ready") == checks + 3
    assert single.metric(REQUESTS, route="/sparql") == sparql
    assert single.metric("drugkg_result_cache_requests_total") == cache


def test_checks_start_no_spare_query_process(workdir: Path, article_store: Path) -> None:
    """A query that takes the last free query process starts a spare; a check does not."""
    live = start_drugkg(
        article_store, workdir, ready="/health/ready", query_workers="1", query_workers_max="2"
    )
    try:
        assert len(children(live.pid)) == 1
        for _ in range(5):
            httpx.get(live.url + "/health/ready").raise_for_status()
        time.sleep(0.5)  # a spare is started at once, while its check runs
        assert len(children(live.pid)) == 1
        httpx.get(live.sparql, params={"query": "ASK {}"}).raise_for_status()
        wait_until(lambda: len(children(live.pid)) == 2, "the spare a query starts", limit=10)
    finally:
        live.stop()
