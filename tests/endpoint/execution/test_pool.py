"""Evaluation in query processes: time limit that stops the query, streaming, truncation."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from endpoint_processes import SYNTHETIC_ROWS, alive, children
from liveservers import LiveServer, wait_until
from pyoxigraph import QueryResultsFormat, parse_query_results

pytestmark = pytest.mark.slow

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "ASK { ?s ?p ?o }"
ALL_ROWS = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_query_over_the_time_limit_is_stopped_and_others_are_answered(server: LiveServer) -> None:
    workers = children(server.pid)
    assert len(workers) == 2
    before = {pid: cpu_ticks(pid) for pid in workers}
    slow: dict[str, httpx.Response] = {}
    thread = threading.Thread(
        target=lambda: slow.setdefault(
            "r", httpx.get(server.sparql, params={"query": SLOW}, timeout=60)
        )
    )
    thread.start()

    def busy() -> int | None:
        for pid in workers:
            if cpu_ticks(pid) - before[pid] > 20:  # > 0.2 s of CPU: it is evaluating
                return pid
        return None

    wait_until(lambda: busy() is not None, "the slow query to start")
    killed = busy()
    assert killed is not None
    quick = httpx.get(server.sparql, params={"query": QUICK}, timeout=60)
    assert quick.status_code == 200
    assert thread.is_alive(), "the quick query was answered while the slow one ran"
    thread.join()
    response = slow["r"]
    assert response.status_code == 503
    assert "time limit of 2 s" in response.text
    assert not alive(killed), "the stopped query's process no longer exists"
    wait_until(lambda: len(children(server.pid) - {killed}) == 2, "a replacement process")
    again = httpx.get(server.sparql, params={"query": QUICK}, timeout=60)
    assert again.status_code == 200


def test_large_select_streams(big_server: LiveServer) -> None:
    parent = big_server.pid
    # a first full read warms the store's caches, which are bounded but not tiny
    warm = httpx.get(big_server.sparql, params={"query": ALL_ROWS, "format": "tsv"}, timeout=120)
    assert warm.status_code == 200
    # the process that answered (replaced after a long query where priorities cannot be
    # raised again: see endpoint.execution.pool)
    wait_until(lambda: len(children(parent)) == 1, "one query process")
    (worker,) = children(parent)
    base_parent, base_worker = rss_kib(parent), rss_kib(worker)
    total, chunks, peak_parent, peak_worker = 0, 0, 0, 0
    with httpx.stream(
        "GET",
        big_server.sparql,
        params={"query": ALL_ROWS},
        headers={"Accept": "text/tab-separated-values", "Accept-Encoding": "identity"},
        timeout=120,
    ) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        assert response.headers.get("transfer-encoding") == "chunked"
        lines = 0
        for chunk in response.iter_bytes():
            chunks += 1
            total += len(chunk)
            lines += chunk.count(b"\n")
            if chunks % 20 == 0:
                peak_parent = max(peak_parent, rss_kib(parent))
                peak_worker = max(peak_worker, rss_kib(worker))
    assert lines == SYNTHETIC_ROWS + 1  # the header line and one line per row
    assert chunks > 10
    # bounded memory: neither process grows by anything near the size of the body
    body_kib = total // 1024
    assert body_kib > 8_000
    assert peak_parent - base_parent < body_kib // 2, (base_parent, peak_parent, body_kib)
    assert peak_worker - base_worker < body_kib // 2, (base_worker, peak_worker, body_kib)


def test_large_construct_streams_as_ntriples(big_server: LiveServer) -> None:
    query = ALL_ROWS.replace("SELECT ?s ?l WHERE", "CONSTRUCT WHERE")
    with httpx.stream(
        "POST",
        big_server.sparql,
        data={"query": query},
        headers={"Accept": "application/n-triples"},
        timeout=120,
    ) as response:
        assert response.status_code == 200
        count = sum(chunk.count(b"\n") for chunk in response.iter_bytes())
    assert count == SYNTHETIC_ROWS


def test_large_json_is_gzipped_while_streaming(big_server: LiveServer) -> None:
    with httpx.stream(
        "GET",
        big_server.sparql,
        params={"query": ALL_ROWS},
        headers={"Accept": "application/sparql-results+json", "Accept-Encoding": "gzip"},
        timeout=120,
    ) as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = sum(len(chunk) for chunk in response.iter_raw())
        assert response.num_bytes_downloaded == raw
    plain = httpx.post(big_server.sparql, data={"query": ALL_ROWS}, timeout=120)
    rows = list(parse_query_results(plain.content, QueryResultsFormat.JSON))  # type: ignore[arg-type]
    assert len(rows) == SYNTHETIC_ROWS
    assert raw < len(plain.content) / 3


def test_client_going_away_stops_its_query(big_server: LiveServer) -> None:
    (worker,) = children(big_server.pid)
    with httpx.stream(
        "GET", big_server.sparql, params={"query": ALL_ROWS, "format": "csv"}, timeout=120
    ) as response:
        next(response.iter_bytes())
    wait_until(lambda: not alive(worker), "the abandoned query's process to stop")
    wait_until(lambda: len(children(big_server.pid)) == 1, "a replacement process")
    after = httpx.get(big_server.sparql, params={"query": QUICK}, timeout=60)
    assert after.status_code == 200


LABELS = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/tab-separated-values",
        "text/csv",
    ],
)
def test_truncated_result_says_so(limited_server: LiveServer, accept: str) -> None:
    response = httpx.get(
        limited_server.sparql, params={"query": LABELS}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["x-drugkg-truncated"] == "true"
    assert response.headers["x-drugkg-result-limit"] == "5"
    assert response.headers["content-type"].startswith(accept)
    if accept == "text/csv":
        assert len(response.text.strip().splitlines()) == 6
    else:
        fmt = QueryResultsFormat.from_media_type(accept)
        assert fmt is not None
        rows = list(parse_query_results(response.content, fmt))  # type: ignore[arg-type]
        assert len(rows) == 5
        assert all(str(row["l"]).startswith('"') for row in rows)


def test_result_within_the_limit_is_not_truncated(limited_server: LiveServer) -> None:
    query = (
        'SELECT ?x ?y WHERE { { BIND("a\\tb\\nc"@en AS ?x) BIND(1 AS ?y) } '
        "UNION { BIND(<http://x/y> AS ?x) } "
        'UNION { BIND("2"^^<http://www.w3.org/2001/XMLSchema#date> AS ?x) BIND(BNODE() AS ?y) } }'
    )
    response = httpx.get(limited_server.sparql, params={"query": query})
    assert response.headers["x-drugkg-truncated"] == "false"
    rows = {row["x"]["value"]: row for row in response.json()["results"]["bindings"]}
    assert rows["a\tb\nc"]["x"] == {"type": "literal", "value": "a\tb\nc", "xml:lang": "en"}
    assert rows["a\tb\nc"]["y"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert rows["http://x/y"] == {"x": {"type": "uri", "value": "http://x/y"}}
    assert rows["2"]["x"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    assert rows["2"]["y"]["type"] == "bnode"


def test_truncated_construct_says_so(limited_server: LiveServer) -> None:
    query = LABELS.replace("SELECT ?s ?l WHERE", "CONSTRUCT WHERE")
    response = httpx.get(
        limited_server.sparql, params={"query": query}, headers={"Accept": "text/turtle"}
    )
    assert response.headers["x-drugkg-truncated"] == "true"
    ntriples = httpx.get(limited_server.sparql, params={"query": query, "format": "ntriples"})
    assert len(ntriples.text.strip().splitlines()) == 5


def test_ask_is_never_truncated(limited_server: LiveServer) -> None:
    response = httpx.get(limited_server.sparql, params={"query": QUICK})
    assert response.json()["boolean"] is True
    assert "x-drugkg-truncated" not in response.headers
