"""One remote SPARQL 1.1 query endpoint, asked over the Protocol, its answers read as they come.

`RemoteStore.query` sends a query as drugkg has checked and written it out
(`endpoint.execution.remote.request`): a form POST, with the dataset's parameters, the engine's
own timeout where it has one (`REMOTE_SHARE` of drugkg's limit), and an Accept of the one format
the engine writes best for the query form (`endpoint.execution.remote.engines`). The answer is
parsed by pyoxigraph while it streams in (`parse_query_results`, `parse`, through
`StreamedBody`, which applies the engine's rewrites), so the query process serialises it to
whatever the client asked for, and drugkg's result limit applies as on the embedded store.

Besides its status (`endpoint.execution.remote.failures`), an answer says two things in its
headers: `X-SPARQL-MaxRows: N`, the remote cut the result at N (the answer is announced as
truncated), and `X-SQL-State: S1TAT`, a partial "anytime" answer (503, as a query over the time
limit, never the partial result). An answer that does not parse is a 502 quoting the end of
what came. The query process's own time limit still holds: at it the process is killed
(`endpoint.execution.pool`), which closes the connection, so the remote sees the request
abandoned. `misconfigured` tells, at start-up, a URL that is no SPARQL endpoint.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, cast
from urllib.parse import urlencode

import httpx
from pyoxigraph import (
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolution,
    QuerySolutions,
    RdfFormat,
    Triple,
    Variable,
    parse,
    parse_query_results,
)

from endpoint.errors import EndpointError, QueryTimeoutError, RemoteStoreError, quoted
from endpoint.execution.remote.engines import GENERIC, Engine
from endpoint.execution.remote.failures import (
    CONNECT_TIMEOUT,
    EXCERPT_BYTES,
    EXCERPT_CHARS,
    RemoteReadError,
    excerpt_of,
    refusal,
    transport_error,
)
from endpoint.execution.remote.request import Dataset, with_from

REMOTE_SHARE = 0.9
"""The share of drugkg's time limit an engine with a timeout parameter is given: it stops
the query itself, and answers, a little before drugkg would kill the query process."""
_TAIL_BYTES = 512
"""Bytes of a streamed answer kept, to show where one that breaks off went wrong."""
MAX_ROWS = "x-sparql-maxrows"
"""Virtuoso: the result was cut at this many rows (its ResultSetMaxRows)."""
SQL_STATE = "x-sql-state"
"""Virtuoso: S1TAT, an "anytime" answer cut short by its timeout."""
SQL_MESSAGE = "x-sql-message"
PARTIAL_STATES = ("S1TAT",)

_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
_READ_AS_NTRIPLES = ("text/plain",)  # Virtuoso's name for N-Triples


class Triples:
    """The triples of a remote CONSTRUCT or DESCRIBE answer, read as they arrive."""

    def __init__(self, quads: Iterator[Quad]) -> None:
        self._quads = quads

    def __iter__(self) -> Iterator[Triple]:
        return (quad.triple for quad in self._quads)


RemoteResult = QuerySolutions | QueryBoolean | Triples


@dataclass(slots=True)
class RemoteAnswer:
    result: RemoteResult
    capped: int | None
    """The remote cut the result at this many rows or triples (None: it did not say so)."""
    graph_cap: int | None = None
    """The remote cuts graph answers at this many triples, without saying so."""


class RemoteStore:
    """A remote SPARQL 1.1 query endpoint, asked one query at a time.

    Synchronous: a query process (or a thread of the server, for the counts) waits for it.
    One answer is open at a time; `release` closes it (an answer left unread closes its
    connection, so the remote sees the request abandoned)."""

    def __init__(self, url: str, *, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            headers={"user-agent": "drugkg (https://w3id.org/drugkg/)"},
            follow_redirects=False,
        )
        self._open: httpx.Response | None = None
        self._body: StreamedBody | None = None

    def close(self) -> None:
        self.release()
        self._client.close()

    def release(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
        self._body = None

    def query(
        self, engine: Engine, text: str, form: str | None, params: Sequence[tuple[str, str]]
    ) -> RemoteAnswer:
        """Send one query; its answer, parsed as it streams, or the endpoint error the
        remote's answer is."""
        self.release()
        graph_form = form in _GRAPH_FORMS
        accept = engine.graphs if graph_form else engine.solutions
        response = self._open = self.send(engine, text, params, accept)
        state = response.headers.get(SQL_STATE, "")
        if state.upper() in PARTIAL_STATES:
            detail = response.headers.get(SQL_MESSAGE, state)
            raise QueryTimeoutError(
                f"query stopped: it ran longer than the time limit of {self.timeout:g} s (the "
                f"remote store answered in part only: {quoted(detail, EXCERPT_CHARS)})"
            )
        capped = _int(response.headers.get(MAX_ROWS))
        media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        rewrites = () if graph_form else engine.rewrites
        self._body = StreamedBody(response, self, rewrites)
        body = cast(IO[bytes], self._body)
        if graph_form:
            rdf = RdfFormat.N_TRIPLES if media in _READ_AS_NTRIPLES else None
            rdf = rdf or RdfFormat.from_media_type(media)
            if rdf is None:
                raise self._unreadable(media)
            return RemoteAnswer(Triples(parse(body, rdf)), capped)
        results = QueryResultsFormat.from_media_type(media)
        if results is None:
            raise self._unreadable(media)
        try:
            return RemoteAnswer(parse_query_results(body, results), capped)
        except (SyntaxError, RemoteReadError) as exc:  # the head of the answer is read at once
            raise self.broken(exc) from exc

    def select(self, engine: Engine, text: str, over: Dataset | None = None) -> list[QuerySolution]:
        """Every row of a SELECT without a prologue (drugkg's own: the graph list, the
        counts), `over` a dataset. A remote that cuts the rows (Virtuoso's ResultSetMaxRows)
        is asked again for them page by page, each page no longer than its cut, in one
        order."""
        over = over or Dataset()
        rows, variables, capped = self._rows(engine, text, over)
        if capped is None or len(rows) < capped:
            return rows
        order = " ".join(f"?{v.value}" for v in variables)
        rows, offset = [], 0
        while True:
            page = f"SELECT * WHERE {{ {text} }} ORDER BY {order} LIMIT {capped} OFFSET {offset}"
            found, _, _ = self._rows(engine, page, over)
            rows += found
            if len(found) < capped:
                return rows
            offset += capped

    def _rows(
        self, engine: Engine, text: str, over: Dataset
    ) -> tuple[list[QuerySolution], list[Variable], int | None]:
        params = over.params
        if engine.from_clauses and over.listed:  # drugkg's own queries: the place is known
            written = with_from(text, 0, params)
            if written is not None:
                text, params = written, []
        try:
            answer = self.query(engine, text, "SELECT", params)
            assert isinstance(answer.result, QuerySolutions)
            try:
                return list(answer.result), answer.result.variables, answer.capped
            except (SyntaxError, ValueError, OSError) as exc:
                raise self.broken(exc) from exc
        finally:
            self.release()

    def send(
        self, engine: Engine, text: str, params: Sequence[tuple[str, str]], accept: str
    ) -> httpx.Response:
        """POST the query; the response once its status is 200 (its body unread)."""
        pairs = [("query", text), *params]
        if engine.timeout_parameter is not None:
            value = self.timeout * REMOTE_SHARE * engine.timeout_scale
            written = f"{value:.0f}" if value >= 10 else f"{value:g}"
            pairs.append((engine.timeout_parameter, written))
        request = self._client.build_request(
            "POST",
            self.url,
            content=urlencode(pairs).encode(),
            headers={"content-type": "application/x-www-form-urlencoded", "accept": accept},
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, self.url, self.timeout) from None
        if response.status_code == 200:
            return response
        try:
            raise refusal(
                response.status_code, response.reason_phrase, excerpt_of(response), engine
            )
        finally:
            response.close()

    def broken(self, error: Exception) -> EndpointError:
        """The error a failure while reading the open answer is."""
        if isinstance(error, RemoteReadError):
            return error.error
        ending = ""
        body = self._body
        if body is not None and body.tail:
            tail = bytes(body.tail).decode("utf-8", "replace")
            ending = f"; it ends with {quoted(tail[-EXCERPT_CHARS:], EXCERPT_CHARS)}"
        return RemoteStoreError(
            f"the remote store {self.url} sent an answer that cannot be read ({error}){ending}"
        )

    def _unreadable(self, media: str) -> RemoteStoreError:
        return RemoteStoreError(
            f"the remote store {self.url} answered in a format drugkg cannot read: "
            f"{quoted(media or '(no Content-Type)')}"
        )


class StreamedBody(io.RawIOBase):
    """A streamed response as the binary file pyoxigraph's parsers read, with the engine's
    `rewrites` applied (across chunk boundaries); a failure of the connection becomes a
    RemoteReadError naming it."""

    def __init__(
        self,
        response: httpx.Response,
        store: RemoteStore,
        rewrites: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        self._chunks = response.iter_bytes()
        self._pending = b""
        self._store = store
        self._rewrites = rewrites
        self._carry = b""
        """The end of the last chunk, held back: it may begin a string to rewrite."""
        self._hold = max((len(old) - 1 for old, _ in rewrites), default=0)
        self.tail = bytearray()

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        while True:
            try:
                chunk = next(self._chunks, None)
            except httpx.HTTPError as exc:
                raise RemoteReadError(
                    transport_error(exc, self._store.url, self._store.timeout)
                ) from None
            if not self._rewrites:
                return chunk or b""
            data = self._carry + (chunk or b"")
            for old, new in self._rewrites:
                data = data.replace(old, new)
            if chunk is None:  # the end: nothing more can complete a string
                self._carry = b""
                return data
            cut = max(0, len(data) - self._hold)
            self._carry = data[cut:]
            if cut:
                return data[:cut]

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._pending:
            self._pending = self._next()
            if not self._pending:
                return 0
            self.tail += self._pending
            del self.tail[:-_TAIL_BYTES]
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def misconfigured(url: str, timeout: float = CONNECT_TIMEOUT) -> str | None:
    """Why `url` is no SPARQL query endpoint, when it answers `ASK {}` otherwise than with a
    boolean result (a wrong path, a login page, a redirect); None when it answers as one.
    Raises the endpoint error when it cannot be reached or fails (it may be starting)."""
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        try:
            response = client.post(
                url,
                content=urlencode({"query": "ASK {}"}).encode(),
                headers={
                    "content-type": "application/x-www-form-urlencoded",
                    "accept": "application/sparql-results+json, application/sparql-results+xml",
                },
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, url, timeout) from None
    excerpt = response.text[:EXCERPT_BYTES].strip()
    if response.status_code >= 500:
        raise refusal(response.status_code, response.reason_phrase, excerpt, GENERIC)
    where = f"{url} is not a SPARQL query endpoint"
    if response.status_code != 200:
        moved = response.headers.get("location")
        said = f"{response.status_code} {response.reason_phrase}"
        to = f" (it redirects to {quoted(moved)})" if moved else ""
        return f"{where}: it answers ASK {{}} with {said}{to}: {quoted(excerpt, EXCERPT_CHARS)}"
    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    results = QueryResultsFormat.from_media_type(media)
    try:
        answer = parse_query_results(response.content, results) if results else None
    except (SyntaxError, ValueError):
        answer = None
    if not isinstance(answer, QueryBoolean):
        return f"{where}: it answers ASK {{}} with {quoted(media or '(no type)')} content"
    return None
