"""The servers bench/remote_bench.py measures, started on loopback ports and stopped again.

    published_virtuoso(...)   Virtuoso on a fresh database with a store's graphs published
                              (`drugkg publish`, staged), timed, with its lookups over SQL
    haproxy(name, replicas)   deploy/haproxy.cfg in front of one or two replicas
    backends(args, ...)       every backend of a run, by name, in one ExitStack

Everything started is stopped when the context ends, on an error or Ctrl-C too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench import throughput, virtuoso
from bench.common import BenchError, Server, drugkg, free_port, oxigraph, running

HAPROXY_CFG = Path(__file__).resolve().parents[1] / "deploy" / "haproxy.cfg"


@contextlib.contextmanager
def published_virtuoso(
    root: Path,
    store: Path,
    threads: int,
    buffers: int,
    lookups: list[str],
    checks: dict[str, float],
) -> Iterator[Server]:
    """Virtuoso on a fresh database in `root`, the graphs of `store` published to it; its
    time to publish and its time per lookup over SQL (`lookups` through isql-vt, one
    session) go to `checks`."""
    found = virtuoso.binaries()
    if found is None:
        raise BenchError("virtuoso-t is not installed (`make virtuoso` installs it as root)")
    shutil.rmtree(root, ignore_errors=True)
    configured = virtuoso.configure(root, found[0], threads=threads, buffers=buffers)
    probe = configured.sparql + "?query=ASK%7B%7D"
    with running("virtuoso", configured.args, configured.sparql, probe) as server:
        password = root / "password"
        password.write_text(virtuoso.PASSWORD)
        started = time.monotonic()
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "drugkg"),
                "publish",
                "--store",
                str(store),
                "--remote",
                configured.sparql,
                "--gsp",
                configured.gsp,
                "--update",
                configured.update,
                "--user",
                virtuoso.USER,
                "--password-file",
                str(password),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
        if done.returncode != 0:
            raise BenchError(f"drugkg publish to Virtuoso failed: {done.stderr[-2000:]}")
        checks["virtuoso_publish_s"] = time.monotonic() - started
        print(f"published to Virtuoso in {checks['virtuoso_publish_s']:.0f} s", flush=True)
        seconds = virtuoso.sparql_over_sql(found[1], configured.sql_port, lookups, root)
        checks["virtuoso_sql_lookup_ms"] = 1000 * seconds / len(lookups)
        print(f"Virtuoso over SQL: {checks['virtuoso_sql_lookup_ms']:.2f} ms a lookup", flush=True)
        yield server


@contextlib.contextmanager
def haproxy(name: str, replicas: list[Server]) -> Iterator[Server]:
    """deploy/haproxy.cfg in front of `replicas` (one: both server lines name it)."""
    binary = shutil.which("haproxy")
    if binary is None:
        raise BenchError("HAProxy is not installed (`make tools` installs it as root)")
    port = free_port()
    addresses = [throughput.base_of(r)[0].removeprefix("http://") for r in replicas]
    env = {
        "DRUGKG_LB_BIND": f"127.0.0.1:{port}",
        "DRUGKG_REPLICA_1": addresses[0],
        "DRUGKG_REPLICA_2": addresses[-1],
    }
    base = f"http://127.0.0.1:{port}"
    args = [binary, "-f", str(HAPROXY_CFG), "-db"]
    with running(name, args, base + "/sparql", base + "/health/ready", env) as balancer:
        deadline = time.monotonic() + 30
        while httpx.get(base + "/health/ready", timeout=5).status_code != 200:
            if time.monotonic() > deadline:
                raise BenchError(f"{name}: HAProxy sees no replica ready")
            time.sleep(0.2)
        balancer.helpers = tuple(r.pid for r in replicas)
        yield balancer


@contextlib.contextmanager
def backends(
    args: argparse.Namespace,
    store: Path,
    lookups: list[str],
    checks: dict[str, float],
    notes: list[str],
) -> Iterator[dict[str, Server]]:
    cpus = sorted(os.sched_getaffinity(0))
    pool = str(args.query_processes)
    env = {"DRUGKG_QUERY_WORKERS": pool, "DRUGKG_QUERY_WORKERS_MAX": pool}
    with contextlib.ExitStack() as stack:
        ox_server = stack.enter_context(oxigraph(store, timeout=False, union=False))
        ox_server.suffix = "&union-default-graph"
        servers = {"oxigraph": ox_server}
        if "virtuoso" in args.engines:
            servers["virtuoso"] = stack.enter_context(
                published_virtuoso(
                    args.var / f"virtuoso-{args.dataset}",
                    store,
                    args.virtuoso_threads,
                    args.virtuoso_buffers,
                    lookups,
                    checks,
                )
            )
        servers["drugkg"] = stack.enter_context(drugkg(store, args.workers, env=env))
        for engine in args.engines:
            remote = servers[engine]
            try:
                ours = stack.enter_context(
                    drugkg(
                        store,
                        args.workers,
                        name=f"drugkg/{engine}",
                        env=env,
                        remote=remote.query_url,
                    )
                )
            except BenchError as error:  # the others are still measured
                notes.append(f"drugkg/{engine} not measured: {str(error)[:300]}")
                print(notes[-1], flush=True)
                continue
            ours.helpers = (remote.pid,)
            servers[ours.name] = ours
        if not args.no_replicas:
            replicas = [
                stack.enter_context(drugkg(store, 1, name=f"replica {n + 1}", env=env, cpu=cpu))
                for n, cpu in enumerate(cpus[:2])
            ]
            servers["1 replica"] = stack.enter_context(haproxy("1 replica", replicas[:1]))
            servers["2 replicas"] = stack.enter_context(haproxy("2 replicas", replicas))
        yield servers
