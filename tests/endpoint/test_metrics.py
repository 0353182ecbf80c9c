"""/metrics on live servers: requests by route template, latency, the limits, the pool's
replacements, the result cache, and every server process counted when there are several."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from endpoint_processes import COSTLY, CROSS, started
from liveservers import LiveServer, metric, start_drugkg, wait_until
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

pytestmark = pytest.mark.slow

REQUESTS = "drugkg_http_requests_total"
DURATION = "drugkg_http_request_duration_seconds_count"
CACHE = "drugkg_result_cache_requests_total"
STOPPED = "drugkg_queries_stopped_total"
REPLACED = "drugkg_query_processes_replaced_total"


@pytest.fixture(scope="module")
def metered(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    live = start_drugkg(
        article_store,
        workdir,
        query_timeout="2",
        query_memory_mb="200",
        query_workers="1",
        query_workers_max="2",
    )
    yield live
    live.stop()


def test_metrics_are_prometheus_text_never_cached(metered: LiveServer) -> None:
    response = httpx.get(metered.url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["cache-control"] == "no-store"
    documented = httpx.get(metered.url + "/openapi.json").json()["paths"]["/metrics"]
    assert "text/plain" in documented["get"]["responses"]["200"]["content"]
    for name, kind in (
        (REQUESTS, "counter"),
        ("drugkg_http_request_duration_seconds", "histogram"),
        (STOPPED, "counter"),
        (REPLACED, "counter"),
        ("drugkg_query_retries_total", "counter"),
        (CACHE, "counter"),
        ("drugkg_remote_errors_total", "counter"),
    ):
        assert f"# TYPE {name} {kind}\n" in response.text, name


def test_requests_are_counted_by_route_template_never_by_path(metered: LiveServer) -> None:
    resource = {"route": "/{kind}/{slug}", "method": "GET"}
    found = metered.metric(REQUESTS, **resource, status="200")
    missing = metered.metric(REQUESTS, **resource, status="404")
    timed = metered.metric(DURATION, route="/{kind}/{slug}")
    for slug in ("fentanyl", "heroin", "china"):
        assert httpx.get(f"{metered.url}/id/{slug}").status_code == 200
    assert httpx.get(f"{metered.url}/id/no-such-thing-here").status_code == 404
    text = httpx.get(metered.url + "/metrics").text
    assert metric(text, REQUESTS, **resource, status="200") == found + 3
    assert metric(text, REQUESTS, **resource, status="404") == missing + 1
    assert metric(text, DURATION, route="/{kind}/{slug}") == timed + 4
    assert "fentanyl" not in text
    assert "no-such-thing" not in text
    httpx.get(metered.url + "/a/path/no/route/has")
    assert "/a/path" not in httpx.get(metered.url + "/metrics").text


def test_the_fast_path_is_counted_and_timed(metered: LiveServer) -> None:
    before = metered.metric(REQUESTS, route="/sparql", method="POST", status="200")
    timed = metered.metric(DURATION, route="/sparql")
    for i in range(3):
        httpx.post(metered.sparql, data={"query": f"ASK {{ ?s ?p {i} }}"}).raise_for_status()
    assert metered.metric(REQUESTS, route="/sparql", method="POST", status="200") == before + 3
    assert metered.metric(DURATION, route="/sparql") == timed + 3


def test_result_cache_hits_misses_and_bypasses(metered: LiveServer) -> None:
    counts = {r: metered.metric(CACHE, result=r) for r in ("hit", "miss", "bypass")}
    query = "SELECT ?l WHERE { <http://example.org/test/a1> ?p ?l } # cache test"
    for _ in range(3):
        httpx.get(metered.sparql, params={"query": query}).raise_for_status()
    volatile = "SELECT (RAND() AS ?r) WHERE {}"
    httpx.get(metered.sparql, params={"query": volatile}).raise_for_status()
    assert metered.metric(CACHE, result="miss") == counts["miss"] + 1
    assert metered.metric(CACHE, result="hit") == counts["hit"] + 2
    assert metered.metric(CACHE, result="bypass") == counts["bypass"] + 1


def test_queries_stopped_at_a_limit_and_their_processes_replaced(metered: LiveServer) -> None:
    for limit, query in (("time", COSTLY), ("memory", CROSS)):
        stopped = metered.metric(STOPPED, limit=limit)
        replaced = metered.metric(REPLACED, reason=limit)
        response = httpx.get(metered.sparql, params={"query": query}, timeout=60)
        assert response.status_code == 503, response.text
        assert f"{limit} limit" in response.text
        assert metered.metric(STOPPED, limit=limit) == stopped + 1
        wait_until(
            lambda limit=limit, replaced=replaced: (
                metered.metric(REPLACED, reason=limit) == replaced + 1
            ),
            f"the process stopped at the {limit} limit counted as replaced",
            limit=10,
        )


def test_a_query_process_killed_from_outside_is_counted(metered: LiveServer) -> None:
    crashed = metered.metric(REPLACED, reason="crashed")

    # a process killed while it starts is a failed start, not a crash (the test before may
    # have left a replacement or a spare starting); one killed while the pool stops it is
    # counted under why it was stopped. So the victim is taken when the processes that
    # hold the store open are exactly those the pool counts as running (/health): then none
    # is starting (it holds the store before the pool counts it) and none is stopping (the
    # pool no longer counts it, and it holds the store until it ends)
    seen: list[set[int]] = []

    def settled() -> bool:
        held = started(metered.pid)
        running = httpx.get(metered.url + "/health", timeout=10).json()["query_processes"]
        seen.append(held)
        return bool(held) and len(held) == running

    wait_until(settled, "the query processes settled")
    victim = min(seen[-1])
    os.kill(victim, signal.SIGKILL)
    wait_until(
        lambda: metered.metric(REPLACED, reason="crashed") == crashed + 1,
        "the killed process counted",
        limit=30,
    )


def shares_by_process(shared: Path, scratch: Path) -> list[float]:
    """The /sparql requests each server process counted: one counter file per process."""
    shares = []
    for values in shared.glob("counter_*.db"):
        alone = scratch / values.stem
        alone.mkdir(parents=True)
        shutil.copy(values, alone)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
        shares.append(metric(generate_latest(registry).decode(), REQUESTS, route="/sparql"))
    return shares


def test_every_server_process_is_counted(
    workdir: Path, article_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two server processes (`--workers 2`): whichever answers /metrics counts the requests
    of both (prometheus_client's multiprocess mode), and both did answer some."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    live = start_drugkg(article_store, workdir, workers="2", query_workers="1")
    try:
        # a new connection for each request; which process accepts one is the kernel's
        # choice, so requests are sent in batches until both processes have answered some
        # (bounded: at most 20 batches)
        fresh = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))
        sent = 0

        def ask(i: int) -> None:
            query = f"ASK {{ ?s ?p {i} }}"
            fresh.get(live.sparql, params={"query": query}).raise_for_status()

        shares: list[float] = []
        with fresh, ThreadPoolExecutor(4) as pool:
            for _ in range(20):
                list(pool.map(ask, range(sent, sent + 30)))
                sent += 30
                shares = shares_by_process(shared, tmp_path / f"alone-{sent}")
                if len([share for share in shares if share]) == 2:
                    break
        assert sum(shares) == sent
        assert len([share for share in shares if share]) == 2, shares
        for _ in range(6):  # each scrape on a new connection, answered by either process
            assert live.metric(REQUESTS, route="/sparql") == sent
    finally:
        live.stop()
