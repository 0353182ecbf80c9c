"""Resources answer for their own IRIs: GET /id/<slug> on the server describes
<{base_iri}id/<slug>> (and /source/<doc-id> the source document), as DESIGN asks.

The description is the query `DESCRIBE <iri>` run like any other (same query processes, time
limit and content negotiation, Turtle by default); an IRI the graph says nothing about is 404.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from endpoint import caching, wire
from endpoint.errors import EndpointError, NotFoundError, error_response
from graph.errors import DrugkgError

if TYPE_CHECKING:
    from endpoint.app import EndpointState

SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
KINDS = ("id", "source")


async def describe(request: Request, kind: str, slug: str) -> Response:
    state: EndpointState = request.app.state.drugkg
    accept = request.headers.get("accept")
    iri = f"{state.settings.base_iri}{kind}/{slug}"
    try:
        if kind not in KINDS or not SLUG.fullmatch(slug):
            raise NotFoundError(f"no resource {iri}: not a drugkg identifier")
        fmt = request.query_params.get("format")
        tag = caching.etag(state.stats.build_id, "resource", iri, accept, fmt)
        headers = {"vary": "Accept", **caching.cache_headers(tag, state.settings.cache_max_age)}
        if caching.matches(request.headers.get("if-none-match"), tag):
            return caching.not_modified(headers)
        known = await state.pool.run(
            wire.Job(
                f"ASK {{ <{iri}> ?p ?o }}", None, None, "application/sparql-results+json", None
            )
        )
        if b"true" not in (known.body or b""):
            raise NotFoundError(f"no resource {iri}: the graph says nothing about it")
        answer = await state.pool.run(wire.Job(f"DESCRIBE <{iri}>", None, None, accept, fmt))
    except (EndpointError, DrugkgError) as error:
        return error_response(error, accept)
    headers["content-type"] = answer.content_type
    if answer.chunks is not None:  # a description larger than a frame: gather it
        body = b"".join([chunk async for chunk in answer.chunks])
    else:
        body = answer.body or b""
    return Response(body, 200, headers)
