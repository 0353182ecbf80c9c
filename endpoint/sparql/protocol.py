"""Every SPARQL 1.1 Protocol request form, turned into one `SparqlRequest`.

- GET `/sparql?query=...`;
- POST `application/x-www-form-urlencoded` with `query=...` in the body;
- POST `application/sparql-query` with the query as the body (UTF-8).

`default-graph-uri` and `named-graph-uri` may be repeated (in the body of a form POST, in
the URL otherwise). As the Protocol says (section 2.1.4), a dataset given by these
parameters takes precedence over FROM / FROM NAMED in the query: the default graph is the
merge of the `default-graph-uri` graphs (empty if none is given) and the named graphs are
exactly the `named-graph-uri` ones. Without them the query's own dataset applies, and
without that the endpoint's default dataset.

Rejected before any evaluation: no query, two queries, an update (`update=` or an
`application/sparql-update` body) - 400; another body type - 415; a request larger than
`max_request_bytes` - 413.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from pyoxigraph import NamedNode
from starlette.types import Receive, Scope

from endpoint.errors import (
    DuplicateQueryError,
    InvalidParameterError,
    MissingQueryError,
    ReadOnlyError,
    RequestTooLargeError,
    UnsupportedMediaTypeError,
)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True, slots=True)
class SparqlRequest:
    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None
    cacheable: bool = False
    """A GET request: its answer may carry an ETag and be revalidated."""
    base_iri: str | None = None
    """The endpoint's own URL, which relative IRIs in the query resolve against (as the W3C
    protocol tests expect of a query with no BASE)."""

    @property
    def has_protocol_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _parse_pairs(data: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = data.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidParameterError(f"the {where} is not valid UTF-8 form data: {exc}") from exc


def _check_iris(name: str, values: list[str]) -> tuple[str, ...]:
    for value in values:
        try:
            NamedNode(value)
        except ValueError as exc:
            raise InvalidParameterError(f"{name}={value!r} is not an absolute IRI: {exc}") from exc
    return tuple(values)


@dataclass(slots=True)
class Incoming:
    """The parts of an HTTP request the protocol reads, taken straight from the ASGI scope."""

    method: str
    query_string: bytes
    headers: dict[str, str]
    """Lower-cased names; repeated headers joined with ", "."""
    receive: Receive
    url: str | None = None
    """The URL the request was sent to, without its query string; None when the Host header
    does not make one."""

    @classmethod
    def from_scope(cls, scope: Scope, receive: Receive) -> Incoming:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return cls(
            scope["method"],
            scope.get("query_string", b""),
            headers,
            receive,
            _request_url(scope, headers.get("host")),
        )

    async def body(self, limit: int) -> bytes:
        declared = self.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise RequestTooLargeError(
                f"request body of {declared} bytes is larger than the limit of {limit} bytes"
            )
        body = bytearray()
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > limit:
                raise RequestTooLargeError(
                    f"request body is larger than the limit of {limit} bytes"
                )
            if not message.get("more_body", False):
                break
        return bytes(body)


def _request_url(scope: Scope, host: str | None) -> str | None:
    if host is None:
        server = scope.get("server")
        if not server:
            return None
        host = f"{server[0]}:{server[1]}"
    url = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"
    try:
        NamedNode(url)
    except ValueError:
        return None  # a Host header that makes no IRI: relative IRIs will not resolve
    return url


def url_pairs(query_string: bytes, limit: int) -> list[tuple[str, str]]:
    if len(query_string) > limit:
        raise RequestTooLargeError(
            f"query string of {len(query_string)} bytes is larger than the limit of {limit} bytes"
        )
    return _parse_pairs(query_string, "query string") if query_string else []


@dataclass(frozen=True, slots=True)
class UpdateRequest:
    """A SPARQL Update: its text and the protocol's dataset parameters."""

    update: str
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    base_iri: str | None = None


def is_update_body(request: Incoming) -> bool:
    """The request is a POST of an `application/sparql-update` body."""
    if request.method != "POST":
        return False
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == UPDATE


async def parse_request(
    request: Incoming, limit: int, write_limit: int | None = None
) -> SparqlRequest | UpdateRequest:
    """The request as one object, or the protocol error that it is. `write_limit` is the
    largest update a writable endpoint accepts (None: the endpoint is read-only, and an
    update is refused by the caller)."""
    pairs = url_pairs(request.query_string, limit)
    body_query: str | None = None
    body_update: str | None = None
    body_limit = max(limit, write_limit or 0)
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media == FORM:
            body = await request.body(body_limit)
            pairs = pairs + _parse_pairs(body, "request body")
        elif media == QUERY:
            body = await request.body(limit)
            try:
                # a byte-order mark, as some editors save a .rq file, is not part of the query
                body_query = body.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InvalidParameterError(f"the query body is not valid UTF-8: {exc}") from exc
        elif media == UPDATE:
            if write_limit is None:
                raise ReadOnlyError()
            body = await request.body(write_limit)
            try:
                body_update = body.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InvalidParameterError(f"the update body is not valid UTF-8: {exc}") from exc
        else:
            raise UnsupportedMediaTypeError(
                f"unsupported request body type {media or '(none)'!r}: send {QUERY}, "
                f"{UPDATE} or {FORM} (or use GET with ?query=)"
            )
    queries: list[str] = [] if body_query is None else [body_query]
    updates: list[str] = [] if body_update is None else [body_update]
    defaults: list[str] = []
    named: list[str] = []
    using: list[str] = []
    using_named: list[str] = []
    formats: list[str] = []
    for name, value in pairs:
        if name == "query":
            queries.append(value)
        elif name == "update":
            updates.append(value)
        elif name == "default-graph-uri":
            defaults.append(value)
        elif name == "named-graph-uri":
            named.append(value)
        elif name == "using-graph-uri":
            using.append(value)
        elif name == "using-named-graph-uri":
            using_named.append(value)
        elif name == "format":
            formats.append(value)
    if updates:
        if request.method != "POST":
            raise InvalidParameterError(
                "an update must be sent with POST (an `update=` form or an "
                f"{UPDATE} body), never with GET"
            )
        if queries:
            raise DuplicateQueryError("a request holds a query or an update, not both")
        if len(updates) > 1:
            raise DuplicateQueryError(
                f"{len(updates)} updates in the request (parameters and body together): "
                "send exactly one"
            )
        if write_limit is None:
            raise ReadOnlyError()
        if not updates[0].strip():
            raise MissingQueryError("the update is empty")
        return UpdateRequest(
            update=updates[0],
            using_graphs=_check_iris("using-graph-uri", using),
            using_named_graphs=_check_iris("using-named-graph-uri", using_named),
            accept=request.headers.get("accept"),
            base_iri=request.url,
        )
    if not queries:
        raise MissingQueryError()
    if len(queries) > 1:
        raise DuplicateQueryError(
            f"{len(queries)} queries in the request (parameters and body together): "
            "send exactly one"
        )
    if not queries[0].strip():
        raise MissingQueryError("the query is empty")
    if len(queries[0].encode()) > limit:
        raise RequestTooLargeError(
            f"the query has {len(queries[0].encode())} bytes, more than the limit of {limit} bytes"
        )
    return SparqlRequest(
        query=queries[0],
        default_graphs=_check_iris("default-graph-uri", defaults),
        named_graphs=_check_iris("named-graph-uri", named),
        accept=request.headers.get("accept"),
        # SPARQLWrapper sends `format` twice (tsv, text/tab-separated-values): the first counts
        format=formats[0] if formats else None,
        cacheable=request.method in ("GET", "HEAD"),
        base_iri=request.url,
    )
