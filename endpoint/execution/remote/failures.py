"""What a remote store's failures become: the endpoint error, with what the remote said.

    remote                                   drugkg
    400                                      400 with the engine's message
    500 or 503 saying it ran out of time     503, as a query over the time limit
    503 / 504                                503 / 504 naming the remote's answer
    any other status                         502 naming the remote's answer
    refused or broken connection             502; no connection within the connect limit: 504
    a read timeout                           503, as a query over the time limit

Every message quotes at most EXCERPT_CHARS of what the remote sent (`quoted`).
"""

from __future__ import annotations

import httpx

from endpoint.errors import (
    EndpointError,
    QueryTimeoutError,
    RemoteRejectedError,
    RemoteStoreBusyError,
    RemoteStoreError,
    RemoteStoreTimeoutError,
    quoted,
)
from endpoint.execution.remote.engines import Engine

CONNECT_TIMEOUT = 5.0
"""Seconds the remote may take to accept a connection."""
EXCERPT_CHARS = 300
"""Most characters of a remote's answer quoted in a message."""
EXCERPT_BYTES = 4 * EXCERPT_CHARS
"""Most bytes of an error answer read."""


class RemoteReadError(OSError):
    """Reading a streamed answer failed; `error` is what the client is told."""

    def __init__(self, error: EndpointError) -> None:
        self.error = error
        super().__init__(error.message)


def refusal(status: int, reason: str, excerpt: str, engine: Engine) -> EndpointError:
    """The error a remote's answer other than 200 is (see the module's table)."""
    said = f"{status} {reason}".strip()
    shown = quoted(excerpt, EXCERPT_CHARS) if excerpt else "(no message)"
    if status == 400:
        return RemoteRejectedError(f"the remote store refused the query ({said}): {shown}")
    if status in (500, 503) and engine.says_timeout(excerpt):
        return QueryTimeoutError(
            f"query stopped: the remote store stopped it for time ({said}: {shown})"
        )
    if status == 503:
        return RemoteStoreBusyError(f"the remote store cannot answer now ({said}): {shown}")
    if status == 504:
        return RemoteStoreTimeoutError(f"the remote store timed out ({said}): {shown}")
    if status >= 500:
        return RemoteStoreError(f"the remote store failed ({said}): {shown}", "status")
    return RemoteStoreError(
        f"the remote store answered {said} (check DRUGKG_REMOTE, its query URL): {shown}",
        "status",
    )


def transport_error(error: httpx.HTTPError, url: str, timeout: float) -> EndpointError:
    """The error a failed connection to the remote is."""
    if isinstance(error, httpx.ConnectTimeout):
        return RemoteStoreTimeoutError(
            f"the remote store {url} took no connection within {min(CONNECT_TIMEOUT, timeout):g} s"
        )
    if isinstance(error, httpx.TimeoutException):
        return QueryTimeoutError(
            f"query stopped: it ran longer than the time limit of {timeout:g} s (the remote "
            f"store {url} did not answer in time)"
        )
    if isinstance(error, httpx.ConnectError):
        return RemoteStoreError(f"the remote store {url} cannot be reached: {error}", "connect")
    return RemoteStoreError(f"the connection to the remote store {url} broke: {error}")


def excerpt_of(response: httpx.Response) -> str:
    """The start of an error answer's body (at most a few KiB are read)."""
    data = bytearray()
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= EXCERPT_BYTES:
                break
    except httpx.HTTPError:
        pass
    return bytes(data[:EXCERPT_BYTES]).decode("utf-8", "replace").strip()
