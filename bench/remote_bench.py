"""drugkg over its embedded store and over remote engines, each engine queried directly, and
one against two replicas behind HAProxy: side by side in one run, measured with wrk.

    .venv/bin/python -m bench.remote_bench                          # article graph, ~17 min
    .venv/bin/python -m bench.remote_bench --dataset synthetic --engines oxigraph --no-latency
    .venv/bin/python -m bench.remote_bench --quick                  # a smoke run, 2-3 min

On the 1M-quad graph the competency questions take seconds to minutes (`--no-latency`), and
publishing it to Virtuoso takes about 7 minutes, after which drugkg over Virtuoso answers
every query empty (bench/README.md, "Virtuoso at a million quads"): the row check marks it.

Backends, started by this script on loopback ports over one store (`prepare_stores` of
bench/endpoint_bench.py: the article's build, or bench/generate.py's synthetic graph):

- `oxigraph`: `oxigraph serve-read-only` over the store directory, its default graph its own;
  direct queries add `union-default-graph`, as drugkg over it does.
- `virtuoso`: Virtuoso 7 on a fresh database (bench/virtuoso.py, `--virtuoso-threads` HTTP
  threads), the store's graphs put there by `drugkg publish` (staged, as Virtuoso needs);
  queried as it is (its default graph is every graph it holds).
- `drugkg`: `drugkg serve --store` (`--workers` server processes, result cache off, so every
  request is evaluated); `drugkg/oxigraph`, `drugkg/virtuoso`: `drugkg serve --remote` over
  each of the two, the same settings. Every drugkg server keeps `--query-processes` query
  processes per server process warm (`DRUGKG_QUERY_WORKERS` and `_MAX`, 8, the default most):
  with the default 2 warm, the surplus a burst starts is retired after 30 s idle, which is
  less than a backend waits for its next turn here, so every run would measure processes
  starting.
- `1 replica`, `2 replicas`: HAProxy with deploy/haproxy.cfg in front of `drugkg serve
  --workers 1` (cache off) over the same store, replica N confined to CPU N (`taskset`), as a
  replica per machine would be; with one replica both server lines of the file name it.

Measured:

- Throughput: `bench.throughput.throughput` (wrk over `--lookups` distinct point lookups,
  16 and 64 connections, 1 s warm-up then `--seconds`, the backends in turn, `--rounds`
  rounds with the order rotated), with the CPU time per request of every process that
  answers it (the server's tree, its remote engine, the balancer and its replicas), from
  /proc, and in brackets where it differs that of the front process alone (drugkg over a
  remote engine, HAProxy in front of its replicas).
- Latency: `bench.throughput.latency` (each competency question on one connection, `wrk -c1`)
  for the five backends that are not replicas; a question that fails or takes longer than
  `SLOW_S` on a backend is timed once there and left out of its wrk runs, and a slow one
  gets longer runs (`latencies`).

Before measuring, every backend answers a sample of the lookups and the result is compared
with the oxigraph server's (rows per lookup): a backend that disagrees is reported. Only
127.0.0.1 is contacted; every run is bounded in time; everything started is stopped on exit,
an error or Ctrl-C. Results go to bench/results/remote-<time>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench import throughput, wrk
from bench.common import BenchError, Server
from bench.endpoint_bench import competency_questions, point_lookups, prepare_stores
from bench.remote_servers import backends

ROOT = Path(__file__).resolve().parent
LEVELS = (16, 64)
SLOW_S = 2.0
CHECKED_LOOKUPS = 20
DIRECT = ("oxigraph", "virtuoso", "drugkg", "drugkg/oxigraph", "drugkg/virtuoso")
REPLICAS = ("1 replica", "2 replicas")
REFERENCE_16 = throughput.REFERENCE_16


def warm(servers: dict[str, Server], lookups: list[str], seconds: float) -> None:
    """Load each backend once at the highest level, so that the query processes a server
    starts on demand are running before anything is measured."""
    for name, server in servers.items():
        base, paths = throughput.paths_for(server, lookups)
        result = wrk.run(
            base, paths, connections=max(LEVELS), seconds=seconds, accept=throughput.ACCEPT
        )
        print(f"  warm-up {name}: {result.rate:,.0f} req/s", flush=True)


def _rows(server: Server, query: str, client: httpx.Client) -> int:
    base, paths = throughput.paths_for(server, [query])
    response = client.get(base + paths[0], headers={"Accept": throughput.ACCEPT})
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def agreement(servers: dict[str, Server], lookups: list[str]) -> dict[str, int]:
    """{backend: lookups (of the first CHECKED_LOOKUPS) whose row count is the oxigraph
    server's}"""
    sample = lookups[:CHECKED_LOOKUPS]
    with httpx.Client(timeout=60) as client:
        reference = [_rows(servers["oxigraph"], q, client) for q in sample]
        return {
            name: sum(_rows(server, q, client) == n for q, n in zip(sample, reference, strict=True))
            for name, server in servers.items()
        }


def screen(
    servers: dict[str, Server], questions: dict[str, str]
) -> tuple[dict[str, float], dict[str, dict[str, str]]]:
    """({question: the slowest backend's seconds}, {question: {backend: why it is left out of
    the wrk runs}}): one request each; left out on a failure, or past SLOW_S."""
    slowest: dict[str, float] = {}
    left_out: dict[str, dict[str, str]] = {}
    with httpx.Client(timeout=120) as client:
        for qname, text in questions.items():
            for name, server in servers.items():
                base, paths = throughput.paths_for(server, [text])
                started = time.perf_counter()
                try:
                    response = client.get(base + paths[0], headers={"Accept": throughput.ACCEPT})
                except httpx.HTTPError as error:
                    left_out.setdefault(qname, {})[name] = f"{type(error).__name__}"
                    continue
                seconds = time.perf_counter() - started
                if response.status_code != 200:
                    why = f"HTTP {response.status_code}: {response.text[:120]!r}"
                    left_out.setdefault(qname, {})[name] = why
                elif seconds > SLOW_S:
                    left_out.setdefault(qname, {})[name] = f"{seconds * 1000:.0f} ms (once)"
                else:
                    slowest[qname] = max(slowest.get(qname, 0.0), seconds)
    return slowest, left_out


def latencies(
    servers: dict[str, Server], questions: dict[str, str], seconds: float, rounds: int
) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, str]]]:
    """`bench.throughput.latency` question by question, over the backends that answer it in
    time; a question whose slowest answer takes more than a quarter of `seconds` gets runs
    of four times that (whole seconds: wrk's), so that each run sees a few answers."""
    slowest, left_out = screen(servers, questions)
    found: dict[str, dict[str, list[float]]] = {}
    for qname, text in questions.items():
        answering = {n: s for n, s in servers.items() if n not in left_out.get(qname, {})}
        if not answering:
            continue
        run_s = max(seconds, float(math.ceil(4 * slowest.get(qname, 0.0))))
        try:
            found.update(throughput.latency(answering, {qname: text}, run_s, rounds))
        except BenchError as error:
            print(f"  {qname}: not measured: {error}", flush=True)
            for name in answering:
                left_out.setdefault(qname, {}).setdefault(name, "not measured")
    return found, left_out


def _median(rows: list[dict[str, float]], key: str = "rate") -> float:
    return statistics.median(r[key] for r in rows)


def markdown(
    settings: str,
    agreed: dict[str, int],
    tp: dict[str, dict[str, list[dict[str, float]]]],
    lat: dict[str, dict[str, list[float]]],
    left_out: dict[str, dict[str, str]],
    checks: dict[str, float] | None = None,
) -> str:
    names = list(next(iter(tp.values())))
    lines = [settings, ""]
    if checks and "virtuoso_sql_lookup_ms" in checks:
        lines += [
            f"Published to Virtuoso in {checks['virtuoso_publish_s']:.0f} s; a lookup over "
            f"SQL (isql-vt, one session, one after another) takes "
            f"{checks['virtuoso_sql_lookup_ms']:.2f} ms.",
            "",
        ]
    lines.append(
        f"Lookups whose row count is the oxigraph server's (of {CHECKED_LOOKUPS}): "
        + ", ".join(f"{n} {k}" for n, k in agreed.items())
        + "."
    )
    lines += [
        "",
        "| backend | "
        + " | ".join(f"req/s x{c} | p50 ms x{c} | CPU ms/req x{c}" for c in tp)
        + " | x16 / oxigraph |",
        "|---|" + "---:|---:|---:|" * len(tp) + "---:|",
    ]
    reference = _median(tp["16"]["oxigraph"]) if "16" in tp else 0.0
    for name in names:
        cells = []
        for rows in (tp[c][name] for c in tp):
            rates = sorted(r["rate"] for r in rows)
            cpu = _median(rows, "cpu_ms")
            own = statistics.median(r.get("own_cpu_ms", r["cpu_ms"]) for r in rows)
            cells.append(
                f"{statistics.median(rates):,.0f} ({rates[0]:,.0f}-{rates[-1]:,.0f}) | "
                f"{_median(rows, 'p50_ms'):.2f} | {cpu:.2f}"
                + (f" ({own:.2f})" if own < 0.95 * cpu else "")
            )
        ratio = _median(tp["16"][name]) / reference if reference else float("nan")
        label = name
        if agreed.get(name, CHECKED_LOOKUPS) < CHECKED_LOOKUPS:
            label += f" (rows differ on {CHECKED_LOOKUPS - agreed[name]} lookups: not comparable)"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio:.2f} |")
    bad = sum(
        r["non_2xx"] + r["socket_errors"] for row in tp.values() for v in row.values() for r in v
    )
    lines += ["", f"Non-2xx answers and socket errors over all throughput runs: {bad}.", ""]
    if reference:
        verdict = "plausible" if reference >= REFERENCE_16 / 2 else "FAR BELOW: a disturbed run"
        lines += [
            f"oxigraph at 16 connections: {reference:,.0f} req/s against the ~{REFERENCE_16:,} "
            f"issue 11 measured here: {verdict}.",
            "",
        ]
    if all(n in names for n in REPLICAS):
        for c in tp:
            one, two = (_median(tp[c][n]) for n in REPLICAS)
            rows = tp[c]["2 replicas"]
            haproxy_ms = statistics.median(r.get("own_cpu_ms", 0.0) for r in rows)
            wrk_ms = statistics.median(r.get("wrk_cpu_ms", 0.0) for r in rows)
            lines.append(
                f"2 replicas / 1 replica at {c} connections: {two / one:.2f}; CPU ms per "
                f"request with 2: replicas {_median(rows, 'cpu_ms') - haproxy_ms:.2f}, "
                f"HAProxy {haproxy_ms:.2f}, wrk {wrk_ms:.2f}."
            )
        lines.append("")
    if lat:
        shown = [n for n in DIRECT if any(n in times for times in lat.values())]
        lines += [
            "| question | " + " | ".join(f"{n} p50 ms" for n in shown) + " |",
            "|---|" + "---:|" * len(shown),
        ]
        for qname, times in lat.items():
            cells = []
            for n in shown:
                if n in times:
                    cells.append(f"{statistics.median(times[n]):.2f}")
                else:
                    cells.append(left_out.get(qname, {}).get(n, "-"))
            lines.append(f"| {qname} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round, short runs, 5 questions")
    parser.add_argument("--dataset", choices=("article", "synthetic"), default="article")
    parser.add_argument(
        "--engines",
        nargs="*",
        choices=("oxigraph", "virtuoso"),
        default=["oxigraph", "virtuoso"],
        help="remote engines drugkg is served over (the oxigraph server always runs)",
    )
    parser.add_argument("--workers", type=int, default=2, help="drugkg server processes (2)")
    parser.add_argument(
        "--query-processes",
        type=int,
        default=8,
        help="query processes per server process, all kept warm (8, the default most)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput run (5)")
    parser.add_argument("--latency-seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument(
        "--warm-up", type=float, default=5.0, help="s of 64-connection load per backend first"
    )
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--no-replicas", action="store_true")
    parser.add_argument("--virtuoso-threads", type=int, default=100)
    parser.add_argument("--virtuoso-buffers", type=int, default=100_000, help="8 KiB pages")
    parser.add_argument("--var", type=Path, default=ROOT.parent / "var" / "bench")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    questions = competency_questions()
    if args.quick:
        args.rounds, args.seconds, args.latency_seconds, args.warm_up = 1, 1.0, 1.0, 1.0
        questions = dict(list(questions.items())[:5])
    wrk.ensure_wrk()
    store_dir = prepare_stores(args.var, args.dataset)[args.dataset]
    store = ox.Store.read_only(str(store_dir))
    lookups = point_lookups(store, args.lookups, seed=7)
    quads = len(store)
    del store
    started = time.strftime("%Y%m%d-%H%M%S")
    uptime_before = Path("/proc/loadavg").read_text().split()[:3]
    lat: dict[str, dict[str, list[float]]] = {}
    left_out: dict[str, dict[str, str]] = {}
    checks: dict[str, float] = {}
    notes: list[str] = []
    with backends(args, store_dir, lookups, checks, notes) as servers:
        warm(servers, lookups, args.warm_up)
        agreed = agreement(servers, lookups)
        print(f"agreement: {agreed}", flush=True)
        tp = throughput.throughput(servers, lookups, LEVELS, args.seconds, args.rounds)
        partial = ROOT / "results" / f"remote-{started}.throughput.json"
        partial.parent.mkdir(exist_ok=True)
        partial.write_text(json.dumps({"agreement": agreed, "checks": checks, "throughput": tp}))
        if not args.no_latency:
            direct = {n: s for n, s in servers.items() if n in DIRECT}
            lat, left_out = latencies(direct, questions, args.latency_seconds, args.rounds)
    settings = (
        f"Run {started}: {args.dataset} graph ({quads:,} quads), drugkg {args.workers} server "
        f"processes (replicas 1 each), {args.query_processes} query processes each, result "
        f"cache off, {len(lookups)} distinct lookups, "
        f"{args.rounds} rounds of {args.seconds:g} s, {os.cpu_count()} CPUs, load average "
        f"{' '.join(uptime_before)} before, "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} after"
    )
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    results = {
        "settings": settings,
        "agreement": agreed,
        "checks": checks,
        "notes": notes,
        "throughput": tp,
        "latency": lat,
        "left_out": left_out,
    }
    (out / f"remote-{started}.json").write_text(json.dumps(results, indent=2))
    text = "\n".join([*notes, markdown(settings, agreed, tp, lat, left_out, checks)])
    (out / f"remote-{started}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
