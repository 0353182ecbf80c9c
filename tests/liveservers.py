"""Real servers on loopback ports for the tests, started, awaited and stopped in one way.

    start_drugkg(store, log_dir, **settings)  drugkg on `store` (`python -m endpoint`, or
                                              `drugkg serve` with cli=True), its settings
                                              given as DRUGKG_* variables
    start_oxigraph(location, data, log_dir)   the `oxigraph` server from PyPI, read-only, on a
                                              new store at `location` holding `data` (or
                                              writable: `oxigraph serve`, its Graph Store
                                              Protocol at /store, updates at /update)
    start_virtuoso(root, log_dir, users)      Virtuoso Open Source 7 (Debian's package) on a
                                              fresh database under `root`, with the ini of
                                              bench/virtuoso.py, the users given and
                                              its cut (`max_rows`); unavailable() without it
    LiveServer                                its base URL, SPARQL URL, process and log,
                                              and its metrics (`metric`, read with
                                              prometheus_client's own parser)
    InProcessServer(app)                      an ASGI app (drugkg's) on uvicorn on a thread of
                                              the test process: real HTTP over loopback without
                                              an interpreter start (the W3C suite starts one
                                              per dataset)
    comunica()                                the Comunica engine from npm, installed on first use

A server that exits before it answers fails the test with its log; one that does not answer
within START_LIMIT seconds (a readiness bound, not a measurement) fails it too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NoReturn

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench import virtuoso

START_LIMIT = 120.0


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(message: str) -> NoReturn:
    """What a test needs is not on this machine: skip with `message`, or fail in CI, where
    the set-up installs everything the tests need."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(predicate: Callable[[], object], what: str, limit: float = START_LIMIT) -> None:
    """Poll `predicate` until it holds (a refused connection counts as not yet); fail naming
    `what` after `limit` seconds."""
    end = time.monotonic() + limit
    while True:
        try:
            if predicate():
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def venv_binary(name: str) -> str:
    """A console script of this virtual environment (drugkg, oxigraph)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found is not None, f"`{name}` is not installed in the virtual environment"
    return found


@dataclass
class LiveServer:
    url: str
    """Base URL, http://127.0.0.1:PORT."""
    sparql: str
    """Where SPARQL queries go."""
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def metric(self, name: str, **labels: str) -> float:
        """The sum of the samples `name` of the server's /metrics whose labels include
        `labels` (0 when there is none)."""
        return metric(httpx.get(self.url + "/metrics", timeout=10).text, name, **labels)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def metric(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples `name` in a Prometheus text `exposition` whose labels include
    `labels`."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def _start(
    args: list[str], url: str, sparql: str, log: Path, env: dict[str, str], probe: str
) -> LiveServer:
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = LiveServer(url, sparql, process, log)

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"{args[0]} exited with {process.returncode}:\n{log.read_text()}")
        return httpx.get(probe, timeout=2).status_code == 200

    try:
        wait_until(ready, f"{Path(args[0]).name} on {url}")
    except BaseException:
        server.stop()
        raise
    return server


def start_drugkg(
    store: Path,
    log_dir: Path,
    *,
    cli: bool = False,
    port: int | None = None,
    ready: str = "/",
    **settings: str,
) -> LiveServer:
    """drugkg serving `store` on `port` (a free one by default), with `settings` as DRUGKG_*
    variables, once `ready` (the home page by default) answers 200."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
    env.update({f"DRUGKG_{k.upper()}": v for k, v in settings.items()})
    env["DRUGKG_STORE"] = str(store)
    if cli:
        args = [venv_binary("drugkg"), "serve", "--store", str(store), "--port", str(port)]
    else:
        args = [sys.executable, "-m", "endpoint", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    log = log_dir / f"drugkg-{port}.log"
    return _start(args, url, url + "/sparql", log, env, probe=url + ready)


def start_oxigraph(
    location: Path,
    data: Path | None,
    log_dir: Path,
    *,
    load: bool = True,
    writable: bool = False,
    union_default_graph: bool = False,
    port: int | None = None,
) -> LiveServer:
    """`oxigraph serve-read-only` on a new store at `location` holding `data` (or nothing);
    with `load=False`, on the store already at `location`. `writable`: `oxigraph serve`
    (the Graph Store Protocol at /store, updates at /update), on a new store holding `data`
    or on one it makes itself; `union_default_graph`: queries see the union of the graphs as
    their default graph; on `port` when given."""
    binary = venv_binary("oxigraph")
    if load and (data is not None or not writable):
        location.mkdir(parents=True, exist_ok=True)
        if data is None:  # read-only serving needs a store that exists: an empty one
            data = location.with_suffix(".empty.nt")
            data.write_text("")
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(data)],
            check=True,
            capture_output=True,
        )
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = "serve" if writable else "serve-read-only"
    args = [binary, command, "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    log = log_dir / f"oxigraph-{port}.log"
    probe = url + "/query?query=ASK%7B%7D"
    return _start(args, url, url + "/query", log, dict(os.environ), probe=probe)


VIRTUOSO_USER = virtuoso.USER
VIRTUOSO_PASSWORD = virtuoso.PASSWORD
"""The administrator of a fresh Virtuoso database (it may use every endpoint)."""


def start_virtuoso(
    root: Path,
    log_dir: Path,
    users: Sequence[tuple[str, str, Sequence[str]]] = (),
    *,
    max_rows: int = 1_000_000,
) -> LiveServer:
    """`virtuoso-t +foreground` on a fresh database in `root` (bench/virtuoso.py writes its
    ini): the SQL and HTTP ports free loopback ports, queries at /sparql, the Graph Store
    Protocol (Digest) at /sparql-graph-crud-auth, updates (Digest) at /sparql-auth. `users`
    are made with their passwords and granted their roles (SPARQL_UPDATE to write) through
    `isql-vt`. `max_rows` is its ResultSetMaxRows, where it cuts every answer.
    unavailable() when Debian's virtuoso-opensource is not installed (`make virtuoso`
    installs it as root)."""
    found = virtuoso.binaries()
    if found is None:
        unavailable(
            "virtuoso-t is not installed: `apt-get install virtuoso-opensource` "
            "(`make virtuoso` does it as root)"
        )
    binary, isql = found
    configured = virtuoso.configure(root, binary, max_rows=max_rows)
    url = configured.url
    log = log_dir / f"virtuoso-{url.rsplit(':', 1)[1]}.log"
    probe = url + "/sparql?query=ASK%7B%7D"
    server = _start(configured.args, url, configured.sparql, log, dict(os.environ), probe=probe)
    statements = virtuoso.user_statements(users)
    if statements:
        refused = virtuoso.run_sql(isql, configured.sql_port, statements)
        if refused is not None:
            server.stop()
            pytest.fail(f"isql-vt could not make the users:\n{refused}")
    return server


@contextlib.contextmanager
def handler_serving(handler: type[BaseHTTPRequestHandler], path: str) -> Iterator[str]:
    """`handler` answering on a free loopback port (the standard library's threading HTTP
    server, on a daemon thread): its URL with `path`; shut down when the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        server.shutdown()
        server.server_close()


class InProcessServer:
    """An ASGI app on uvicorn, on a thread of the test process, on a free loopback port."""

    def __init__(self, app: object, path: str = "/sparql") -> None:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}"
        self.sparql = self.url + path
        config = uvicorn.Config(app, log_level="warning", lifespan="on")  # type: ignore[arg-type]
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()

        def up() -> bool:
            if not self._thread.is_alive():
                pytest.fail(f"the in-process server for {self.url} stopped before answering")
            return httpx.get(self.sparql, timeout=2).status_code < 500

        wait_until(up, f"the in-process server on {self.url}")

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        if self._thread.is_alive():
            raise RuntimeError(f"the server at {self.url} did not stop")


NODE_PREFIX = Path(__file__).resolve().parents[1] / "var" / "node"
COMUNICA = "@comunica/query-sparql@4"


def comunica() -> Path:
    """The comunica-sparql command, installed with npm into var/node/ on first use."""
    command = NODE_PREFIX / "node_modules" / ".bin" / "comunica-sparql"
    if not command.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm is not installed: Comunica cannot be installed"
            unavailable(message)
        NODE_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(NODE_PREFIX), COMUNICA],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return command
