"""The framing between the server and its query processes, over the process's stdin/stdout.

Server to query process: one job per message, a 4-byte big-endian length and a JSON object
(see `Job`). Query process to server: frames of a 1-byte kind, a 4-byte length and a payload:

    READY     the process has opened the store and waits for jobs
    COMPLETE  a whole answer: 4-byte header length, header JSON, then the body
    HEAD      the header of a streamed answer; DATA frames follow, then END
    DATA      a chunk of the body
    END       the body is complete
    ABORT     evaluation failed after the header was sent (payload: the message)

A header is JSON: {"status": 200, "type": content type, "truncated": bool, "limit": n} or
{"status": 4xx/5xx, "error": class name, "message": ...}.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass

READY = b"R"
COMPLETE = b"C"
HEAD = b"H"
DATA = b"D"
END = b"E"
ABORT = b"A"

FRAME = struct.Struct(">cI")
LENGTH = struct.Struct(">I")
CHUNK_SIZE = 64 * 1024
"""Bytes a query process buffers before it sends a DATA frame."""


@dataclass(frozen=True, slots=True)
class Job:
    query: str
    default_graphs: list[str] | None
    """Protocol `default-graph-uri` values; None when the protocol names no dataset."""
    named_graphs: list[str] | None
    accept: str | None
    format: str | None
    base_iri: str | None = None
    """What relative IRIs of the query resolve against (the endpoint's own URL); None: the
    query must not have any."""
    store: str | None = None
    """The store version (directory) to evaluate on; None: the one the process started on."""
    union: bool = True
    """Whether the union default graph setting applies; False: the store's own default
    graph is the query's (the Graph Store Protocol's ?default)."""
    engine: str | None = None
    """A remote store's engine (`endpoint.execution.remote.engines`); None: a local store."""
    graphs: list[str] | None = None
    """drugkg's graphs on a remote store whose engine must have them listed."""
    cap: int | None = None
    """The most triples a remote store's engine puts in a graph answer, when it cuts them
    there without saying so (`endpoint.execution.remote.engines`)."""

    def encode(self) -> bytes:
        fields: dict[str, object] = {
            "query": self.query,
            "default_graphs": self.default_graphs,
            "named_graphs": self.named_graphs,
            "accept": self.accept,
            "format": self.format,
            "base_iri": self.base_iri,
            "store": self.store,
            "union": self.union,
        }
        if self.engine is not None:  # a remote store's job: what it runs against
            fields["engine"] = self.engine
            fields["graphs"] = self.graphs
            fields["cap"] = self.cap
        body = json.dumps(fields, ensure_ascii=False).encode()
        return LENGTH.pack(len(body)) + body

    @classmethod
    def decode(cls, body: bytes) -> Job:
        return cls(**json.loads(body))


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    return FRAME.pack(kind, len(payload)) + payload


def complete(header: dict[str, object], body: bytes) -> bytes:
    head = json.dumps(header).encode()
    return frame(COMPLETE, LENGTH.pack(len(head)) + head + body)


def frames(buffer: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The (kind, payload) of each frame in `buffer`, a whole answer kept in memory."""
    offset = 0
    while offset < len(buffer):
        kind, size = FRAME.unpack_from(buffer, offset)
        offset += FRAME.size
        yield kind, buffer[offset : offset + size]
        offset += size


def split_complete(payload: bytes) -> tuple[dict[str, object], bytes]:
    (size,) = LENGTH.unpack_from(payload)
    header: dict[str, object] = json.loads(payload[LENGTH.size : LENGTH.size + size])
    return header, payload[LENGTH.size + size :]
