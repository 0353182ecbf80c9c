"""Writes apply whole or not at all, are validated, durable, visible to every process, bounded
and audited; the build keeps what was written."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from liveservers import start_drugkg, venv_binary
from writeclient import Writable, writable_server

from graph.settings import Settings
from graph.storage.versions import current_version
from graph.vocabulary.namespace import BASE

pytestmark = pytest.mark.slow

EX = "http://example.org/integrity/"
AUDIT = BASE + "graph/audit"
DOCUMENT = BASE + "source/thinkprogress-2017-doj-opioids"
PREFIXES = """\
PREFIX dk: <https://w3id.org/drugkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
"""


def lines(n: int, graph: str = "") -> bytes:
    return "".join(f'<{EX}s{i}> <{EX}p> "{i}" {graph}.\n' for i in range(n)).encode()


def put(server: Writable, graph: str, body: bytes) -> httpx.Response:
    return httpx.put(
        server.gsp,
        params={"graph": graph},
        content=body,
        headers={"content-type": "application/n-triples", **server.auth},
        timeout=300,
    )


def select(server: Writable, query: str) -> list[dict[str, str]]:
    response = httpx.post(
        server.sparql,
        data={"query": PREFIXES + query},
        headers={"accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return [
        {k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]
    ]


def activities(server: Writable) -> int:
    query = f"SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH <{AUDIT}> {{ ?a a dk:WriteActivity }} }}"
    return int(select(server, query)[0]["n"])


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (the server's workers and query processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_hard(server: Writable) -> None:
    """kill -9 the server and every process it started, as a power cut would leave them."""
    below = descendants(server.live.pid)
    for pid in [server.live.pid, *below]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.live.process.wait()


def restart(server: Writable, root: Path, token_file: Path) -> Writable:
    live = start_drugkg(
        server.store, root, writable="true", write_token_file=str(token_file), dump=""
    )
    return Writable(live, server.token, server.store)


# Atomic


def test_a_put_with_a_bad_last_line_changes_nothing(writable: Writable) -> None:
    graph = EX + "atomic"
    assert put(writable, graph, lines(3)).status_code == 201
    version = writable.version()
    body = lines(300_000) + b"<http://example.org/broken> <http://example.org/p> .\n"
    response = put(writable, graph, body)
    assert response.status_code == 400, response.text
    assert "line 300001" in response.text or "300001" in response.text, response.text
    assert writable.count(graph) == 3
    assert writable.version() == version


def test_readers_never_see_half_a_write(writable: Writable) -> None:
    graph = EX + "halves"
    size = 50_000
    seen: set[int] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(writable.count(graph))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        assert put(writable, graph, lines(size)).status_code == 201
        time.sleep(0.3)
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert seen <= {0, size}, sorted(seen)
    assert size in seen


def test_concurrent_writers_are_serialised_and_none_is_lost(writable: Writable) -> None:
    graph = EX + "concurrent"
    before = activities(writable)
    writers = 8
    statuses: list[int] = []

    def insert(i: int) -> None:
        text = f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}w{i}> <{EX}p> {i} }} }}"
        statuses.append(writable.update(text).status_code)

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * writers
    assert writable.count(graph) == writers
    assert activities(writable) == before + writers


# Validated


def _quote_update(graph: str, start: int, end: int, exact: str) -> str:
    quote = f"<{DOCUMENT}#char={start},{end}>"
    return PREFIXES + (
        f"INSERT DATA {{ GRAPH <{graph}> {{ {quote} a dk:Quote ; oa:hasSource <{DOCUMENT}> ; "
        f'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{exact}" ] , '
        f"[ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ] }} }}"
    )


def writable_stores_open(server: Writable) -> list[str]:
    """The store versions some process of the server holds open for writing: a writable
    RocksDB instance keeps its directory's LOCK file open; a read-only one takes no lock."""
    found = []
    for pid in [server.live.pid, *descendants(server.live.pid)]:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.endswith("/LOCK") and ".build-" in target:
                        found.append(f"{pid}: {target}")
    return found


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, built_store: Settings, token: tuple[str, Path]
) -> Iterator[Writable]:
    """A writable server over a copy of a store `drugkg build` made (with the source's text)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(current_version(built_store.store), root / "store")
    live = start_drugkg(root / "store", root, writable="true", write_token_file=str(token[1]))
    yield Writable(live, token[0], root / "store")
    live.stop()


def test_a_quote_that_is_verbatim_is_accepted_one_that_is_not_is_422(built: Writable) -> None:
    writable = built
    text = select(writable, f"SELECT ?t WHERE {{ <{DOCUMENT}> schema:text ?t }}")[0]["t"]
    start, end = 0, 40
    exact = text[start:end].replace("\\", "\\\\").replace('"', '\\"')
    good = EX + "quotes-good"
    accepted = writable.update(_quote_update(good, start, end, exact))
    assert accepted.status_code == 200, accepted.text
    assert writable.count(good) > 0

    bad = EX + "quotes-bad"
    version = writable.version()
    response = writable.update(_quote_update(bad, start, end, "Not what the source says"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    assert "http://www.w3.org/ns/shacl#ValidationReport" in response.text or (
        "sh:ValidationReport" in response.text
    )
    assert f"#char={start},{end}" in response.text
    assert writable.version() == version
    assert writable.count(bad) == 0


def test_a_drugkg_class_without_what_its_shape_requires_is_422(writable: Writable) -> None:
    graph = EX + "shapes"
    response = writable.update(
        PREFIXES + f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}claim> a dk:Claim }} }}"
    )
    assert response.status_code == 422, response.text
    assert "Claim" in response.text
    assert writable.count(graph) == 0


def test_foreign_data_no_shape_targets_is_accepted(writable: Writable) -> None:
    graph = EX + "foreign"
    body = b'<http://www.wikidata.org/entity/Q407541> <http://schema.org/name> "fentanyl" .\n'
    assert put(writable, graph, body).status_code == 201


@pytest.mark.parametrize(
    "graph",
    [BASE + "graph/entities", BASE + "graph/ontology", BASE + "graph/links", AUDIT],
)
def test_build_graphs_and_the_audit_are_refused_with_403(writable: Writable, graph: str) -> None:
    version = writable.version()
    response = writable.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}b> 1 }} }}")
    assert response.status_code == 403, response.text
    assert graph in response.text
    deleted = httpx.delete(writable.gsp, params={"graph": graph}, headers=writable.auth)
    assert deleted.status_code == 403
    assert writable.version() == version


def test_drop_all_drops_every_writable_graph_and_keeps_the_protected_ones(
    fresh: Writable,
) -> None:
    assert put(fresh, EX + "mine", lines(3)).status_code == 201
    entities = fresh.count(BASE + "graph/entities")
    audited = activities(fresh)
    response = fresh.update("DROP ALL")
    assert response.status_code == 200, response.text
    assert fresh.count(EX + "mine") == 0
    assert fresh.count(BASE + "graph/entities") == entities
    assert activities(fresh) == audited + 1
    # naming a protected graph beside it is still refused, and changes nothing
    version = fresh.version()
    named = fresh.update(
        f"DROP ALL ; INSERT DATA {{ GRAPH <{BASE}graph/entities> {{ <{EX}a> <{EX}b> 1 }} }}"
    )
    assert named.status_code == 403, named.text
    assert fresh.version() == version
    # so is one that writes to a protected graph it computes rather than names
    computed = fresh.update(
        f"CLEAR ALL ; INSERT {{ GRAPH ?g {{ <{EX}a> <{EX}b> 1 }} }} WHERE {{ "
        f'BIND(IRI(CONCAT("{BASE}", "graph/ontology")) AS ?g) }}'
    )
    assert computed.status_code == 403, computed.text
    assert fresh.version() == version
    # and a PREFIX for the graphs' namespace names no graph
    prefixed = fresh.update(f"PREFIX g: <{BASE}graph/> CLEAR ALL")
    assert prefixed.status_code == 200, prefixed.text


# Audited


def test_every_accepted_write_is_a_prov_activity_without_the_secret(writable: Writable) -> None:
    graph = EX + "audited"
    response = writable.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}x> <{EX}p> 1 , 2 , 3 }} }}")
    assert response.status_code == 200, response.text
    activity = response.headers["x-drugkg-audit"]
    rows = select(
        writable,
        f"""SELECT ?start ?end ?who ?op ?graph ?added ?removed WHERE {{ GRAPH <{AUDIT}> {{
            <{activity}> a dk:WriteActivity ; prov:startedAtTime ?start ;
              prov:endedAtTime ?end ; prov:wasAssociatedWith ?who ; dk:operation ?op ;
              dk:graphChange ?c . ?c dk:changedGraph ?graph ; dk:quadsAdded ?added ;
              dk:quadsRemoved ?removed }} }}""",
    )
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["graph"] == graph
    assert (row["added"], row["removed"], row["op"]) == ("3", "0", "update")
    assert row["start"] <= row["end"]
    assert row["who"].startswith(BASE + "id/write-token-")
    assert writable.token not in row["who"]
    on_disk = writable.on_disk()
    assert not any(
        writable.token in term.value
        for quad in on_disk
        for term in (quad.subject, quad.predicate, quad.object)
    )
    assert writable.token not in writable.live.log.read_text()


def test_a_rejected_write_is_logged(writable: Writable) -> None:
    response = writable.update(
        f"INSERT DATA {{ GRAPH <{BASE}graph/entities> {{ <{EX}a> <{EX}b> 1 }} }}"
    )
    assert response.status_code == 403
    time.sleep(0.2)
    assert "write refused" in writable.live.log.read_text()


# Durable and visible


def test_an_acknowledged_write_survives_kill_9(tmp_path: Path, token: tuple[str, Path]) -> None:
    server = writable_server(tmp_path, token)
    graph = EX + "durable"
    try:
        assert put(server, graph, lines(1000)).status_code == 201
        assert server.update(f"INSERT DATA {{ <{EX}d> <{EX}p> 1 }}").status_code == 200
    finally:
        kill_hard(server)
    again = restart(server, tmp_path, token[1])
    try:
        assert again.count(graph) == 1000
        assert again.count() >= 1
        response = httpx.get(
            again.sparql, params={"query": f"ASK {{ <{EX}d> <{EX}p> 1 }}", "format": "json"}
        )
        assert response.json()["boolean"] is True
    finally:
        again.live.stop()


def test_every_server_process_sees_a_write_at_once(tmp_path: Path, token: tuple[str, Path]) -> None:
    server = writable_server(tmp_path, token, workers="2")
    try:
        for i in range(5):
            graph = f"{EX}visible-{i}"
            assert put(server, graph, lines(i + 1)).status_code == 201
            for _ in range(12):  # a new connection each: both server processes answer some
                assert server.count(graph) == i + 1
    finally:
        server.live.stop()


# Bounded


def test_an_update_over_the_time_limit_is_stopped_and_changes_nothing(
    tmp_path: Path, token: tuple[str, Path]
) -> None:
    server = writable_server(tmp_path, token, write_timeout="3")
    try:
        version = server.version()
        started = time.monotonic()
        response = server.update(
            f"INSERT {{ GRAPH <{EX}slow> {{ ?a ?b ?c }} }} "
            "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }"
        )
        assert response.status_code == 503, response.text
        assert "time limit" in response.text
        assert time.monotonic() - started < 15
        assert server.version() == version
        time.sleep(4)  # the next write process starts meanwhile (it imports the validator)
        after = server.update(f"INSERT DATA {{ <{EX}after> <{EX}p> 1 }}")
        assert after.status_code == 200, after.text
    finally:
        server.live.stop()


def test_an_update_over_the_memory_limit_is_stopped_and_changes_nothing(
    tmp_path: Path, token: tuple[str, Path]
) -> None:
    server = writable_server(tmp_path, token, query_memory_mb="600", write_timeout="90")
    try:
        version = server.version()
        response = server.update(
            f"INSERT {{ GRAPH <{EX}big> {{ ?a <{EX}p> ?n }} }} "
            "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } "
            "BIND(CONCAT(STR(?c), STR(?f), STR(?e)) AS ?n) }"
        )
        assert response.status_code == 503, response.text
        assert "memory limit" in response.text
        assert server.version() == version
        assert server.update(f"INSERT DATA {{ <{EX}after> <{EX}p> 1 }}").status_code == 200
    finally:
        server.live.stop()


# LOAD goes only to allow-listed sources


class Source:
    """A Turtle document on loopback that records who fetched it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        source = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                source.paths.append(self.path)
                body = f"<{EX}loaded> <{EX}p> 1 .\n".encode()
                self.send_response(200)
                self.send_header("content-type", "text/turtle")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def source() -> Iterator[Source]:
    running = Source()
    yield running
    running.server.shutdown()
    running.server.server_close()


def test_load_reaches_only_allow_listed_sources(
    tmp_path: Path, token: tuple[str, Path], source: Source
) -> None:
    allowed = f"{source.root}/allowed.ttl"
    server = writable_server(tmp_path, token, federation_allowlist=allowed)
    try:
        refused = server.update(f"LOAD <{source.root}/other.ttl> INTO GRAPH <{EX}loaded>")
        assert refused.status_code == 400, refused.text
        assert f"{source.root}/other.ttl" in refused.text
        disguised = server.update(
            f"PREFIX s: <{source.root}/> LOAD s:oth\\u0065r.ttl INTO GRAPH <{EX}loaded>"
        )
        assert disguised.status_code == 400, disguised.text
        assert source.paths == []
        loaded = server.update(f"LOAD <{allowed}> INTO GRAPH <{EX}loaded>")
        assert loaded.status_code == 200, loaded.text
        assert source.paths == ["/allowed.ttl"]
        assert server.count(EX + "loaded") == 1
    finally:
        server.live.stop()


# The build keeps what was written


def build(store: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
    env["DRUGKG_STORE"] = str(store)
    env["DRUGKG_DUMP"] = str(store.with_name("built.nq"))
    return subprocess.run(
        [venv_binary("drugkg"), "build"], env=env, capture_output=True, text=True, timeout=600
    )


def test_a_build_keeps_written_graphs_the_default_graph_and_the_audit(
    tmp_path: Path, token: tuple[str, Path]
) -> None:
    server = writable_server(tmp_path, token)
    try:
        assert put(server, EX + "kept", lines(10)).status_code == 201
        assert server.update(f"INSERT DATA {{ <{EX}default> <{EX}p> 1 }}").status_code == 200
        audited = activities(server)
        result = build(server.store)
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.count(EX + "kept") == 10
        default = httpx.get(
            server.gsp, params={"default": ""}, headers={"accept": "application/n-triples"}
        )
        assert default.status_code == 200
        assert (
            default.text.strip()
            == f'<{EX}default> <{EX}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
        )
        assert activities(server) == audited
        assert server.count(BASE + "graph/entities") > 0
        # and the store still takes writes, recorded after the earlier ones
        assert server.update(f"INSERT DATA {{ <{EX}later> <{EX}p> 1 }}").status_code == 200
        assert activities(server) == audited + 1
    finally:
        server.live.stop()


def test_no_write_leaves_its_store_open_for_writing(built: Writable) -> None:
    """Once a write is acknowledged, its version is swapped in and no process still has it
    open for writing (which would go on compacting, deleting files readers of the version
    need). Validated writes run rdflib's SPARQL parser, which keeps the frames of its last
    exception: those once kept the writable store open for one write in about thirty (the
    shapes' order, hence which query is parsed last, changes with the hash seed of the write
    process), and a later write then failed on a file that was gone. Twelve writes, each in a
    new graph; and after each one, a write that touches nothing of its own succeeds."""
    text = select(built, f"SELECT ?t WHERE {{ <{DOCUMENT}> schema:text ?t }}")[0]["t"]
    for i in range(12):
        start, end = 2 * i, 2 * i + 30
        exact = text[start:end].replace("\\", "\\\\").replace('"', '\\"')
        accepted = built.update(_quote_update(f"{EX}quotes-open-{i}", start, end, exact))
        assert accepted.status_code == 200, accepted.text
        assert writable_stores_open(built) == [], i
        plain = built.update(f"INSERT DATA {{ GRAPH <{EX}plain> {{ <{EX}n{i}> <{EX}p> {i} }} }}")
        assert plain.status_code == 200, plain.text
