"""The query process's job loop, in-process: frames, errors, truncation of large results."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from endpoint_stores import write_synthetic_store
from pyoxigraph import QueryResultsFormat, parse_query_results

from endpoint.execution import wire
from endpoint.execution.worker import Worker

ROWS = 20_000
ALL = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("worker") / "store"
    write_synthetic_store(path, ROWS)
    return path


def run(
    store: Path, query: str, *, limit: int | None = None, accept: str | None = None
) -> tuple[dict[str, object], bytes]:
    worker = Worker({"store": str(store), "union_default_graph": True, "result_limit": limit})
    out = io.BytesIO()
    worker.answer(wire.Job(query, None, None, accept, None), out)
    data = out.getvalue()
    frames = []
    while data:
        kind, size = wire.FRAME.unpack_from(data)
        frames.append((kind, data[wire.FRAME.size : wire.FRAME.size + size]))
        data = data[wire.FRAME.size + size :]
    if frames[0][0] == wire.COMPLETE:
        assert len(frames) == 1
        return wire.split_complete(frames[0][1])
    assert frames[0][0] == wire.HEAD
    assert frames[-1][0] == wire.END
    assert all(kind == wire.DATA for kind, _ in frames[1:-1])
    return json.loads(frames[0][1]), b"".join(payload for _, payload in frames[1:-1])


def test_small_answer_is_one_frame(store: Path) -> None:
    header, body = run(store, ALL + " LIMIT 2")
    assert header == {"status": 200, "type": "application/sparql-results+json"}
    assert len(json.loads(body)["results"]["bindings"]) == 2


def test_large_answer_streams_in_chunks(store: Path) -> None:
    header, body = run(store, ALL, accept="text/tab-separated-values")
    assert header["type"] == "text/tab-separated-values; charset=utf-8"
    assert body.count(b"\n") == ROWS + 1


def test_large_truncated_answer_says_so_in_the_streamed_header(store: Path) -> None:
    header, body = run(store, ALL, limit=ROWS - 1)
    assert header["truncated"] is True
    assert header["limit"] == ROWS - 1
    rows = list(parse_query_results(body, QueryResultsFormat.JSON))  # type: ignore[arg-type]
    assert len(rows) == ROWS - 1


def test_result_exactly_at_the_limit_is_not_truncated(store: Path) -> None:
    header, _ = run(store, ALL, limit=ROWS)
    assert header["truncated"] is False


def test_errors_become_error_headers(store: Path) -> None:
    header, body = run(store, "SELECT * WHERE {")
    assert header["status"] == 400
    assert header["error"] == "MalformedQueryError"
    assert body == b""
    header, _ = run(store, "ASK {}", accept="text/turtle")
    assert header["status"] == 406
    assert header["offered"] == [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]
