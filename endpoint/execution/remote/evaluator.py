"""A query process's way to the remote store: what it does where it would evaluate a query.

The query process (`endpoint.execution.worker`) has checked the query as for the embedded
store (its size, its nesting, the SERVICE allow-list). `RemoteEvaluator.evaluate` then
refuses a query too deep for the engine (`endpoint.execution.remote.depth`: one that could
abort the remote's server), has pyoxigraph parse it, on an empty store that holds and calls
nothing (a query the guard has parsed already, SERVICE as GRAPH, is not parsed twice),
checks the protocol's graph IRIs, shows it drugkg's dataset on the engine the job names
(`endpoint.execution.remote.request`; drugkg's graphs as FROM clauses where the engine wants
them so and pyoxigraph confirms the place), writes it out with drugkg's prologue and asks
the remote (`endpoint.execution.remote.client`). Nothing is sent for a query that fails any of it.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, Store

from endpoint.errors import (
    EndpointError,
    InvalidParameterError,
    MalformedQueryError,
    QueryTooDeepError,
    UpdateRefusedError,
)
from endpoint.execution import wire
from endpoint.execution.remote.client import RemoteAnswer, RemoteStore, Triples
from endpoint.execution.remote.depth import too_deep_for
from endpoint.execution.remote.engines import ENGINES, GENERIC
from endpoint.execution.remote.request import dataset, with_from, written_out
from endpoint.sparql.lexer import QueryShape
from graph.query.text import explain


class RemoteEvaluator:
    def __init__(self, url: str, *, timeout: float, prefixes: dict[str, str], union: bool) -> None:
        self.store = RemoteStore(url, timeout=timeout)
        self.prefixes = prefixes
        self.union = union
        """The union default graph setting (DRUGKG_UNION_DEFAULT_GRAPH)."""
        self._parser = Store()  # empty: it parses each query, holds and calls nothing

    def evaluate(self, job: wire.Job, shape: QueryShape) -> RemoteAnswer:
        """The remote's answer to a checked query, over drugkg's dataset (the job names the
        engine and drugkg's graphs on it: `endpoint.execution.remote.follower`)."""
        engine = ENGINES.get(job.engine or "", GENERIC)
        too_deep = too_deep_for(job.query, engine.name, engine.max_depth)
        if too_deep is not None:  # it could abort the remote's server
            raise QueryTooDeepError(too_deep)
        if not shape.mentions_service:  # else the guard has parsed it, SERVICE as GRAPH
            self._parse(job, shape)
        for name, graphs in (("default", job.default_graphs), ("named", job.named_graphs)):
            try:
                for graph in graphs or ():
                    NamedNode(graph)
            except ValueError as exc:
                raise InvalidParameterError(f"{name}-graph-uri: {exc}") from exc
        shown = dataset(
            engine,
            job.graphs or (),
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            union=self.union and job.union,
            own_dataset=shape.has_dataset_clause,
        )
        query, params = job.query, shown.params
        if engine.from_clauses and shown.listed:
            query, params = self._from_clauses(job, shape, params)
        text = written_out(query, shape.form_start, self.prefixes, job.base_iri)
        answer = self.store.query(engine, text, shape.first_keyword, params)
        if isinstance(answer.result, Triples):
            answer.graph_cap = job.cap
        return answer

    def broken(self, error: Exception) -> EndpointError:
        """The error a failure while reading the remote's answer is."""
        return self.store.broken(error)

    def release(self) -> None:
        """Close the answer of the last job (it may be left unread: the limit was reached)."""
        self.store.release()

    def _from_clauses(
        self, job: wire.Job, shape: QueryShape, params: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]]]:
        """The query with drugkg's graphs as FROM / FROM NAMED clauses, where pyoxigraph
        confirms the place; else the query as it is and the graphs as parameters."""
        written = with_from(job.query, shape.form_start, params)
        if written is None:
            return job.query, params
        try:
            self._parser.query(written, prefixes=self.prefixes, base_iri=job.base_iri)
        except SyntaxError:
            return job.query, params
        except (OSError, RuntimeError, ValueError, TypeError):
            pass  # parsed: evaluating it on the empty store is beside the point
        return written, []

    def _parse(self, job: wire.Job, shape: QueryShape) -> None:
        """Have pyoxigraph parse the query as it would evaluate it (a malformed one never
        reaches the remote); evaluating it on the empty store is beside the point."""
        try:
            self._parser.query(job.query, prefixes=self.prefixes, base_iri=job.base_iri)
        except SyntaxError as exc:
            if shape.is_update:
                raise UpdateRefusedError() from exc
            problem = explain(job.query, exc, self.prefixes)
            raise MalformedQueryError(f"malformed query: {problem.located}") from exc
        except (OSError, RuntimeError, ValueError, TypeError):
            pass
