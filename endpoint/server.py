"""Run the endpoint with uvicorn: `drugkg serve` and `make serve` end here.

With one worker the app is built in this process. With several, uvicorn starts worker
processes that each import `app_from_environment`, which rebuilds the same settings from
`DRUGKG_SERVE_SETTINGS` (JSON written here); each worker holds the store's current version,
follows it to newer ones, and has its own pool of query processes. Each server process is
pinned to one CPU with its query processes (`endpoint.execution.cpus`; DRUGKG_CPU_AFFINITY).
The worker processes also get one new, empty directory in PROMETHEUS_MULTIPROC_DIR (unless
it is set already), where each writes its metrics for `/metrics` to read them all
(`endpoint.metrics`); the variable is set here, before uvicorn starts them, so every one
of them has it from its first import.

With DRUGKG_INLINE_EVALUATION on, `serve` runs uvicorn's supervisor for one server process
too, since a server process whose inline query ran past its limit retires and must be
replaced (`endpoint.execution.inline`).

Connections are served by `endpoint.http.connections` (uvicorn's httptools protocol with bounds
on slow headers, header size, slow bodies), with uvicorn's keep-alive timeout and
concurrency limit from the settings, and as many open files as the system allows, so that
hundreds of idle connections leave room for new clients.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from endpoint.app import create_app
from endpoint.execution import cpus, inline
from endpoint.http import connections
from endpoint.metrics import MULTIPROCESS_VARIABLE
from endpoint.settings import ServerSettings
from graph.storage.statistics import load_or_compute
from graph.storage.versions import current_version

SETTINGS_VARIABLE = "DRUGKG_SERVE_SETTINGS"
CPU_SLOTS_VARIABLE = "DRUGKG_SERVE_CPU_SLOTS"
"""The directory where the server processes of one `serve` claim their CPUs."""
RETIRE_MARGIN = 5.0
"""Seconds beyond the longest request a retiring server process waits before it exits."""


def _prepare(settings: ServerSettings) -> None:
    """What every server process sets before it accepts a connection (and before it starts
    its query processes, which inherit its CPU)."""
    if settings.cpu_affinity:
        slots = os.environ.get(CPU_SLOTS_VARIABLE)
        cpus.pin_server(Path(slots) if slots else None)
    connections.configure(
        connections.ConnectionLimits(
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            max_header_bytes=settings.max_header_bytes,
            # a GET query travels percent-encoded in the request line: up to 3 bytes a byte
            max_request_line_bytes=3 * settings.max_request_bytes + 4096,
        )
    )
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        with contextlib.suppress(ValueError, OSError):  # else keep the soft limit
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _retire(settings: ServerSettings) -> Callable[[str], None]:
    """How a supervised server process retires (`endpoint.execution.inline`): as on SIGTERM,
    it stops accepting connections, finishes the requests it has and exits; its supervisor
    starts a fresh one. Should a request not finish, it exits anyway once every request it
    had must have ended (their time limit), with a margin."""

    def retire(_why: str) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        margin = settings.query_timeout + settings.body_timeout + RETIRE_MARGIN
        timer = threading.Timer(margin, os._exit, (0,))
        timer.daemon = True
        timer.start()

    return retire


def app_from_environment() -> FastAPI:
    """The app of one server process started by uvicorn's supervisor, which replaces it when
    it ends: such a process may evaluate queries itself (`endpoint.execution.inline`)."""
    settings = ServerSettings.model_validate_json(os.environ[SETTINGS_VARIABLE])
    _prepare(settings)
    if settings.inline_evaluation:
        inline.supervise(_retire(settings))
    return create_app(settings)


def uvicorn_options(settings: ServerSettings, host: str, port: int) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "access_log": False,
        "log_level": "info",
        "http": connections.BoundedHttpToolsProtocol,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.max_connections,
        "backlog": 2048,
    }


def serve(
    settings: ServerSettings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1
) -> None:
    """Serve the store at settings.store on http://host:port until interrupted."""
    options = uvicorn_options(settings, host, port)
    if workers <= 1 and not settings.inline_evaluation:
        _prepare(settings)
        uvicorn.run(create_app(settings), **options)
        return
    if settings.remote is None:  # count once here, so the worker processes read the file
        load_or_compute(current_version(settings.store))
    os.environ[SETTINGS_VARIABLE] = settings.model_dump_json()
    slots = tempfile.mkdtemp(prefix="drugkg-cpus-")
    os.environ[CPU_SLOTS_VARIABLE] = slots
    made = [slots]
    if not os.environ.get(MULTIPROCESS_VARIABLE):
        os.environ[MULTIPROCESS_VARIABLE] = tempfile.mkdtemp(prefix="drugkg-metrics-")
        made.append(os.environ[MULTIPROCESS_VARIABLE])
    try:
        config = uvicorn.Config(
            "endpoint.server:app_from_environment", factory=True, workers=workers, **options
        )
        # uvicorn's supervisor, for one server process too: it replaces a process that ends
        with contextlib.suppress(KeyboardInterrupt):
            Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        for directory in made:
            shutil.rmtree(directory, ignore_errors=True)
