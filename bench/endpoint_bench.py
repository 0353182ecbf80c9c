"""Measure the drugkg endpoint beside the oxigraph server and raw pyoxigraph, on the same data.

For the article graph and the synthetic graph (bench/generate.py):
- latency of every competency question (queries/*.rq), sequential requests on one connection
  per backend, the backends in turn; the floor (bench/floor.py, on the event loop and in a
  thread) is measured too, as the fastest a Python server on pyoxigraph can be;
- throughput of point lookups at 1, 4 and 16 concurrent clients (bounded count and time)
  with an httpx client that is itself the bottleneck (it held the oxigraph server to a few
  hundred requests/s where wrk measures thousands): bench/throughput.py measures the servers;
- peak resident memory of each server's process tree while it streams a 1,000,000-row SELECT.
Ratios are drugkg / oxigraph (latency: lower is better; throughput: higher is better).

    .venv/bin/python -m bench.endpoint_bench            # full run, about 15 minutes
    .venv/bin/python -m bench.endpoint_bench --quick    # a smoke run

Results go to bench/results/endpoint-<time>.json and .md. Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench.common import PeakSampler, Server, drugkg, floor, oxigraph, tree_rss_mib
from bench.generate import build_store as build_synthetic_store
from bench.generate import write_nquads
from graph.paths import QUERIES_DIR
from graph.pipeline.build import load_dataset
from graph.settings import Settings
from graph.storage.versions import write_store
from graph.vocabulary.namespace import DKID, RDFS

ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
STREAM_QUERY = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1000000"
ROOT = Path(__file__).resolve().parent
SLOW_MS = 4000.0


@dataclass(frozen=True)
class Budget:
    samples: int  # latency samples per query and backend (after one warm-up each)
    block: int  # ... taken in blocks of this many, the backends in turn
    seconds_per_query: float  # ... or fewer, once this much time per backend has passed
    heavy_ms: float  # a query whose warm-up took longer gets `heavy_samples`, one at a time
    heavy_samples: int
    throughput_seconds: float  # per concurrency level and backend
    throughput_requests: int  # ... or fewer


FULL = Budget(
    samples=60,
    block=5,
    seconds_per_query=1.5,
    heavy_ms=500.0,
    heavy_samples=3,
    throughput_seconds=4.0,
    throughput_requests=3000,
)
QUICK = Budget(
    samples=6,
    block=3,
    seconds_per_query=0.3,
    heavy_ms=200.0,
    heavy_samples=1,
    throughput_seconds=1.0,
    throughput_requests=200,
)


def competency_questions() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERIES_DIR.glob("*.rq"))}


# --- backends ---------------------------------------------------------------------------------


def http_runner(server: Server, client: httpx.Client) -> Callable[[str], int]:
    def run(query: str) -> int:
        response = client.post(server.query_url, data={"query": query}, headers={"Accept": ACCEPT})
        if response.status_code != 200:
            raise RuntimeError(f"{server.name}: HTTP {response.status_code}: {response.text[:200]}")
        return len(response.content)

    return run


def in_process_runner(store: ox.Store) -> Callable[[str], int]:
    def run(query: str) -> int:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            data = result.serialize(format=ox.RdfFormat.TURTLE)
        elif isinstance(result, ox.QueryBoolean | ox.QuerySolutions):
            data = result.serialize(format=ox.QueryResultsFormat.JSON)
        else:
            raise RuntimeError(f"unexpected result {type(result).__name__}")
        return len(data or b"")

    return run


def latency_ms(
    backends: dict[str, Callable[[str], int]], query: str, budget: Budget
) -> dict[str, dict[str, float]]:
    """Median latency of one query on every backend, measured in turns.

    One warm-up request each, then blocks of `budget.block` sequential requests per backend,
    the backends in turn, until each has `budget.samples` or the time is up; a heavy query
    (warm-up over `budget.heavy_ms`) gets `budget.heavy_samples`, one per backend in turn, and
    one slower than `SLOW_MS` on some backend only its warm-up.
    Taking turns spreads slow drifts of a shared 2-core machine over all backends alike,
    instead of charging them to whichever backend was measured at the time.
    """
    first: dict[str, float] = {}
    for name, run in backends.items():
        t0 = time.perf_counter()
        run(query)
        first[name] = (time.perf_counter() - t0) * 1000
    samples: dict[str, list[float]] = {name: [] for name in backends}
    slowest = max(first.values())
    if slowest > SLOW_MS:  # measured once (the warm-up), so the run stays short
        samples = {name: [ms] for name, ms in first.items()}
        block, wanted = 1, 1
    elif slowest > budget.heavy_ms:
        block, wanted = 1, budget.heavy_samples
    else:
        block, wanted = budget.block, budget.samples
    started = time.perf_counter()
    while min(len(v) for v in samples.values()) < wanted:
        for name, run in backends.items():
            for _ in range(block):
                t0 = time.perf_counter()
                run(query)
                samples[name].append((time.perf_counter() - t0) * 1000)
        spent = time.perf_counter() - started
        fewest = min(len(v) for v in samples.values())
        if spent > budget.seconds_per_query * len(backends) and fewest >= 3:
            break
    report: dict[str, dict[str, float]] = {}
    for name, values in samples.items():
        values.sort()
        report[name] = {
            "median_ms": statistics.median(values),
            "p90_ms": values[min(len(values) - 1, int(len(values) * 0.9))],
            "first_ms": first[name],
            "samples": len(values),
        }
    return report


async def _http_throughput(url: str, queries: list[str], clients: int, budget: Budget) -> float:
    done = 0
    deadline = time.perf_counter() + budget.throughput_seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker(offset: int) -> None:
            nonlocal done
            i = offset
            while time.perf_counter() < deadline and done < budget.throughput_requests:
                query = queries[i % len(queries)]
                i += clients
                response = await client.post(url, data={"query": query}, headers={"Accept": ACCEPT})
                if response.status_code != 200:
                    raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        return done / (time.perf_counter() - started)


def http_throughput(server: Server, queries: list[str], clients: int, budget: Budget) -> float:
    return asyncio.run(_http_throughput(server.query_url, queries, clients, budget))


def in_process_throughput(
    run: Callable[[str], int], queries: list[str], clients: int, budget: Budget
) -> float:
    deadline = time.perf_counter() + budget.throughput_seconds
    per_thread = budget.throughput_requests // clients + 1

    def worker(offset: int) -> int:
        count = 0
        while time.perf_counter() < deadline and count < per_thread:
            run(queries[(offset + count * clients) % len(queries)])
            count += 1
        return count

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        total = sum(pool.map(worker, range(clients)))
    return total / (time.perf_counter() - started)


def stream_memory(server: Server) -> dict[str, float]:
    """Peak RSS of the server's process tree while it streams a one-million-row result."""
    before = tree_rss_mib(server.pid)
    size = 0
    started = time.perf_counter()
    with (
        PeakSampler(server.pid) as sampler,
        httpx.stream(
            "POST",
            server.query_url,
            data={"query": STREAM_QUERY},
            headers={"Accept": "text/tab-separated-values"},
            timeout=300,
        ) as response,
    ):
        if response.status_code != 200:
            raise RuntimeError(f"{server.name}: HTTP {response.status_code}")
        for chunk in response.iter_bytes(1 << 16):
            size += len(chunk)
    return {
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(sampler.peak_mib, 1),
        "bytes": size,
        "seconds": round(time.perf_counter() - started, 2),
    }


# --- data ---------------------------------------------------------------------------------


def point_lookups(store: ox.Store, count: int, seed: int) -> list[str]:
    """Queries for everything said about one resource each, drawn from the store: labelled
    resources first, then other subjects (quotes, selectors, sources, ...) when the store has
    fewer than `count` labelled ones (the article graph has about 150)."""
    label = ox.NamedNode(str(RDFS.label))
    labelled = sorted(
        {
            q.subject.value
            for q in store.quads_for_pattern(None, label, None)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(str(DKID))
        }
    )
    rng = random.Random(seed)
    chosen = rng.sample(labelled, min(count, len(labelled)))
    if len(chosen) < count:
        others = sorted(
            {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)} - set(chosen)
        )
        chosen += rng.sample(others, min(count - len(chosen), len(others)))
    return [f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}" for s in chosen]


def prepare_stores(var: Path, *names: str) -> dict[str, Path]:
    """The benchmark stores (`names`, or both), written when absent."""
    names = names or ("article", "synthetic")
    article = var / "article-store"
    if "article" in names and not article.exists():
        write_store(article, load_dataset(Settings()))
    synthetic = var / "synthetic-store"
    if "synthetic" in names and not synthetic.exists():
        nquads = var / "synthetic.nq"
        write_nquads(nquads, docs=6500, seed=20171017)
        build_synthetic_store(nquads, synthetic)
    return {"article": article, "synthetic": synthetic}


# --- the run ------------------------------------------------------------------------------


def bench_dataset(name: str, store_dir: Path, budget: Budget, workers: int) -> dict[str, object]:
    questions = competency_questions()
    store = ox.Store.read_only(str(store_dir))
    lookups = point_lookups(store, 500, seed=7)
    report: dict[str, object] = {"quads": len(store), "questions": len(questions)}
    local = in_process_runner(store)
    with (
        drugkg(store_dir, workers) as ours,
        drugkg(store_dir, workers, cache_mb=64, name="drugkg-cached") as cached,
        floor(store_dir) as bare,
        floor(store_dir, thread=True) as bare_thread,
        oxigraph(store_dir) as theirs,
        httpx.Client(timeout=120) as client,
    ):
        backends = {
            "drugkg": http_runner(ours, client),
            "drugkg-cached": http_runner(cached, client),
            "floor-thread": http_runner(bare_thread, client),
            "floor": http_runner(bare, client),
            "oxigraph": http_runner(theirs, client),
            "pyoxigraph": local,
        }
        latency: dict[str, dict[str, dict[str, float]]] = {}
        skipped: dict[str, str] = {}
        for qname, query in questions.items():
            try:
                latency[qname] = latency_ms(backends, query, budget)
            except RuntimeError as error:  # over the time limit: noted, not measured further
                print(f"  {name} {qname}: not measured: {error}", flush=True)
                skipped[qname] = str(error)
                continue
            print(
                f"  {name} {qname}: "
                + ", ".join(f"{b} {v['median_ms']:.2f} ms" for b, v in latency[qname].items()),
                flush=True,
            )
        report["latency"] = latency
        report["not_measured"] = skipped
        throughput: dict[str, dict[str, float]] = {}
        for clients in (1, 4, 16):
            throughput[str(clients)] = {
                "drugkg": http_throughput(ours, lookups, clients, budget),
                "drugkg-cached": http_throughput(cached, lookups, clients, budget),
                "oxigraph": http_throughput(theirs, lookups, clients, budget),
                "pyoxigraph": in_process_throughput(local, lookups, clients, budget),
            }
            print(f"  {name} throughput x{clients}: {throughput[str(clients)]}", flush=True)
        report["throughput"] = throughput
        if len(store) >= 1_000_000:
            report["memory"] = {"drugkg": stream_memory(ours), "oxigraph": stream_memory(theirs)}
            print(f"  {name} memory: {report['memory']}", flush=True)
    return report


def markdown(results: dict[str, object]) -> str:
    lines = [
        f"Run {results['started']}, drugkg workers: {results['workers']}, "
        f"budget: {results['budget']}",
        "",
    ]
    for name, data in results["datasets"].items():  # type: ignore[attr-defined]
        lines += [
            f"### {name} graph ({data['quads']} quads)",
            "",
            "| query | drugkg ms | drugkg cached ms | floor-thread ms | floor ms | oxigraph ms "
            "| pyoxigraph ms | drugkg/oxigraph | cached/oxigraph | floor-thread/oxigraph "
            "| floor/oxigraph |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        compared = ("drugkg", "drugkg-cached", "floor-thread", "floor")
        worst = dict.fromkeys(compared, 0.0)
        for qname, row in data["latency"].items():
            ratios = {b: row[b]["median_ms"] / row["oxigraph"]["median_ms"] for b in compared}
            worst = {b: max(worst[b], ratios[b]) for b in compared}
            cells = [f"{row[b]['median_ms']:.2f}" for b in (*compared, "oxigraph", "pyoxigraph")]
            cells += [f"{ratios[b]:.2f}" for b in compared]
            lines.append(f"| {qname} | " + " | ".join(cells) + " |")
        for qname, why in data.get("not_measured", {}).items():
            lines.append(f"| {qname} | not measured: {why[:120]} |" + " |" * 9)
        lines += [
            "",
            f"Worst median latency ratio (target <= 1.2): {worst['drugkg']:.2f} uncached, "
            f"{worst['drugkg-cached']:.2f} with the result cache; the floor (bench/floor.py): "
            f"{worst['floor-thread']:.2f} evaluating in a thread, {worst['floor']:.2f} on the "
            "event loop",
            "",
            "| clients | drugkg req/s | drugkg cached req/s | oxigraph req/s | pyoxigraph q/s "
            "| drugkg/oxigraph | cached/oxigraph |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for clients, row in data["throughput"].items():
            lines.append(
                f"| {clients} | {row['drugkg']:.0f} | {row['drugkg-cached']:.0f} | "
                f"{row['oxigraph']:.0f} | {row['pyoxigraph']:.0f} | "
                f"{row['drugkg'] / row['oxigraph']:.2f} | "
                f"{row['drugkg-cached'] / row['oxigraph']:.2f} |"
            )
        if "memory" in data:
            lines += [
                "",
                "| streaming 1,000,000 rows (TSV) | RSS before MiB | peak MiB | bytes | seconds |",
                "|---|---:|---:|---:|---:|",
            ]
            for server, row in data["memory"].items():
                lines.append(
                    f"| {server} | {row['rss_before_mib']} | {row['rss_peak_mib']} | "
                    f"{row['bytes']} | {row['seconds']} |"
                )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny budgets")
    parser.add_argument("--workers", type=int, default=2, help="drugkg server processes (2)")
    parser.add_argument("--var", type=Path, default=ROOT.parent / "var" / "bench")
    parser.add_argument("--dataset", choices=("article", "synthetic"), action="append")
    args = parser.parse_args(argv)
    # stop the servers (the `with` blocks) on SIGTERM too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    budget = QUICK if args.quick else FULL
    stores = prepare_stores(args.var)
    started = time.strftime("%Y%m%d-%H%M%S")
    results: dict[str, object] = {
        "started": started,
        "workers": args.workers,
        "budget": budget.__dict__,
        "datasets": {},
    }
    for name in args.dataset or ["article", "synthetic"]:
        print(f"{name}: {stores[name]}", flush=True)
        results["datasets"][name] = bench_dataset(  # type: ignore[index]
            name, stores[name], budget, args.workers
        )
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / f"endpoint-{started}.json").write_text(json.dumps(results, indent=2))
    text = markdown(results)
    (out / f"endpoint-{started}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
