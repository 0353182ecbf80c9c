"""What the remote-store tests share: putting a store's graphs on a remote, a recording
stand-in in front of it, and reading answers back.

`publish` PUTs every named graph of a local store to a remote's Graph Store Protocol (a
stand-in for `drugkg publish`). `Recorder` is a small HTTP server that records every request
and, by its `behaviour`, forwards it to the real remote or answers as a misbehaving engine
would: slowly (holding the request until drugkg closes the connection, or sending its answer a
byte at a time), with an error status, with whatever status, type and body a test gives, with
a truncation header, cut short, closing the connection mid-answer, with an answer far larger
than drugkg's limits, or not at all.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import select
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import rdflib
from liveservers import LiveServer, free_port, handler_serving, start_drugkg
from pyoxigraph import QueryResultsFormat, RdfFormat, Store, parse_query_results, serialize

from bench.competency import Answer, Graph, Solutions, answer_of

HOLD_LIMIT_S = 60.0
"""Longest a held request waits for drugkg to close its connection (a bound on a hang)."""
REFRESH = "3600"
"""DRUGKG_REMOTE_REFRESH of the servers under test: they look at the remote once."""
TIME_LIMIT_S = 2
ALLOWED = f"http://127.0.0.1:{free_port()}/sparql"
"""An allow-listed SERVICE endpoint where nothing listens."""
DRIP_S = 0.1
"""Seconds between two bytes of a dripped answer."""
_HEAD_X = b'{"head":{"vars":["x"]},"results":{"bindings":['
_END = b"]}}"


def start_over(remote: str, workdir: Path, *, probe: str = "/", **settings: str) -> LiveServer:
    """drugkg answering from `remote`, with `settings` as DRUGKG_* variables; up once `probe`
    answers 200."""
    store = workdir / "no-store"  # never read: the remote is the store
    options = {
        "remote_refresh": REFRESH,
        "query_workers": "1",
        "query_workers_max": "2",
        **settings,
    }
    return start_drugkg(store, workdir, ready=probe, remote=remote, **options)


def publish(store: Path, gsp: str) -> int:
    """PUT each named graph of `store` to the Graph Store Protocol at `gsp`; the graphs put."""
    local = Store.read_only(str(store))
    graphs = list(local.named_graphs())
    with httpx.Client(timeout=60) as client:
        for graph in graphs:
            quads = local.quads_for_pattern(None, None, None, graph)
            body = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES) or b""
            response = client.put(
                gsp,
                params={"graph": graph.value},
                content=body,
                headers={"content-type": "application/n-triples"},
            )
            assert response.status_code in (201, 204), response.text
    return len(graphs)


def put_graph(gsp: str, graph: str, ntriples: str) -> None:
    response = httpx.put(
        gsp,
        params={"graph": graph},
        content=ntriples.encode(),
        headers={"content-type": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code in (201, 204), response.text


def answer_from(response: httpx.Response) -> Answer:
    """An HTTP answer as a value that compares the way SPARQL means it."""
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    media = response.headers["content-type"].split(";", 1)[0].strip()
    results = QueryResultsFormat.from_media_type(media)
    if results is not None:
        return answer_of(parse_query_results(response.content, results))
    rdf = RdfFormat.from_media_type(media)
    assert rdf is not None, media
    quads = Store()
    quads.load(response.content, format=rdf)
    data = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES) or b""
    return Graph(rdflib.Graph().parse(data=data, format="nt"))


def size_of(answer: Answer) -> int:
    """Solutions or triples in an answer."""
    assert isinstance(answer, Solutions | Graph)
    return len(answer.rows) if isinstance(answer, Solutions) else len(answer)


@dataclass
class Recorder:
    """A stand-in remote on loopback: records every request, then behaves as told."""

    target: str
    """The real remote's query URL, where `forward` sends requests."""
    behaviour: str = "forward"
    """forward, cap (forward, results cut at `rows` as Virtuoso does), hold, status,
    answer (`status`, `content_type` and `body` as given), maxrows, partial, broken, hangup,
    drip (`body` a byte every DRIP_S), midway (half of `body`, then the connection closed),
    flood (`rows` rows, streamed), giant (one row whose literal has `rows` bytes, streamed),
    wide (a head of `rows` variables, streamed), nested (a Turtle answer of `rows` blank nodes
    nested, streamed), counts (forward, but refuse the counting queries of
    `graph.storage.statistics` with `status` and `body`, as Virtuoso refuses them when they
    name thousands of graphs)"""
    status: int = 500
    body: bytes = field(default=b"", repr=False)
    content_type: str = "text/plain"
    rows: int = 3
    queries: list[str] = field(default_factory=list, repr=False)
    """The `query` parameter of every request, in order."""
    closed_after: list[float] = field(default_factory=list, repr=False)
    """For each held or streamed request: seconds until drugkg closed the connection."""
    sent: list[int] = field(default_factory=list, repr=False)
    """For each streamed answer: the bytes of it written before it ended or was closed."""

    def reset(self) -> None:
        """Forward again, the other behaviours' settings as they were at the start."""
        self.behaviour, self.status, self.body = "forward", 500, b""
        self.content_type, self.rows = "text/plain", 3

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                pairs = parse_qsl(body.decode(), keep_blank_values=True)
                recorder.queries.append(dict(pairs).get("query", ""))
                getattr(self, f"_{recorder.behaviour}")(body)

            def _cap(self, body: bytes) -> None:
                self._forward(body, cut=recorder.rows)

            def _forward(self, body: bytes, cut: int | None = None) -> None:
                answer = httpx.post(
                    recorder.target,
                    content=body,
                    headers={
                        "content-type": self.headers.get("content-type", ""),
                        "accept": self.headers.get("accept", "*/*"),
                    },
                    timeout=60,
                )
                headers = {"content-type": answer.headers.get("content-type", "text/plain")}
                if "server" in answer.headers:
                    headers["server"] = answer.headers["server"]
                content = answer.content
                if cut is not None and "sparql-results+json" in headers["content-type"]:
                    document = json.loads(content)
                    rows = document.get("results", {}).get("bindings", [])
                    if len(rows) >= cut:
                        document["results"]["bindings"] = rows[:cut]
                        headers["x-sparql-maxrows"] = str(cut)
                        content = json.dumps(document).encode()
                self._send(answer.status_code, content, headers)

            def _hold(self, _body: bytes) -> None:
                started = time.monotonic()
                readable, _, _ = select.select([self.connection], [], [], HOLD_LIMIT_S)
                if readable and not self.connection.recv(1, 0x2):  # MSG_PEEK: b"" is closed
                    recorder.closed_after.append(time.monotonic() - started)
                self.close_connection = True

            def _counts(self, body: bytes) -> None:
                if "COUNT(DISTINCT" in recorder.queries[-1]:
                    self._status(body)
                else:
                    self._forward(body)

            def _status(self, _body: bytes) -> None:
                self._send(recorder.status, recorder.body, {"content-type": "text/plain"})

            def _maxrows(self, _body: bytes) -> None:
                rows = ",".join(
                    f'{{"x":{{"type":"literal","value":"row {i}"}}}}' for i in range(recorder.rows)
                )
                document = f'{{"head":{{"vars":["x"]}},"results":{{"bindings":[{rows}]}}}}'
                headers = {
                    "content-type": "application/sparql-results+json",
                    "x-sparql-maxrows": str(recorder.rows),
                }
                self._send(200, document.encode(), headers)

            def _partial(self, _body: bytes) -> None:
                document = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
                headers = {
                    "content-type": "application/sparql-results+json",
                    "x-sql-state": "S1TAT",
                    "x-sql-message": "RC...: Returning incomplete results, query interrupted",
                }
                self._send(200, document, headers)

            def _broken(self, _body: bytes) -> None:
                document = b'{"head":{"vars":["x"]},"results":{"bindings":[The engine failed'
                self._send(200, document, {"content-type": "application/sparql-results+json"})

            def _hangup(self, _body: bytes) -> None:
                self.close_connection = True

            def _answer(self, _body: bytes) -> None:
                self._send(recorder.status, recorder.body, {"content-type": recorder.content_type})

            def _drip(self, _body: bytes) -> None:
                self._stream(iter(recorder.body[i : i + 1] for i in range(len(recorder.body))))

            def _midway(self, _body: bytes) -> None:
                self.send_response(200)
                self.send_header("content-type", "application/sparql-results+json")
                self.send_header("content-length", str(len(recorder.body)))
                self.end_headers()
                self.wfile.write(recorder.body[: len(recorder.body) // 2])
                self.wfile.flush()
                self.close_connection = True

            def _flood(self, _body: bytes) -> None:
                row = b'{"x":{"type":"literal","value":"a row of a flood"}}'
                rows = (b"," + row if i else row for i in range(recorder.rows))
                self._stream(itertools.chain([_HEAD_X], rows, [_END]), pause=0)

            def _giant(self, _body: bytes) -> None:
                piece = b"x" * 65536
                pieces = itertools.repeat(piece, recorder.rows // len(piece))
                start = _HEAD_X + b'{"x":{"type":"literal","value":"'
                self._stream(itertools.chain([start], pieces, [b'"}}', _END]), pause=0)

            def _wide(self, _body: bytes) -> None:
                batch = 100_000
                names = (
                    b",".join(b'"v%d"' % i for i in range(start, start + batch))
                    + (b"," if start + batch < recorder.rows else b"")
                    for start in range(0, recorder.rows, batch)
                )
                head = [b'{"head":{"vars":[']
                self._stream(itertools.chain(head, names, [b']},"results":{"bindings":[]}}']), 0)

            def _nested(self, _body: bytes) -> None:
                piece = b"[ <urn:x:p> " * 100_000  # 1.2 MB, which the parser holds open
                pieces = itertools.repeat(piece, recorder.rows // 100_000)
                start = [b"<urn:x:a> <urn:x:p> "]
                self._stream(itertools.chain(start, pieces), 0, "text/turtle")

            def _stream(
                self,
                pieces: Iterator[bytes],
                pause: float = DRIP_S,
                media: str = "application/sparql-results+json",
            ) -> None:
                """A 200 answer of `pieces`, written until they end or drugkg closes the
                connection; what was sent and when it ended are recorded."""
                started, sent = time.monotonic(), 0
                self.send_response(200)
                self.send_header("content-type", media)
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for piece in pieces:
                        self.wfile.write(piece)
                        self.wfile.flush()
                        sent += len(piece)
                        if pause:
                            time.sleep(pause)
                        if time.monotonic() - started > HOLD_LIMIT_S:
                            break
                except OSError:
                    pass  # drugkg closed the connection
                recorder.sent.append(sent)
                recorder.closed_after.append(time.monotonic() - started)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        with handler_serving(Handler, "/query") as url:
            yield url


# ---------------------------------------------------------------------------------------------
# Pages, as two servers of the same graphs serve them

_BUILD = re.compile(r"remote-[0-9a-f]{16}(-counting)?|store\.build-[0-9TZ]+-[0-9]+")
_DUMP = ("dump", "n-quads")
"""What only a drugkg on the embedded store serves: its dump (`/dump.nq`, an N-Quads feature)."""


def page_text(server: LiveServer, response: httpx.Response) -> str:
    """A page as any server of the same graphs serves it: the server's own URL and its build
    id written as placeholders, the lines about the embedded store's dump left out."""
    text = _BUILD.sub("{build}", response.text.replace(server.url, "{root}"))
    return "\n".join(
        line for line in text.splitlines() if not any(d in line.lower() for d in _DUMP)
    )


def assert_same_page(
    remote: LiveServer, embedded: LiveServer, path: str, headers: dict[str, str]
) -> httpx.Response:
    """`path` from both servers: the same status, type and `page_text`; the remote's answer."""
    expected = httpx.get(embedded.url + path, headers=headers, timeout=60)
    actual = httpx.get(remote.url + path, headers=headers, timeout=60)
    assert actual.status_code == expected.status_code, actual.text[:500]
    assert actual.headers["content-type"] == expected.headers["content-type"]
    assert page_text(remote, actual) == page_text(embedded, expected)
    return actual


def description_graph(server: LiveServer, response: httpx.Response) -> rdflib.Graph:
    """A Turtle description (the service description, VoID) with the server's URL written as
    http://root, and the triples about the embedded store's dump left out."""
    graph = rdflib.Graph().parse(
        data=response.text.replace(server.url, "http://root"), format="turtle"
    )
    for triple in list(graph):
        if any(d in str(term).lower() for term in triple for d in _DUMP):
            graph.remove(triple)
    return graph
