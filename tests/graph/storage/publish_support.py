"""The remotes the publish tests push to: engines on loopback, and a proxy in front of one.

Engine                       one server a test publishes to: its endpoints, the options
                             of `drugkg publish` that reach it, and plain HTTP to check
                             what it holds (count a graph, PUT a body, ask, select)
start_engine(name, root)     the Oxigraph server (writable, the union of the graphs as
                             the default graph, as drugkg queries) or Virtuoso 7
Proxy                        a reverse proxy in front of an engine, on uvicorn in the
                             test process: asks for HTTP Basic credentials, and/or breaks
                             the last line of the PUT bodies that hold a marker (a graph
                             that fails in the middle of a publish)
remote_answer(engine, text)  a query's answer from the remote as an Answer of
                             bench.competency, read leniently: Virtuoso's blank nodes
                             (`nodeID://b10001`, which strict readers refuse) and its
                             `typed-literal` bindings are read as what they mean
publish_cli(...)             `drugkg publish` as a subprocess of the console script
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import rdflib
from liveservers import InProcessServer, LiveServer, start_oxigraph, start_virtuoso
from pyoxigraph import BlankNode, Literal, NamedNode

from bench.competency import Answer, Boolean, Graph, Solutions

DRUGKG = Path(sys.executable).with_name("drugkg")
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
BROKEN_LINE = b'<http://example.org/broken> <http://example.org/p> "no closing quote .\n'
"""A last line no N-Triples parser takes."""
PUBLISHER = ("publisher", "pw-Publisher-9c1e")
"""Virtuoso's user for the publish (granted SPARQL_UPDATE); its password is in no message."""
READER = ("reader", "pw-Reader-77aa")
"""A Virtuoso user without the right to write."""


@dataclass
class Engine:
    name: str
    server: LiveServer
    query: str
    gsp: str
    update: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def staged_by_default(self) -> bool:
        """Virtuoso's PUT is not atomic: publish to it staged."""
        return self.name == "virtuoso"

    def options(self, password_file: Path | None, *, staged: bool | None = None) -> list[str]:
        staged = self.staged_by_default if staged is None else staged
        options = ["--remote", self.query, "--gsp", self.gsp]
        if staged:
            options += ["--update", self.update]
        if self.user is not None and password_file is not None:
            options += ["--user", self.user, "--password-file", str(password_file)]
        return options

    def client(self) -> httpx.Client:
        auth = None
        if self.user is not None and self.password is not None:
            auth = httpx.DigestAuth(self.user, self.password)
        return httpx.Client(auth=auth, timeout=120)

    def select(self, text: str) -> dict[str, Any]:
        with self.client() as client:
            response = client.post(
                self.query, data={"query": text}, headers={"accept": JSON_RESULTS}
            )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def count(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows["results"]["bindings"][0]["n"]["value"])

    def counts(self, prefix: str) -> dict[str, int]:
        """Quads per remote named graph whose IRI starts with `prefix`."""
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }} GROUP BY ?g'
        )
        return {b["g"]["value"]: int(b["n"]["value"]) for b in rows["results"]["bindings"]}

    def ask(self, text: str) -> bool:
        return bool(self.select(text)["boolean"])

    def put(self, graph: str, body: bytes) -> httpx.Response:
        with self.client() as client:
            return client.put(
                self.gsp, params={"graph": graph}, content=body, headers={"content-type": N_TRIPLES}
            )


def start_engine(name: str, root: Path) -> Engine:
    if name == "oxigraph":
        server = start_oxigraph(root / "store", None, root, writable=True, union_default_graph=True)
        return Engine(
            name, server, server.url + "/query", server.url + "/store", server.url + "/update"
        )
    assert name == "virtuoso"
    users = [(*PUBLISHER, ["SPARQL_UPDATE"]), (*READER, [])]
    server = start_virtuoso(root / "db", root, users)
    return Engine(
        name,
        server,
        server.url + "/sparql",
        server.url + "/sparql-graph-crud-auth",
        server.url + "/sparql-auth",
        *PUBLISHER,
    )


class Proxy:
    """A reverse proxy to `upstream` (a base URL) on a loopback port of the test process.

    With `basic`, a request without those Basic credentials gets 401 and a Basic challenge
    (and the credentials are not passed on). `mangle` rewrites the body of every PUT (see
    `breaking` and `dropping`). Every other header (a Digest challenge and answer among them)
    and the body pass unchanged."""

    def __init__(
        self,
        upstream: str,
        *,
        basic: tuple[str, str] | None = None,
        mangle: Callable[[bytes], bytes] | None = None,
    ) -> None:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        self.upstream = upstream.rstrip("/")
        self.mangled: list[str] = []
        """The query strings of the PUTs whose body `mangle` changed."""
        expected = None
        if basic is not None:
            expected = httpx.BasicAuth(*basic)._auth_header

        async def handle(request: Request) -> Response:
            if expected is not None and request.headers.get("authorization") != expected:
                return Response(
                    b"credentials needed", 401, {"www-authenticate": 'Basic realm="drugkg-test"'}
                )
            body = await request.body()
            if request.method == "PUT" and mangle is not None:
                changed = mangle(body)
                if changed != body:
                    self.mangled.append(request.url.query)
                    body = changed
            drop = {"host", "content-length", "connection"}
            if expected is not None:
                drop.add("authorization")
            headers = [(k, v) for k, v in request.headers.items() if k.lower() not in drop]
            target = self.upstream + request.url.path
            if request.url.query:
                target += "?" + request.url.query
            async with httpx.AsyncClient(timeout=120) as client:
                answer = await client.request(
                    request.method, httpx.URL(target), headers=headers, content=body
                )
            response = Response(answer.content, answer.status_code)
            for key, value in answer.headers.multi_items():
                if key.lower() in ("content-type", "www-authenticate", "server"):
                    response.raw_headers.append((key.encode(), value.encode()))
            return response

        methods = ["GET", "HEAD", "POST", "PUT", "DELETE"]
        app = Starlette(routes=[Route("/{path:path}", handle, methods=methods)])
        self._server = InProcessServer(app, path="/")
        self.url = self._server.url

    def close(self) -> None:
        self._server.close()

    def moved(self, url: str) -> str:
        """`url` of the upstream, through the proxy."""
        assert url.startswith(self.upstream)
        return self.url + url[len(self.upstream) :]


def breaking(marker: bytes) -> Callable[[bytes], bytes]:
    """A body holding `marker` gets BROKEN_LINE at its end: a server reads it all, then
    refuses it."""
    return lambda body: body + BROKEN_LINE if marker in body else body


def dropping(marker: bytes) -> Callable[[bytes], bytes]:
    """The lines holding `marker` are left out: the server holds fewer quads than were sent."""
    return lambda body: b"".join(
        line for line in body.splitlines(keepends=True) if marker not in line
    )


# ---------------------------------------------------------------------------------------------
# Answers from the remote


def _term(binding: dict[str, str]) -> NamedNode | BlankNode | Literal:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":  # Virtuoso's `nodeID://b10001` is no valid blank node label
        return BlankNode("b" + hashlib.sha1(value.encode()).hexdigest()[:16])
    if "xml:lang" in binding:
        return Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return Literal(value, datatype=NamedNode(binding["datatype"]))
    return Literal(value)


def remote_answer(engine: Engine, text: str, *, construct: bool = False) -> Answer:
    """The remote's answer to a query, as bench.competency compares answers."""
    with engine.client() as client:
        accept = N_TRIPLES if construct else JSON_RESULTS
        response = client.post(engine.query, data={"query": text}, headers={"accept": accept})
    response.raise_for_status()
    if construct:
        return Graph(rdflib.Graph().parse(data=response.content, format="nt"))
    results = response.json()
    if "boolean" in results:
        return Boolean(bool(results["boolean"]))
    variables = tuple(results["head"]["vars"])
    rows = tuple(
        tuple(_term(b[v]) if v in b else None for v in variables)
        for b in results["results"]["bindings"]
    )
    return Solutions(variables, rows)


# ---------------------------------------------------------------------------------------------
# The command


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def publish_cli(store: Path, *options: str) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
    done = subprocess.run(
        [str(DRUGKG), "publish", "--store", str(store), *options],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stdout, done.stderr)
