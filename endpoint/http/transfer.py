"""How /sparql answers travel: CORS headers and gzip, applied by the endpoint itself.

The rest of the app gets these from Starlette's CORS and GZip middleware; /sparql skips
the middleware stack for speed (`endpoint.sparql.fastpath`) and applies the same rules here:

- CORS for a simple request without credentials: `Access-Control-Allow-Origin: *` and the
  headers a script may read. Preflight (OPTIONS) goes through the middleware.
- gzip when the client accepts it and the body has at least `GZIP_MIN_BYTES`: a whole body
  at once; a streamed body chunk by chunk (zlib keeps a bounded window, so memory stays
  bounded, and large chunks are compressed off the event loop).
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Mapping

from starlette.datastructures import MutableHeaders

TRUNCATED = "x-drugkg-truncated"
LIMIT = "x-drugkg-result-limit"
CACHE = "x-drugkg-cache"
EXPOSED_HEADERS = ["ETag", TRUNCATED, LIMIT, CACHE]
"""The response headers a script of another origin may read, on every path."""
EXPOSED = ", ".join(EXPOSED_HEADERS)
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 6
_THREAD_MIN_BYTES = 32 * 1024

Headers = list[tuple[bytes, bytes]]


def cors(headers: Headers, request: Mapping[str, str]) -> None:
    if "origin" in request:
        headers.append((b"access-control-allow-origin", b"*"))
        headers.append((b"access-control-expose-headers", EXPOSED.encode()))


def cors_headers(headers: MutableHeaders, request: Mapping[str, str]) -> None:
    if "origin" in request:
        headers["access-control-allow-origin"] = "*"
        headers["access-control-expose-headers"] = EXPOSED


def accepts_gzip(request: Mapping[str, str]) -> bool:
    return "gzip" in request.get("accept-encoding", "")


def _mark(headers: Headers) -> None:
    headers.append((b"content-encoding", b"gzip"))
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            headers[index] = (name, value + b", Accept-Encoding")
            return
    headers.append((b"vary", b"Accept-Encoding"))


def gzip_body(body: bytes, headers: Headers) -> bytes:
    """The body, gzipped (and the headers saying so) when it is large enough."""
    if len(body) < GZIP_MIN_BYTES:
        return body
    _mark(headers)
    return gzip.compress(body, GZIP_LEVEL, mtime=0)


def gzip_stream(chunks: AsyncIterator[bytes], headers: Headers) -> AsyncIterator[bytes]:
    _mark(headers)
    return _gzipped(chunks)


async def _gzipped(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: the gzip container
    try:
        async for chunk in chunks:
            if len(chunk) >= _THREAD_MIN_BYTES:
                out = await asyncio.to_thread(compressor.compress, chunk)
            else:
                out = compressor.compress(chunk)
            if out:
                yield out
        yield compressor.flush()
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
