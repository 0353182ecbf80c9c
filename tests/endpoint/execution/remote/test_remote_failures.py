"""What drugkg over a remote does when a query must not go there, or the remote misbehaves.

The remote is the recording stand-in in front of the oxigraph server (`over_recorder`): a
query the guards refuse never reaches it; a remote that is slow, down, failing, cut short or
cutting results gives a clear answer naming it, never a 500; the time limit closes the
remote's connection. A drugkg started where no remote listens yet answers 502 and follows
the remote once it is up.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from liveservers import LiveServer, free_port, start_oxigraph, venv_binary, wait_until
from pyoxigraph import QueryResultsFormat, parse_query_results
from remote_support import ALLOWED, TIME_LIMIT_S, Recorder, publish, start_over

from endpoint.execution.remote.failures import EXCERPT_CHARS
from endpoint.metrics import REMOTE_REASONS as REASONS

pytestmark = pytest.mark.slow

WAIT_S = 60.0
"""How long a test waits for an answer: a bound on a hang, not a measurement."""
SLACK_S = 3.0
"""How much later than the time limit a stopped query may be answered (a start-up bound)."""
JSON = {"accept": "application/json"}


def query(server: LiveServer, text: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(server.sparql, data={"query": text}, headers=headers, timeout=WAIT_S)


REFUSED = {
    "service not allowed": "SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }",
    "service disguised": "SELECT * WHERE { SERV\\u0049CE <https://example.org/x> { ?s ?p ?o } }",
    "service variable": "SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }",
    "malformed": "SELECT ?x WHERE { ?x ?p }",
    "too deep": "SELECT * WHERE " + "{" * 1100 + "}" * 1100,
    "an update": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    "undeclared prefix": "SELECT * WHERE { ?s nope:p ?o }",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_query_never_reaches_the_remote(
    text: str, stand_in: Recorder, over_recorder: LiveServer
) -> None:
    before = len(stand_in.queries)
    response = query(over_recorder, text, JSON)
    assert response.status_code == 400, response.text
    assert response.json()["error"] in (
        "FederationRefusedError",
        "MalformedQueryError",
        "QueryTooDeepError",
        "UpdateRefusedError",
    )
    assert len(stand_in.queries) == before, "a refused query was sent to the remote"


def test_an_allowed_query_reaches_the_remote_written_out(
    stand_in: Recorder, over_recorder: LiveServer
) -> None:
    """The allow-listed SERVICE is the remote's to call; the pre-declared prefixes and
    drugkg's own URL as the base go with the query, on its first line."""
    own = "PREFIX ex: <http://example.org/>"
    text = f"SELECT ?s WHERE {{ OPTIONAL {{ SERVICE SILENT <{ALLOWED}> {{ ?s ?p ?o }} }} }}"
    text += "\n# dk:fentanyl"
    response = query(over_recorder, f"{own}\n{text}")
    assert response.status_code == 200, response.text
    first, *rest = stand_in.queries[-1].split("\n")
    assert first.startswith(f"BASE <{over_recorder.sparql}> PREFIX ")
    assert "PREFIX dk: <https://w3id.org/drugkg/ontology#>" in first
    assert first.endswith(f"> {own}")
    assert first.count("PREFIX ex:") == 1
    assert rest == text.split("\n")  # every line but the first as the client wrote it


def test_the_time_limit_abandons_the_remote(stand_in: Recorder, over_recorder: LiveServer) -> None:
    """At drugkg's time limit its query process is killed: the client gets today's 503 and
    the remote sees its connection closed then, not later."""
    stand_in.behaviour = "hold"
    held = len(stand_in.closed_after)
    started = time.monotonic()
    response = query(over_recorder, "SELECT * WHERE { ?s ?p ?o }", JSON)
    waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["error"] == "QueryTimeoutError"
    assert f"time limit of {TIME_LIMIT_S:g} s" in response.json()["message"]
    assert waited < TIME_LIMIT_S + SLACK_S
    wait_until(lambda: len(stand_in.closed_after) > held, "the remote to see the request closed")
    assert stand_in.closed_after[-1] < TIME_LIMIT_S + SLACK_S


ANSWER = (
    b'{"head":{"vars":["x"]},"results":{"bindings":[' + b'{"x":{"type":"bnode","value":"b"}},' * 500
)
ANSWERS = {
    # behaviour, status, body: the status and error class drugkg answers with, and the reason
    # drugkg_remote_errors_total counts it under (None: not counted, a query over its time)
    "remote 500": ("status", 500, b"engine exploded " * 100, 502, "RemoteStoreError", "status"),
    "remote 503": ("status", 503, b"overloaded, try later", 503, "RemoteStoreBusyError", "status"),
    "remote 504": ("status", 504, b"gateway timeout", 504, "RemoteStoreTimeoutError", "timeout"),
    "remote 400": ("status", 400, b"Virtuoso 37000 SP030", 400, "RemoteRejectedError", "status"),
    "remote 404": ("status", 404, b"no such endpoint", 502, "RemoteStoreError", "status"),
    "remote timed out": ("status", 500, b"Query timed out", 503, "QueryTimeoutError", None),
    "hung up": ("hangup", 0, b"", 502, "RemoteStoreError", "protocol"),
    "cut short": ("broken", 0, b"", 502, "RemoteStoreError", "protocol"),
    "partial answer": ("partial", 0, b"", 503, "QueryTimeoutError", None),
    "remote 500, huge": (
        "status",
        500,
        b"out of memory " * 1_500_000,
        502,
        "RemoteStoreError",
        "status",
    ),
    "closed mid-answer": ("midway", 0, ANSWER, 502, "RemoteStoreError", "protocol"),
    "not a result": ("answer", 200, b"<html>log in</html>", 502, "RemoteStoreError", "protocol"),
}
REMOTE_ERRORS = "drugkg_remote_errors_total"


@pytest.mark.parametrize("case", ANSWERS.values(), ids=ANSWERS.keys())
def test_a_failing_remote_gets_a_clear_answer(
    case: tuple[str, int, bytes, int, str, str | None],
    stand_in: Recorder,
    over_recorder: LiveServer,
) -> None:
    behaviour, status, body, expected, error, counted = case
    stand_in.behaviour, stand_in.status, stand_in.body = behaviour, status, body
    before = {r: over_recorder.metric(REMOTE_ERRORS, reason=r) for r in REASONS}
    response = query(over_recorder, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", JSON)
    assert (response.status_code, response.json()["error"]) == (expected, error)
    after = {r: over_recorder.metric(REMOTE_ERRORS, reason=r) for r in REASONS}
    assert after == {r: before[r] + (r == counted) for r in REASONS}
    message = response.json()["message"]
    assert len(message) < EXCERPT_CHARS + 300  # a bounded excerpt, never the whole body
    if behaviour == "status":
        assert body.decode()[:20] in message
    if behaviour == "broken":
        assert "The engine failed" in message  # where the answer broke off
    if behaviour == "midway":
        assert "connection to the remote store" in message, message
    if behaviour == "answer":
        assert "answer that cannot be read" in message, message  # pyoxigraph's reason
    for path in ("/id/fentanyl", "/"):  # pages too: the same answer, no traceback
        page = httpx.get(over_recorder.url + path, headers=JSON, timeout=WAIT_S)
        assert page.status_code == expected, (path, page.text)


def test_a_result_the_remote_cut_is_announced(
    stand_in: Recorder, over_recorder: LiveServer
) -> None:
    """Virtuoso cuts a result at its ResultSetMaxRows and says so in X-SPARQL-MaxRows."""
    stand_in.behaviour, stand_in.rows = "maxrows", 3
    response = query(over_recorder, "SELECT ?x WHERE { ?x ?p ?o }", {"accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["x-drugkg-truncated"] == "true"
    assert response.headers["x-drugkg-result-limit"] == "3"
    assert response.text.splitlines()[1:] == ["row 0", "row 1", "row 2"]


def test_a_remote_that_cuts_results_is_paged_for_its_graphs(
    workdir: Path, oxigraph: LiveServer, server: LiveServer
) -> None:
    """An engine that cuts every result at 20 rows: drugkg still finds all its graphs and
    counts (its own queries are asked again page by page), and a user's larger result is
    announced as cut."""
    cutting = Recorder(oxigraph.sparql, behaviour="cap", rows=20)
    with cutting.running() as url:
        live = start_over(url, workdir)
        try:
            graphs = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
            response = query(live, graphs, {"accept": "text/csv"})
            assert response.headers["x-drugkg-truncated"] == "true"
            assert len(response.text.splitlines()) == 1 + 20
            description = "/.well-known/void"
            ours = httpx.get(live.url + description, headers={"accept": "text/turtle"})
            theirs = httpx.get(server.url + description, headers={"accept": "text/turtle"})
            assert ours.text.count("void:subset") == theirs.text.count("void:subset") > 40
        finally:
            live.stop()


def test_a_remote_down_at_start_gets_502_then_is_followed(
    workdir: Path, article_store: Path
) -> None:
    port = free_port()
    live = start_over(f"http://127.0.0.1:{port}/query", workdir, remote_refresh="1", probe="/docs")
    remote = None
    try:
        response = query(live, "ASK {}", JSON)
        assert response.status_code == 502
        assert response.json()["error"] == "RemoteStoreError"
        assert f"127.0.0.1:{port}" in response.json()["message"]
        page = httpx.get(live.url + "/id/fentanyl", timeout=WAIT_S)
        assert page.status_code == 502
        health = httpx.get(live.url + "/health/ready", timeout=WAIT_S)
        assert health.status_code == 503, health.text  # a load balancer takes it out
        assert f"127.0.0.1:{port}" in " ".join(health.json()["problems"])
        remote = start_oxigraph(workdir / "late-remote", None, workdir, writable=True, port=port)
        publish(article_store, remote.url + "/store")

        def counted() -> bool:
            void = httpx.get(live.url + "/.well-known/void", headers={"accept": "text/turtle"})
            return "graph/entities" in void.text

        wait_until(counted, "drugkg to follow the remote once it is up", limit=WAIT_S)
        answer = query(live, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        (row,) = parse_query_results(answer.content, QueryResultsFormat.JSON)
        assert int(row["n"].value) > 1000
        assert httpx.get(live.url + "/id/fentanyl", timeout=WAIT_S).status_code == 200
        health = httpx.get(live.url + "/health/ready", timeout=WAIT_S)
        assert health.status_code == 200, health.text
        assert health.json()["version"].startswith("remote-")
    finally:
        live.stop()
        if remote is not None:
            remote.stop()


def test_remote_and_writable_are_refused_together(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("t" * 40)
    result = subprocess.run(
        [venv_binary("drugkg"), "serve", "--remote", "http://127.0.0.1:1/query", "--writable"],
        env={"PATH": str(Path(sys.executable).parent), "DRUGKG_WRITE_TOKEN_FILE": str(token)},
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert result.returncode == 2
    assert "cannot be served writable" in result.stderr


def test_a_url_that_is_no_sparql_endpoint_is_refused_at_start(
    over_oxigraph: LiveServer, oxigraph: LiveServer
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "endpoint", "--remote", oxigraph.url + "/nothing-here"],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert result.returncode == 2
    assert "is not a SPARQL query endpoint" in result.stderr
    assert "404" in result.stderr
