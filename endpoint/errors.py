"""The endpoint's errors, and the one place where any error becomes an HTTP response.

    EndpointError                    the request cannot be answered as asked
    ├── BadRequestError                   400
    │   ├── MissingQueryError                 no `query` parameter or body
    │   ├── DuplicateQueryError               more than one `query`
    │   ├── UpdateRefusedError                an update sent as a query (`query=`)
    │   ├── MalformedQueryError               the parser's message and position
    │   ├── QueryTooDeepError                 nested too deeply to be parsed safely
    │   ├── InvalidParameterError             a protocol parameter with a bad value
    │   ├── FederationRefusedError            a SERVICE call the allow-list does not permit
    │   └── RemoteRejectedError               a remote store refused a query drugkg's parser took
    ├── UnauthorizedError                 401 a write without the write token, or a wrong one
    ├── ForbiddenError                    403
    │   ├── ReadOnlyError                     a write to an endpoint started without --writable
    │   └── BuildGraphError                   a write to one of the build's own graphs
    ├── NotFoundError                     404
    ├── NotAcceptableError                406 (lists the media types offered)
    │   └── BadFormatParameterError                a `format` parameter naming no offered format
    ├── RequestTooLargeError              413
    ├── UnsupportedMediaTypeError         415
    ├── ShapesViolatedError               422 the write would violate the shapes (the report)
    ├── RemoteServiceError          502 a non-SILENT SERVICE call failed
    ├── RemoteStoreError                  502 the remote store failed, or cannot be reached
    │   ├── RemoteStoreBusyError              503 the remote store answered 503
    │   └── RemoteStoreTimeoutError           504 the remote store answered 504, or took no
    │                                             connection in time
    ├── QueryTimeoutError                 503 the query ran past the time limit and was stopped
    ├── QueryMemoryError                  503 the query needed more than the memory limit
    ├── WriterBusyError                   503 another writer (a build, a load) holds the store
    ├── NotReadyError                     503 a readiness check failed (`endpoint.health`)
    ├── InsufficientStorageError          507 the disk is full: the write changed nothing
    ├── EvaluationError             500 the store failed while evaluating (not bad input)
    ├── WorkerCrashedError                500 a query process died (not bad input)
    └── WriteFailedError                  500 the write process failed or could not start

graph.errors.QueryError maps to 400 and graph.errors.StoreMissingError to 503; a write's
domain errors (graph.storage.writes) become endpoint errors in `write_error`. Errors cross
from a query or write process to the server as (class name, message, the shapes report) and
are rebuilt by `from_wire`; `error_response` is the one place any error becomes a response.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable, Sequence

from starlette.responses import HTMLResponse, Response

from endpoint import metrics
from endpoint.http.accept import wants_json
from graph.errors import (
    DrugkgError,
    InputError,
    QueryError,
    StoreBusyError,
    StoreMissingError,
    update_refused,
)


def quoted(value: str, limit: int = 200) -> str:
    """A value the client sent, as it may appear in a message: quoted and escaped (so it is
    read as data, never as markup or as part of the message), and cut to `limit` chars."""
    if len(value) > limit:
        return repr(value[:limit]) + f" (cut at {limit} of {len(value)} characters)"
    return repr(value)


class EndpointError(Exception):
    """Base of the endpoint's errors; `message` is what the client reads."""

    status = 500

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def headers(self) -> dict[str, str]:
        return {}

    def document(self) -> tuple[bytes, str] | None:
        """A body of its own (bytes, media type) instead of the message, or None."""
        return None


class BadRequestError(EndpointError):
    status = 400


class MissingQueryError(BadRequestError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "no query: send one as the `query` parameter (GET or POST form) or as an "
            "application/sparql-query body"
        )


class DuplicateQueryError(BadRequestError):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or "more than one query in the request: send exactly one")


class UpdateRefusedError(BadRequestError):
    """An update sent as a query (`query=`): the words of `drugkg query` (graph.errors)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or update_refused("`query=` (which is read-only)"))


class MalformedQueryError(BadRequestError):
    """A query the SPARQL parser rejects; the message carries the parser's position."""


class QueryTooDeepError(BadRequestError):
    """A query nested too deeply for the parser's stack (`graph.query.text.too_deep`)."""


class InvalidParameterError(BadRequestError):
    pass


class FederationRefusedError(BadRequestError):
    pass


class RemoteRejectedError(BadRequestError):
    """A remote store (`drugkg serve --remote`) answered 400 to a query drugkg's parser
    accepted: the engine's own message, quoted."""


class UnauthorizedError(EndpointError):
    """401: writes need `Authorization: Bearer <token>` (RFC 6750)."""

    status = 401

    def __init__(self, message: str, *, token_sent: bool = False) -> None:
        self.token_sent = token_sent
        super().__init__(message)

    def headers(self) -> dict[str, str]:
        challenge = 'Bearer realm="drugkg"'
        if self.token_sent:
            challenge += ', error="invalid_token"'
        return {"www-authenticate": challenge}


class ForbiddenError(EndpointError):
    status = 403


class ReadOnlyError(ForbiddenError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "this endpoint is read-only: it accepts writes only when started with "
            "`drugkg serve --writable` and a write token (DRUGKG_WRITE_TOKEN_FILE)"
        )


class BuildGraphError(ForbiddenError):
    """A write to the build's own graphs: they change through the curated files only."""


class ShapesViolatedError(EndpointError):
    """422: the write would leave data that violates the shapes; the body is the report."""

    status = 422

    def __init__(self, message: str, report: bytes = b"") -> None:
        self.report = report
        super().__init__(message)

    def document(self) -> tuple[bytes, str] | None:
        if not self.report:
            return None
        return self.report, "text/turtle"


class InsufficientStorageError(EndpointError):
    status = 507


class NotFoundError(EndpointError):
    status = 404


class NotAcceptableError(EndpointError):
    status = 406

    def __init__(self, accept: str, offered: Sequence[str] = ()) -> None:
        self.offered = list(offered)
        if offered:
            super().__init__(
                f"none of the media types accepted ({quoted(accept)}) can be produced; "
                f"supported: {', '.join(self.offered)}"
            )
        else:
            super().__init__(accept)


class BadFormatParameterError(NotAcceptableError):
    def __init__(self, name: str, known: Sequence[str] = ()) -> None:
        self.offered = list(known)
        if known:
            EndpointError.__init__(
                self, f"unknown or unfit format {name!r}; supported: {', '.join(known)}"
            )
        else:
            EndpointError.__init__(self, name)


class RequestTooLargeError(EndpointError):
    status = 413


class UnsupportedMediaTypeError(EndpointError):
    status = 415


class RemoteServiceError(EndpointError):
    status = 502


class RemoteStoreError(EndpointError):
    """502: the remote store (`drugkg serve --remote`) cannot be reached, failed (5xx), or
    answered what drugkg cannot read; the message names the remote's answer. `reason` is
    the word the `drugkg_remote_errors_total` metric counts it under."""

    status = 502
    reason = "protocol"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class RemoteStoreBusyError(RemoteStoreError):
    """503: the remote store says it cannot answer now (its own 503)."""

    status = 503
    reason = "status"


class RemoteStoreTimeoutError(RemoteStoreError):
    """504: the remote store answered 504, or took no connection within the connect limit."""

    status = 504
    reason = "timeout"


class QueryTimeoutError(EndpointError):
    """503 as Fuseki answers a cancelled query: the server is well, this query is too costly."""

    status = 503


class QueryMemoryError(EndpointError):
    """503: the query needed more memory than a query process may use, and was stopped."""

    status = 503


class WriterBusyError(EndpointError):
    """503: the store's writer lock stayed taken (a build, a load or a write) past the wait."""

    status = 503


class NotReadyError(EndpointError):
    """503: the server is not ready for queries; its body is the readiness check's JSON
    (what is not ready), never cached."""

    status = 503

    def __init__(self, body: dict[str, object], problems: list[str]) -> None:
        self.body = body
        super().__init__("; ".join(problems) or "not ready")

    def headers(self) -> dict[str, str]:
        return {"cache-control": "no-store"}

    def document(self) -> tuple[bytes, str] | None:
        return json.dumps(self.body).encode(), "application/json"


class EvaluationError(EndpointError):
    status = 500


class WorkerCrashedError(EndpointError):
    status = 500


class WriteFailedError(EndpointError):
    """500: the write process could not start or stopped unexpectedly."""

    status = 500


_STATUS: dict[type[Exception], int] = {
    QueryError: 400,
    StoreMissingError: 503,
    DrugkgError: 500,
}

_WIRE: dict[str, type[EndpointError]] = {
    cls.__name__: cls
    for cls in (
        BadRequestError,
        MissingQueryError,
        DuplicateQueryError,
        UpdateRefusedError,
        MalformedQueryError,
        QueryTooDeepError,
        InvalidParameterError,
        FederationRefusedError,
        RemoteRejectedError,
        NotFoundError,
        NotAcceptableError,
        BadFormatParameterError,
        RequestTooLargeError,
        UnsupportedMediaTypeError,
        RemoteServiceError,
        RemoteStoreError,
        RemoteStoreBusyError,
        RemoteStoreTimeoutError,
        QueryTimeoutError,
        QueryMemoryError,
        UnauthorizedError,
        ForbiddenError,
        ReadOnlyError,
        BuildGraphError,
        ShapesViolatedError,
        InsufficientStorageError,
        WriterBusyError,
        EvaluationError,
        WorkerCrashedError,
        WriteFailedError,
    )
}


def status_of(error: Exception) -> int:
    """The HTTP status of an error: the one mapping from error types to statuses."""
    if isinstance(error, EndpointError):
        return error.status
    for cls in type(error).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 500


def write_error(error: Exception, update: str | None = None) -> EndpointError:
    """The endpoint error a failed write is (in the write process): a refusal of
    `graph.storage.writes`, a busy store, bad input, a full disk or a failed LOAD of `update`."""
    from graph.storage import writes  # pySHACL and rdflib: only the write process needs them

    if isinstance(error, EndpointError):
        return error
    if isinstance(error, StoreBusyError):
        return WriterBusyError(str(error))
    if isinstance(error, writes.BuildGraphWriteError):
        return BuildGraphError(str(error))
    if isinstance(error, writes.ShapesViolatedError):
        return ShapesViolatedError(str(error), error.turtle())
    if isinstance(error, writes.GraphMissingError):
        return NotFoundError(str(error))
    if isinstance(error, InputError):
        return InvalidParameterError(str(error))
    if isinstance(error, RuntimeError):  # the update is legal but cannot be applied
        return BadRequestError(f"the update failed: {error}")
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC or "No space left" in str(error):
            return InsufficientStorageError(
                "the disk holding the store is full: the write changed nothing"
            )
        if update is not None and "LOAD" in update.upper():
            return RemoteServiceError(f"the LOAD failed: {error}")
    return EvaluationError(f"the write failed: {error}")


def to_wire(error: EndpointError) -> dict[str, object]:
    wire: dict[str, object] = {"error": type(error).__name__, "message": error.message}
    if isinstance(error, NotAcceptableError):
        wire["offered"] = error.offered
    if isinstance(error, ShapesViolatedError) and error.report:
        wire["report"] = error.report.decode()
    if isinstance(error, RemoteStoreError):
        wire["reason"] = error.reason
    return wire


def from_wire(data: dict[str, object]) -> EndpointError:
    cls = _WIRE.get(str(data.get("error")), EvaluationError)
    message = str(data.get("message", ""))
    if issubclass(cls, NotAcceptableError):
        refused = cls(message)
        offered = data.get("offered")
        refused.offered = [str(x) for x in offered] if isinstance(offered, list) else []
        return refused
    if issubclass(cls, ShapesViolatedError):
        return cls(message, str(data.get("report", "")).encode())
    if issubclass(cls, RemoteStoreError):
        reason = data.get("reason")
        return cls(message, reason if isinstance(reason, str) else None)
    return cls(message)


def error_response(
    error: Exception, accept: str | None = None, page: Callable[[str], str] | None = None
) -> Response:
    """A plain-text (or, when the client asks for JSON, JSON) response naming the problem;
    `page`, for a browser, makes the message an HTML page instead."""
    status = status_of(error)
    if isinstance(error, RemoteStoreError | RemoteRejectedError):  # in the server process
        metrics.remote_error(error.reason if isinstance(error, RemoteStoreError) else "status")
    message = error.message if isinstance(error, EndpointError) else str(error)
    headers = error.headers() if isinstance(error, EndpointError) else {}
    document = error.document() if isinstance(error, EndpointError) else None
    if document is not None:
        return Response(document[0], status, headers=headers, media_type=document[1])
    if page is not None:
        return HTMLResponse(page(message), status, headers=headers)
    if wants_json(accept):
        body = {"status": status, "error": type(error).__name__, "message": message}
        if isinstance(error, NotAcceptableError):
            body["supported"] = error.offered
        return Response(json.dumps(body), status, headers=headers, media_type="application/json")
    return Response(message + "\n", status, headers=headers, media_type="text/plain")
