"""Queries the linked-data pages run, through the same query processes as /sparql.

A page needs rows, not a serialisation: `select` asks a query process for SPARQL JSON results
and turns them into `Term`s; `graph_bytes` asks for a CONSTRUCT/DESCRIBE in a negotiated
format. Both run under the endpoint's time limit, off the event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from endpoint.errors import EvaluationError
from endpoint.execution import wire

if TYPE_CHECKING:
    from endpoint.execution.pool import Answer

JSON_RESULTS = "application/sparql-results+json"


class Evaluator(Protocol):
    """What runs the pages' queries: the query processes, on one version of the store."""

    async def run(self, job: wire.Job) -> Answer: ...


@dataclass(frozen=True, slots=True)
class Term:
    """One RDF term of a result row."""

    kind: str
    """`uri`, `literal` or `bnode`, as SPARQL JSON results name them."""
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


Row = dict[str, Term]


def iri_ref(iri: str) -> str:
    """`<iri>` for a query; refuses characters that would end the IRI early."""
    if any(c in iri for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not an IRI that can be written in a query: {iri!r}")
    return f"<{iri}>"


async def _body(answer: Answer) -> bytes:
    if answer.chunks is not None:
        return b"".join([chunk async for chunk in answer.chunks])
    return answer.body or b""


async def select(pool: Evaluator, query: str) -> list[Row]:
    answer = await pool.run(wire.Job(query, None, None, JSON_RESULTS, None))
    try:
        document = json.loads(await _body(answer))
    except ValueError as exc:
        raise EvaluationError(f"a query process sent unreadable results: {exc}") from exc
    rows: list[Row] = []
    for binding in document["results"]["bindings"]:
        rows.append(
            {
                name: Term(
                    "bnode" if term["type"] == "bnode" else term["type"].replace("typed-", ""),
                    term["value"],
                    term.get("xml:lang"),
                    term.get("datatype"),
                )
                for name, term in binding.items()
            }
        )
    return rows


async def ask(pool: Evaluator, query: str) -> bool:
    answer = await pool.run(wire.Job(query, None, None, JSON_RESULTS, None))
    return bool(json.loads(await _body(answer)).get("boolean"))


async def graph_bytes(
    pool: Evaluator, query: str, accept: str | None, fmt: str | None, *, union: bool = True
) -> tuple[str, bytes]:
    """A CONSTRUCT or DESCRIBE result: (content type, body); with `union=False` the query's
    default graph is the store's own."""
    answer = await pool.run(wire.Job(query, None, None, accept, fmt, union=union))
    return answer.content_type, await _body(answer)
