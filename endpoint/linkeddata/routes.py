"""Every IRI drugkg mints answers on the server, for people (HTML) and machines (RDF).

    /id/<slug>               a resource: its page, or `DESCRIBE <iri>`
    /source/<doc-id>         a source document: its text with the quotes highlighted, or RDF
    /graph/<name>[.ext]      a named graph: a page with its numbers, or its content
    /ontology, /ontology.ttl, /ontology.rdf   pyLODE documentation, or the ontology

`GET /id/fentanyl` is the resource `<{base_iri}id/fentanyl>`. HTML or RDF is chosen by
`endpoint.linkeddata.negotiation`; every answer carries `Vary: Accept` and a `Link` header naming
the other representations. An IRI the graph says nothing about is 404 (an HTML page for browsers),
never an empty graph. Queries run in the endpoint's query processes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Path
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from endpoint.errors import EndpointError, NotFoundError, error_response, quoted
from endpoint.http import caching
from endpoint.linkeddata import graphs, resource
from endpoint.linkeddata import ontology as documentation
from endpoint.linkeddata import source as source_page
from endpoint.linkeddata.negotiation import link_header, wants_html
from endpoint.linkeddata.pages import not_found_page
from endpoint.linkeddata.query import ask, graph_bytes
from endpoint.sparql.openapi import GRAPH_MEDIA, format_parameter, representations
from endpoint.state import EndpointState, state_of
from graph.errors import DrugkgError

SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
KINDS = ("id", "source")

router = APIRouter()

Render = Callable[[], Awaitable[str]]


def _has_query_page(request: Request) -> bool:
    return any(getattr(route, "path", None) == "/query" for route in request.app.routes)


async def _answer(
    request: Request, what: str, rdf_query: str, html: Render | None, fmt: str | None = None
) -> Response:
    """Negotiate, check the cache, then run the RDF query or render the page.

    `fmt` is a format the path names (`/ontology.ttl`); else the `format` parameter counts.
    """
    state = state_of(request)
    accept = request.headers.get("accept")
    fmt = fmt or request.query_params.get("format")
    as_html = html is not None and wants_html(accept, fmt)
    headers = {"vary": "Accept", "link": link_header(request.url.path, html=html is not None)}
    try:
        tag = caching.etag(state.stats.build_id, "ld", what, accept, fmt)
        headers.update(caching.cache_headers(tag, state.settings.cache_max_age))
        if caching.matches(request.headers.get("if-none-match"), tag):
            return caching.not_modified(headers)
        if as_html:
            assert html is not None
            return HTMLResponse(await html(), 200, headers)
        content_type, body = await graph_bytes(state.pool, rdf_query, accept, fmt)
    except (EndpointError, DrugkgError) as error:
        return _error(error, accept, fmt, headers)
    headers["content-type"] = content_type
    return Response(body, 200, headers)


def _error(
    error: Exception, accept: str | None, fmt: str | None, headers: dict[str, str]
) -> Response:
    if isinstance(error, NotFoundError) and wants_html(accept, fmt):
        vary = {"vary": "Accept"}
        return HTMLResponse(not_found_page(error.message), 404, vary)
    response = error_response(error, accept)
    response.headers["vary"] = "Accept"
    return response


async def describe(request: Request, kind: str, slug: str) -> Response:
    """GET /{kind}/{slug}: a resource, a source document, or a named graph."""
    if kind == "graph":
        return await named_graph(request, slug)
    state = state_of(request)
    base = state.settings.base_iri
    iri = f"{base}{kind}/{slug}"
    accept, fmt = request.headers.get("accept"), request.query_params.get("format")
    try:
        if kind not in KINDS or not SLUG.fullmatch(slug):
            raise NotFoundError(f"no resource {quoted(iri)}: not a drugkg identifier")
        if not await ask(state.pool, f"ASK {{ <{iri}> ?p ?o }}"):
            raise NotFoundError(f"no resource {iri}: the graph says nothing about it")
    except (EndpointError, DrugkgError) as error:
        return _error(error, accept, fmt, {})
    query_page = _has_query_page(request)

    async def page() -> str:
        if kind == "source":
            found = await source_page.gather(state.pool, iri)
            if found is not None:
                return source_page.render(found, base, query_page=query_page)
        view = await resource.gather(state.pool, iri)
        return resource.render(view, base, query_page=query_page)

    return await _answer(request, iri, f"DESCRIBE <{iri}>", page)


@router.get(
    "/graph/{name:path}",
    summary="A named graph: its content or its numbers",
    response_class=Response,
    responses=representations(GRAPH_MEDIA, html=True, missing="No named graph of that name."),
    openapi_extra=format_parameter(html=True),
)
async def named_graph(
    request: Request,
    name: Annotated[
        str,
        Path(
            description="The graph's name under the base; a format's extension (`links.ttl`) "
            "names the format, and then `format` is not read.",
            examples=["links", "facts/thinkprogress-2017-doj-opioids"],
        ),
    ],
) -> Response:
    state = state_of(request)
    base = state.settings.base_iri
    prefix = base + "graph/"
    names = [g.name or "" for g in state.stats.graphs]
    known = {n[len(prefix) :] for n in names if n.startswith(prefix)}
    wanted = graphs.parse_name(name, known)
    accept, fmt = request.headers.get("accept"), request.query_params.get("format")
    if wanted is None:
        missing = NotFoundError(
            f"no named graph {quoted(prefix + name)}; known: {', '.join(sorted(known))}"
        )
        return _error(missing, accept, fmt, {})
    iri = prefix + wanted.name
    (stats,) = [g for g in state.stats.graphs if g.name == iri]

    async def page() -> str:
        return graphs.render(stats, wanted.name)

    return await _answer(request, iri, graphs.construct(iri), page, wanted.extension)


def _ontology_query(state: EndpointState) -> str:
    graph = state.settings.base_iri + "graph/ontology"
    return graphs.construct(graph)


@router.get(
    "/ontology",
    summary="The ontology: pyLODE documentation or RDF",
    response_class=Response,
    responses=representations(GRAPH_MEDIA, html=True),
    openapi_extra=format_parameter(html=True),
)
async def ontology(request: Request) -> Response:
    state = state_of(request)

    async def page() -> str:
        return await documentation.documentation(
            state.stats.build_id,
            str(state.settings.store),
            state.settings.base_iri + "graph/ontology",
        )

    return await _answer(request, "ontology", _ontology_query(state), page)


@router.get(
    "/ontology.ttl",
    summary="The ontology as Turtle",
    response_class=Response,
    responses=representations(("text/turtle",), html=False),
)
async def ontology_turtle(request: Request) -> Response:
    return await _answer(request, "ontology", _ontology_query(state_of(request)), None, "ttl")


@router.get(
    "/ontology.rdf",
    summary="The ontology as RDF/XML",
    response_class=Response,
    responses=representations(("application/rdf+xml",), html=False),
)
async def ontology_rdfxml(request: Request) -> Response:
    return await _answer(request, "ontology", _ontology_query(state_of(request)), None, "rdf")
