"""The /sparql endpoint: a lean ASGI app between HTTP and the query processes.

It is deliberately neither a dependency-injected FastAPI handler nor a Starlette
Request/Response endpoint: at SPARQL-endpoint rates their per-request work is a large
share of a point lookup. The path is parse (`endpoint.sparql.protocol`) -> revalidate
(`endpoint.http.caching`) -> evaluate in a query process (`endpoint.execution.pool`) -> answer, with
no thread hop; CORS and gzip are applied here (`endpoint.http.transfer`) with the rules the
app's middleware applies elsewhere. Errors become responses in `endpoint.errors`. GET
without a query returns the service description.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from endpoint import metrics
from endpoint.errors import EndpointError, error_response
from endpoint.execution import wire
from endpoint.execution.pool import Answer
from endpoint.http import caching, transfer
from endpoint.sparql import protocol, resultcache
from endpoint.writes import update
from graph.errors import DrugkgError

if TYPE_CHECKING:
    from endpoint.execution.remote.follower import RemoteGeneration
    from endpoint.execution.versions import Generation
    from endpoint.state import EndpointState

TRUNCATED = transfer.TRUNCATED
LIMIT = transfer.LIMIT
CACHE = transfer.CACHE.encode()
"""Response header: `hit` (from the result cache), `miss` (evaluated, now kept if small
enough) or `bypass` (a query whose answer may change: evaluated every time)."""

Headers = list[tuple[bytes, bytes]]


async def _stream(
    chunks: AsyncIterator[bytes], headers: Headers, receive: Receive, send: Send
) -> None:
    """Send a body chunk by chunk as it comes from a query process.

    A client that goes away stops the stream (and its query process); a stream that cannot
    be finished raises, so the connection is broken off instead of ending as if complete.
    """
    gone = asyncio.Event()

    async def watch() -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
                return

    watcher = asyncio.create_task(watch())
    try:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        async for chunk in chunks:
            if gone.is_set():
                return
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        watcher.cancel()
        await chunks.aclose()  # type: ignore[attr-defined]


async def _answer(scope: Scope, receive: Receive, send: Send, state: EndpointState) -> None:
    settings = state.settings
    generation = await state.follower.latest()  # one store version for the whole request
    request = protocol.Incoming.from_scope(scope, receive)
    accept = request.headers.get("accept")
    try:
        if request.method in ("GET", "HEAD") and b"query" not in request.query_string:
            limit = settings.max_request_bytes
            names = {n for n, _ in protocol.url_pairs(request.query_string, limit)}
            if names <= {"format"}:
                response = state.description(Request(scope, receive), "service")
                await response(scope, receive, send)
                return
        access = state.access
        writer: str | None = None
        if protocol.is_update_body(request):  # refused before its body is read
            writer = access.authorise(request.headers.get("authorization"))
        write_limit = settings.max_write_bytes if access.writable else None
        query = await protocol.parse_request(request, settings.max_request_bytes, write_limit)
        if isinstance(query, protocol.UpdateRequest):
            if writer is None:
                writer = access.authorise(request.headers.get("authorization"))
            response = await update.perform(state, query, writer)
            transfer.cors_headers(response.headers, request.headers)
            await response(scope, receive, send)
            return
        headers: Headers = [(b"vary", b"Accept")]
        volatile = not resultcache.cacheable_query(query.query)
        if volatile:
            # its answer may change from one run to the next: no ETag, nothing to reuse
            headers.append((b"cache-control", b"no-store"))
        elif query.cacheable:
            tag = caching.etag(
                generation.stats.build_id,
                query.query,
                "\x02".join(query.default_graphs),
                "\x02".join(query.named_graphs),
                query.accept,
                query.format,
                query.base_iri,
            )
            headers += [
                (b"etag", tag.encode()),
                (b"cache-control", f"public, max-age={settings.cache_max_age}".encode()),
            ]
            if caching.matches(request.headers.get("if-none-match"), tag):
                transfer.cors(headers, request.headers)
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        answer = await _evaluate(state, generation, query, headers, volatile=volatile)
    except (EndpointError, DrugkgError) as error:
        failure = error_response(error, accept)
        transfer.cors_headers(failure.headers, request.headers)
        await failure(scope, receive, send)
        return
    headers.append((b"content-type", answer.content_type.encode()))
    if answer.limit is not None:
        headers.append((LIMIT.encode(), str(answer.limit).encode()))
        headers.append((TRUNCATED.encode(), b"true" if answer.truncated else b"false"))
    transfer.cors(headers, request.headers)
    gzip = transfer.accepts_gzip(request.headers)
    if answer.chunks is not None:
        chunks = transfer.gzip_stream(answer.chunks, headers) if gzip else answer.chunks
        await _stream(chunks, headers, receive, send)
        return
    body = answer.body or b""
    if gzip:
        body = transfer.gzip_body(body, headers)
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _evaluate(
    state: EndpointState,
    generation: Generation | RemoteGeneration,
    query: protocol.SparqlRequest,
    headers: Headers,
    *,
    volatile: bool,
) -> Answer:
    """The answer from the result cache, or else from a query process (and then cached)."""
    cache = state.cache
    dataset = query.has_protocol_dataset
    key = None
    if cache is not None and not volatile:
        key = (
            generation.stats.build_id,
            query.query,
            "\x02".join(query.default_graphs) if dataset else "\x03",
            "\x02".join(query.named_graphs) if dataset else "\x03",
            query.accept or "",
            query.format or "",
            query.base_iri or "",
        )
        hit = cache.get(key)
        if hit is not None:
            headers.append((CACHE, b"hit"))
            metrics.result_cache("hit")
            return Answer(hit.content_type, hit.truncated, hit.limit, body=hit.body)
        metrics.result_cache("miss")
    elif cache is not None:
        metrics.result_cache("bypass")
    answer = await generation.pool.run(
        wire.Job(
            query=query.query,
            default_graphs=list(query.default_graphs) if dataset else None,
            named_graphs=list(query.named_graphs) if dataset else None,
            accept=query.accept,
            format=query.format,
            base_iri=query.base_iri,
        )
    )
    if cache is not None:
        headers.append((CACHE, b"miss" if key is not None else b"bypass"))
        if key is not None and answer.body is not None:
            entry = resultcache.CachedAnswer(
                answer.content_type, answer.truncated, answer.limit, answer.body
            )
            cache.put(key, entry)
    return answer


class SparqlApp:
    """The ASGI app of /sparql; the app's state (`EndpointState`) comes from scope["app"]."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: EndpointState = scope["app"].state.drugkg
        await _answer(scope, receive, send, state)


sparql = SparqlApp()
