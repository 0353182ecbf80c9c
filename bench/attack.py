"""drugkg under attack: what a point lookup still sees, memory, and server errors.

    python -m bench.attack [--store PATH] [--readme]

Everything runs against one `drugkg serve` with the default settings on a loopback port,
over the store at `--store` (default: the settings' store, built first when absent). Every
phase is bounded in count and time and stops by itself; nothing leaves 127.0.0.1.

1. quiet: point lookups (`SELECT ?p ?o { <iri> ?p ?o }` over the store's distinct subjects,
   one after another) with nothing else running: the reference.
2. costly: the same lookups while 4 queries that run to the time limit (a three-way cross
   product) are in flight, restarted as they end.
3. memory: the same while 2 queries that grow without bound (ORDER BY over a cross product)
   are stopped at the memory limit and sent again.
4. slow and idle clients: the same while 200 connections send their headers one byte a
   second and 500 connections sit idle.
5. chaos: 10,000 mixed requests (competency questions, lookups, malformed, too deep,
   refused SERVICE, a query of a second or two, pages) from 32 clients, with a query process
   (chosen at random) killed every 2 seconds; the statuses are counted.
6. fuzz: schemathesis against the OpenAPI document, a bounded number of examples per
   operation, with its `not_a_server_error` check; the 5xx responses are counted.

For each lookup phase: median, 95th percentile and worst latency, failed lookups, and the
peak resident memory of the server's process tree (server and query processes). A native
load generator is not used here: these figures are latencies of single requests under
load, not throughput (see bench/endpoint_bench.py for that).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pyoxigraph import NamedNode, Store

from bench.common import PeakSampler, Server, _children, drugkg
from graph.paths import QUERIES_DIR
from graph.settings import Settings

COSTLY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEDIUM = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?d ?e ?f . ?g a ?h FILTER(?g = ?a) }"
"""A query of a second or two: the costly part of the chaos mix."""
GREEDY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g ?c ?f ?i"
LOOKUPS = 300
CHAOS_REQUESTS = 10_000
CHAOS_CLIENTS = 32
KILL_EVERY_S = 2.0
FUZZ_EXAMPLES = 25

Request = tuple[str, str, dict[str, str]]
"""A request of the chaos mix: method, URL, parameters."""


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[int] = field(default_factory=Counter)
    peak_mib: float = 0.0
    note: str = ""

    def row(self) -> str:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return f"| {self.name} | - | - | - | {sum(self.failures.values())} | - | {self.note} |"
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        failed = ", ".join(f"{n}x {s}" for s, n in sorted(self.failures.items())) or "0"
        return (
            f"| {self.name} | {p50:.1f} | {p95:.1f} | {ordered[-1]:.1f} | {failed} | "
            f"{self.peak_mib:.0f} | {self.note} |"
        )


def subjects(store: Path) -> list[str]:
    found = Store.read_only(str(store)).query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"
    )
    iris = [row["s"].value for row in found if isinstance(row["s"], NamedNode)]  # type: ignore[union-attr]
    random.Random(7).shuffle(iris)
    return iris


def lookups(
    server: Server, iris: list[str], phase: Phase, stop: threading.Event | None = None
) -> None:
    with httpx.Client(timeout=60) as client:
        for index in range(LOOKUPS):
            iri = iris[index % len(iris)]
            query = f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
            start = time.perf_counter()
            try:
                response = client.get(server.query_url, params={"query": query})
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            elapsed = (time.perf_counter() - start) * 1000
            if status == 200:
                phase.latencies_ms.append(elapsed)
            else:
                phase.failures[status] += 1


@contextlib.contextmanager
def background(server: Server, query: str, copies: int) -> Iterator[None]:
    """`copies` clients sending `query` again and again until the block ends."""
    stop = threading.Event()

    def loop() -> None:
        with httpx.Client(timeout=120) as client:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    client.get(server.query_url, params={"query": query})

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(copies)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # let them reach their query processes
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=150)


@contextlib.contextmanager
def slow_and_idle(server: Server, slow: int, idle: int) -> Iterator[None]:
    host, port = server.query_url.removeprefix("http://").split("/")[0].split(":")
    stop = threading.Event()
    sockets: list[socket.socket] = []
    for _ in range(idle):
        with contextlib.suppress(OSError):
            sockets.append(socket.create_connection((host, int(port)), timeout=5))

    def dribble() -> None:
        conns: list[socket.socket] = []
        for _ in range(slow):
            with contextlib.suppress(OSError):
                sock = socket.create_connection((host, int(port)), timeout=5)
                sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
                conns.append(sock)
        while not stop.is_set():
            for index, sock in enumerate(conns):
                try:
                    sock.sendall(b"X")
                except OSError:  # dropped by the server: a new slow client takes its place
                    with contextlib.suppress(OSError):
                        sock.close()
                        fresh = socket.create_connection((host, int(port)), timeout=5)
                        fresh.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                        conns[index] = fresh
            stop.wait(1.0)
        for sock in conns:
            sock.close()

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    time.sleep(2.0)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        for sock in sockets:
            sock.close()


def chaos(server: Server, store_iris: list[str]) -> tuple[Counter[int], Counter[str], int, float]:
    """10,000 mixed requests from 32 clients, a query process killed every few seconds."""
    questions = [p.read_text(encoding="utf-8") for p in sorted(QUERIES_DIR.glob("*.rq"))]
    base = server.query_url.rsplit("/", 1)[0]
    kinds: list[Callable[[int], Request]] = [
        lambda i: ("GET", server.query_url, {"query": questions[i % len(questions)]}),
        lambda i: (
            "GET",
            server.query_url,
            {"query": f"SELECT ?p ?o {{ <{store_iris[i % len(store_iris)]}> ?p ?o }}"},
        ),
        lambda i: ("GET", server.query_url, {"query": "SELEKT * {"}),
        lambda i: ("GET", server.query_url, {"query": "ASK " + "{" * 3000 + "}" * 3000}),
        lambda i: ("GET", server.query_url, {"query": "ASK { SERVICE <http://10.0.0.1/> {} }"}),
        lambda i: ("GET", base + "/id/fentanyl", {}),
        lambda i: ("GET", base + "/", {}),
        lambda i: ("GET", server.query_url, {"query": MEDIUM + f" # {i}"}),
    ]
    weights = [30, 40, 5, 3, 3, 8, 5, 1]
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    killed = 0
    stop = threading.Event()

    def killer() -> None:
        nonlocal killed
        chance = random.Random(11)
        while not stop.wait(KILL_EVERY_S):
            processes = _children(server.pid)
            if processes:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(chance.choice(processes), signal.SIGKILL)
                    killed += 1

    async def client(queue: asyncio.Queue[int]) -> None:
        async with httpx.AsyncClient(timeout=120) as http:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                make = random.Random(i).choices(kinds, weights)[0]
                method, url, params = make(i)
                try:
                    response = await http.request(method, url, params=params)
                    statuses[response.status_code] += 1
                    if response.status_code >= 500 and response.status_code != 503:
                        errors[response.text.strip()[:160]] += 1
                except httpx.HTTPError as exc:
                    statuses[0] += 1
                    errors[f"no answer: {type(exc).__name__}"] += 1

    async def main() -> None:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(CHAOS_REQUESTS):
            queue.put_nowait(i)
        await asyncio.gather(*(client(queue) for _ in range(CHAOS_CLIENTS)))

    thread = threading.Thread(target=killer, daemon=True)
    start = time.monotonic()
    thread.start()
    try:
        asyncio.run(main())
    finally:
        stop.set()
        thread.join()
    return statuses, errors, killed, time.monotonic() - start


def fuzz(server: Server) -> tuple[str, int]:
    """schemathesis over the OpenAPI document; returns its summary line and the 5xx count."""
    base = server.query_url.rsplit("/", 1)[0]
    binary = Path(sys.executable).with_name("schemathesis")
    if not binary.exists():
        return "schemathesis not installed (pip install '.[bench]')", -1
    report = Path("bench/results/schemathesis.ndjson")
    report.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            str(binary),
            "run",
            f"{base}/openapi.json",
            "--url",
            base,
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(FUZZ_EXAMPLES),
            "--phases",
            "examples,coverage,fuzzing",
            "--request-timeout",
            "60",
            "--seed",
            "1",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    server_errors = 0
    with contextlib.suppress(OSError):
        for line in report.read_text().splitlines():
            server_errors += line.count('"status_code": 5') + line.count('"status_code":5')
    cases = [line.strip() for line in done.stdout.splitlines() if " generated, " in line]
    return (cases[-1] if cases else done.stderr[-300:].strip()), server_errors


def run(store: Path) -> str:
    iris = subjects(store)
    phases: list[Phase] = []
    with drugkg(store, 1, cache_mb=0, name="drugkg") as server:
        for name, setting in (
            ("quiet", None),
            ("4 costly queries at the time limit", ("costly", 4)),
            ("2 queries stopped at the memory limit", ("greedy", 2)),
            ("200 slow-header clients + 500 idle connections", ("slow", 0)),
        ):
            phase = Phase(name)
            with PeakSampler(server.pid) as sampler:
                if setting is None:
                    lookups(server, iris, phase)
                elif setting[0] == "costly":
                    with background(server, COSTLY, setting[1]):
                        lookups(server, iris, phase)
                elif setting[0] == "greedy":
                    with background(server, GREEDY, setting[1]):
                        lookups(server, iris, phase)
                else:
                    with slow_and_idle(server, 200, 500):
                        lookups(server, iris, phase)
            phase.peak_mib = sampler.peak_mib
            phases.append(phase)
            print(phase.row(), flush=True)
        with PeakSampler(server.pid) as sampler:
            statuses, errors, killed, seconds = chaos(server, iris)
        print("chaos", dict(statuses), dict(errors), killed, f"{seconds:.0f} s", flush=True)
        fuzz_summary, fuzz_5xx = fuzz(server)
        print("fuzz", fuzz_summary, fuzz_5xx, flush=True)
    lines = [
        "| while | lookup p50 ms | p95 ms | worst ms | failed lookups | peak tree RSS MiB | |",
        "|---|---:|---:|---:|---|---:|---|",
        *(phase.row() for phase in phases),
        "",
        f"Chaos: {sum(statuses.values())} requests from {CHAOS_CLIENTS} clients in "
        f"{seconds:.0f} s with {killed} query processes killed (one every {KILL_EVERY_S:g} s); "
        f"statuses: {', '.join(f'{s}: {n}' for s, n in sorted(statuses.items()))}; "
        f"5xx other than 503 (a time or memory limit): "
        f"{sum(n for s, n in statuses.items() if s >= 500 and s != 503)}; peak tree RSS "
        f"{sampler.peak_mib:.0f} MiB.",
        "",
        f"Fuzz (schemathesis, {FUZZ_EXAMPLES} examples per operation, `not_a_server_error`): "
        f"{fuzz_summary}; 5xx responses: {fuzz_5xx}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--readme", action="store_true", help="print the README section")
    args = parser.parse_args()
    settings = Settings()
    store = args.store or settings.store
    if not store.exists():
        subprocess.run([str(Path(sys.executable).with_name("drugkg")), "build"], check=True)
    table = run(store)
    stamp = time.strftime("%Y-%m-%d")
    section = (
        f"## Under attack\n\nMeasured {stamp} on {os.cpu_count()} CPUs with "
        f"`python -m bench.attack` (default settings, one server process, the article's store; "
        f"how it measures: the docstring of `bench/attack.py`).\n\n{table}\n"
    )
    print(section if args.readme else json.dumps({"table": table}))


if __name__ == "__main__":
    main()
