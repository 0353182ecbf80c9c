"""The OpenAPI description of /sparql, which is a plain Starlette route (for speed) and so
not described by FastAPI itself."""

from __future__ import annotations

from typing import Any

from graph.query import formats
from graph.query.formats import Kind

_PARAMS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it, "
        "GET returns the service description.",
        "schema": {"type": "string"},
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
        "schema": {"type": "string"},
    },
]


def _content() -> dict[str, Any]:
    return {rep.media_type: {} for kind in Kind for rep in formats.offered(kind)}


def _responses(truncated: str, limit: str) -> dict[str, Any]:
    return {
        "200": {
            "description": "The result, in the negotiated format. With a result limit, the "
            f"`{limit}` and `{truncated}` headers say whether it was truncated.",
            "content": _content(),
        },
        "304": {"description": "Not modified (If-None-Match)."},
        "400": {
            "description": "Malformed query, no query, two queries, an update, or a "
            "refused SERVICE endpoint."
        },
        "406": {"description": "No acceptable result format; the message lists them."},
        "413": {"description": "The request is too large."},
        "415": {"description": "Unsupported request body type."},
        "503": {"description": "The query ran past the time limit and was stopped."},
    }


def sparql_paths(truncated: str, limit: str) -> dict[str, Any]:
    responses = _responses(truncated, limit)
    return {
        "get": {
            "summary": "SPARQL 1.1 query (GET), or the service description",
            "operationId": "sparql_get",
            "parameters": _PARAMS,
            "responses": responses,
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
                                "query": {"type": "string"},
                                "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                                "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                                "format": {"type": "string"},
                            },
                            "required": ["query"],
                        }
                    },
                },
            },
            "responses": responses,
        },
    }
