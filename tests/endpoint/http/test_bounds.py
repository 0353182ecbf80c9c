"""Every resource has a bound: memory, the CPU among queries, connections, headers.

Each test drives a live server on loopback the way a hostile client would and checks that
the bound holds (the query stopped with a clear answer, the cheap query answered while the
costly ones run, the slow connection dropped) and that the server keeps serving afterwards.
The time bounds here are the server's own settings, shortened for the tests; how long things
take is measured in bench/, not asserted. The bounds of the HTTP service (connections, headers,
bodies, what every response says) hold whatever the store: those tests run on the embedded
store and on drugkg over a remote one (the oxigraph server holding the article, `service`).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from endpoint_processes import COSTLY, CROSS, alive, children
from liveservers import LiveServer, free_port, start_drugkg, start_oxigraph, wait_until

pytestmark = pytest.mark.slow

LOOKUP = "SELECT ?l WHERE { <http://example.org/test/a1> ?p ?l }"


BOUNDS = {
    "query_timeout": "20",
    "query_memory_mb": "400",
    "query_workers": "2",
    "query_workers_max": "8",
    "header_timeout": "1",
    "body_timeout": "1",
    "keep_alive_timeout": "1",
    "max_header_bytes": "8192",
    "result_cache_mb": "0",
}


@pytest.fixture(scope="module")
def bounded(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    live = start_drugkg(article_store, workdir, **BOUNDS)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def bounded_remote(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    """The same bounds, drugkg over a remote store: the oxigraph server holding the
    article's dump."""
    remote = start_oxigraph(
        workdir / "bounds-remote", article_store.with_name("drugkg.nq"), workdir
    )
    try:
        live = start_drugkg(
            workdir / "no-store", workdir, remote=remote.sparql, remote_refresh="3600", **BOUNDS
        )
    except BaseException:
        remote.stop()
        raise
    yield live
    live.stop()
    remote.stop()


@pytest.fixture(params=["embedded", "remote"])
def service(request: pytest.FixtureRequest) -> LiveServer:
    """The HTTP service's bounds hold whatever the store: each such test runs on both."""
    name = "bounded" if request.param == "embedded" else "bounded_remote"
    live: LiveServer = request.getfixturevalue(name)
    return live


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_query_over_the_memory_limit_is_stopped(bounded: LiveServer) -> None:
    before = children(bounded.pid)
    peak: list[float] = [0.0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for pid in children(bounded.pid):
                peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        response = httpx.get(bounded.sparql, params={"query": CROSS}, timeout=60)
    finally:
        done.set()
        watcher.join()
    assert response.status_code == 503, response.text
    assert "memory limit of 400 MiB" in response.text
    assert peak[0] < 400 + 300, f"a query process grew to {peak[0]:.0f} MiB"
    stopped = [pid for pid in before if not alive(pid)]
    assert stopped, "the process over the limit was stopped"
    wait_until(lambda: len(children(bounded.pid)) >= 2, "its replacement")
    assert httpx.get(bounded.sparql, params={"query": LOOKUP}).status_code == 200


def in_flight(
    server: LiveServer, query: str, copies: int
) -> tuple[list[threading.Thread], list[int]]:
    """`copies` clients sending `query` once each, started; their threads and statuses."""
    results: list[int] = []

    def send() -> None:
        response = httpx.get(server.sparql, params={"query": query}, timeout=60)
        results.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    return threads, results


def test_a_lookup_is_answered_while_costly_queries_run(bounded: LiveServer) -> None:
    threads, results = in_flight(bounded, COSTLY, 4)
    wait_until(lambda: len(children(bounded.pid)) >= 4, "the costly queries to be running")
    lookup = httpx.get(bounded.sparql, params={"query": LOOKUP, "format": "json"}, timeout=60)
    assert lookup.status_code == 200
    assert lookup.json()["results"]["bindings"]
    assert any(thread.is_alive() for thread in threads), "answered while they still ran"
    ask = httpx.get(bounded.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert ask.status_code == 200
    for thread in threads:
        thread.join()
    assert all(status in (200, 503) for status in results), results


def raw(server: LiveServer, data: bytes, wait: float = 0.2) -> tuple[socket.socket, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(data)
    time.sleep(wait)
    sock.setblocking(False)
    try:
        answer = sock.recv(65536)
    except BlockingIOError:
        answer = b""
    sock.setblocking(True)
    return sock, answer


def closed_within(sock: socket.socket, seconds: float) -> bytes:
    """What the server sends until it closes the connection; fails if it stays open."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the connection is still open after {seconds} s")
    finally:
        sock.close()
    return received


def test_a_connection_that_sends_nothing_is_closed(service: LiveServer) -> None:
    sock, _ = raw(service, b"")
    assert b"408" in closed_within(sock, 5)


def test_headers_sent_a_byte_a_second_are_dropped(service: LiveServer) -> None:
    sock, _ = raw(service, b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
    start = time.monotonic()
    received = b""
    try:
        while time.monotonic() - start < 10:
            sock.sendall(b"X")  # one more byte of a header that never ends
            ready, _, _ = select.select([sock], [], [], 0.5)
            if ready:
                chunk = sock.recv(4096)
                received += chunk
                if not chunk:
                    break  # closed by the server
    except (BrokenPipeError, ConnectionResetError):
        pass  # closed by the server while we wrote
    else:
        assert time.monotonic() - start < 10, "the slow client was never dropped"
    finally:
        sock.close()
    assert not received or b"408" in received, received[:200]


def test_a_body_that_never_finishes_is_dropped(service: LiveServer) -> None:
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000\r\n\r\nSELECT"
    )
    sock, _ = raw(service, head)
    closed_within(sock, 5)


def test_an_idle_kept_alive_connection_is_closed(service: LiveServer) -> None:
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n"
    sock, answer = raw(service, request, wait=1.0)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    closed_within(sock, 5)


def test_oversized_headers_get_431_at_once(service: LiveServer) -> None:
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: " + b"a" * 1_000_000
    host, port = service.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may close before reading it all
            sock.sendall(request)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]


def test_hundreds_of_idle_connections_leave_room_for_new_clients(service: LiveServer) -> None:
    host, port = service.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port)), timeout=10) for _ in range(400)]
    try:
        response = httpx.get(service.sparql, params={"query": LOOKUP}, timeout=10)
        assert response.status_code == 200
    finally:
        for sock in idle:
            sock.close()


def test_http_11_without_host_is_400(service: LiveServer) -> None:
    sock, answer = raw(service, b"GET / HTTP/1.1\r\n\r\n", wait=0.5)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"Host" in answer
    sock, answer = raw(service, b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n", wait=0.5)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


@pytest.mark.parametrize(
    "path", ["/", "/sparql", "/sparql?query=ASK%7B%7D", "/sparql?query=nope", "/id/nothing"]
)
def test_every_response_says_nosniff(service: LiveServer, path: str) -> None:
    response = httpx.get(service.url + path)
    assert response.headers["x-content-type-options"] == "nosniff"


def test_echoed_values_are_quoted(service: LiveServer) -> None:
    response = httpx.get(
        service.sparql,
        params={"query": "ASK {}"},
        headers={"Accept": "text/html<script>alert(1)</script>"},
    )
    assert response.status_code == 406
    assert "'text/html<script>alert(1)</script>'" in response.text
    assert response.headers["content-type"].startswith("text/plain")


@pytest.fixture(scope="module")
def self_federating(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    port = free_port()
    live = start_drugkg(
        article_store,
        workdir,
        port=port,
        query_timeout="20",
        query_workers="2",
        federation_allowlist=f"http://127.0.0.1:{port}/sparql",
        result_cache_mb="0",
    )
    yield live
    live.stop()


def test_queries_that_call_the_endpoint_itself_leave_room(self_federating: LiveServer) -> None:
    inner = COSTLY.replace("SELECT (COUNT(*) AS ?n) WHERE ", "")
    query = (
        f"SELECT * WHERE {{ SERVICE <{self_federating.sparql}> "
        f"{{ SELECT (COUNT(*) AS ?n) {inner} }} }}"
    )
    threads, results = in_flight(self_federating, query, 3)
    wait_until(lambda: len(children(self_federating.pid)) >= 6, "the calls to be in flight")
    lookup = httpx.get(self_federating.sparql, params={"query": LOOKUP}, timeout=60)
    assert lookup.status_code == 200
    assert any(thread.is_alive() for thread in threads)
    for thread in threads:
        thread.join()
    assert all(status in (200, 503) for status in results), results
