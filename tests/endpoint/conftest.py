"""Live servers on loopback ports for the endpoint tests: real processes, real stores.

Each server is `python -m endpoint` in a subprocess, with its own store in a temporary
directory and its settings in DRUGKG_* variables. A second endpoint for federation is the
`oxigraph` server from PyPI holding a small fixture.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from endpoint_stores import write_article_store, write_synthetic_store

START_LIMIT = 120.0
"""Seconds a server may take to come up (a readiness bound, not a measurement)."""

SYNTHETIC_ROWS = 200_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def children(pid: int) -> set[int]:
    """The direct child processes of `pid` (its query processes)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(x) for x in text)
    return found


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(predicate: object, what: str, limit: float = 30.0) -> None:
    """Poll `predicate` until it holds; fail naming `what` after `limit` seconds."""
    assert callable(predicate)
    end = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(workdir: Path, store: Path, **settings: str) -> LiveServer:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
    env.update({f"DRUGKG_{k.upper()}": v for k, v in settings.items()})
    env["DRUGKG_STORE"] = str(store)
    env.setdefault("DRUGKG_DUMP", str(store.with_name("drugkg.nq")))
    log = workdir / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "endpoint", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            return httpx.get(server.url + "/", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(ready, f"the server on port {port}", START_LIMIT)
    return server


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("endpoint")


@pytest.fixture(scope="session")
def article_store(workdir: Path) -> Path:
    store = workdir / "article" / "store"
    write_article_store(store, store.with_name("drugkg.nq"))
    return store


@dataclass
class Remote:
    url: str
    """The remote endpoint's query IRI (allow-listed)."""
    down: str
    """An allow-listed endpoint where nothing listens."""


REMOTE_FIXTURE = """\
<http://example.org/remote/r1> <http://www.w3.org/2000/01/rdf-schema#label> "remote one" .
<http://example.org/remote/r2> <http://www.w3.org/2000/01/rdf-schema#label> "remote two" .
"""


@pytest.fixture(scope="session")
def remote(workdir: Path) -> Iterator[Remote]:
    """A real second SPARQL endpoint: the oxigraph server, read-only, with two labels."""
    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        found = shutil.which("oxigraph")
        assert found, "the oxigraph server (PyPI `oxigraph`, a dev dependency) is not installed"
        binary = Path(found)
    data, location = workdir / "remote.nt", workdir / "remote-store"
    data.write_text(REMOTE_FIXTURE)
    subprocess.run(
        [str(binary), "load", "--location", str(location), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"

    def ready() -> bool:
        try:
            return httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(ready, "the oxigraph server", START_LIMIT)
        yield Remote(url=url, down=f"http://127.0.0.1:{free_port()}/query")
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def server(workdir: Path, article_store: Path, remote: Remote) -> Iterator[LiveServer]:
    """The article store, a 2 s time limit, and the remote endpoints allow-listed."""
    live = start_server(
        workdir,
        article_store,
        query_timeout="2",
        query_workers="2",
        federation_allowlist=f"{remote.url},{remote.down}",
    )
    yield live
    live.stop()


@pytest.fixture(scope="session")
def limited_server(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    """The article store with a result limit of 5."""
    live = start_server(workdir, article_store, result_limit="5", query_workers="1")
    yield live
    live.stop()


@pytest.fixture(scope="session")
def big_server(workdir: Path) -> Iterator[LiveServer]:
    """A synthetic store of SYNTHETIC_ROWS labelled resources, to stream."""
    store = workdir / "big" / "store"
    write_synthetic_store(store, SYNTHETIC_ROWS)
    live = start_server(workdir, store, query_timeout="120", query_workers="1")
    yield live
    live.stop()
