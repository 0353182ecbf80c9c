"""Federated queries out of a live `drugkg serve`, against real endpoints on loopback.

The second endpoint is the `oxigraph` server from PyPI holding a small fixture. Tiny local HTTP
servers stand in for remotes that misbehave: one never answers in time, one answers garbage,
one only records that it was called (to show a refused query sends nothing).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from liveservers import free_port, handler_serving, start_drugkg, start_oxigraph

from graph.pipeline.build import load_dataset
from graph.settings import Settings
from graph.storage.versions import write_store
from graph.vocabulary.namespace import DKID, RDFS

pytestmark = pytest.mark.slow

QUERY_TIMEOUT_S = 3
# The client waits this long at most: a bound on a hang, not a measurement.
CLIENT_WAIT_S = QUERY_TIMEOUT_S + 30
NOTE = "http://example.org/remote#note"
FENTANYL = str(DKID["fentanyl"])
FIXTURE = f"""
<{FENTANYL}> <{NOTE}> "held by the remote endpoint" .
<{DKID["heroin"]}> <{NOTE}> "also remote" .
"""


@dataclass
class StandIn:
    """A tiny HTTP server on loopback that answers every request the same way."""

    behaviour: str  # "slow", "garbage" or "record"
    requests: list[str] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                stand_in.requests.append(self.path)
                if stand_in.behaviour == "slow":
                    stand_in.released.wait(120)  # far beyond the query time limit
                body = b"this is not SPARQL results {"
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:
                pass

        with handler_serving(Handler, "/sparql") as url:
            try:
                yield url
            finally:
                self.released.set()  # a held request ends before the server does


@dataclass
class Remotes:
    oxigraph: str
    down: str
    slow: str
    garbage: str
    unlisted: str
    unlisted_requests: list[str]


@pytest.fixture(scope="module")
def remotes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remotes]:
    directory = tmp_path_factory.mktemp("remote")
    data = directory / "remote.nt"
    data.write_text(FIXTURE)
    oxigraph = start_oxigraph(directory / "store", data, directory)
    slow, garbage, unlisted = StandIn("slow"), StandIn("garbage"), StandIn("record")
    try:
        with (
            slow.running() as slow_url,
            garbage.running() as garbage_url,
            unlisted.running() as (unlisted_url),
        ):
            yield Remotes(
                oxigraph=oxigraph.sparql,
                down=f"http://127.0.0.1:{free_port()}/sparql",  # nothing listens there
                slow=slow_url,
                garbage=garbage_url,
                unlisted=unlisted_url,
                unlisted_requests=unlisted.requests,
            )
    finally:
        oxigraph.stop()


@pytest.fixture(scope="module")
def endpoint(remotes: Remotes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`drugkg serve` (the command line's way in) with the remotes allow-listed."""
    directory = tmp_path_factory.mktemp("federation")
    store = directory / "store"
    write_store(store, load_dataset(Settings()))
    allow = [remotes.oxigraph, remotes.down, remotes.slow, remotes.garbage]
    server = start_drugkg(
        store,
        directory,
        cli=True,
        federation_allowlist=json.dumps(allow),
        query_timeout=str(QUERY_TIMEOUT_S),
    )
    yield server.sparql
    server.stop()


def select(endpoint: str, query: str) -> httpx.Response:
    return httpx.post(
        endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=CLIENT_WAIT_S,
    )


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def test_allow_listed_service_is_queried(endpoint: str, remotes: Remotes) -> None:
    query = f"SELECT ?s ?note WHERE {{ SERVICE <{remotes.oxigraph}> {{ ?s <{NOTE}> ?note }} }}"
    assert sorted(map(str, bindings(select(endpoint, query)))) == sorted(
        map(
            str,
            [
                {"s": FENTANYL, "note": "held by the remote endpoint"},
                {"s": str(DKID["heroin"]), "note": "also remote"},
            ],
        )
    )


def test_remote_answers_join_local_data(endpoint: str, remotes: Remotes) -> None:
    query = (
        f"SELECT ?label ?note WHERE {{ <{FENTANYL}> <{RDFS.label}> ?label . "
        f"SERVICE <{remotes.oxigraph}> {{ <{FENTANYL}> <{NOTE}> ?note }} }}"
    )
    assert bindings(select(endpoint, query)) == [
        {"label": "fentanyl", "note": "held by the remote endpoint"}
    ]


@pytest.mark.parametrize(
    ("service", "why"),
    [
        ("unlisted", "a loopback endpoint that is not allow-listed"),
        ("<http://example.org/sparql>", "a public endpoint that is not allow-listed"),
        ("?where", "a variable endpoint"),
        ("<ftp://127.0.0.1/sparql>", "a non-HTTP scheme"),
        ("<http://10.1.2.3/sparql>", "a private address"),
        ("<http://169.254.169.254/latest>", "a link-local address"),
        ("<http://[::1]:8890/sparql>", "IPv6 loopback"),
    ],
)
def test_refused_before_anything_is_sent(
    endpoint: str, remotes: Remotes, service: str, why: str
) -> None:
    target = f"<{remotes.unlisted}>" if service == "unlisted" else service
    before = len(remotes.unlisted_requests)
    query = f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}"
    for silent in ("", "SILENT "):
        response = select(endpoint, query.replace("SERVICE ", "SERVICE " + silent))
        assert response.status_code == 400, f"{why}: {response.status_code} {response.text}"
        assert "SERVICE" in response.text or "endpoint" in response.text.lower(), response.text
    assert len(remotes.unlisted_requests) == before, "a refused query reached the endpoint"


def test_service_silent_to_a_down_endpoint_gives_empty_results(
    endpoint: str, remotes: Remotes
) -> None:
    query = f"SELECT ?s WHERE {{ SERVICE SILENT <{remotes.down}> {{ ?s ?p ?o }} }}"
    assert all(row == {} for row in bindings(select(endpoint, query)))
    joined = (
        f"SELECT ?label ?x WHERE {{ <{FENTANYL}> <{RDFS.label}> ?label . "
        f"SERVICE SILENT <{remotes.down}> {{ ?x ?p ?o }} }}"
    )
    assert bindings(select(endpoint, joined)) == [{"label": "fentanyl"}]


def test_service_to_a_down_endpoint_is_a_clear_error(endpoint: str, remotes: Remotes) -> None:
    response = select(endpoint, f"SELECT * WHERE {{ SERVICE <{remotes.down}> {{ ?s ?p ?o }} }}")
    # an unreachable remote is a gateway failure (502), not an internal error (500)
    assert response.status_code == 502, response.text
    assert response.text.strip()


def test_slow_remote_stops_at_the_time_limit(endpoint: str, remotes: Remotes) -> None:
    response = select(endpoint, f"SELECT * WHERE {{ SERVICE <{remotes.slow}> {{ ?s ?p ?o }} }}")
    assert response.status_code in (503, 504), response.text
    assert "time" in response.text.lower(), response.text
    # the server keeps answering
    assert bindings(select(endpoint, "SELECT (1 AS ?one) {}")) == [{"one": "1"}]


def test_garbage_from_a_remote_is_a_clear_error(endpoint: str, remotes: Remotes) -> None:
    response = select(endpoint, f"SELECT * WHERE {{ SERVICE <{remotes.garbage}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 502, response.text
    assert response.text.strip()
    silent = select(
        endpoint, f"SELECT * WHERE {{ SERVICE SILENT <{remotes.garbage}> {{ ?s ?p ?o }} }}"
    )
    assert all(row == {} for row in bindings(silent))
