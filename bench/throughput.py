"""Throughput and latency of the drugkg endpoint beside the oxigraph server, measured with wrk.

    .venv/bin/python -m bench.throughput                 # about 8 minutes
    .venv/bin/python -m bench.throughput --quick         # a smoke run, about a minute

Backends, all over the same store directory and started by this script on loopback ports:
`drugkg serve` with the result cache off (`DRUGKG_RESULT_CACHE_MB=0`: every request is
evaluated by a query process) and on (64 MiB per server process), with the cache off and
inline evaluation on (`DRUGKG_INLINE_EVALUATION=true`, `endpoint.execution.inline`), each
with 8 query processes kept warm (`WARM`), and the `oxigraph` server
from PyPI (`serve-read-only --union-default-graph`, without `--timeout-s`: with it oxigraph
0.5.13 keeps a thread per query for the whole limit and fails under sustained load, see
`bench.common.oxigraph`).

- Throughput: `wrk` (bench/wrk.py) with 1, 16 and 64 kept-alive connections, GET requests
  rotating over 500 distinct point lookups (`SELECT ?p ?o WHERE { <iri> ?p ?o }` over
  labelled resources of the store), 1 s of warm-up then `--seconds` measured, per level and
  backend. The backends take turns within each round and the run has `--rounds` rounds
  (the order rotated each round); the figure is the median of the rounds, with the lowest
  and highest beside it, so the noise of this shared machine shows.
- Latency: every competency question (queries/*.rq) on one connection (`wrk -c1`) for
  `--latency-seconds`, the backends in turn, `--rounds` times; the median of the rounds'
  50th percentiles.

Only 127.0.0.1 is contacted; every wrk run is bounded in time. Results go to
bench/results/throughput-<time>.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from bench import wrk
from bench.common import BenchError, Server, drugkg, oxigraph, tree_cpu_s
from bench.endpoint_bench import competency_questions, point_lookups, prepare_stores

ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
ROOT = Path(__file__).resolve().parent
LEVELS = (1, 16, 64)
INLINE = {"DRUGKG_INLINE_EVALUATION": "true"}
"""The settings of the `drugkg-inline` backend: cache off, evaluated in the server process
where it can be (`endpoint.execution.inline`)."""
REFERENCE_16 = 11_000
"""oxigraph's rate at 16 connections on this 2-core machine as issue 11 measured it (wrk,
500 distinct point lookups): a run far below it was disturbed and its ratios are not quoted."""


def base_of(server: Server) -> tuple[str, str]:
    """(http://127.0.0.1:PORT, the path queries go to)."""
    scheme_host, _, path = server.query_url.partition("://")[2].partition("/")
    return f"http://{scheme_host}", "/" + path


def paths_for(server: Server, queries: list[str]) -> tuple[str, list[str]]:
    """(http://127.0.0.1:PORT, a GET request path per query, with the server's suffix)."""
    base, path = base_of(server)
    return base, [p + server.suffix for p in wrk.query_paths(path, queries)]


def _children_cpu_s() -> float:
    """CPU time of this process's waited-for children (the wrk runs), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_s(server: Server) -> float:
    """CPU time spent so far by the server's process tree and its helpers' (bench.common)."""
    return sum(tree_cpu_s(pid) for pid in (server.pid, *server.helpers))


WARM = {"DRUGKG_QUERY_WORKERS": "8"}
"""Every drugkg server keeps its 8 query processes warm: with the default 2, the surplus a
burst starts is retired after 30 s idle, less than a backend waits for its next turn, and
each turn would measure processes starting (as in bench/remote_bench.py)."""


@contextlib.contextmanager
def backends(store: Path, workers: int, extra_env: dict[str, str]) -> Iterator[dict[str, Server]]:
    extra_env = {**WARM, **extra_env}
    with (
        drugkg(store, workers, env=extra_env) as ours,
        drugkg(store, workers, cache_mb=64, name="drugkg-cached", env=extra_env) as cached,
        drugkg(store, workers, name="drugkg-inline", env={**extra_env, **INLINE}) as inline,
        oxigraph(store, timeout=False) as theirs,
    ):
        yield {
            "drugkg": ours,
            "drugkg-cached": cached,
            "drugkg-inline": inline,
            "oxigraph": theirs,
        }


def throughput(
    servers: dict[str, Server],
    lookups: list[str],
    levels: tuple[int, ...],
    seconds: float,
    rounds: int,
) -> dict[str, dict[str, list[dict[str, float]]]]:
    """{connections: {backend: [one result per round]}}"""
    names = list(servers)
    found: dict[str, dict[str, list[dict[str, float]]]] = {
        str(c): {n: [] for n in names} for c in levels
    }
    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for connections in levels:
            for name in order:
                base, paths = paths_for(servers[name], lookups)
                wrk.run(base, paths, connections=connections, seconds=1, accept=ACCEPT)
                own_before, cpu_before = tree_cpu_s(servers[name].pid), cpu_s(servers[name])
                wrk_before = _children_cpu_s()
                result = wrk.run(
                    base, paths, connections=connections, seconds=seconds, accept=ACCEPT
                )
                own = tree_cpu_s(servers[name].pid) - own_before
                cpu = cpu_s(servers[name]) - cpu_before
                per = 1000 / result.requests if result.requests else 0.0
                row = {
                    "rate": result.rate,
                    "cpu_ms": cpu * per,
                    "own_cpu_ms": own * per,
                    "wrk_cpu_ms": (_children_cpu_s() - wrk_before) * per,
                    "p50_ms": result.p50_ms,
                    "p99_ms": result.p99_ms,
                    "non_2xx": result.non_2xx,
                    "socket_errors": result.socket_errors,
                    "load": os.getloadavg()[0],
                }
                found[str(connections)][name].append(row)
                print(
                    f"  round {round_ + 1} x{connections} {name}: {result.rate:,.0f} req/s, "
                    f"p50 {result.p50_ms:.2f} ms, CPU {row['cpu_ms']:.2f} ms/request, "
                    f"non-2xx {result.non_2xx}",
                    flush=True,
                )
    return found


def latency(
    servers: dict[str, Server], questions: dict[str, str], seconds: float, rounds: int
) -> dict[str, dict[str, list[float]]]:
    """{question: {backend: [p50 ms per round]}}"""
    found: dict[str, dict[str, list[float]]] = {}
    names = list(servers)
    for qname, text in questions.items():
        found[qname] = {n: [] for n in names}
        for round_ in range(rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                base, paths = paths_for(servers[name], [text])
                result = wrk.run(
                    base,
                    paths,
                    connections=1,
                    seconds=seconds,
                    accept=ACCEPT,
                    threads=1,
                )
                if result.non_2xx or not result.requests:
                    raise BenchError(f"{name} {qname}: {result.non_2xx} non-2xx answers")
                found[qname][name].append(result.p50_ms)
        print(
            f"  {qname}: "
            + ", ".join(f"{n} {statistics.median(v):.2f} ms" for n, v in found[qname].items()),
            flush=True,
        )
    return found


def _median(rows: list[dict[str, float]], key: str = "rate") -> float:
    return statistics.median(r[key] for r in rows)


def _rates(rows: list[dict[str, float]]) -> str:
    rates = sorted(r["rate"] for r in rows)
    return f"{statistics.median(rates):,.0f} ({rates[0]:,.0f}-{rates[-1]:,.0f})"


def markdown(
    settings: str,
    tp: dict[str, dict[str, list[dict[str, float]]]],
    lat: dict[str, dict[str, list[float]]],
) -> str:
    lines = [
        settings,
        "",
        "| connections | drugkg req/s | drugkg inline req/s | drugkg cached req/s "
        "| oxigraph req/s | drugkg/oxigraph | inline/oxigraph | cached/oxigraph "
        "| p50 ms drugkg / inline / cached / oxigraph |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for connections, row in tp.items():
        ours, cached, theirs = row["drugkg"], row["drugkg-cached"], row["oxigraph"]
        inline = row["drugkg-inline"]
        lines.append(
            f"| {connections} | {_rates(ours)} | {_rates(inline)} | {_rates(cached)} "
            f"| {_rates(theirs)} | {_median(ours) / _median(theirs):.2f} "
            f"| {_median(inline) / _median(theirs):.2f} "
            f"| {_median(cached) / _median(theirs):.2f} "
            f"| {_median(ours, 'p50_ms'):.2f} / {_median(inline, 'p50_ms'):.2f} / "
            f"{_median(cached, 'p50_ms'):.2f} / {_median(theirs, 'p50_ms'):.2f} |"
        )
    bad = sum(
        r["non_2xx"] + r["socket_errors"] for row in tp.values() for v in row.values() for r in v
    )
    lines += ["", f"Non-2xx answers and socket errors over all throughput runs: {bad}.", ""]
    if "16" in tp:
        rate16 = _median(tp["16"]["oxigraph"])
        verdict = "plausible" if rate16 >= REFERENCE_16 / 2 else "FAR BELOW: a disturbed run"
        lines += [
            f"oxigraph at 16 connections: {rate16:,.0f} req/s against the ~{REFERENCE_16:,} "
            f"issue 11 measured here: {verdict}.",
            "",
        ]
    if lat:
        lines += [
            "| question | drugkg p50 ms | inline p50 ms | cached p50 ms | oxigraph p50 ms "
            "| drugkg - oxigraph ms | inline - oxigraph ms | drugkg/oxigraph "
            "| inline/oxigraph |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for qname, times in lat.items():
            ours_ms = statistics.median(times["drugkg"])
            inline_ms = statistics.median(times["drugkg-inline"])
            cached_ms = statistics.median(times["drugkg-cached"])
            theirs_ms = statistics.median(times["oxigraph"])
            lines.append(
                f"| {qname} | {ours_ms:.2f} | {inline_ms:.2f} | {cached_ms:.2f} "
                f"| {theirs_ms:.2f} | {ours_ms - theirs_ms:+.2f} | {inline_ms - theirs_ms:+.2f} "
                f"| {ours_ms / theirs_ms:.2f} | {inline_ms / theirs_ms:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round, short runs")
    parser.add_argument("--workers", type=int, default=2, help="drugkg server processes (2)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput run (5)")
    parser.add_argument("--latency-seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--dataset", choices=("article", "synthetic"), default="article")
    parser.add_argument("--var", type=Path, default=ROOT.parent / "var" / "bench")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra variable for the drugkg servers (to compare settings)",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.rounds, args.seconds, args.latency_seconds = 1, 2.0, 1.0
    wrk.ensure_wrk()
    store_dir = prepare_stores(args.var, args.dataset)[args.dataset]
    store = ox.Store.read_only(str(store_dir))
    lookups = point_lookups(store, 500, seed=7)
    del store
    extra_env = dict(item.split("=", 1) for item in args.env)
    started = time.strftime("%Y%m%d-%H%M%S")
    settings = (
        f"Run {started}: {args.dataset} graph, drugkg {args.workers} server processes, "
        f"{len(lookups)} distinct lookups, {args.rounds} rounds of {args.seconds:g} s, "
        f"env {extra_env or '{}'}, {os.cpu_count()} CPUs, load before {os.getloadavg()[0]:.1f}"
    )
    lat: dict[str, dict[str, list[float]]] = {}
    with backends(store_dir, args.workers, extra_env) as servers:
        tp = throughput(servers, lookups, LEVELS, args.seconds, args.rounds)
        if not args.no_latency:
            lat = latency(servers, competency_questions(), args.latency_seconds, args.rounds)
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    results = {"settings": settings, "throughput": tp, "latency": lat}
    (out / f"throughput-{started}.json").write_text(json.dumps(results, indent=2))
    text = markdown(settings, tp, lat)
    (out / f"throughput-{started}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
