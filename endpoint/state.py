"""What a server process holds while it runs: settings, the store version, caches.

`EndpointState` is created at start-up (`endpoint.app`) and reached by every handler through
`request.app.state.drugkg` (`state_of`). It answers from the current generation of the store
(`endpoint.execution.versions`), or of the remote store it was started on
(`endpoint.execution.remote.follower`), and keeps what is derived from it (the service and
VoID descriptions, the result cache) for as long as that generation answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import serialize
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from endpoint.errors import EndpointError, ReadOnlyError, error_response
from endpoint.execution.pool import PoolConfig, QueryPool
from endpoint.execution.remote.follower import RemoteFollower, RemoteGeneration, RemotePool
from endpoint.execution.versions import Generation, VersionedPool, VersionFollower
from endpoint.http import caching
from endpoint.linkeddata import descriptions
from endpoint.linkeddata.negotiation import wants_html
from endpoint.settings import ServerSettings
from endpoint.sparql.description import service_description, void_description
from endpoint.sparql.negotiation import choose
from endpoint.sparql.resultcache import ResultCache
from endpoint.writes.auth import WriteAccess
from endpoint.writes.runner import WriteRunner
from graph.pipeline.inputs import Sources, ontology_prefixes
from graph.query.formats import Kind
from graph.storage.statistics import StoreStats

Follower = VersionFollower | RemoteFollower
"""What a server answers from: the store's versions, or a remote store."""


@dataclass
class EndpointState:
    settings: ServerSettings
    follower: Follower
    cache: ResultCache | None = None
    access: WriteAccess = field(default_factory=WriteAccess.read_only)
    writes: WriteRunner | None = None
    _described: dict[tuple[str, str, str, str], bytes] = field(default_factory=dict)

    @property
    def generation(self) -> Generation | RemoteGeneration:
        """The store version answering now, with its counts and query processes; a request
        takes it once and uses it throughout, so no answer mixes two versions."""
        return self.follower.current

    @property
    def stats(self) -> StoreStats:
        return self.follower.current.stats

    @property
    def pool(self) -> VersionedPool | RemotePool:
        return self.follower.current.pool

    def writer(self) -> WriteRunner:
        """The write process; only a writable server has one."""
        if self.writes is None:
            raise ReadOnlyError()
        return self.writes

    @property
    def has_dump(self) -> bool:
        """A dump to serve: the build's, beside the store (over a remote store, none: the
        local dump need not be what the remote holds)."""
        return self.settings.remote is None and self.settings.dump_path.is_file()

    def moved(self, _: Generation | RemoteGeneration) -> None:
        """A new store version answers: what was kept of the old one is dropped."""
        self._described.clear()
        if self.cache is not None:
            self.cache.clear()

    def description(self, request: Request, which: str) -> Response:
        """The service or VoID description, negotiated like a CONSTRUCT result; a page
        (`endpoint.linkeddata.descriptions`) for a browser that prefers HTML."""
        accept = request.headers.get("accept")
        fmt = request.query_params.get("format")
        html = wants_html(accept, fmt)
        try:
            rep = None if html else choose(Kind.GRAPH, accept, fmt)
        except EndpointError as error:
            return error_response(error, accept)
        stats = self.stats
        media = rep.media_type if rep is not None else "text/html"
        content_type = rep.content_type if rep is not None else "text/html; charset=utf-8"
        headers = {"vary": "Accept", "content-type": content_type}
        tag = caching.etag(stats.build_id, which, media, str(request.base_url))
        headers.update(caching.cache_headers(tag, self.settings.cache_max_age))
        if caching.matches(request.headers.get("if-none-match"), tag):
            return caching.not_modified(headers)
        root = str(request.base_url)
        key = (stats.build_id, which, media, root)
        body = self._described.get(key)
        if body is None:
            if which == "service":
                triples = service_description(self.settings, stats, root)
            else:
                triples = void_description(self.settings, stats, root, has_dump=self.has_dump)
            if rep is None:
                base, path = self.settings.base_iri, request.url.path
                body = descriptions.page(which, triples, base=base, root=root, path=path).encode()
            else:
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


def pool_factory(settings: ServerSettings) -> Callable[[Path], QueryPool]:
    """How the server starts a pool of query processes on one version of the store."""
    prefixes = ontology_prefixes(Sources.from_settings(settings), settings.base_iri)

    def make(version: Path) -> QueryPool:
        return _pool(settings, {"store": str(version)}, prefixes)

    return make


def remote_follower(settings: ServerSettings) -> RemoteFollower:
    """The remote store a server answers from, with its pool of query processes."""
    assert settings.remote is not None
    url = settings.remote
    prefixes = ontology_prefixes(Sources.from_settings(settings), settings.base_iri)
    remote = {"url": url, "timeout": settings.query_timeout}

    def make() -> QueryPool:
        return _pool(settings, {"store": url, "remote": remote}, prefixes)

    return RemoteFollower(url, settings.remote_engine, settings.remote_refresh, make)


def follower_for(settings: ServerSettings) -> Follower:
    """What the server answers from, chosen once at start-up."""
    if settings.remote is not None:
        return remote_follower(settings)
    return VersionFollower(settings.store, pool_factory(settings))


def _pool(
    settings: ServerSettings, where: dict[str, object], prefixes: dict[str, str]
) -> QueryPool:
    memory = settings.query_memory_mb
    worker = {
        **where,
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
            inline=settings.inline_evaluation,
        )
    )


def state_of(request: Request) -> EndpointState:
    """The state of the server process that received `request`."""
    state: EndpointState = request.app.state.drugkg
    return state


class FollowsStore:
    """ASGI middleware: a request begins on the store's current version (the /sparql handler
    looks itself; every other path passes here), so a write acknowledged by any server
    process is seen by the next page, description or download of every other."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = getattr(scope["app"].state, "drugkg", None)
            if state is not None:
                await state.follower.latest()
        await self.app(scope, receive, send)
