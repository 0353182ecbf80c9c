"""The floor: the fastest request path a Python SPARQL server on pyoxigraph can have here.

A reference for `bench/endpoint_bench.py`, never a server to use: a bare ASGI app on uvicorn
(uvloop, httptools, one process) that reads `query` from a form POST (or from a GET's query
string), evaluates it with pyoxigraph and answers SPARQL JSON, or Turtle for CONSTRUCT and
DESCRIBE. It has nothing that makes drugkg's /sparql an endpoint: no time limit (a query
cannot be stopped), no content negotiation, no protocol errors, no limits, no federation
policy. Its latency is what remains of drugkg's when all of that is taken away, so the two
can be read side by side against the oxigraph server's.

By default it evaluates on the event loop itself, so a running query blocks every other
request; with `--thread` it evaluates in a thread (pyoxigraph releases the GIL meanwhile), the
least a server must do to keep answering while a query runs, and what that costs.

    python -m bench.floor STORE PORT [--thread]
"""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import parse_qs

import pyoxigraph as ox
import uvicorn
from starlette.types import Receive, Scope, Send


class Floor:
    def __init__(self, store: str, *, thread: bool) -> None:
        self.store = ox.Store.read_only(store)
        self.thread = thread

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        form = body.decode() or scope.get("query_string", b"").decode()
        query = parse_qs(form).get("query", [""])[0]
        if not query:  # the start-up probe
            await _send(send, 200, "text/plain", b"floor\n")
            return
        try:
            if self.thread:
                content_type, data = await asyncio.to_thread(self.answer, query)
            else:
                content_type, data = self.answer(query)
        except SyntaxError as exc:
            await _send(send, 400, "text/plain", str(exc).encode())
            return
        await _send(send, 200, content_type, data)

    def answer(self, query: str) -> tuple[str, bytes]:
        result = self.store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return "text/turtle", result.serialize(format=ox.RdfFormat.TURTLE) or b""
        data = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
        return "application/sparql-results+json", data


async def _send(send: Send, status: int, content_type: str, body: bytes) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    store, port = sys.argv[1], int(sys.argv[2])
    app = Floor(store, thread="--thread" in sys.argv[3:])
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
