"""A query process: opens the store read-only and answers jobs, one at a time, over its pipes.

Run as `python -m endpoint.execution.worker CONFIG-JSON` by `endpoint.execution.pool`, never by
hand. The server kills the process (SIGKILL) when a query runs past its time limit: pyoxigraph
cannot cancel a running query from another thread, and killing the process is what reclaims its CPU.

Jobs are answered one at a time on a thread with a deep stack (`graph.query.text`). For each
job: scan the text (`endpoint.sparql.lexer`; a text nested too deeply for pyoxigraph's parser is
refused before it gets there), check SERVICE calls (`endpoint.sparql.federation`),
evaluate with pyoxigraph, pick the representation (`endpoint.sparql.negotiation`) and serialise it
with pyoxigraph straight into frames (`endpoint.execution.wire`), so a large result streams with
bounded memory. With a result limit, at most that many solutions or triples are sent and the
header says whether the result was truncated.

Started on a remote store (`drugkg serve --remote`: the config names it instead of a store
directory), the process checks each query the same way, then asks the remote
(`endpoint.execution.remote.evaluator`) instead of evaluating it, and serialises the remote's
answer as it streams in, under the same limits; a remote that cut the result itself counts as
a truncation.
"""

from __future__ import annotations

import json
import os
import sys
from collections import OrderedDict
from collections.abc import Iterator
from itertools import islice
from tempfile import SpooledTemporaryFile
from typing import IO, TYPE_CHECKING, Any, cast

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from endpoint.errors import (
    EndpointError,
    EvaluationError,
    InvalidParameterError,
    MalformedQueryError,
    QueryTooDeepError,
    RemoteServiceError,
    UpdateRefusedError,
    to_wire,
)
from endpoint.execution import wire
from endpoint.sparql import federation
from endpoint.sparql.lexer import QueryShape, scan
from endpoint.sparql.negotiation import choose
from graph.query.formats import Format, Kind
from graph.query.text import StackTooSmallError, explain, run_on_deep_stack

if TYPE_CHECKING:
    from endpoint.execution.remote.client import Triples
    from endpoint.execution.remote.evaluator import RemoteEvaluator

OPEN_VERSIONS = 2
"""Store versions a query process keeps open: the current one and the one before."""
MAX_QUERY_CHARS = 1_000_000
"""Longest query text when the server does not say (its request size limit)."""
MIN_QUERY_CHARS = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
"""Bytes of a limited result kept in memory before it spills to a temporary file."""


class FrameWriter:
    """A binary file-like object pyoxigraph serialises into; it sends DATA frames."""

    def __init__(self, out: IO[bytes], header: dict[str, object]) -> None:
        self._out = out
        self.header = header
        """Sent before the first DATA frame; may still change until then."""
        self._buffer = bytearray()
        self.header_sent = False

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= wire.CHUNK_SIZE:
            self._send()
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes at the end; frames go out by size, and in `finish`."""

    def _send(self) -> None:
        if not self.header_sent:
            self._out.write(wire.frame(wire.HEAD, json.dumps(self.header).encode()))
            self.header_sent = True
        self._out.write(wire.frame(wire.DATA, bytes(self._buffer)))
        self._buffer.clear()

    def finish(self) -> None:
        if not self.header_sent:
            self._out.write(wire.complete(self.header, bytes(self._buffer)))
        else:
            if self._buffer:
                self._out.write(wire.frame(wire.DATA, bytes(self._buffer)))
            self._out.write(wire.frame(wire.END))
        self._buffer.clear()


class Worker:
    def __init__(self, config: dict[str, Any]) -> None:
        self.stores: OrderedDict[str, Store] = OrderedDict()
        """The versions of the store this process has open, the latest used last."""
        remote: dict[str, Any] | None = config.get("remote")
        self.union = bool(config["union_default_graph"])
        self.limit: int | None = config.get("result_limit")
        self.prefixes: dict[str, str] = dict(config.get("prefixes", {}))
        """Pre-declared in every query, and used in graph answers (Turtle, TriG, RDF/XML)."""
        self.remote: RemoteEvaluator | None = None
        """The remote store queries are asked of, instead of a store directory."""
        self.capped: int | None = None
        """The remote cut the current job's result at this many rows or triples."""
        self.graph_cap: int | None = None
        """The remote cuts graph results at this many triples without saying so."""
        if remote is None:
            self.home = str(config["store"])
            self.store_for(self.home)
        else:
            from endpoint.execution.remote.evaluator import RemoteEvaluator  # httpx: only here

            self.home = ""
            self.remote = RemoteEvaluator(
                str(remote["url"]),
                timeout=float(remote["timeout"]),
                prefixes=self.prefixes,
                union=self.union,
            )
        self.guard = federation.ServiceGuard(config.get("federation_allowlist", []), self.prefixes)
        self.max_chars: int | None = config.get("max_query_chars")
        """Longest query text the thread's stack is sized for (`graph.query.text`)."""

    def store_for(self, version: str | None) -> Store:
        """The store version a job runs on, opened the first time (tens of milliseconds);
        at most OPEN_VERSIONS stay open."""
        path = version or self.home
        store = self.stores.get(path)
        if store is None:
            try:
                store = Store.read_only(path)
            except OSError as exc:
                raise EvaluationError(f"cannot open the store version {path}: {exc}") from exc
            self.stores[path] = store
            while len(self.stores) > OPEN_VERSIONS:
                self.stores.popitem(last=False)
        self.stores.move_to_end(path)
        return store

    def evaluate(
        self, job: wire.Job, shape: QueryShape | None = None
    ) -> tuple[QuerySolutions | QueryBoolean | QueryTriples | Triples, bool]:
        """The result, and whether the query calls a SERVICE."""
        shape = scan(job.query) if shape is None else shape
        if self.max_chars is not None and len(job.query) > self.max_chars:
            raise QueryTooDeepError(
                f"the query has {len(job.query)} characters, more than the "
                f"{self.max_chars} this server can parse safely"
            )
        if shape.too_deep is not None:
            raise QueryTooDeepError(shape.too_deep)
        try:
            calls_service = self.guard.check(job.query, shape, job.base_iri)
        except MalformedQueryError:
            if shape.is_update:
                raise UpdateRefusedError() from None
            raise
        if self.remote is not None:
            answer = self.remote.evaluate(job, shape)
            self.capped, self.graph_cap = answer.capped, answer.graph_cap
            return answer.result, calls_service
        options: dict[str, Any] = {"prefixes": self.prefixes, "base_iri": job.base_iri}
        if job.default_graphs is not None or job.named_graphs is not None:
            try:
                options["default_graph"] = [NamedNode(g) for g in job.default_graphs or []]
                options["named_graphs"] = [NamedNode(g) for g in job.named_graphs or []]
            except ValueError as exc:
                raise InvalidParameterError(f"default-graph-uri/named-graph-uri: {exc}") from exc
        elif self.union and job.union and not shape.has_dataset_clause:
            options["use_default_graph_as_union"] = True
        try:
            store = self.store_for(job.store)
            return store.query(job.query, **options), calls_service
        except SyntaxError as exc:
            if shape.is_update:
                raise UpdateRefusedError() from exc
            problem = explain(job.query, exc, self.prefixes)
            raise MalformedQueryError(f"malformed query: {problem.located}") from exc
        except OSError as exc:
            raise _evaluation_error(exc, calls_service) from exc

    def answer(self, job: wire.Job, out: IO[bytes]) -> None:
        writer: FrameWriter | None = None
        has_service = False
        self.capped = self.graph_cap = None
        try:
            shape = scan(job.query)
            has_service = shape.has_service
            result, has_service = self.evaluate(job, shape)
            solutions = isinstance(result, QuerySolutions | QueryBoolean)
            kind = Kind.SOLUTIONS if solutions else Kind.GRAPH
            rep = choose(kind, job.accept, job.format)
            header: dict[str, object] = {"status": 200, "type": rep.content_type}
            if isinstance(result, QueryBoolean):
                body = result.serialize(format=rep.results_format) or b""
                out.write(wire.complete(header, body))
                return
            writer = FrameWriter(out, header)
            sink = cast(IO[bytes], writer)
            limit, capped, cap = self.limit, self.capped, self.graph_cap
            for cut in (capped, cap):  # the remote cut it, or may have: the answer says so
                if cut is not None:
                    limit = cut if limit is None else min(limit, cut)
            if limit is None:
                if isinstance(result, QuerySolutions):
                    result.serialize(sink, rep.results_format)
                else:
                    serialize(result, sink, rep.rdf_format, prefixes=self.prefixes)
            else:
                header["limit"] = limit
                _limited(
                    result, limit, rep, writer, self.prefixes, cut=capped is not None, full=cap
                )
            writer.finish()
        except EndpointError as error:
            _fail(out, error, writer)
        except (OSError, SyntaxError, ValueError, TypeError, RuntimeError, MemoryError) as exc:
            # raised lazily while solutions are produced: a store failure, a SERVICE
            # endpoint that failed or answered something unparsable, or a remote store's
            # answer that broke off; MemoryError is pyoxigraph's parser refusing a token of
            # an answer over its buffer's 16 MiB (a giant literal), not the process out of
            # memory (the pool's memory limit stops a process long before)
            if self.remote is not None:
                _fail(out, self.remote.broken(exc), writer)
            else:
                _fail(out, _evaluation_error(exc, has_service), writer)
        finally:
            if self.remote is not None:
                self.remote.release()


def _evaluation_error(exc: Exception, has_service: bool) -> EndpointError:
    if has_service:
        return RemoteServiceError(f"a SERVICE call failed: {exc}")
    return EvaluationError(f"query evaluation failed: {exc}")


def _fail(out: IO[bytes], error: EndpointError, writer: FrameWriter | None) -> None:
    if writer is not None and writer.header_sent:
        out.write(wire.frame(wire.ABORT, error.message.encode()))
    else:
        out.write(wire.complete({"status": error.status, **to_wire(error)}, b""))


def _limited(
    result: QuerySolutions | QueryTriples | Triples,
    limit: int,
    rep: Format,
    out: FrameWriter,
    prefixes: dict[str, str],
    *,
    cut: bool = False,
    full: int | None = None,
) -> None:
    """Send at most `limit` solutions or triples; the header says whether more were left out
    (always, when the result was `cut` before it came here, and when a graph has `full`
    triples or more: a remote that cuts graphs there without saying so may have cut it).

    The header (with the truncation flag) must precede the body, so the first `limit` items
    are spooled (SPARQL TSV or N-Triples: pyoxigraph's own term syntax, one item per line),
    the flag is set by looking for one more, and the spool is parsed back and serialised in
    the negotiated format. Memory stays bounded: the spool spills to a temporary file.
    """
    sink = cast(IO[bytes], out)
    with SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        if isinstance(result, QuerySolutions):
            variables = result.variables
            spool.write(("\t".join(str(v) for v in variables) + "\n").encode())
            for solution in islice(result, limit):
                cells = (solution[v] for v in variables)
                line = "\t".join("" if term is None else str(term) for term in cells)
                spool.write((line + "\n").encode())
            out.header["truncated"] = cut or next(result, None) is not None
            spool.seek(0)
            parsed_solutions = parse_query_results(spool, QueryResultsFormat.TSV)
            parsed_solutions.serialize(sink, rep.results_format)
        else:
            triples: Iterator[Triple] = iter(result)
            kept = 0

            def counted() -> Iterator[Triple]:
                nonlocal kept
                for triple in islice(triples, limit):
                    kept += 1
                    yield triple

            serialize(counted(), spool, RdfFormat.N_TRIPLES)
            more = next(triples, None) is not None
            out.header["truncated"] = cut or more or (full is not None and kept >= full)
            spool.seek(0)
            parsed = (quad.triple for quad in parse(spool, RdfFormat.N_TRIPLES))
            serialize(parsed, sink, rep.rdf_format, prefixes=prefixes)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main() -> None:
    config = json.loads(sys.argv[1])
    # Frames own the real stdout; anything printed by accident goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb", buffering=wire.CHUNK_SIZE)
    os.dup2(2, 1)
    jobs = os.fdopen(0, "rb", buffering=wire.CHUNK_SIZE)  # a job arrives in one read
    worker = Worker(config)
    out.write(wire.frame(wire.READY, str(os.getpid()).encode()))
    out.flush()
    # on a stack deep enough for the longest query text: no text can overflow pyoxigraph's
    # recursion, however it nests or chains (graph.query.text)
    chars = worker.max_chars or MAX_QUERY_CHARS
    while True:
        try:
            worker.max_chars = chars
            run_on_deep_stack(lambda: _answer_jobs(worker, jobs, out), chars)
            return
        except StackTooSmallError:
            if chars <= MIN_QUERY_CHARS:
                raise
            chars //= 2  # the system refused that much address space: accept less text


def _answer_jobs(worker: Worker, jobs: IO[bytes], out: IO[bytes]) -> None:
    while True:
        head = _read_exactly(jobs, wire.LENGTH.size)
        if head is None:
            return
        body = _read_exactly(jobs, wire.LENGTH.unpack(head)[0])
        if body is None:
            return
        worker.answer(wire.Job.decode(body), out)
        out.flush()


if __name__ == "__main__":
    main()
