"""The FastAPI application: routes, middleware and start-up.

    /                   home page (HTML): what the graph holds, and where to go
    /sparql             SPARQL 1.1 Protocol (GET, POST); without a query: service description
    /query              the query page: editor, example gallery, readable results
    /.well-known/void   VoID description of the dataset, its named graphs and link sets
    /dump.nq            the N-Quads dump of the store, when the build wrote one
    /id/<slug>          a resource, HTML or RDF by content negotiation (also /source/<doc-id>)
    /ontology           the ontology's documentation (HTML), or the ontology itself (RDF)
    /graph/<name>       a named graph: a page with its figures, or its triples for download
    /docs, /openapi.json  the HTTP API, with Swagger UI 5 served from the server itself
    /health/live, /health/ready, /health   health checks for load balancers (`endpoint.health`)
    /metrics            Prometheus metrics (`endpoint.metrics`)

At start-up the store's counts are read, or counted once per build (`graph.storage.statistics`), and
the pool of query processes is started (`endpoint.execution.pool`); with DRUGKG_REMOTE (`drugkg
serve --remote URL`) the same site answers from a remote SPARQL server instead
(`endpoint.execution.remote`). CORS allows GET and POST from
any origin without credentials. Responses over 1 KiB are gzipped when the client accepts
it, streamed ones included: compression goes chunk by chunk, so memory stays bounded and a
large CSV or JSON result (which compresses 5-10x) reaches the client sooner. GET and POST
/sparql take a short way past the middleware stack (`endpoint.sparql.fastpath`), which applies the
same CORS and gzip rules itself. The outermost middleware counts and times every request by
its route template, the fast path included (`endpoint.metrics`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Path
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

from endpoint import health, metrics, site
from endpoint.errors import EndpointError, NotFoundError, error_response
from endpoint.http import caching, transfer
from endpoint.http.hardening import Hardening
from endpoint.linkeddata import routes
from endpoint.linkeddata.routes import describe
from endpoint.querypage import page as querypage
from endpoint.settings import REMOTE_WRITABLE, ServerSettings
from endpoint.sparql.fastpath import SparqlFastPath
from endpoint.sparql.handler import LIMIT, TRUNCATED, sparql
from endpoint.sparql.openapi import (
    GRAPH_MEDIA,
    error,
    format_parameter,
    representations,
    sparql_paths,
)
from endpoint.sparql.resultcache import ResultCache
from endpoint.state import (
    CACHE_ENTRY_MAX,
    EndpointState,
    FollowsStore,
    follower_for,
    state_of,
)
from endpoint.writes import graphstore
from endpoint.writes.auth import WriteAccess
from endpoint.writes.runner import WriteRunner
from graph.errors import DrugkgError, StoreMissingError
from graph.pipeline.inputs import Sources, ontology_prefixes


def create_app(settings: ServerSettings) -> FastAPI:
    if settings.remote is not None and settings.writable:
        raise DrugkgError(REMOTE_WRITABLE)
    # a writable server without a usable token does not start (TokenFileError)
    access = (
        WriteAccess.from_file(settings.write_token_file)
        if settings.writable
        else WriteAccess.read_only()
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.remote is None and not settings.store.exists():
            raise StoreMissingError(settings.store)
        follower = follower_for(settings)
        await follower.start()
        cache = None
        if settings.result_cache_mb > 0:
            budget = settings.result_cache_mb * 1024 * 1024
            cache = ResultCache(budget, max_entry=CACHE_ENTRY_MAX)
        writes = None
        if access.writable:
            prefixes = ontology_prefixes(Sources.from_settings(settings), settings.base_iri)
            writes = WriteRunner(settings, prefixes)
            await writes.start()
        state = EndpointState(settings, follower, cache, access, writes)
        follower.listeners.append(state.moved)
        app.state.drugkg = state
        try:
            yield
        finally:
            if writes is not None:
                await writes.close()
            await follower.close()

    app = FastAPI(
        title="drugkg",
        summary="An open drug-policy knowledge graph with a SPARQL 1.1 endpoint",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # No OpenTelemetry here: otherwise FastAPI looks for configured providers on every
        # request, a cost /sparql cannot afford.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.router.routes.append(
        Route("/sparql", sparql, methods=["GET", "POST"], include_in_schema=False)
    )
    app.router.routes.append(
        Route(
            graphstore.PATH,
            graphstore.graph_store,
            methods=["GET", "HEAD", "PUT", "POST", "DELETE"],
            include_in_schema=False,
        )
    )
    swagger = StaticFiles(directory=site.SWAGGER_DIR, check_dir=False)
    app.mount(site.SWAGGER_PREFIX, swagger, name="swagger-ui")  # when `make vendor` ran
    querypage.install(app)  # /query, /query.json, /static/query: the query page
    app.include_router(routes.router)  # /ontology, /graph/<name>: linked-data IRIs
    health.install(app)  # /health/live, /health/ready, /health
    metrics.install(app)  # /metrics

    @app.get(
        "/",
        response_class=HTMLResponse,
        summary="Home page",
        responses=representations((), html=True),
    )
    async def home(request: Request) -> Response:
        state = state_of(request)
        tag = caching.etag(state.stats.build_id, "home")
        headers = caching.cache_headers(tag, settings.cache_max_age)
        if caching.matches(request.headers.get("if-none-match"), tag):
            return caching.not_modified(headers)
        body = await site.home_page(
            state.pool,
            state.stats,
            base=settings.base_iri,
            union_default_graph=settings.union_default_graph,
        )
        return HTMLResponse(body, headers=headers)

    @app.get(
        "/.well-known/void",
        summary="VoID description of the dataset (an HTML page for browsers)",
        response_class=Response,
        responses=representations(GRAPH_MEDIA, html=True),
        openapi_extra=format_parameter(html=True),
    )
    async def void(request: Request) -> Response:
        return state_of(request).description(request, "void")

    @app.get(
        "/dump.nq",
        summary="N-Quads dump of the store",
        response_class=FileResponse,
        responses={
            200: {"content": {"application/n-quads": {"schema": {"type": "string"}}}},
            404: error("The build wrote no dump."),
        },
    )
    async def dump(request: Request) -> Response:
        state = state_of(request)
        if not state.has_dump:
            missing = NotFoundError(f"no dump at {settings.dump_path}: the build did not write one")
            return error_response(missing, request.headers.get("accept"))
        return FileResponse(settings.dump_path, media_type="application/n-quads")

    @app.get(
        "/{kind}/{slug}",
        summary="A drugkg resource (/id/<slug>, /source/<doc-id>), described by content "
        "negotiation",
        response_class=Response,
        responses=representations(
            GRAPH_MEDIA, html=True, missing="Not a drugkg IRI, or one the graph says nothing of."
        ),
        openapi_extra=format_parameter(html=True),
    )
    async def resource(
        request: Request,
        kind: Annotated[str, Path(examples=["id", "source"])],
        slug: Annotated[str, Path(examples=["fentanyl", "thinkprogress-2017-doj-opioids"])],
    ) -> Response:
        return await describe(request, kind, slug)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(site.docs_page(app.openapi()))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            schema["paths"]["/sparql"] = sparql_paths(TRUNCATED, LIMIT)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(DrugkgError)
    @app.exception_handler(EndpointError)  # a page's query that failed (a remote store down)
    async def drugkg_error(request: Request, error: Exception) -> Response:
        return error_response(error, request.headers.get("accept"))

    app.add_middleware(GZipMiddleware, minimum_size=transfer.GZIP_MIN_BYTES, compresslevel=6)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "Authorization"],
        expose_headers=transfer.EXPOSED_HEADERS,  # the one rule, /sparql's fast path too
        allow_credentials=False,
        max_age=86400,
    )
    app.add_middleware(FollowsStore)  # every other path begins on the current version
    app.add_middleware(SparqlFastPath)  # GET/POST /sparql skip the stack
    app.add_middleware(Hardening)  # Host required, nosniff on every response
    app.add_middleware(metrics.RequestMetrics)  # outermost: every request counted and timed
    return app
