"""Servers under measurement: start them on loopback ports, find their memory, stop them.

Only 127.0.0.1 is ever contacted. Memory is the resident set (VmRSS) of a server process and
all its descendants (uvicorn workers, query processes), read from /proc; so is the CPU time
(user and system) they spent.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

START_LIMIT_S = 300.0  # drugkg counts the store (VoID statistics) at start-up


class BenchError(Exception):
    """A server that would not start, or a measurement that cannot be made."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def venv_binary(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise BenchError(f"`{name}` is not installed next to {sys.executable}")
    return found


@dataclass
class Server:
    """A server process; `query_url` is where SPARQL queries go, with `suffix` (`&name=value`)
    added to the query string of each GET; `helpers` are the other processes that answer its
    requests (a remote engine, replicas behind a balancer), whose CPU time counts too."""

    name: str
    process: subprocess.Popen[bytes]
    query_url: str
    suffix: str = ""
    helpers: tuple[int, ...] = ()

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def running(
    name: str, args: list[str], query_url: str, probe_url: str, env: dict[str, str] | None = None
) -> Iterator[Server]:
    # the server's messages go to a file, not a pipe: a pipe nobody reads while the benchmark
    # runs would fill (64 KiB) and stop the server at its next message
    with tempfile.TemporaryFile() as log:

        def messages() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-2000:]

        process = subprocess.Popen(
            args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            deadline = time.monotonic() + START_LIMIT_S
            while True:
                if process.poll() is not None:
                    raise BenchError(f"{name} exited: {messages()}")
                with contextlib.suppress(httpx.TransportError):
                    httpx.get(probe_url, timeout=2)
                    break
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"{name} did not answer within {START_LIMIT_S} s: {messages()}"
                    )
                time.sleep(0.1)
            yield Server(name, process, query_url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def drugkg(
    store: Path,
    workers: int,
    *,
    cache_mb: int = 0,
    name: str = "drugkg",
    env: dict[str, str] | None = None,
    remote: str | None = None,
    cpu: int | None = None,
) -> contextlib.AbstractContextManager[Server]:
    """`drugkg serve` (union default graph, the default) over `store`, or over the SPARQL
    server at `remote` (`--remote`), with a result cache of `cache_mb` MiB per server process
    (0: every request is evaluated by a query process) and any other `DRUGKG_*` variables in
    `env`; with `cpu`, confined to that CPU (`taskset`), its query processes too."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    source = ["--remote", remote] if remote is not None else ["--store", str(store)]
    args = [
        *(["taskset", "-c", str(cpu)] if cpu is not None else []),
        venv_binary("drugkg"),
        "serve",
        *source,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    variables = {**(env or {}), "DRUGKG_RESULT_CACHE_MB": str(cache_mb)}
    return running(name, args, base + "/sparql", base + "/", variables)


def oxigraph(
    store: Path, *, timeout: bool = True, union: bool = True
) -> contextlib.AbstractContextManager[Server]:
    """The oxigraph server from PyPI over the same store, default graph and time limit.

    Without `union` its default graph is its own (drugkg over it asks for the union with the
    `union-default-graph` parameter, which the returned server's `suffix` adds to direct
    queries). Without `timeout` it runs with no time limit: with `--timeout-s`, oxigraph
    0.5.13 starts a thread per query that lives for the whole limit, so under sustained load
    (thousands of requests a second, 30 s each) it runs out of threads, answers 500 ("Resource
    temporarily unavailable") and then aborts; throughput is measured without it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [
        venv_binary("oxigraph"),
        "serve-read-only",
        "--location",
        str(store),
        "--bind",
        f"127.0.0.1:{port}",
        *(["--union-default-graph"] if union else []),
        *(["--timeout-s", "30"] if timeout else []),
    ]
    return running("oxigraph", args, base + "/query", base + "/")


def floor(store: Path, *, thread: bool = False) -> contextlib.AbstractContextManager[Server]:
    """bench/floor.py over the same store: pyoxigraph evaluated on uvicorn's event loop, or
    with `thread` in a thread off it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "bench.floor", str(store), str(port)]
    if thread:
        args.append("--thread")
    return running("floor-thread" if thread else "floor", args, base + "/", base + "/")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    return found


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += _rss_kib(current)
        pending.extend(_children(current))
    return total / 1024


def _cpu_s(pid: int) -> float:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rpartition(")")[2].split()
        # utime and stime: fields 14 and 15 of proc(5), the 12th and 13th after the name
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def tree_cpu_s(pid: int) -> float:
    """CPU time (user and system) that a process and its living descendants have spent, in
    seconds (a descendant that exited meanwhile takes its share with it)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += _cpu_s(current)
        pending.extend(_children(current))
    return total


@dataclass
class PeakSampler:
    """Samples the resident memory of a process tree on a thread until stopped."""

    pid: int
    interval_s: float = 0.02
    peak_mib: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> PeakSampler:
        def sample() -> None:
            while not self._stop.is_set():
                self.peak_mib = max(self.peak_mib, tree_rss_mib(self.pid))
                self._stop.wait(self.interval_s)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
