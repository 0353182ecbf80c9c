"""What a write costs, beside the oxigraph server doing the same writes on a copy of the store.

For the article's store and the synthetic one (about a million quads, bench/generate.py), each
on a fresh copy per server:

- the latency of a small INSERT DATA (one triple, into a graph of its own each time), and of a
  Graph Store Protocol PUT of 10,000 triples (N-Triples, a new graph each time);
- reads per second (wrk, 16 connections, distinct point lookups, result cache off) while
  nothing is written, and while one client writes INSERT DATA back to back.

drugkg's writes are authenticated, validated (when they use drugkg's terms; these do not),
checkpointed into a new store version, fsynced and audited; oxigraph's are not authenticated,
validated nor audited. The ratio is the price of that, measured.

    .venv/bin/python -m bench.writes [--var var/bench] [--rounds 30] [--seconds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench.common import Server, free_port, running, venv_binary
from bench.endpoint_bench import point_lookups, prepare_stores
from graph.storage.versions import current_version

EX = "http://example.org/bench/writes/"
RESULTS = Path(__file__).resolve().parent / "results" / "writes.json"


class Writer:
    """The write operations of one server: drugkg's /sparql + /store, or oxigraph's."""

    def __init__(self, server: Server, update_url: str, store_url: str, token: str | None):
        self.server = server
        self.update_url = update_url
        self.store_url = store_url
        self.headers = {"authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(timeout=300)

    def insert(self, i: int) -> None:
        text = f"INSERT DATA {{ GRAPH <{EX}small-{i}> {{ <{EX}s{i}> <{EX}p> {i} }} }}"
        response = self.client.post(
            self.update_url,
            content=text.encode(),
            headers={"content-type": "application/sparql-update", **self.headers},
        )
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{self.server.name}: INSERT DATA {response.status_code}")

    def put(self, i: int, body: bytes) -> None:
        response = self.client.put(
            self.store_url,
            params={"graph": f"{EX}put-{i}"},
            content=body,
            headers={"content-type": "application/n-triples", **self.headers},
        )
        if response.status_code not in (200, 201, 204):
            raise RuntimeError(f"{self.server.name}: PUT {response.status_code}")


def copy_store(store: Path, into: Path) -> Path:
    target = into / "store"
    shutil.copytree(current_version(store), target)
    return target


@contextlib.contextmanager
def drugkg_writable(store: Path, token_file: Path) -> Iterator[Writer]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [venv_binary("drugkg"), "serve", "--store", str(store), "--port", str(port)]
    env = {
        "DRUGKG_WRITABLE": "true",
        "DRUGKG_WRITE_TOKEN_FILE": str(token_file),
        "DRUGKG_RESULT_CACHE_MB": "0",
        "DRUGKG_DUMP": "",
    }
    with running("drugkg", args, base + "/sparql", base + "/", env) as server:
        token = token_file.read_text().strip()
        yield Writer(server, base + "/sparql", base + "/store", token)


@contextlib.contextmanager
def oxigraph_writable(store: Path) -> Iterator[Writer]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [
        venv_binary("oxigraph"),
        "serve",
        "--location",
        str(store),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    with running("oxigraph", args, base + "/query", base + "/") as server:
        yield Writer(server, base + "/update", base + "/store", None)


def writable(
    label: str, store: Path, token_file: Path
) -> contextlib.AbstractContextManager[Writer]:
    return drugkg_writable(store, token_file) if label == "drugkg" else oxigraph_writable(store)


def latencies_ms(call: object, rounds: int) -> dict[str, float]:
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        call(i)  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
        "rounds": rounds,
    }


def wrk_reads(url: str, queries: list[str], seconds: int, connections: int = 16) -> float:
    """Requests per second wrk measures over `queries` (distinct), one after another."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "lookups.lua"
        paths = ",\n".join(
            json.dumps("?" + httpx.QueryParams({"query": q}).__str__()) for q in queries
        )
        script.write_text(
            f"local paths = {{\n{paths}\n}}\n"
            "local i = 0\n"
            "request = function()\n"
            "  i = i % #paths + 1\n"
            '  return wrk.format("GET", wrk.path .. paths[i], '
            '{["Accept"] = "application/sparql-results+json"})\n'
            "end\n"
        )
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    for line in done.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(f"wrk gave no rate: {done.stdout}")


def reads_during_writes(writer: Writer, queries: list[str], seconds: int) -> dict[str, float | int]:
    quiet = wrk_reads(writer.server.query_url, queries, seconds)
    stop = threading.Event()
    written = [0]

    def write() -> None:
        while not stop.is_set():
            writer.insert(1_000_000 + written[0])
            written[0] += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        busy = wrk_reads(writer.server.query_url, queries, seconds)
    finally:
        stop.set()
        thread.join()
    return {
        "reads_per_s_quiet": round(quiet),
        "reads_per_s_writing": round(busy),
        "writes_per_s": round(written[0] / seconds, 1),
    }


def bench_dataset(
    name: str, store: Path, rounds: int, seconds: int, token_file: Path
) -> dict[str, object]:
    queries = point_lookups(ox.Store.read_only(str(current_version(store))), 500, seed=7)
    body = "".join(f'<{EX}t{i}> <{EX}p> "{i}" .\n' for i in range(10_000)).encode()
    out: dict[str, object] = {"quads": len(ox.Store.read_only(str(current_version(store))))}
    for label in ("drugkg", "oxigraph"):
        with (
            tempfile.TemporaryDirectory(dir=store.parent) as folder,
            writable(label, copy_store(store, Path(folder)), token_file) as w,
        ):
            w.insert(-1)  # the first write starts what writes need
            figures: dict[str, object] = {
                "insert_data": latencies_ms(w.insert, rounds),
                "put_10k": latencies_ms(lambda i, w=w: w.put(i, body), max(5, rounds // 6)),
                **reads_during_writes(w, queries, seconds),
            }
            out[label] = figures
            print(f"{name} {label}: {json.dumps(figures)}", flush=True)
    return out


def markdown(results: dict[str, dict[str, object]]) -> str:
    rows = [
        "| store | server | INSERT DATA p50 (p90) | 10k-triple PUT p50 (p90) "
        "| reads/s quiet | reads/s while writing | writes/s meanwhile |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, figures in results.items():
        for server in ("drugkg", "oxigraph"):
            f = figures[server]
            assert isinstance(f, dict)
            rows.append(
                f"| {name} ({figures['quads']:,} quads) | {server} "
                f"| {f['insert_data']['p50_ms']} ms ({f['insert_data']['p90_ms']}) "
                f"| {f['put_10k']['p50_ms']} ms ({f['put_10k']['p90_ms']}) "
                f"| {f['reads_per_s_quiet']:,} | {f['reads_per_s_writing']:,} "
                f"| {f['writes_per_s']} |"
            )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", type=Path, default=Path("var/bench"))
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--dataset", choices=("article", "synthetic"), action="append")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("bench/writes.py needs wrk (apt-get install wrk)")
    args.var.mkdir(parents=True, exist_ok=True)
    stores = prepare_stores(args.var)
    token_file = args.var / "write-token"
    token_file.write_text(secrets.token_urlsafe(32) + "\n")
    results = {}
    for name in args.dataset or ["article", "synthetic"]:
        results[name] = bench_dataset(name, stores[name], args.rounds, args.seconds, token_file)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
