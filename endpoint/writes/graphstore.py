"""The SPARQL 1.1 Graph Store HTTP Protocol at /store.

    GET, HEAD  /store?graph=IRI | ?default   the graph's triples, by content negotiation
                                             (Turtle by default); 404 for a graph the store
                                             does not hold
    PUT        /store?graph=IRI | ?default   replace the graph with the payload: 201 when it
                                             did not exist, else 204
    POST       /store?graph=IRI | ?default   add the payload to the graph (201 when that made
                                             it, else 204)
    POST       /store                        a new graph of the payload, named urn:uuid:...:
                                             201 with its Location
    DELETE     /store?graph=IRI | ?default   remove the graph (empty the default graph): 204,
                                             404 for a graph the store does not hold

Reads never need the write token; writes do (`endpoint.writes.auth`), and go through the
write process like any update (`endpoint.writes.runner`): atomic, validated, audited. A
payload is read in every syntax pyoxigraph reads (the Content-Type says which; its triples,
and any quads' triples, go into the target graph): 415 for another type, 400 when it does
not parse, 413 over DRUGKG_MAX_WRITE_BYTES. The build's own graphs and the audit graph are
refused with 403 before anything is read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from pathlib import Path
from urllib.parse import parse_qsl

from pyoxigraph import NamedNode, RdfFormat
from starlette.requests import Request
from starlette.responses import Response

from endpoint.errors import (
    BuildGraphError,
    EndpointError,
    InsufficientStorageError,
    InvalidParameterError,
    NotFoundError,
    RequestTooLargeError,
    UnsupportedMediaTypeError,
    error_response,
    quoted,
)
from endpoint.execution import wire
from endpoint.linkeddata.query import JSON_RESULTS, graph_bytes
from endpoint.state import EndpointState, state_of
from endpoint.writes.update import AUDIT_HEADER
from graph.errors import DrugkgError
from graph.storage.versions import stamp
from graph.storage.writes import WriteJob, protected

PATH = "/store"
READABLE = [
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/ld+json",
    "text/n3",
]


def _target(request: Request) -> tuple[bool, str | None]:
    """(the request names a graph, its IRI or None for the default graph)."""
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    graphs = [value for name, value in pairs if name == "graph"]
    default = any(name == "default" for name, _ in pairs)
    if len(graphs) > 1 or (graphs and default):
        raise InvalidParameterError(
            "name one graph: either ?graph=IRI or ?default, once (SPARQL 1.1 Graph Store "
            "Protocol, section 4.2)"
        )
    if default:
        return True, None
    if not graphs:
        return False, None
    try:
        NamedNode(graphs[0])
    except ValueError as exc:
        raise InvalidParameterError(
            f"graph={quoted(graphs[0])} is not an absolute IRI: {exc}"
        ) from exc
    return True, graphs[0]


async def _exists(state: EndpointState, graph: str | None) -> bool:
    if graph is None:
        return True  # the default graph always exists
    answer = await state.pool.run(
        wire.Job(f"ASK {{ GRAPH <{graph}> {{}} }}", None, None, JSON_RESULTS, None)
    )
    return b"true" in (answer.body or b"")


async def _read(request: Request, state: EndpointState, graph: str | None) -> Response:
    if not await _exists(state, graph):
        raise NotFoundError(f"the store holds no graph <{graph}>")
    if graph is None:  # the store's own default graph, not the union of the named graphs
        query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    else:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    content_type, body = await graph_bytes(
        state.pool,
        query,
        request.headers.get("accept"),
        request.query_params.get("format"),
        union=graph is not None,
    )
    headers = {"vary": "Accept", "content-type": content_type}
    if request.method == "HEAD":
        headers["content-length"] = str(len(body))
        return Response(b"", 200, headers)
    return Response(body, 200, headers)


async def _payload(request: Request, state: EndpointState) -> tuple[Path, str]:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if RdfFormat.from_media_type(media) is None:
        raise UnsupportedMediaTypeError(
            f"cannot read a payload of type {quoted(media or '(none)')}: send one of "
            + ", ".join(READABLE)
        )
    limit = state.settings.max_write_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestTooLargeError(
            f"a payload of {declared} bytes is larger than the limit of {limit} bytes "
            "(DRUGKG_MAX_WRITE_BYTES)"
        )
    folder = Path(os.path.abspath(state.settings.store)).parent
    path = folder / f".upload-{stamp()}-{uuid.uuid4().hex[:8]}"
    size = 0
    try:
        with path.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise RequestTooLargeError(
                        f"the payload is larger than the limit of {limit} bytes "
                        "(DRUGKG_MAX_WRITE_BYTES)"
                    )
                out.write(chunk)
    except OSError as error:
        path.unlink(missing_ok=True)
        if error.errno == errno.ENOSPC:
            raise InsufficientStorageError(
                "the disk holding the store is full (the payload could not be received): "
                "the write changed nothing"
            ) from None
        raise
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, media


async def _write(
    request: Request, state: EndpointState, named: bool, graph: str | None
) -> Response:
    writer = state.access.authorise(request.headers.get("authorization"))
    base = state.settings.base_iri
    method = request.method
    if not named:
        if method != "POST":
            raise InvalidParameterError(
                f"{method} needs the graph it acts on: ?graph=IRI or ?default"
            )
        graph = f"urn:uuid:{uuid.uuid4()}"
    if graph is not None and protected(graph, base):
        raise BuildGraphError(
            f"<{graph}> is one of the build's own graphs (or the audit graph): it changes "
            "only through the curated files (ontology/, graph/entities/, graph/facts/, "
            "graph/links/) and `drugkg build`; write your data to a graph of your own"
        )
    payload: Path | None = None
    try:
        if method == "DELETE":
            job = WriteJob("delete", writer, graph=graph)
        else:
            payload, media = await _payload(request, state)
            operation = "put" if method == "PUT" else "post"
            job = WriteJob(
                operation,
                writer,
                graph=graph,
                payload=str(payload),
                payload_format=media,
                base_iri=graph or str(request.url),
            )
        outcome = await state.writer().run(job)
    finally:
        if payload is not None:
            with contextlib.suppress(OSError):
                payload.unlink()
    await state.follower.check()
    headers = {AUDIT_HEADER: str(outcome["outcome"]["activity"])}
    if outcome.get("status") == 201:
        location = f"{PATH}?graph={graph}" if graph else f"{PATH}?default"
        headers["location"] = location
        return Response(b"", 201, headers)
    return Response(status_code=204, headers=headers)


async def graph_store(request: Request) -> Response:
    """The one handler of /store (every method)."""
    state = state_of(request)
    accept = request.headers.get("accept")
    try:
        named, graph = _target(request)
        if request.method in ("GET", "HEAD"):
            if not named:
                raise InvalidParameterError(
                    "GET needs the graph to read: ?graph=IRI or ?default (the whole dataset "
                    "is at /dump.nq, and SPARQL at /sparql)"
                )
            return await _read(request, state, graph)
        await state.follower.latest()
        return await _write(request, state, named, graph)
    except (EndpointError, DrugkgError) as error:
        return error_response(error, accept)
