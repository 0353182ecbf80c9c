"""The FastAPI application: routes, middleware and start-up.

    /                   home page (HTML): what the graph holds, and where to go
    /sparql             SPARQL 1.1 Protocol (GET, POST); without a query: service description
    /query              the query page: editor, example gallery, readable results
    /.well-known/void   VoID description of the dataset, its named graphs and link sets
    /dump.nq            the N-Quads dump of the store, when the build wrote one
    /id/<slug>          a resource, HTML or RDF by content negotiation (also /source/<doc-id>)
    /ontology           the ontology's documentation (HTML), or the ontology itself (RDF)
    /graph/<name>       a named graph: a page with its figures, or its triples for download
    /docs, /openapi.json  the HTTP API, with Swagger UI served locally

At start-up the store's counts are read, or counted once per build (`endpoint.stats`), and
the pool of query processes is started (`endpoint.execution`). CORS allows GET and POST from
any origin without credentials. Responses over 1 KiB are gzipped when the client accepts
it, streamed ones included: compression goes chunk by chunk, so memory stays bounded and a
large CSV or JSON result (which compresses 5-10x) reaches the client sooner. GET and POST
/sparql take a short way past the middleware stack (`endpoint.fastpath`), which applies the
same CORS and gzip rules itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from pyoxigraph import serialize
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from endpoint import caching, pages, querypage, resources, transfer
from endpoint.description import service_description, void_description
from endpoint.errors import EndpointError, NotFoundError, error_response
from endpoint.execution import PoolConfig, QueryPool
from endpoint.fastpath import SparqlFastPath
from endpoint.hardening import Hardening
from endpoint.negotiation import ResultKind, choose
from endpoint.openapi import sparql_paths
from endpoint.resources import describe
from endpoint.resultcache import ResultCache
from endpoint.sparql import LIMIT, TRUNCATED, sparql
from endpoint.stats import StoreStats
from endpoint.versions import Generation, VersionFollower
from graph.errors import DrugkgError, StoreMissingError
from graph.inputs import Sources, ontology_prefixes
from graph.settings import Settings


@dataclass
class EndpointState:
    settings: Settings
    follower: VersionFollower
    cache: ResultCache | None = None
    _described: dict[tuple[str, str, str, str], bytes] = field(default_factory=dict)

    @property
    def generation(self) -> Generation:
        """The store version answering now, with its counts and query processes; a request
        takes it once and uses it throughout, so no answer mixes two versions."""
        return self.follower.current

    @property
    def stats(self) -> StoreStats:
        return self.follower.current.stats

    @property
    def pool(self) -> QueryPool:
        return self.follower.current.pool

    @property
    def has_dump(self) -> bool:
        return self.settings.dump_path.is_file()

    def moved(self, _: Generation) -> None:
        """A new store version answers: what was kept of the old one is dropped."""
        self._described.clear()
        if self.cache is not None:
            self.cache.clear()

    def description(self, request: Request, which: str) -> Response:
        """The service or VoID description, negotiated like a CONSTRUCT result."""
        accept = request.headers.get("accept")
        fmt = request.query_params.get("format")
        try:
            rep = choose(ResultKind.GRAPH, accept, fmt)
        except EndpointError as error:
            return error_response(error, accept)
        stats = self.stats
        headers = {"vary": "Accept", "content-type": rep.content_type}
        tag = caching.etag(stats.build_id, which, rep.media_type, str(request.base_url))
        headers.update(caching.cache_headers(tag, self.settings.cache_max_age))
        if caching.matches(request.headers.get("if-none-match"), tag):
            return caching.not_modified(headers)
        root = str(request.base_url)
        key = (stats.build_id, which, rep.media_type, root)
        body = self._described.get(key)
        if body is None:
            if which == "service":
                triples = service_description(self.settings, stats, root)
            else:
                triples = void_description(self.settings, stats, root, has_dump=self.has_dump)
            body = serialize(triples, format=rep.rdf_format, prefixes=_PREFIXES) or b""
            if len(self._described) < _DESCRIBED_MAX:  # the Host header is the client's choice
                self._described[key] = body
        return Response(body, 200, headers)


CACHE_ENTRY_MAX = 1024 * 1024
"""Largest answer body the result cache keeps."""

_DESCRIBED_MAX = 256
"""Descriptions kept ready, per (which, media type, root URL)."""

_PREFIXES = {
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dks": "https://w3id.org/drugkg/service#",
}


def _state(request: Request) -> EndpointState:
    state: EndpointState = request.app.state.drugkg
    return state


def pool_factory(settings: Settings) -> Callable[[Path], QueryPool]:
    """How the server starts a pool of query processes on one version of the store."""
    prefixes = ontology_prefixes(Sources.from_settings(settings), settings.base_iri)
    memory = settings.query_memory_mb

    def make(version: Path) -> QueryPool:
        worker = {
            "store": str(version),
            "union_default_graph": settings.union_default_graph,
            "result_limit": settings.result_limit,
            "federation_allowlist": settings.federation_allowlist,
            "prefixes": prefixes,
            "max_query_chars": settings.max_request_bytes,
        }
        return QueryPool(
            PoolConfig(
                worker_config=worker,
                size=settings.query_workers,
                max_size=settings.query_workers_max,
                timeout=settings.query_timeout,
                memory_limit=memory * 1024 * 1024 if memory is not None else None,
            )
        )

    return make


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.store.exists():
            raise StoreMissingError(settings.store)
        follower = VersionFollower(settings.store, pool_factory(settings))
        await follower.start()
        cache = None
        if settings.result_cache_mb > 0:
            budget = settings.result_cache_mb * 1024 * 1024
            cache = ResultCache(budget, max_entry=CACHE_ENTRY_MAX)
        state = EndpointState(settings, follower, cache)
        follower.listeners.append(state.moved)
        app.state.drugkg = state
        try:
            yield
        finally:
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
    app.mount(pages.SWAGGER_PREFIX, StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    querypage.install(app)  # /query, /query.json, /static/query: the query page
    app.include_router(resources.router)  # /ontology, /graph/<name>: linked-data IRIs

    @app.get("/", response_class=HTMLResponse, summary="Home page")
    async def home(request: Request) -> Response:
        state = _state(request)
        tag = caching.etag(state.stats.build_id, "home")
        headers = caching.cache_headers(tag, settings.cache_max_age)
        if caching.matches(request.headers.get("if-none-match"), tag):
            return caching.not_modified(headers)
        body = pages.home_page(state.stats, union_default_graph=settings.union_default_graph)
        return HTMLResponse(body, headers=headers)

    @app.get(
        "/.well-known/void",
        summary="VoID description of the dataset",
        response_class=Response,
        responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}}}},
    )
    async def void(request: Request) -> Response:
        return _state(request).description(request, "void")

    @app.get("/dump.nq", summary="N-Quads dump of the store", response_class=FileResponse)
    async def dump(request: Request) -> Response:
        state = _state(request)
        if not state.has_dump:
            missing = NotFoundError(f"no dump at {settings.dump_path}: the build did not write one")
            return error_response(missing, request.headers.get("accept"))
        return FileResponse(settings.dump_path, media_type="application/n-quads")

    @app.get(
        "/{kind}/{slug}",
        summary="A drugkg resource (/id/<slug>, /source/<doc-id>), described by content "
        "negotiation",
        response_class=Response,
        responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}}}},
    )
    async def resource(request: Request, kind: str, slug: str) -> Response:
        return await describe(request, kind, slug)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return pages.docs_page()

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
    async def drugkg_error(request: Request, error: Exception) -> Response:
        return error_response(error, request.headers.get("accept"))

    app.add_middleware(GZipMiddleware, minimum_size=transfer.GZIP_MIN_BYTES, compresslevel=6)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=transfer.EXPOSED_HEADERS,  # the one rule, /sparql's fast path too
        allow_credentials=False,
        max_age=86400,
    )
    app.add_middleware(SparqlFastPath)  # GET/POST /sparql skip the stack
    app.add_middleware(Hardening)  # outermost: Host required, nosniff on every response
    return app
