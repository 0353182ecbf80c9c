"""SPARQL 1.1 Update at /sparql: the dataset parameters, and the answer to a write.

The request forms (POST `update=` form, POST `application/sparql-update`) are read by
`endpoint.sparql.protocol`, which also refuses an update sent with GET and two updates in
one request. Here:

- `using-graph-uri` and `using-named-graph-uri` (SPARQL 1.1 Protocol, section 2.2.3) set the
  dataset of every operation with a WHERE clause, as if each had the matching USING and
  USING NAMED clauses: they are written into the text before each such WHERE (a DELETE WHERE
  is first written out as the DELETE ... WHERE it abbreviates). An update that names its own
  dataset (USING, USING NAMED or WITH) together with these parameters is refused with 400,
  as the Protocol requires.
- the answer of an accepted update: 200, with what changed per graph (JSON when the client
  accepts it, else plain text), and the audit record's IRI in `X-Drugkg-Audit`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from endpoint.errors import InvalidParameterError
from endpoint.sparql.protocol import UpdateRequest
from graph.query.text import Token, tokens
from graph.storage.writes import WriteJob

if TYPE_CHECKING:
    from endpoint.state import EndpointState

AUDIT_HEADER = "x-drugkg-audit"


def _depths(scanned: Sequence[Token]) -> list[int]:
    depth, out = 0, []
    for token in scanned:
        if token.text in ("{", "(", "[", "{|"):
            out.append(depth)
            depth += 1
        elif token.text in ("}", ")", "]", "|}"):
            depth -= 1
            out.append(depth)
        else:
            out.append(depth)
    return out


def with_dataset(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with the protocol's dataset written into every operation with a WHERE."""
    if not using and not using_named:
        return update
    scanned = list(tokens(update))
    depths = _depths(scanned)
    top = [(t, d) for t, d in zip(scanned, depths, strict=True) if d == 0]
    for token, _ in top:
        if token.keyword in ("USING", "WITH"):
            raise InvalidParameterError(
                "the update names its own dataset (USING, USING NAMED or WITH) and the "
                "request gives using-graph-uri or using-named-graph-uri: the SPARQL 1.1 "
                "Protocol refuses the two together"
            )
    clauses = " ".join(
        [*(f"USING <{iri}>" for iri in using), *(f"USING NAMED <{iri}>" for iri in using_named)]
    )
    edits: list[tuple[int, int, str]] = []
    for index, (token, _) in enumerate(top):
        if token.keyword != "WHERE":
            continue
        before = top[index - 1][0] if index else None
        if before is not None and before.keyword == "DELETE":
            # DELETE WHERE { P } abbreviates DELETE { P } WHERE { P }
            block = _block_after(update, scanned, token)
            if block is None:
                continue
            start, end = block
            pattern = update[start:end]
            edits.append((before.start, end, f"DELETE {pattern} {clauses} WHERE {pattern}"))
        else:
            edits.append((token.start, token.start, clauses + " "))
    out, at = [], 0
    for start, end, text in sorted(edits):
        out += [update[at:start], text]
        at = end
    out.append(update[at:])
    return "".join(out)


def _block_after(text: str, scanned: Sequence[Token], keyword: Token) -> tuple[int, int] | None:
    """The span of the `{ ... }` block that follows `keyword`."""
    depth = 0
    start = None
    for token in scanned:
        if token.start < keyword.end:
            continue
        if token.text in ("{", "{|"):
            if depth == 0:
                start = token.start
            depth += 1
        elif token.text in ("}", "|}"):
            depth -= 1
            if depth == 0 and start is not None:
                return start, token.end
        elif depth == 0 and start is None:
            return None
    return None


async def perform(state: EndpointState, request: UpdateRequest, writer: str) -> Response:
    """Run an update from an authorised writer; once it is accepted, this server process
    answers from the new store version before it replies."""
    text = with_dataset(request.update, request.using_graphs, request.using_named_graphs)
    job = WriteJob("update", writer, update=text, base_iri=request.base_iri)
    outcome = await state.writer().run(job)
    await state.follower.check()
    return answer(outcome, request.accept)


def answer(outcome: dict[str, Any], accept: str | None, status: int = 200) -> Response:
    """The answer to an accepted write: what it changed, per graph."""
    changes = outcome["outcome"]["changes"]
    headers = {AUDIT_HEADER: outcome["outcome"]["activity"]}
    if accept and "json" in accept:
        body = {
            "status": status,
            "audit": outcome["outcome"]["activity"],
            "graphs": [{"graph": key or None, **change} for key, change in changes.items()],
        }
        return Response(json.dumps(body), status, headers, media_type="application/json")
    lines = ["write accepted"]
    for key, change in changes.items():
        name = f"<{key}>" if key else "the default graph"
        counted = "" if change["exact"] else " (from the counts)"
        lines.append(
            f"{name}: {change['before']} -> {change['after']} quads, "
            f"{change['added']} added, {change['removed']} removed{counted}"
        )
    lines.append(f"audit: <{outcome['outcome']['activity']}>")
    return Response("\n".join(lines) + "\n", status, headers, media_type="text/plain")
