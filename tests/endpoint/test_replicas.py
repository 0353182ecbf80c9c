"""Two replicas behind HAProxy, with the project's own configuration (deploy/haproxy.cfg):
one is killed under load and restarted, and no client request fails.

Each replica is `drugkg serve` over its own copy of one store, on a loopback port; HAProxy
runs deploy/haproxy.cfg as it is, its addresses given in the environment. A few client
threads send distinct mixed requests (GET and POST queries of every form, pages) through
HAProxy; KILL_AT seconds in, the first replica is killed (SIGKILL, its query processes too)
and started again on its port, and the load goes on until HAProxy sends it queries again
(at most BACK_WITHIN seconds after it answers), then for AFTER_BACK seconds more. Every
request must get its full answer.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from endpoint_processes import children
from liveservers import LiveServer, free_port, start_drugkg, unavailable, wait_until

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"
KILL_AT = 3.0
BACK_WITHIN = 15.0
AFTER_BACK = 2.0
THREADS = 4
FENTANYL = "https://w3id.org/drugkg/id/fentanyl"


@pytest.fixture
def haproxy() -> str:
    found = shutil.which("haproxy")
    if found is None:
        unavailable("HAProxy is not installed: `make tools` installs it (apt-get install haproxy)")
    return found


def _copy(store: Path, into: Path) -> Path:
    """A replica's own copy of the store: its folder, the symlink and its version."""
    shutil.copytree(store.parent, into, symlinks=True)
    return into / store.name


def _request(client: httpx.Client, i: int) -> tuple[httpx.Response, Callable[[str], bool]]:
    """The i-th request of a mix of distinct reads, and how to tell its answer is whole."""
    kind = i % 5
    if kind == 0:
        query = f'ASK {{ <{FENTANYL}> ?p "no such label {i}" }}'
        return client.get("/sparql", params={"query": query}), lambda t: '"boolean"' in t
    if kind == 1:
        query = f"SELECT ?p ?o WHERE {{ <{FENTANYL}> ?p ?o }} LIMIT {1 + i % 97}"
        response = client.post("/sparql", data={"query": query})
        return response, lambda t: t.rstrip().endswith("}")
    if kind == 2:
        query = f"CONSTRUCT {{ <{FENTANYL}> ?p ?o }} WHERE {{ <{FENTANYL}> ?p ?o }} LIMIT {i}"
        headers = {"content-type": "application/sparql-query", "accept": "application/n-triples"}
        response = client.post("/sparql", content=query, headers=headers)
        return response, lambda t: t == "" or t.endswith(" .\n")
    if kind == 3:
        response = client.get("/id/fentanyl", headers={"accept": "text/turtle"})
        return response, lambda t: "fentanyl" in t
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?class }} # {i}"
    response = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    return response, lambda t: t.startswith("n\r\n")


def _load(url: str, stop: threading.Event, counter: Iterator[int], failures: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            i = next(counter)
            try:
                response, whole = _request(client, i)
            except httpx.HTTPError as error:
                failures.append(f"request {i}: {type(error).__name__}: {error}")
                continue
            if response.status_code != 200 or not whole(response.text):
                failures.append(f"request {i}: {response.status_code} {response.text[:200]!r}")


def _kill(server: LiveServer) -> None:
    """SIGKILL the replica's server process and its query processes."""
    processes = children(server.pid)
    os.kill(server.pid, signal.SIGKILL)
    server.process.wait()
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_replica_killed_under_load_costs_no_client_its_answer(
    haproxy: str, article_store: Path, tmp_path: Path
) -> None:
    stores = [_copy(article_store, tmp_path / f"replica-{n}") for n in (1, 2)]
    replicas = [start_drugkg(store, tmp_path, cli=True) for store in stores]
    ports = [int(replica.url.rsplit(":", 1)[1]) for replica in replicas]
    balancer = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "DRUGKG_LB_BIND": balancer,
        "DRUGKG_REPLICA_1": f"127.0.0.1:{ports[0]}",
        "DRUGKG_REPLICA_2": f"127.0.0.1:{ports[1]}",
    }
    log = tmp_path / "haproxy.log"
    with log.open("wb") as out:
        proxy = subprocess.Popen(
            [haproxy, "-f", str(CONFIG), "-db"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://{balancer}"
    stop = threading.Event()
    failures: list[str] = []
    counter = itertools.count()
    threads = [
        threading.Thread(target=_load, args=(url, stop, counter, failures)) for _ in range(THREADS)
    ]
    try:
        wait_until(lambda: httpx.get(url + "/health/ready").status_code == 200, "HAProxy", 30)
        start = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(KILL_AT)
        _kill(replicas[0])
        replicas[0] = start_drugkg(stores[0], tmp_path, cli=True, port=ports[0])
        wait_until(
            lambda: replicas[0].metric("drugkg_http_requests_total", route="/sparql") > 0,
            "HAProxy sending queries to the restarted replica",
            BACK_WITHIN,
        )
        time.sleep(AFTER_BACK)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        seconds = time.monotonic() - start
        sent = next(counter) - THREADS
        assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(
            failures[:20]
        )
        assert sent > 100, f"only {sent} requests in {seconds:.1f} s"
        # HAProxy's log: the retries field of a request sent again elsewhere reads "+1"
        redispatched = log.read_text().count("/+")
        assert redispatched > 0, "no request met the killed replica: the kill went unfelt"
    finally:
        stop.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=60)
        proxy.kill()
        proxy.wait()
        for replica in replicas:
            replica.stop()
