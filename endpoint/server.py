"""Run the endpoint with uvicorn: `drugkg serve` and `make serve` end here.

With one worker the app is built in this process. With several, uvicorn starts worker
processes that each import `app_from_environment`, which rebuilds the same settings from
`DRUGKG_SERVE_SETTINGS` (JSON written here); each worker opens the store read-only and has
its own pool of query processes.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from endpoint.app import create_app
from endpoint.stats import load_or_compute
from graph.settings import Settings

SETTINGS_VARIABLE = "DRUGKG_SERVE_SETTINGS"


def app_from_environment() -> FastAPI:
    return create_app(Settings.model_validate_json(os.environ[SETTINGS_VARIABLE]))


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the store at settings.store on http://host:port until interrupted."""
    options = {"host": host, "port": port, "access_log": False, "log_level": "info"}
    if workers <= 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return
    load_or_compute(settings.store)  # count once here, so the worker processes read the file
    os.environ[SETTINGS_VARIABLE] = settings.model_dump_json()
    uvicorn.run("endpoint.server:app_from_environment", factory=True, workers=workers, **options)  # type: ignore[arg-type]
