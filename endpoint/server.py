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
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from endpoint.app import create_app
from endpoint.execution import cpus
from endpoint.http import connections
from endpoint.metrics import MULTIPROCESS_VARIABLE
from endpoint.settings import ServerSettings
from graph.storage.statistics import load_or_compute
from graph.storage.versions import current_version

SETTINGS_VARIABLE = "DRUGKG_SERVE_SETTINGS"
CPU_SLOTS_VARIABLE = "DRUGKG_SERVE_CPU_SLOTS"
"""The directory where the server processes of one `serve` claim their CPUs."""


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


def app_from_environment() -> FastAPI:
    settings = ServerSettings.model_validate_json(os.environ[SETTINGS_VARIABLE])
    _prepare(settings)
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
    if workers <= 1:
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
        uvicorn.run(
            "endpoint.server:app_from_environment", factory=True, workers=workers, **options
        )
    finally:
        for directory in made:
            shutil.rmtree(directory, ignore_errors=True)
