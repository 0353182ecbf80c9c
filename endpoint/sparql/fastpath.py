"""The short way in for GET and POST /sparql: straight from uvicorn to the endpoint.

Otherwise every query would cross the CORS and gzip middleware, FastAPI's error and
exit-stack middleware and its router before reaching the endpoint. This outermost
middleware hands GET and POST /sparql to `endpoint.sparql.handler` directly (which applies the same
CORS and gzip rules itself, see `endpoint.http.transfer`); preflight (OPTIONS), other methods and
every other path go through the stack as usual. /sparql is also routed normally, so the
stack alone would give the same answers, only slower.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from endpoint.sparql.handler import sparql

PATH = "/sparql"


class SparqlFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] in ("GET", "POST"):
            await sparql(scope, receive, send)
        else:
            await self.app(scope, receive, send)
