"""Real servers on loopback for the linked-data tests: `python -m endpoint` on a built store,
the `oxigraph` server from PyPI holding a fixture, and Comunica from npm.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

START_LIMIT = 120.0
"""Seconds a server may take to come up (a readiness bound, not a measurement)."""

ROOT = Path(__file__).resolve().parents[2]
NODE_PREFIX = ROOT / "var" / "node"
COMUNICA = "@comunica/query-sparql@4"
WIKIDATA_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "wikidata-sample.ttl"
"""The Wikidata-shaped fixture (see its header)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes]) -> None:
    end = time.monotonic() + START_LIMIT
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}")
        try:
            if ready():
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_drugkg(store: Path, log: Path, **settings: str) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
    env.update({f"DRUGKG_{k.upper()}": v for k, v in settings.items()})
    env["DRUGKG_STORE"] = str(store)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "endpoint", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process)
    wait_until(lambda: httpx.get(server.url + "/", timeout=2).status_code == 200, "drugkg", process)
    return server


def oxigraph_binary() -> str:
    binary = Path(sys.executable).with_name("oxigraph")
    if binary.exists():
        return str(binary)
    found = shutil.which("oxigraph")
    assert found, "the oxigraph server (PyPI `oxigraph`, a dev dependency) is not installed"
    return found


def start_oxigraph(data: Path | None, location: Path) -> Server:
    """`oxigraph serve-read-only` on a new store holding `data` (or nothing)."""
    binary = oxigraph_binary()
    location.mkdir(parents=True, exist_ok=True)
    if data is None:  # an empty store of its own
        data = location.with_suffix(".empty.nt")
        data.write_text("")
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(f"http://127.0.0.1:{port}/query", process)
    wait_until(
        lambda: httpx.get(server.url, params={"query": "ASK {}"}, timeout=2).status_code == 200,
        "the oxigraph server",
        process,
    )
    return server


def comunica() -> Path:
    """The comunica-sparql command, installed with npm into var/node/ on first use."""
    command = NODE_PREFIX / "node_modules" / ".bin" / "comunica-sparql"
    if not command.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: Comunica cannot be installed")
        NODE_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(NODE_PREFIX), COMUNICA],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return command
