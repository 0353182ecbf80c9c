"""What the routes really answer, for the OpenAPI document: /sparql whole (a plain Starlette
route, for speed, so FastAPI does not describe it), and the responses the other routes
declare (`representations`, `error`, `format_parameter`): their media types by negotiation,
304 on If-None-Match, 404 for an IRI the graph says nothing about, 406 for no acceptable
format. Errors are plain text, or JSON for a client that asks for it (`endpoint.errors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.query import formats
from graph.query.formats import Kind

GRAPH_MEDIA = tuple(f.media_type for f in formats.offered(Kind.GRAPH))
"""The media types of an RDF graph, as every graph-valued route negotiates them."""

GRAPH_FORMATS = tuple(
    name for f in formats.offered(Kind.GRAPH) for name in (*f.names, f.media_type, *f.aliases)
)
"""What `format` may name for those media types: a name, the media type, an alias."""

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "integer"},
        "error": {"type": "string", "description": "The error's class, e.g. NotFoundError."},
        "message": {"type": "string"},
        "supported": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["status", "error", "message"],
}


def error(description: str, *, html: bool = False) -> dict[str, Any]:
    """An error response: plain text, JSON when asked for, an HTML page for browsers."""
    content: dict[str, Any] = {
        "text/plain": {"schema": {"type": "string"}},
        "application/json": {"schema": ERROR_SCHEMA},
    }
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    return {"description": description, "content": content}


NOT_MODIFIED: dict[str, Any] = {"description": "Not modified (If-None-Match)."}


def _body(media: str) -> dict[str, Any]:
    """A body's schema: a JSON document for the JSON types (JSON-LD), else text."""
    return {"type": ["object", "array"]} if media.endswith("json") else {"type": "string"}


def representations(
    media: Sequence[str], *, html: bool, missing: str | None = None
) -> dict[int | str, Any]:
    """The responses of a route answering in `media` (and HTML for browsers, when `html`),
    by content negotiation; `missing` describes its 404, for routes that have one."""
    types = (("text/html",) if html else ()) + tuple(media)
    responses: dict[int | str, Any] = {
        200: {
            "description": "The representation the client prefers (Accept, or `format`)."
            if len(types) > 1
            else "The document.",
            "content": {m: {"schema": _body(m)} for m in types},
        },
        304: NOT_MODIFIED,
    }
    if len(types) > 1:
        responses[406] = error("No acceptable representation; the message lists them.")
    if missing is not None:
        responses[404] = error(missing, html=html)
    return responses


def format_parameter(*, html: bool) -> dict[str, Any]:
    """`openapi_extra` of a route that takes `format` in place of an Accept header."""
    names = ("", *(("html",) if html else ()), *GRAPH_FORMATS)  # empty: as if absent
    return {
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "The representation, for clients that cannot set Accept.",
                "schema": {"type": "string", "enum": list(names)},
            }
        ]
    }


_FORMATS = sorted(
    {"", *(n for kind in Kind for f in formats.offered(kind) for n in f.names)}
    | {n for kind in Kind for f in formats.offered(kind) for n in (f.media_type, *f.aliases)}
)
"""What `format` may name (empty: as if absent); whether it fits depends on the query form."""

_PARAMS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "required": True,
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). A GET with "
        "no parameter at all (or `format` alone) returns the service description instead.",
        "schema": {"type": "string", "minLength": 1},
        "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "description": "A graph of the default graph; repeatable; overrides FROM.",
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "description": "A named graph of the dataset; repeatable; overrides FROM NAMED.",
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "format",
        "in": "query",
        "description": "The result format, for clients that cannot set Accept: "
        f"{', '.join(formats.names())} or a media type.",
        "schema": {"type": "string", "enum": _FORMATS},
    },
]


def _content(*, html: bool) -> dict[str, Any]:
    content: dict[str, Any] = {"text/html": {}} if html else {}
    return content | {f.media_type: {} for kind in Kind for f in formats.offered(kind)}


def _responses(truncated: str, limit: str, *, html: bool) -> dict[str, Any]:
    page = " Without a query, the service description (an HTML page for browsers)." if html else ""
    return {
        "200": {
            "description": "The result, in the negotiated format. With a result limit, the "
            f"`{limit}` and `{truncated}` headers say whether it was truncated.{page}",
            "content": _content(html=html),
        },
        "304": NOT_MODIFIED,
        "400": error(
            "Malformed query, no query, two queries, an update, or a refused SERVICE endpoint."
        ),
        "406": error("No acceptable result format; the message lists them."),
        "413": error("The request is too large."),
        "415": error("Unsupported request body type."),
        "502": error(
            "A SERVICE endpoint failed; over a remote store (`drugkg serve --remote`), the "
            "remote failed, cannot be reached, or sent what cannot be read."
        ),
        "503": error(
            "The query ran past the time limit or the memory limit and was stopped; over a "
            "remote store, also the remote's own 503."
        ),
        "504": error("Over a remote store: the remote timed out, or took no connection."),
    }


def sparql_paths(truncated: str, limit: str) -> dict[str, Any]:
    responses = _responses(truncated, limit, html=False)
    return {
        "get": {
            "summary": "SPARQL 1.1 query (GET), or the service description",
            "operationId": "sparql_get",
            "parameters": _PARAMS,
            "responses": _responses(truncated, limit, html=True),
        },
        "post": {
            "summary": "SPARQL 1.1 query (POST form or direct)",
            "operationId": "sparql_post",
            "parameters": _PARAMS[1:],
            "requestBody": {
                "required": True,
                "content": {
                    "application/sparql-query": {"schema": {"type": "string"}},
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "query": {"type": "string", "minLength": 1},
                                "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                                "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                                "format": {"type": "string", "enum": _FORMATS},
                            },
                            "required": ["query"],
                        }
                    },
                },
            },
            "responses": responses,
        },
    }
