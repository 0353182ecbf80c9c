"""Health checks for load balancers and process managers.

    /health/live    200 while the server process answers at all (it checks nothing else)
    /health/ready   200 when the server can answer queries: a query process is running and
                    a probe query (`PROBE`, which reads the store) comes back through the
                    query processes within PROBE_TIMEOUT seconds; else 503, and the body
                    says what is not ready
    /health         the same as /health/ready

Both answer JSON, with `Cache-Control: no-store` (a check that a cache answered would say
nothing). The probe runs on the store version now answering, never through the result cache,
and is counted under its own route in the metrics (`endpoint.metrics`), not as a query. Its
cost is one store lookup on a warm query process, and taking the last free one starts no spare
(a query would: with one query process kept warm, checks every second would keep a second
one starting and, idle, retiring); when
every query process is busy past the probe's time limit, the server is not ready (a load
balancer then sends queries elsewhere).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from endpoint.errors import EndpointError, NotReadyError, error_response
from endpoint.execution import wire
from endpoint.execution.remote.follower import RemoteGeneration
from endpoint.state import state_of
from graph.errors import DrugkgError

PROBE = "ASK { ?s ?p ?o }"
"""Reads the store (its first quad), whatever it holds; true or false, it answered."""
PROBE_TIMEOUT = 2.0
"""Seconds the probe may take, waiting for a query process included."""

_NO_STORE = {"cache-control": "no-store"}

_LIVE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"status": {"const": "live"}},
    "required": ["status"],
}
_READY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"enum": ["ready", "not ready"]},
        "version": {"type": "string", "description": "The store version answering."},
        "query_processes": {"type": "integer", "description": "Query processes running."},
        "probe_ms": {"type": "number", "description": "Time the probe query took."},
        "problems": {
            "type": "array",
            "items": {"type": "string"},
            "description": "What is not ready (when not ready).",
        },
    },
    "required": ["status", "version", "query_processes"],
}
_READY_RESPONSES: dict[int | str, Any] = {
    200: {
        "description": "Ready: the store answered the probe query through a query process.",
        "content": {"application/json": {"schema": _READY_SCHEMA}},
    },
    503: {
        "description": "Not ready: no query process is running, or the probe query got no "
        "answer in time; `problems` says which.",
        "content": {"application/json": {"schema": _READY_SCHEMA}},
    },
}


async def live(_: Request) -> JSONResponse:
    return JSONResponse({"status": "live"}, headers=_NO_STORE)


async def ready(request: Request) -> Response:
    state = state_of(request)
    generation = state.generation
    running = len(state.follower.pool.pids)
    problems: list[str] = []
    version = (
        generation.pool.look.build_id
        if isinstance(generation, RemoteGeneration)
        else generation.version.name
    )
    body: dict[str, Any] = {"version": version, "query_processes": running}
    if not running:
        problems.append("no query process is running (they are being started)")
    start = time.perf_counter()
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            probe = wire.Job(PROBE, None, None, None, "json")
            answer = await generation.pool.run(probe, spare=False)
            if answer.chunks is not None:  # an ASK answer is whole; read a stream to its end
                async for _ in answer.chunks:
                    pass
    except TimeoutError:
        problems.append(
            f"the probe query got no answer within {PROBE_TIMEOUT:g} s "
            "(every query process busy, or the store does not answer)"
        )
    except (EndpointError, DrugkgError) as error:
        problems.append(f"the probe query failed: {error}")
    else:
        body["probe_ms"] = round((time.perf_counter() - start) * 1000, 2)
    if problems:
        return error_response(
            NotReadyError({"status": "not ready", **body, "problems": problems}, problems)
        )
    return JSONResponse({"status": "ready", **body}, headers=_NO_STORE)


def install(app: FastAPI) -> None:
    """Add the health routes to `app`, described in its OpenAPI document."""
    app.add_api_route(
        "/health/live",
        live,
        methods=["GET"],
        summary="Liveness: the server process answers",
        response_class=JSONResponse,
        responses={
            200: {
                "description": "The server process answers.",
                "content": {"application/json": {"schema": _LIVE_SCHEMA}},
            }
        },
    )
    for path, summary in (
        ("/health/ready", "Readiness: the store answers a probe query through the query processes"),
        ("/health", "Readiness (the same as /health/ready)"),
    ):
        app.add_api_route(
            path,
            ready,
            methods=["GET"],
            summary=summary,
            response_class=JSONResponse,
            responses=_READY_RESPONSES,
        )
