"""The hostile-input guards hold over a remote store: nothing refused ever reaches the remote,
and no answer of a hostile remote reaches the client as a 500, a hang or a traceback.

drugkg answers from a recording stand-in (`remote_support.Recorder`) in front of the `oxigraph`
server holding the article; one endpoint of a second recording server (`disguises.Recorder`)
is allow-listed for SERVICE. Hypothesis draws from the strategies of the embedded store's
guard tests (`disguises`): SERVICE clauses in every disguise, updates of every form sent every
way the Protocol allows, nestings and chains too deep to parse safely. For each, the stand-in
must have received nothing unless the query is allowed, and the remote's data must be as it
was. The stand-in then plays a hostile remote: any status, type and body Hypothesis writes, an
answer dripped a byte at a time, one far over the result limit, one literal far over the
memory limit. The answer is 400, 502, 503 or 504 (or 200), in time, never a 500.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from disguises import (
    BRACKETS,
    DECOYS,
    UPDATE_OPERATIONS,
    cased,
    deep_query,
    federated_query,
    graph_update,
)
from disguises import Recorder as Target
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from liveservers import LiveServer
from remote_support import Recorder, start_over

from endpoint.execution.remote.engines import OXIGRAPH
from graph.vocabulary.namespace import BASE

pytestmark = pytest.mark.slow

TIME_LIMIT_S = 4
SLACK_S = 3.0
"""How much later than the time limit a stopped query may be answered (a start-up bound)."""
WAIT_S = 60.0
"""How long a test waits for an answer: a bound on a hang, not a measurement."""
MEMORY_MB = 300
RESULT_LIMIT = 1000
JSON = {"accept": "application/json"}
HOSTILE = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    """Where SERVICE clauses point: `/allowed/sparql` is allow-listed."""
    running = Target()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def hostile(workdir: Path, recorder: tuple[Recorder, str], target: Target) -> Iterator[LiveServer]:
    _, url = recorder  # the session's stand-in in front of the oxigraph server
    live = start_over(
        url,
        workdir,
        query_timeout=str(TIME_LIMIT_S),
        query_memory_mb=str(MEMORY_MB),
        result_limit=str(RESULT_LIMIT),
        federation_allowlist=f"{target.root}/allowed/sparql",
        result_cache_mb="0",
    )
    yield live
    live.stop()
    log = live.log.read_text()
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture
def stand_in(recorder: tuple[Recorder, str], hostile: LiveServer) -> Iterator[Recorder]:
    """The stand-in, as a test leaves it: forwarding again afterwards."""
    running, _ = recorder
    yield running
    running.reset()


def post(server: LiveServer, query: str, accept: str = "application/json") -> httpx.Response:
    return httpx.post(
        server.sparql,
        content=query.encode(),
        headers={"content-type": "application/sparql-query", "accept": accept},
        timeout=WAIT_S,
    )


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


def held(oxigraph: LiveServer) -> int:
    """The quads the remote holds, asked of it directly (it fails if the remote is down)."""
    response = httpx.post(oxigraph.sparql, data={"query": COUNT}, headers=JSON, timeout=WAIT_S)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# SERVICE


def test_the_allow_listed_service_is_the_remotes_to_call(
    hostile: LiveServer, stand_in: Recorder, target: Target
) -> None:
    target.paths.clear()
    before = len(stand_in.queries)
    escaped = f"{target.root}/allowed/sp\\u0061rql"
    response = post(hostile, f"SELECT * WHERE {{ SERVICE <{escaped}> {{ ?x ?y ?z }} }}")
    assert response.status_code == 200, response.text
    assert len(stand_in.queries) == before + 1
    assert target.paths == ["/allowed/sparql"]  # called by the remote, not by drugkg


# A hostile remote

STATUSES = [200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 418, 500, 502, 503, 504]
TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/n-triples",
    "text/turtle",
    "application/rdf+xml",
    "text/html",
    "",
    "application/sparql-results+json; charset=klingon",
]
VALID = [
    b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"urn:x:a"}}]}}',
    b'{"head":{},"boolean":true}',
    b"<urn:x:a> <urn:x:b> <urn:x:c> .\n",
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
    b"<boolean>true</boolean></sparql>",
]
FORMS = ["SELECT ?x WHERE { ?x ?p ?o } LIMIT 3", "ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"]


@st.composite
def garbage(draw: st.DrawFn) -> bytes:
    """Bytes a broken engine might send: anything, or a valid answer cut, spliced or
    salted."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=2000))
    valid = draw(st.sampled_from(VALID))
    cut = draw(st.integers(0, len(valid)))
    noise = draw(st.binary(max_size=40))
    return draw(st.sampled_from([valid[:cut], valid[:cut] + noise + valid[cut:], valid]))


@settings(HOSTILE, max_examples=30)
@given(
    status=st.sampled_from(STATUSES),
    media=st.sampled_from(TYPES),
    body=garbage(),
    form=st.sampled_from(FORMS),
)
def test_whatever_the_remote_answers_the_client_gets_no_500(
    hostile: LiveServer, stand_in: Recorder, status: int, media: str, body: bytes, form: str
) -> None:
    stand_in.behaviour = "answer"
    stand_in.status, stand_in.content_type, stand_in.body = status, media, body
    started = time.monotonic()
    response = post(hostile, form, accept="*/*")
    waited = time.monotonic() - started
    event(f"remote {status}: {response.status_code}")
    assert response.status_code in (200, 400, 502, 503, 504), response.text[:500]
    assert waited < TIME_LIMIT_S + SLACK_S
    if response.status_code != 200:  # the error as plain text: the client accepts anything
        assert response.headers["content-type"].startswith("text/plain"), response.headers
        assert "remote store" in response.text or "time limit" in response.text, response.text
        assert len(response.text) < 1000, response.text


def test_a_dripping_remote_is_stopped_at_the_time_limit(
    hostile: LiveServer, stand_in: Recorder
) -> None:
    stand_in.behaviour, stand_in.body = "drip", VALID[0] * 4
    done = len(stand_in.closed_after)
    started = time.monotonic()
    response = post(hostile, FORMS[0])
    waited = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "QueryTimeoutError"
    assert waited < TIME_LIMIT_S + SLACK_S
    deadline = time.monotonic() + WAIT_S
    while len(stand_in.closed_after) == done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stand_in.closed_after[-1] < TIME_LIMIT_S + SLACK_S  # the remote saw it closed


def test_a_flood_is_cut_at_the_result_limit_and_abandoned(
    hostile: LiveServer, stand_in: Recorder
) -> None:
    """Two million rows (100 MB): the client gets the limit's rows, and drugkg stops reading
    there, which closes the remote's connection."""
    stand_in.behaviour, stand_in.rows = "flood", 2_000_000
    done = len(stand_in.sent)
    response = post(hostile, FORMS[0], accept="text/csv")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["x-drugkg-truncated"] == "true"
    assert len(response.text.splitlines()) == 1 + RESULT_LIMIT
    deadline = time.monotonic() + WAIT_S
    while len(stand_in.sent) == done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stand_in.sent[-1] < 20_000_000, f"{stand_in.sent[-1]} bytes read of 100 MB"


def test_a_giant_literal_is_refused_as_it_comes(hostile: LiveServer, stand_in: Recorder) -> None:
    """One row whose literal has 4 GiB: pyoxigraph's parser holds no token over 16 MiB and
    says so (a MemoryError, which killed the query process: the query was sent again). The
    client gets 502 saying so, or 503 if the time limit comes first (a loaded machine);
    the query is sent once, and the process lives on."""
    stand_in.behaviour, stand_in.rows = "giant", 4 * 1024**3
    before, done = len(stand_in.queries), len(stand_in.sent)
    started = time.monotonic()
    response = post(hostile, FORMS[0])
    assert time.monotonic() - started < TIME_LIMIT_S + SLACK_S
    assert response.status_code in (502, 503), response.text[:500]
    if response.status_code == 502:
        assert "cannot be read (Reached the buffer maximal size" in response.json()["message"]
    assert len(stand_in.queries) == before + 1, "sent again: the query process died"
    deadline = time.monotonic() + WAIT_S
    while len(stand_in.sent) == done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stand_in.sent[-1] < 200 * 1024**2, f"{stand_in.sent[-1]} bytes read of 4 GiB"
    assert "died under a job" not in hostile.log.read_text()


def test_an_answer_slow_to_parse_is_stopped_at_the_time_limit(
    hostile: LiveServer, stand_in: Recorder
) -> None:
    """A head of 100,000 variables: 1 MB that pyoxigraph takes half a minute to read (the
    time grows with the square of the count)."""
    stand_in.behaviour, stand_in.rows = "wide", 100_000
    started = time.monotonic()
    response = post(hostile, FORMS[0])
    assert time.monotonic() - started < TIME_LIMIT_S + SLACK_S
    assert response.status_code == 503, response.text[:500]
    assert response.json()["error"] == "QueryTimeoutError"


def test_an_answer_over_the_memory_limit_is_stopped(
    hostile: LiveServer, stand_in: Recorder
) -> None:
    """A Turtle answer of 50 million blank nodes nested `[ <p> [ <p> ...` (600 MB): the parser
    holds every open one (some 50 times the bytes it read), the query process grows past
    its memory limit, is stopped (503) and replaced."""
    stand_in.behaviour, stand_in.rows = "nested", 50_000_000
    started = time.monotonic()
    response = post(hostile, FORMS[2], accept="application/n-triples")
    assert time.monotonic() - started < TIME_LIMIT_S + SLACK_S
    assert response.status_code == 503, response.text[:500]
    assert f"memory limit of {MEMORY_MB} MiB" in response.text
    stand_in.reset()
    assert post(hostile, FORMS[1]).status_code == 200  # a fresh process answers


# SERVICE, disguised


@settings(HOSTILE, max_examples=40)
@given(data=st.data())
def test_no_disguised_service_reaches_the_remote(
    hostile: LiveServer, stand_in: Recorder, target: Target, data: st.DataObject
) -> None:
    query, endpoint = data.draw(federated_query(target.root))
    target.paths.clear()
    before = len(stand_in.queries)
    response = post(hostile, query)
    allowed = endpoint == f"{target.root}/allowed/sparql"
    event(f"{'allowed' if allowed else 'other'} endpoint: {response.status_code}")
    if allowed:
        assert len(stand_in.queries) == before + 1, query
        assert set(target.paths) <= {"/allowed/sparql"}, query
        # the remote may call it once per solution of what precedes the clause and run
        # into the time limit: 503, never another server error
        assert response.status_code < 500 or response.status_code == 503, response.text
        return
    assert response.status_code == 400, (query, response.text)
    assert response.json()["error"] == "FederationRefusedError", (query, response.text)
    assert len(stand_in.queries) == before, f"sent to the remote: {query}"
    assert target.paths == [], query


# Updates

EX = "http://example.org/hostile/"
GRAPHS = [BASE + "graph/entities", BASE + "graph/links", EX + "new"]
OPERATIONS = [
    *UPDATE_OPERATIONS,
    "LOAD <{ex}data> INTO GRAPH {g}",
    "LOAD SILENT <{ex}data>",
    "CREATE GRAPH {g}",
    "INSERT DATA {{ <{ex}a> <{ex}b> <{ex}c> }}",
    "DELETE {{ ?s ?p ?o }} INSERT {{ GRAPH {g} {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
]
LEADS = ["", "# SELECT * WHERE { ?s ?p ?o }\n", "PREFIX select: <http://example.org/ask#>\n"]
KEYWORD = re.compile(r"\b[A-Z]{2,}\b")
SENT_AS = ["query form", "query GET", "query body", "update form", "update body", "update GET"]


@st.composite
def disguised_update(draw: st.DrawFn) -> str:
    """An update of any form, its keywords in any case, behind a lead that looks like a
    query."""
    update = draw(graph_update(GRAPHS, EX, OPERATIONS))
    update = KEYWORD.sub(lambda word: cased(draw, word.group()), update)
    return draw(st.sampled_from(LEADS)) + update


def send_update(server: LiveServer, update: str, how: str) -> httpx.Response:
    parameter, way = how.split()
    if way == "GET":
        return httpx.get(server.sparql, params={parameter: update}, headers=JSON, timeout=WAIT_S)
    if way == "form":
        return httpx.post(server.sparql, data={parameter: update}, headers=JSON, timeout=WAIT_S)
    media = f"application/sparql-{parameter}"
    headers = {"content-type": media, **JSON}
    return httpx.post(server.sparql, content=update.encode(), headers=headers, timeout=WAIT_S)


@settings(HOSTILE, max_examples=30)
@given(update=disguised_update(), how=st.sampled_from(SENT_AS))
def test_no_update_reaches_the_remote(
    hostile: LiveServer, stand_in: Recorder, oxigraph: LiveServer, update: str, how: str
) -> None:
    quads = held(oxigraph)
    before = len(stand_in.queries)
    response = send_update(hostile, update, how)
    event(f"{how}: {response.status_code} {response.json()['error']}")
    assert response.status_code in (400, 403), (update, how, response.text)
    assert len(stand_in.queries) == before, f"sent to the remote: {update}"
    assert held(oxigraph) == quads


# Nesting, chains and size


NONE = "<urn:x:none>"
"""A subject no graph has: a chain the remote is sent costs it next to nothing."""


def chain(kind: str, length: int) -> str:
    """A query whose algebra is `length` levels deep with no bracket nested: a chain."""
    if kind == "sum":
        return f"SELECT ?n WHERE {{ BIND({'+'.join(['1'] * length)} AS ?n) }}"
    if kind == "union":
        return "ASK { " + " UNION ".join([f"{{ {NONE} ?p ?o }}"] * length) + " }"
    if kind == "optional":
        return f"ASK {{ {NONE} ?p ?o " + f"OPTIONAL {{ {NONE} ?p ?o }} " * length + "}"
    if kind == "bind":
        return "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(length)) + " }"
    return f"ASK {{ {NONE} " + " ; ".join(f"<urn:x:p{i}> ?o{i}" for i in range(length)) + " }"


def nested(kind: str, depth: int) -> str:
    """A query nested `depth` levels, within drugkg's bracket limit of 1,000."""
    if kind == "exists":
        return "ASK { " + "FILTER EXISTS { " * depth + "}" * depth + " }"
    return "ASK { FILTER(" + "STR(" * depth + "1" + ")" * depth + ") }"


ABORTED_OXIGRAPH = {
    # the smallest of each that aborted `oxigraph serve` 0.5 (endpoint.execution.remote.depth)
    "sum of 6,840 terms": chain("sum", 6840),
    "6,503 groups in a UNION": chain("union", 6503),
    "8,129 triple patterns": chain("patterns", 8129),
    "831 FILTER EXISTS": nested("exists", 831),
    "947 nested function calls": nested("call", 947),
}


@pytest.mark.parametrize("query", ABORTED_OXIGRAPH.values(), ids=ABORTED_OXIGRAPH.keys())
def test_a_query_that_would_abort_the_remote_is_refused(
    hostile: LiveServer, stand_in: Recorder, oxigraph: LiveServer, query: str
) -> None:
    before = len(stand_in.queries)
    response = post(hostile, query)
    assert response.status_code == 400, response.text[:500]
    assert response.json()["error"] == "QueryTooDeepError"
    bound = OXIGRAPH.max_depth
    assert (
        f"more than the {bound} the remote store (oxigraph) is sent" in response.json()["message"]
    )
    assert len(stand_in.queries) == before, "sent to the remote"
    held(oxigraph)  # the remote is still up


def test_queries_well_within_the_bound_are_answered(hostile: LiveServer) -> None:
    for query in (chain("sum", 500), chain("union", 150), nested("exists", 100)):
        response = post(hostile, query)
        assert response.status_code == 200, response.text[:500]


CHAINS = ["sum", "union", "optional", "bind", "patterns"]
CHAIN = st.one_of(st.integers(300, 1000), st.integers(1000, 20_000))


@settings(HOSTILE, max_examples=10)
@given(
    decoy=st.sampled_from(DECOYS),
    shape=st.one_of(
        st.tuples(st.just("nested"), st.sampled_from(BRACKETS), st.integers(900, 5000)),
        st.tuples(st.just("chain"), st.sampled_from(CHAINS), CHAIN),
        st.tuples(st.just("call"), st.sampled_from(["exists", "call"]), st.integers(200, 999)),
    ),
)
def test_no_nesting_or_chain_reaches_the_remote_unsafely(
    hostile: LiveServer,
    stand_in: Recorder,
    oxigraph: LiveServer,
    decoy: str,
    shape: tuple[str, object, int],
) -> None:
    form, kind, size = shape
    if form == "nested":
        assert isinstance(kind, tuple)
        query = deep_query(decoy, kind, size, 0)
    else:
        built = chain(str(kind), size) if form == "chain" else nested(str(kind), size)
        query = "PREFIX ex: <http://example.org/>\n" + built.replace("{ ", "{ " + decoy, 1)
    before = len(stand_in.queries)
    response = post(hostile, query)
    event(f"{form} {response.status_code}")
    assert response.status_code in (200, 400, 413, 503), response.text[:500]
    if response.status_code in (400, 413):
        assert len(stand_in.queries) == before, "a refused query was sent to the remote"
    held(oxigraph)  # the remote is still up


def test_an_oversized_request_never_reaches_the_remote(
    hostile: LiveServer, stand_in: Recorder
) -> None:
    before = len(stand_in.queries)
    big = "ASK {} #" + "x" * 1_100_000
    for response in (
        post(hostile, big),
        httpx.post(hostile.sparql, data={"query": big}, timeout=WAIT_S),
        httpx.post(  # chunked, no length given
            hostile.sparql,
            content=(big[i : i + 65536].encode() for i in range(0, len(big), 65536)),
            headers={"content-type": "application/sparql-query"},
            timeout=WAIT_S,
        ),
    ):
        assert response.status_code == 413, response.text[:300]
    assert len(stand_in.queries) == before
