"""SPARQL servers on loopback ports, each over a store built for one test dataset.

Two kinds of server answer the same HTTP requests:
- `drugkg`: our endpoint, `endpoint.app.create_app(settings)` served by uvicorn on a thread of
  the test process (real HTTP over loopback; no interpreter start per dataset), with the
  standard dataset semantics (`union_default_graph=False`);
- `oxigraph`: the `oxigraph serve-read-only` server from PyPI, as a reference.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx
import pyoxigraph as ox

from .manifest import Dataset

_START_LIMIT_S = 30.0


class ServerError(Exception):
    """A server that did not start or answer: names the server and its output."""


class Running(Protocol):
    url: str

    def close(self) -> None: ...


def build_store(dataset: Dataset, directory: Path) -> Path:
    """A fresh on-disk store: qt:data in the default graph, qt:graphData named by file IRI."""
    store = ox.Store(str(directory))
    for suite_file in dataset.default:
        store.load(
            path=suite_file.path,
            format=ox.RdfFormat.from_extension(suite_file.path.suffix[1:]),
            base_iri=suite_file.iri,
        )
    for suite_file in dataset.named:
        store.load(
            path=suite_file.path,
            format=ox.RdfFormat.from_extension(suite_file.path.suffix[1:]),
            base_iri=suite_file.iri,
            to_graph=ox.NamedNode(suite_file.iri),
        )
    store.flush()
    del store
    gc.collect()  # release the store's lock before a server opens it
    return directory


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, alive: object = None) -> None:
    """Poll `url` until it answers; `alive()` (if given) says whether to keep waiting."""
    deadline = time.monotonic() + _START_LIMIT_S
    while time.monotonic() < deadline:
        if callable(alive) and not alive():
            raise ServerError(f"server for {url} exited before answering")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=2.0)
            return
        time.sleep(0.02)
    raise ServerError(f"no answer from {url} within {_START_LIMIT_S} s")


@dataclass
class OxigraphServer:
    """`oxigraph serve-read-only` over a store directory, on a free loopback port."""

    store: Path
    url: str = ""
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> OxigraphServer:
        binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
        if binary is None:
            raise ServerError("the oxigraph server (PyPI package `oxigraph`) is not installed")
        port = free_port()
        self._process = subprocess.Popen(
            [
                binary,
                "serve-read-only",
                "--location",
                str(self.store),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        process = self._process
        wait_until_up(base + "/", alive=lambda: process.poll() is None)
        self.url = base + "/query"
        return self

    def close(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.communicate(timeout=10)
            self._process = None


@dataclass
class DrugkgServer:
    """Our endpoint's app on uvicorn, on a thread of this process, over a store directory."""

    store: Path
    url: str = ""
    _server: object = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> DrugkgServer:
        import uvicorn

        from endpoint.app import create_app
        from graph.settings import Settings

        settings = Settings(store=self.store, union_default_graph=False)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
        config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        self._server, self._thread = server, thread
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/sparql", alive=thread.is_alive)
        self.url = base + "/sparql"
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True  # type: ignore[attr-defined]
            self._thread.join(timeout=30)
            if self._thread.is_alive():
                raise ServerError(f"the server at {self.url} did not stop")
            self._thread = None


def start(kind: str, store: Path) -> Running:
    if kind == "drugkg":
        return DrugkgServer(store).start()
    if kind == "oxigraph":
        return OxigraphServer(store).start()
    raise ServerError(f"unknown server kind {kind!r}: use drugkg or oxigraph")
