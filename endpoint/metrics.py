"""Prometheus metrics of a server, and `/metrics`, through `prometheus_client`.

    drugkg_http_requests_total{route,method,status}       requests answered, by route template
    drugkg_http_request_duration_seconds{route}           time from arrival to the last byte
    drugkg_queries_stopped_total{limit}                   `time` (ran past the time limit),
                                                          `wait` (no query process came free
                                                          within it), `memory` (over the limit)
    drugkg_query_processes_replaced_total{reason}         query processes that ended and were
                                                          replaced: `time`, `memory` (killed at a
                                                          limit), `crashed` (died by themselves
                                                          or killed from outside), `retired`
                                                          (left mid-answer by its client, or its
                                                          priority could not be raised again)
    drugkg_query_retries_total                            reads run again after their process died
    drugkg_result_cache_requests_total{result}            `hit`, `miss`, `bypass` (a query whose
                                                          answer may change is never cached)
    drugkg_remote_errors_total{reason}                    failures talking to a remote store

Routes are labelled by their template (`/{kind}/{slug}`, `/graph/{name:path}`), never by the
raw path, so resource IRIs add no series; a request answered before any route (a path no
route matches, a CORS preflight) is `<unrouted>`. The
health checks and `/metrics` are requests of their own routes, so what load balancers and
scrapers send can be told from (and summed apart from) real traffic.

Everything is recorded in the server process: the pool (`endpoint.execution.pool`) learns
there of each kill and replacement of its query processes, which record nothing. With
several server processes (`--workers N`), `endpoint.server` gives them one empty directory
in PROMETHEUS_MULTIPROC_DIR before they start; each then writes its values there, and
`/metrics`, whichever process answers it, reads every process's files (prometheus_client's
multiprocess mode). Only counters and histograms are used: they add up across processes,
and a process that ended keeps its counts.
"""

from __future__ import annotations

import os
import time
from typing import Literal, get_args

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
UNROUTED = "<unrouted>"
"""The route of a request answered before any route: no route matches its path, it is a
CORS preflight (method OPTIONS), or it was refused at once (no Host header)."""
SPARQL = "/sparql"

REQUESTS = Counter(
    "drugkg_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
DURATION = Histogram(
    "drugkg_http_request_duration_seconds",
    "Time from a request's arrival to the last byte of its answer, by route template.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
QUERIES_STOPPED = Counter(
    "drugkg_queries_stopped",
    "Queries stopped at a limit: time (ran past it), wait (no query process came free "
    "within it), memory.",
    ["limit"],
)
PROCESSES_REPLACED = Counter(
    "drugkg_query_processes_replaced",
    "Query processes that ended and were replaced, by why they ended.",
    ["reason"],
)
QUERY_RETRIES = Counter(
    "drugkg_query_retries",
    "Reads run again on a fresh query process after theirs died before answering.",
)
RESULT_CACHE = Counter(
    "drugkg_result_cache_requests",
    "Queries looked up in the result cache: hit, miss, or bypass (never cached).",
    ["result"],
)
REMOTE_ERRORS = Counter(
    "drugkg_remote_errors",
    "Failures talking to a remote SPARQL store: connect, timeout, status (an error "
    "status), protocol (an answer that could not be read).",
    ["reason"],
)

QUERIES_EVALUATED = Counter(
    "drugkg_queries_evaluated",
    "Queries answered by evaluation, by where: inline (in the server process) or pool (in a "
    "query process, endpoint.execution.pool).",
    ["where"],
)
INLINE_SET_ASIDE = Counter(
    "drugkg_inline_set_aside",
    "Queries that ran long on a server process's inline thread: the thread was lowered in "
    "priority and a fresh one took new work (endpoint.execution.inline).",
)
INLINE_RETIRED = Counter(
    "drugkg_inline_retired",
    "Server processes that retired because a query on their inline thread passed a limit: "
    "time or memory (endpoint.execution.inline).",
    ["reason"],
)

Limit = Literal["time", "wait", "memory"]
Replacement = Literal["time", "memory", "crashed", "retired"]
CacheResult = Literal["hit", "miss", "bypass"]
RemoteError = Literal["connect", "timeout", "status", "protocol"]
REMOTE_REASONS = frozenset(get_args(RemoteError))


def query_stopped(limit: Limit) -> None:
    QUERIES_STOPPED.labels(limit).inc()


def process_replaced(reason: Replacement) -> None:
    PROCESSES_REPLACED.labels(reason).inc()


def query_evaluated(where: Literal["inline", "pool"]) -> None:
    QUERIES_EVALUATED.labels(where).inc()


def inline_set_aside() -> None:
    INLINE_SET_ASIDE.inc()


def inline_retired(reason: str) -> None:
    INLINE_RETIRED.labels(reason).inc()


def query_retried() -> None:
    QUERY_RETRIES.inc()


def result_cache(result: CacheResult) -> None:
    RESULT_CACHE.labels(result).inc()


def remote_error(reason: str) -> None:
    """Count a failure to reach or read the remote store (one of the words of `RemoteError`,
    never a message: another word counts as `protocol`)."""
    REMOTE_ERRORS.labels(reason if reason in REMOTE_REASONS else "protocol").inc()


def exposition() -> tuple[bytes, str]:
    """Every metric in the text format: this process's, or with several server processes
    every one's (read from their files at each scrape)."""
    registry = REGISTRY
    if os.environ.get(MULTIPROCESS_VARIABLE):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST


async def metrics(_: Request) -> Response:
    body, media = exposition()
    return Response(body, headers={"content-type": media, "cache-control": "no-store"})


def install(app: FastAPI) -> None:
    """Add /metrics to `app`, described in its OpenAPI document."""
    app.add_api_route(
        "/metrics",
        metrics,
        methods=["GET"],
        summary="Prometheus metrics of the server (every server process)",
        response_class=Response,
        responses={
            200: {
                "description": "The metrics in Prometheus's text format.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )


def route_of(scope: Scope) -> str:
    """The template of the route that answered the request in `scope`, once answered."""
    if scope["path"] == SPARQL:  # the fast path answers it before any routing
        return SPARQL
    route = scope.get("route")  # the router leaves the route it chose in the scope
    if route is not None:
        return str(route.path)
    if "endpoint" in scope:  # a mounted app (static files): its prefix is the root path
        prefix: str = scope.get("root_path", "")[len(scope.get("app_root_path", "")) :]
        return prefix + "/{path}"
    return UNROUTED


class RequestMetrics:
    """ASGI middleware, outermost: count each request by route template, method and status,
    and time it to the end of its answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # unless an answer began

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self._record(scope, status, time.perf_counter() - start)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"]
        key = (route_of(scope), method if method in _METHODS else "other", status)
        series = self._series.get(key)
        if series is None:  # a few hundred at most: routes x methods x statuses
            route, method, _ = key
            series = (REQUESTS.labels(route, method, str(status)), DURATION.labels(route))
            self._series[key] = series
        count, duration = series
        count.inc()
        duration.observe(seconds)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
"""Methods labelled by name; any other a client sends is `other`."""
