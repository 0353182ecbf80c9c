"""`drugkg publish`: every graph of the built store, pushed to a SPARQL 1.1 server.

This module owns drugkg's client of a remote store: the Graph Store Protocol PUT of each
graph (as N-Triples), the staging of a graph and its swap into place with a SPARQL Update
`MOVE`, the check that the remote holds as many quads per graph as the store, the
authentication (HTTP Basic or Digest, whichever the server asks for, with a password read
from a file and never shown), and the account of what was done and what went wrong. It
speaks HTTP to the server and reads the store; it writes nothing locally.

What is published: every named graph of the store (the build's graphs, the datasets loaded
beside them, graphs written over HTTP, empty ones too) and the default graph when it holds
quads, one PUT each (`?graph=IRI`, `?default`), in the order of their IRIs, the default graph
last. A PUT replaces what the remote held in that graph.

Two ways to replace a graph, measured on two engines (tests/graph/storage/test_publish.py):

- direct (no update endpoint given): a PUT to the graph itself. What a failed PUT leaves and
  what a reader sees meanwhile is the server's affair. The Oxigraph server's PUT is atomic:
  a body with a syntax error in its last line leaves the old content whole, and readers see
  the old content until the new one is all there. Virtuoso 7's is not: the same body leaves
  the graph holding the new content up to the error, and readers see the graph empty, then
  growing.
- staged (`update` given): a PUT to a staging graph (`urn:drugkg:publish-staging:` and a
  digest of the graph's name), its count checked, then one update `MOVE <staging> TO
  <graph>`, and the graph's count checked. A PUT that fails touches only the staging graph,
  which is dropped again: the graph keeps its previous content. On both engines readers saw
  the old content, then the new, never a mixture, during a MOVE (which the Oxigraph server
  does slowly: 95 s for 300,000 quads, whose PUT takes 21 s). An empty graph is always PUT
  directly (an empty body cannot half fail).

The check: after each graph, `SELECT (COUNT(*) AS ?n) WHERE { GRAPH <g> { ?s ?p ?o } }` to
the query endpoint, which counts that graph alone, never the server's default graph (which on
Virtuoso also holds its system graphs). The default graph is counted from a GET of the Graph
Store Protocol instead (no query counts the default graph alone where it is the union of the
graphs). A server that keeps one literal per value (Virtuoso makes `"1"^^xsd:integer`,
`"1.0"^^xsd:decimal` and `"1E0"^^xsd:double` one literal, and date-times at one instant)
holds fewer quads than the store where one subject and predicate have two such objects:
such a count is accepted when it equals the store's with literals equal in value merged
(`merged_count`), and the outcome says how many quads the server merged. Any other
difference stops the publish.

Blank nodes: one PUT keeps the blank nodes of one graph as they are related; a blank node
that occurs in two graphs becomes two blank nodes on the remote, one per PUT, and the
statements of one graph about it no longer meet those of the other. `shared_blank_nodes`
finds them and the report warns. The article's build has 104: the selectors of its quotes,
in the document graph, typed `oa:Selector` in `inferred`.

Before anything is written, an `ASK {}` to the query endpoint and a GET from the Graph Store
Protocol endpoint find a server that is down, a wrong URL or wrong credentials. A publish
stops at the first graph that fails, with an error naming the graph, the request
and the server's answer (its status and a bounded excerpt of its body): the graphs before it
are published, the ones after it untouched. Graphs the remote holds under the build's graph
namespace that the store does not (a statement graph whose quote was removed) are reported,
and dropped with `prune`; staging graphs a killed publish left are always dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import ipaddress
import json
import re
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
)

from graph.errors import DrugkgError, PublishError, RemoteError
from graph.storage.statistics import DEFAULT, quads_per_graph

N_TRIPLES = "application/n-triples"
JSON_RESULTS = "application/sparql-results+json"
STAGING = "urn:drugkg:publish-staging:"
"""The prefix of the staging graphs (a digest of the graph's name follows)."""
EXCERPT_CHARS = 300
"""How much of a server's answer an error shows."""
UNWRITTEN = frozenset({401, 403, 404, 405, 411, 413, 414, 415})
"""Statuses of a request refused before its body was applied."""
DEFAULT_TIMEOUT = 300.0
USER_AGENT = "drugkg-publish"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    _XSD + name
    for name in (
        "integer",
        "decimal",
        "float",
        "double",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_BOOLEAN = _XSD + "boolean"
_DATE_TIME = _XSD + "dateTime"


# ---------------------------------------------------------------------------------------------
# What to publish to


class PublishUsageError(DrugkgError):
    """The command is given something unusable: a URL with credentials in it, a password file
    that cannot be read (exit 2)."""


def check_url(url: str, option: str) -> str:
    """An http(s) URL without credentials in it (they belong in --user and --password-file)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublishUsageError(f"{option} must be an http:// or https:// URL, not {url!r}")
    if parts.username is not None or parts.password is not None:
        raise PublishUsageError(
            f"{option} holds credentials: give the user with --user and the password in a "
            "file with --password-file, never in a URL"
        )
    return url


def read_password(path: Path) -> str:
    """The password in `path`: its first line, without the line end (blanks are kept)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishUsageError(f"cannot read the password file {path}: {exc}") from exc
    password = text.removesuffix("\n").removesuffix("\r")
    if not password or "\n" in password:
        raise PublishUsageError(f"the password file {path} must hold the password on one line")
    return password


@dataclass(frozen=True)
class Remote:
    """Where a publish goes: the query, Graph Store Protocol and (optional) update endpoints."""

    query: str
    gsp: str
    update: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def staged(self) -> bool:
        return self.update is not None


class ChallengeAuth(httpx.Auth):
    """HTTP authentication as the server asks for it: a request goes out without credentials,
    and a 401 is answered with Digest when the server offers it, else with Basic; later
    requests use the scheme chosen (Digest then sends its answer ahead, from the last
    challenge). No credentials are sent to a server that does not ask."""

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self.scheme: str | None = None
        self.challenge: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        if self.scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        offered = response.headers.get_list("www-authenticate")
        self.challenge = challenges(offered)
        schemes = {h.split(None, 1)[0].lower() for h in offered if h.strip()}
        if "digest" in schemes:
            self.scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # the request as sent, without credentials: answered above
            try:
                retry = flow.send(response)
            except StopIteration:
                return
            answer = yield retry
            with contextlib.suppress(StopIteration):
                flow.send(answer)
        elif "basic" in schemes:
            self.scheme = "basic"
            yield from self._basic.auth_flow(request)


def challenges(offered: Iterable[str]) -> str | None:
    """What a server's WWW-Authenticate headers ask for, shortly: `Digest realm="SPARQL"`
    (the nonces and the rest left out)."""
    asked = []
    for header in offered:
        scheme, _, rest = header.strip().partition(" ")
        realm = re.search(r'realm="([^"]*)"', rest)
        asked.append(f'{scheme} realm="{realm.group(1)}"' if realm else scheme)
    return ", ".join(a for a in asked if a) or None


# ---------------------------------------------------------------------------------------------
# What the store holds


@dataclass(frozen=True)
class LocalGraph:
    """A graph of the store: its IRI (None for the default graph) and its quads."""

    name: str | None
    quads: int

    @property
    def node(self) -> NamedNode | DefaultGraph:
        return DefaultGraph() if self.name is None else NamedNode(self.name)

    @property
    def label(self) -> str:
        return "the default graph" if self.name is None else f"<{self.name}>"


def local_graphs(store: Store) -> list[LocalGraph]:
    """Every named graph of the store with its quads, by IRI, and the default graph last
    when it holds quads."""
    counts = {g.value: 0 for g in store.named_graphs() if isinstance(g, NamedNode)}
    counts.update(quads_per_graph(store))
    default = counts.pop(DEFAULT, 0)
    graphs = [LocalGraph(name, counts[name]) for name in sorted(counts)]
    if default:
        graphs.append(LocalGraph(None, default))
    return graphs


def shared_blank_nodes(store: Store) -> dict[tuple[str, ...], int]:
    """Blank nodes that occur in more than one graph: how many, per set of graphs (graph
    IRIs, "" for the default graph)."""
    where: dict[BlankNode, set[str]] = {}
    named = store.query(
        "SELECT DISTINCT ?g ?b WHERE { GRAPH ?g { { ?b ?p ?o } UNION { ?s ?p ?b } } "
        "FILTER(isBlank(?b)) }"
    )
    default = store.query(
        "SELECT DISTINCT ?b WHERE { { ?b ?p ?o } UNION { ?s ?p ?b } FILTER(isBlank(?b)) }"
    )
    assert isinstance(named, QuerySolutions)
    assert isinstance(default, QuerySolutions)
    for row in named:
        graph, node = row["g"], row["b"]
        if isinstance(graph, NamedNode) and isinstance(node, BlankNode):
            where.setdefault(node, set()).add(graph.value)
    for row in default:
        node = row["b"]
        if isinstance(node, BlankNode):
            where.setdefault(node, set()).add("")
    shared: dict[tuple[str, ...], int] = {}
    for graphs in where.values():
        if len(graphs) > 1:
            key = tuple(sorted(graphs))
            shared[key] = shared.get(key, 0) + 1
    return shared


def _value(term: object) -> object:
    """A literal's value, for the literals a server may keep one of per value: numbers of any
    numeric type, booleans and time-zoned date-times; any other term stands for itself."""
    if not isinstance(term, Literal) or term.language:
        return term
    datatype, text = term.datatype.value, term.value.strip()
    if datatype in _NUMERIC:
        if text in ("NaN", "INF", "+INF", "-INF"):
            return ("number", text.lstrip("+"))
        try:
            number = Decimal(text)
        except InvalidOperation:
            return term
        return ("number", number.normalize() if number else Decimal(0))
    if datatype == _BOOLEAN and text in ("true", "false", "1", "0"):
        return ("boolean", text in ("true", "1"))
    if datatype == _DATE_TIME:
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return ("dateTime", moment.astimezone(UTC))
    return term


def merged_count(store: Store, graph: LocalGraph) -> int:
    """The quads of `graph` when objects equal in value count once (see `_value`)."""
    seen = {
        (q.subject, q.predicate, _value(q.object))
        for q in store.quads_for_pattern(None, None, None, graph.node)
    }
    return len(seen)


# ---------------------------------------------------------------------------------------------
# What was done


@dataclass(frozen=True)
class GraphOutcome:
    graph: LocalGraph
    remote: int
    """Quads the remote holds in the graph after the publish."""
    how: str
    """created, replaced (a direct PUT) or staged and moved."""
    seconds: float
    merged: int = 0
    """Quads fewer on the remote because it keeps one literal per value."""


@dataclass
class PublishReport:
    remote: Remote
    outcomes: list[GraphOutcome]
    seconds: float
    server: str | None
    """The query endpoint's Server header."""
    warnings: list[str]
    stale: list[str]
    """Graphs the remote holds in the build's namespace that the store does not."""
    pruned: list[str]

    @property
    def quads(self) -> int:
        return sum(o.graph.quads for o in self.outcomes)


class Watcher(Protocol):
    """Who hears of a publish as it goes (the command line's progress bar)."""

    def starting(self, graph: LocalGraph) -> None: ...

    def finished(self, outcome: GraphOutcome) -> None: ...


class _Quiet:
    def starting(self, graph: LocalGraph) -> None:
        pass

    def finished(self, outcome: GraphOutcome) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Talking to the server


def _where(url: str) -> str:
    """A URL without its query string, for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def excerpt(response: httpx.Response, limit: int = EXCERPT_CHARS) -> str:
    """A readable, bounded piece of a server's answer: HTML tags dropped, blanks folded."""
    text = response.content[: limit * 20].decode("utf-8", errors="replace")
    if "html" in response.headers.get("content-type", "") or text.lstrip().startswith("<"):
        text = re.sub(r"<!DOCTYPE[^>]*>|<head>.*?</head>", " ", text, flags=re.I | re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Session:
    """One HTTP client for the whole publish, and the errors its requests end in."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote
        self.auth: ChallengeAuth | None = None
        if remote.user is not None and remote.password is not None:
            self.auth = ChallengeAuth(remote.user, remote.password)
        self.client = httpx.Client(
            auth=self.auth,
            timeout=httpx.Timeout(remote.timeout, connect=min(remote.timeout, 10.0)),
            headers={"user-agent": USER_AGENT},
        )

    def close(self) -> None:
        self.client.close()

    def send(self, method: str, url: str, what: str, **kwargs: object) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as exc:
            raise RemoteError(
                f"{what}: {method} {_where(url)} gave no answer within {self.remote.timeout:g} s "
                f"({type(exc).__name__})",
                url=url,
            ) from exc
        except httpx.TransportError as exc:
            raise RemoteError(
                f"{what}: cannot reach {_where(url)}: {exc or type(exc).__name__}", url=url
            ) from exc
        if not response.is_success:
            raise self._refused(method, url, what, response)
        return response

    def _refused(self, method: str, url: str, what: str, response: httpx.Response) -> RemoteError:
        status = response.status_code
        body = excerpt(response)
        message = (
            f"{what}: {method} {_where(url)} answered {status} {response.reason_phrase}: {body}"
        )
        if status == 401:
            challenge = challenges(response.headers.get_list("www-authenticate"))
            if self.auth is None:
                message += (
                    f"; the server asks for credentials ({challenge or 'no challenge given'}): "
                    "give --user NAME and --password-file FILE"
                )
            else:
                scheme = self.auth.scheme or "none it accepts"
                message += (
                    f"; the server refused the credentials of user {self.auth.user!r} "
                    f"(sent with {scheme}; it asks for "
                    f"{challenge or self.auth.challenge or 'nothing'})"
                )
        elif status == 403:
            message += "; the user may not write here (Virtuoso: grant it SPARQL_UPDATE)"
        elif status == 404:
            message += "; is the URL right? (Oxigraph: /store, /query, /update; Virtuoso: "
            message += "/sparql-graph-crud-auth, /sparql, /sparql-auth)"
        return RemoteError(message, url=url, status=status, excerpt=body)

    def query(self, text: str, what: str) -> dict[str, object]:
        response = self.send(
            "POST",
            self.remote.query,
            what,
            data={"query": text},
            headers={"accept": JSON_RESULTS},
        )
        try:
            parsed = json.loads(response.content)
            assert isinstance(parsed, dict)
        except (ValueError, AssertionError) as exc:
            raise RemoteError(
                f"{what}: {_where(self.remote.query)} did not answer SPARQL JSON results: "
                f"{excerpt(response)}",
                url=self.remote.query,
                status=response.status_code,
            ) from exc
        return parsed

    def update(self, text: str, what: str) -> None:
        assert self.remote.update is not None
        self.send(
            "POST",
            self.remote.update,
            what,
            content=text.encode("utf-8"),
            headers={"content-type": "application/sparql-update"},
        )

    def gsp_url(self, graph: str | None) -> str:
        """The Graph Store Protocol URL of `graph` (`?graph=IRI`, or `?default`), any query
        string of the endpoint's URL kept. Never the bare endpoint: a PUT there replaces the
        whole dataset."""
        base = httpx.URL(self.remote.gsp)
        if graph is None:
            query = base.query + b"&" if base.query else b""
            return str(base.copy_with(query=query + b"default"))
        return str(base.copy_merge_params({"graph": graph}))

    def put(self, graph: str | None, body: bytes, what: str) -> httpx.Response:
        url = self.gsp_url(graph)
        return self.send("PUT", url, what, content=body, headers={"content-type": N_TRIPLES})

    def delete(self, graph: str, what: str) -> None:
        try:
            self.send("DELETE", self.gsp_url(graph), what)
        except RemoteError as exc:
            if exc.status != 404:
                raise

    def count(self, graph: str | None, what: str) -> int:
        if graph is None:  # see the module's docstring: a GET, not a query
            url = self.gsp_url(None)
            response = self.send("GET", url, what, headers={"accept": N_TRIPLES})
            try:
                return len(set(parse(response.content, format=RdfFormat.N_TRIPLES)))
            except SyntaxError as exc:
                raise RemoteError(
                    f"{what}: the default graph from {_where(url)} is no N-Triples: {exc}",
                    url=url,
                ) from exc
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        results = self.query(text, what)
        try:
            bindings = results["results"]["bindings"]  # type: ignore[index]
            return int(bindings[0]["n"]["value"])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise RemoteError(
                f"{what}: {_where(self.remote.query)} answered a count without a number: "
                f"{json.dumps(results)[:EXCERPT_CHARS]}",
                url=self.remote.query,
            ) from exc

    def graphs_under(self, prefixes: Iterable[str], what: str) -> list[str]:
        """The remote's named graphs whose IRIs start with one of `prefixes`."""
        tests = " || ".join(f"STRSTARTS(STR(?g), {json.dumps(p)})" for p in prefixes)
        results = self.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({tests}) }}", what
        )
        try:
            rows = results["results"]["bindings"]  # type: ignore[index]
            return sorted(str(row["g"]["value"]) for row in rows)
        except (KeyError, TypeError) as exc:
            raise RemoteError(
                f"{what}: {_where(self.remote.query)} answered no list of graphs",
                url=self.remote.query,
            ) from exc


def staging_graph(graph: LocalGraph) -> str:
    digest = hashlib.sha256((graph.name or "").encode("utf-8")).hexdigest()[:32]
    return STAGING + digest


# ---------------------------------------------------------------------------------------------
# The publish


def publish(
    store: Store,
    remote: Remote,
    *,
    namespace: str,
    prune: bool = False,
    watcher: Watcher | None = None,
) -> PublishReport:
    """Publish every graph of `store` to `remote` (see the module's docstring); `namespace`
    is the build's graph namespace (`<base>graph/`), where stale graphs are looked for."""
    watcher = watcher or _Quiet()
    started = time.perf_counter()
    graphs = local_graphs(store)
    warnings = _blank_node_warnings(shared_blank_nodes(store))
    session = _Session(remote)
    outcomes: list[GraphOutcome] = []
    try:
        server = _preflight(session)
        if not remote.staged and (server or "").lower().startswith("virtuoso"):
            warnings.append(
                f"the server is {server}, whose PUT is not atomic (a PUT that fails leaves part "
                "of the new content, and readers see the graph empty, then growing): give "
                "--update URL (Virtuoso: /sparql-auth) to stage each graph and MOVE it in"
            )
        for graph in graphs:
            watcher.starting(graph)
            try:
                outcome = _publish_graph(session, store, graph)
            except RemoteError as exc:
                raise _stopped(exc, graph, len(outcomes), len(graphs), remote) from exc
            outcomes.append(outcome)
            watcher.finished(outcome)
        stale, pruned = _tidy(session, graphs, namespace, prune)
    except RemoteError as exc:
        if isinstance(exc, PublishError):
            raise
        raise PublishError(
            f"{exc} ({len(outcomes)} of {len(graphs)} graphs were published)",
            graph=None,
            url=exc.url,
            status=exc.status,
            excerpt=exc.excerpt,
        ) from exc
    finally:
        session.close()
    if (
        session.auth is not None
        and session.auth.scheme == "basic"
        and any(urlsplit(u).scheme == "http" and not _loopback(u) for u in _urls(remote))
    ):
        warnings.append(
            "the password went over plain http:// with Basic authentication, readable on the "
            "way: use https:// (or Digest)"
        )
    return PublishReport(
        remote=remote,
        outcomes=outcomes,
        seconds=time.perf_counter() - started,
        server=server,
        warnings=warnings,
        stale=stale,
        pruned=pruned,
    )


def _urls(remote: Remote) -> list[str]:
    return [u for u in (remote.query, remote.gsp, remote.update) if u is not None]


def _preflight(session: _Session) -> str | None:
    """Before anything is written: `ASK {}` to the query endpoint, and a GET of a graph that
    does not exist from the Graph Store Protocol endpoint (any answer but 401 will do), so a
    server that is down, a wrong URL or wrong credentials stop the publish with nothing
    changed, and a Digest challenge is met before a body is sent. Returns the query
    endpoint's Server header."""
    response = session.send(
        "POST",
        session.remote.query,
        "before publishing, a test query",
        data={"query": "ASK {}"},
        headers={"accept": JSON_RESULTS},
    )
    try:
        session.send(
            "GET",
            session.gsp_url(STAGING + "probe"),
            "before publishing, a test of the Graph Store Protocol endpoint",
            headers={"accept": N_TRIPLES},
        )
    except RemoteError as exc:
        if exc.status is None or exc.status == 401:
            raise
    server: str | None = response.headers.get("server")
    return server


def _publish_graph(session: _Session, store: Store, graph: LocalGraph) -> GraphOutcome:
    started = time.perf_counter()
    body = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph.node) or b""
    if session.remote.staged and graph.quads:
        staging = staging_graph(graph)
        try:
            session.put(staging, body, f"PUT to the staging graph <{staging}>")
            counted = session.count(staging, "counting the staging graph")
            _check(store, graph, counted, staging, session.remote.query)
            target = "DEFAULT" if graph.name is None else f"<{graph.name}>"
            session.update(f"MOVE <{staging}> TO {target}", f"MOVE of <{staging}> into place")
        except RemoteError:
            with contextlib.suppress(RemoteError):
                session.update(f"DROP SILENT GRAPH <{staging}>", "dropping the staging graph")
            raise
        how = "staged, moved"
    else:
        response = session.put(graph.name, body, "replacing the graph")
        how = "created" if response.status_code == 201 else "replaced"
    try:
        after = "MOVE" if how == "staged, moved" else "PUT"
        remote = session.count(graph.name, f"counting the graph after the {after}")
        merged = _check(store, graph, remote, graph.name, session.remote.query)
    except RemoteError as exc:
        raise _CheckFailedError(exc) from exc
    return GraphOutcome(graph, remote, how, time.perf_counter() - started, merged)


class _CheckFailedError(RemoteError):
    """The graph was written, and the check of what the remote now holds failed."""

    def __init__(self, cause: RemoteError) -> None:
        super().__init__(str(cause), url=cause.url, status=cause.status, excerpt=cause.excerpt)


def _check(store: Store, graph: LocalGraph, remote: int, where: str | None, url: str) -> int:
    """How many quads the remote merged; RemoteError when its count is not the store's."""
    if remote == graph.quads:
        return 0
    merged = merged_count(store, graph)
    if remote == merged:
        return graph.quads - merged
    place = "the default graph" if where is None else f"<{where}>"
    raise RemoteError(
        f"the remote holds {remote} quads in {place}, the store {graph.quads} "
        f"({merged} when literals equal in value count once)",
        url=url,
    )


def _stopped(
    exc: RemoteError, graph: LocalGraph, done: int, total: int, remote: Remote
) -> PublishError:
    if isinstance(exc, _CheckFailedError):
        kept = "the server took the new content, so the remote holds what the check found"
    elif exc.status in UNWRITTEN:
        kept = "the server refused the request, so the graph is as it was on the remote"
    elif remote.staged and graph.quads:
        kept = (
            "it keeps its previous content on the remote (the new one went to a staging "
            "graph, dropped again)"
        )
    else:
        kept = (
            "the PUT went straight to the graph (no --update), so what it holds now is up to "
            "the server (Oxigraph keeps the old content; Virtuoso keeps part of the new)"
        )
    return PublishError(
        f"{graph.label}: {exc}; {kept}; {done} of {total} graphs were published before it, "
        "the rest were not sent",
        graph=graph.name,
        url=exc.url,
        status=exc.status,
        excerpt=exc.excerpt,
    )


def _tidy(
    session: _Session, graphs: list[LocalGraph], namespace: str, prune: bool
) -> tuple[list[str], list[str]]:
    """Drop staging graphs a killed publish left; report (and with `prune`, drop) graphs in
    the build's namespace the store no longer has."""
    ours = {g.name for g in graphs}
    found = session.graphs_under([namespace, STAGING], "listing the remote's graphs")
    pruned = []
    for name in found:
        if name.startswith(STAGING):
            session.delete(name, f"dropping the staging graph <{name}> a killed publish left")
    stale = [n for n in found if not n.startswith(STAGING) and n not in ours]
    if prune:
        for name in stale:
            session.delete(name, f"pruning <{name}>")
            pruned.append(name)
    return stale, pruned


def _blank_node_warnings(shared: dict[tuple[str, ...], int]) -> list[str]:
    if not shared:
        return []
    total = sum(shared.values())
    where = "; ".join(
        f"{n} in " + " and ".join(f"<{g}>" if g else "the default graph" for g in graphs)
        for graphs, n in sorted(shared.items(), key=lambda item: -item[1])
    )
    return [
        f"{total} blank node{'s' if total != 1 else ''} occur in more than one graph ({where}): "
        "a PUT per graph gives each graph blank nodes of its own, so on the remote the "
        "graphs' statements about them no longer meet"
    ]
