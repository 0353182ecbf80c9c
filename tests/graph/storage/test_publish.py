"""`drugkg publish` against real servers on loopback: the Oxigraph server and Virtuoso 7.

Each engine is started once for the module, on a fresh store or database in a temporary
directory, and stopped at its end. The article's build (`built_store`: the real build, its
`inferred` graph included) is published with the console script, and what the remote then
holds is checked with plain HTTP: the quads per graph, a republish after a change, the
answers to the competency questions, and the errors (a wrong password, a user who may not
write, a server that is down, a graph the server refuses, a count that differs).

Measured here, and written down in the README ("Remote stores: engine quirks"):
- ATOMIC_PUT: whether a PUT that fails (a large body with a syntax error in its last line)
  leaves the graph's old content whole;
- the competency questions whose answer Virtuoso changes, and why: VIRTUOSO_DIFFERS and
  VIRTUOSO_JSON_DIFFERS of tests/engine_answers.py, shared with the tests of drugkg over
  Virtuoso (the Oxigraph server answers all of them as drugkg does).
A test fails when an engine stops behaving as measured, so the README is kept true.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import rdflib.compare
from engine_answers import VIRTUOSO_DIFFERS, VIRTUOSO_JSON_DIFFERS, canonical_booleans
from liveservers import free_port
from publish_support import (
    N_TRIPLES,
    PUBLISHER,
    READER,
    Engine,
    Proxy,
    Run,
    breaking,
    dropping,
    publish_cli,
    remote_answer,
    start_engine,
)
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store

from bench.competency import Graph, answer_of, difference, discover, run
from graph.settings import Settings
from graph.storage.publish import STAGING, local_graphs
from graph.storage.versions import write_store

pytestmark = pytest.mark.slow

ENGINES = ("oxigraph", "virtuoso")
ATOMIC_PUT = {"oxigraph": True, "virtuoso": False}
"""Measured by test_put_atomicity_is_as_measured."""

NS = "https://w3id.org/drugkg/graph/"
ENTITIES = NS + "entities"
DOCUMENT = NS + "facts/thinkprogress-2017-doj-opioids"
SMALL_STATEMENT_GRAPH = DOCUMENT + "/q-7082-7111"
BIG = "http://example.org/big"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module", params=ENGINES)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp(request.param)
    started = start_engine(request.param, root)
    yield started
    started.server.stop()


@pytest.fixture(scope="module")
def password_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secrets") / "publisher.password"
    path.write_text(PUBLISHER[1] + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def publish(
    engine: Engine, store: Path, password_file: Path, *extra: str, staged: bool | None = None
) -> Run:
    done = publish_cli(store, *engine.options(password_file, staged=staged), *extra)
    assert PUBLISHER[1] not in done.out + done.err  # the password is never shown
    return done


def table(out: str) -> dict[str, list[str]]:
    """The rows of the table `drugkg publish` prints: graph -> quads, remote, how, seconds."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 5 and cells[0] not in ("graph", "total"):
            rows[cells[0]] = cells[1:]
    return rows


def article_graphs(settings: Settings) -> dict[str, int]:
    return {g.name: g.quads for g in local_graphs(Store.read_only(str(settings.store))) if g.name}


def store_with(
    tmp_path: Path, settings: Settings, *extra: Quad, leave_out: set[Quad] | None = None
) -> Path:
    """A store holding the build's quads (less `leave_out`) and `extra`."""
    built = Store.read_only(str(settings.store))
    left_out = leave_out or set()
    path = tmp_path / "store"
    write_store(path, [*(q for q in built if q not in left_out), *extra])
    return path


def big_graph(word: str, rows: int = 20_000) -> list[Quad]:
    graph, label = NamedNode(BIG), NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    return [
        Quad(NamedNode(f"{BIG}/item/{i}"), label, Literal(f"{word} value {i}"), graph)
        for i in range(rows)
    ]


# ---------------------------------------------------------------------------------------------
# The article's build, published


def test_every_graph_is_published_and_the_counts_match(
    engine: Engine, built_store: Settings, password_file: Path
) -> None:
    expected = article_graphs(built_store)
    done = publish(engine, built_store.store, password_file)
    assert done.code == 0, done.err
    assert engine.counts(NS) == expected
    total = sum(expected.values())
    assert f"published {len(expected)} graphs ({total} quads, " in done.out
    assert "graph:facts/thinkprogress-2017-doj-opioids/q-0-81 " in done.out
    rows = table(done.out)
    assert len(rows) == len(expected)
    how = "staged, moved" if engine.staged_by_default else "created"
    assert rows["graph:ontology"][:3] == ["1228", "1228", how]
    # the build's blank nodes shared between graphs cannot be kept by a PUT per graph
    assert "104 blank nodes occur in more than one graph" in done.err
    assert f"<{DOCUMENT}> and <{NS}inferred>" in done.err


def test_blank_nodes_survive_within_a_graph(
    engine: Engine, built_store: Settings, password_file: Path
) -> None:
    assert publish(engine, built_store.store, password_file).code == 0
    built = Store.read_only(str(built_store.store))
    for graph in (DOCUMENT, NS + "ontology"):  # 364 and 174 quads with blank nodes
        local = rdflib.Graph().parse(
            data=built.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(graph)), format="nt"
        )
        with engine.client() as client:
            response = client.get(
                engine.gsp, params={"graph": graph}, headers={"accept": N_TRIPLES}
            )
        response.raise_for_status()
        remote = rdflib.Graph().parse(data=response.content, format="nt")
        assert rdflib.compare.isomorphic(local, remote), graph


def test_a_republish_after_a_change_replaces_each_graph(
    engine: Engine, built_store: Settings, password_file: Path, tmp_path: Path
) -> None:
    assert publish(engine, built_store.store, password_file).code == 0
    built = Store.read_only(str(built_store.store))
    removed = next(iter(built.quads_for_pattern(None, None, None, NamedNode(ENTITIES))))
    gone = set(built.quads_for_pattern(None, None, None, NamedNode(SMALL_STATEMENT_GRAPH)))
    added = Quad(
        NamedNode("https://w3id.org/drugkg/id/republished"),
        NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("added before the republish"),
        NamedNode(ENTITIES),
    )
    changed = store_with(tmp_path, built_store, added, leave_out={removed, *gone})
    done = publish(engine, changed, password_file)
    assert done.code == 0, done.err
    expected = article_graphs(built_store)
    assert engine.count(ENTITIES) == expected[ENTITIES]  # one out, one in
    assert engine.ask(
        f"ASK {{ GRAPH <{ENTITIES}> {{ {added.subject} {added.predicate} {added.object} }} }}"
    )
    assert not engine.ask(
        f"ASK {{ GRAPH <{ENTITIES}> {{ {removed.subject} {removed.predicate} {removed.object} }} }}"
    )
    # a graph the store no longer has is named, and kept until --prune
    assert f"the remote holds <{SMALL_STATEMENT_GRAPH}>, which the store does not" in done.err
    assert engine.count(SMALL_STATEMENT_GRAPH) == 1
    pruned = publish(engine, changed, password_file, "--prune")
    assert pruned.code == 0, pruned.err
    assert f"pruned <{SMALL_STATEMENT_GRAPH}>" in pruned.out
    assert engine.count(SMALL_STATEMENT_GRAPH) == 0
    assert engine.counts(STAGING) == {}


def test_the_competency_questions_get_the_embedded_answers(
    engine: Engine, built_store: Settings, password_file: Path
) -> None:
    assert publish(engine, built_store.store, password_file).code == 0
    store = Store.read_only(str(built_store.store))
    wrong, still_differ = [], []
    for question in discover():
        expected = answer_of(run(store, question))
        actual = remote_answer(engine, question.text, construct=isinstance(expected, Graph))
        problem = difference(expected, actual, ordered=question.ordered)
        known = engine.name == "virtuoso" and (
            question.name in VIRTUOSO_DIFFERS or question.name in VIRTUOSO_JSON_DIFFERS
        )
        if problem is not None and not known:
            wrong.append(f"{question.name}: {problem[:300]}")
        if engine.name == "virtuoso" and question.name in VIRTUOSO_JSON_DIFFERS:
            # the difference is only the lexical form of booleans, as the list says
            aside = difference(expected, canonical_booleans(actual), ordered=question.ordered)
            if aside is not None:
                wrong.append(f"{question.name}, booleans aside: {aside[:300]}")
        if problem is None and known:
            still_differ.append(question.name)
    assert wrong == []
    assert still_differ == [], (
        "these now match on Virtuoso: update tests/engine_answers.py and the README"
    )


# ---------------------------------------------------------------------------------------------
# A graph that fails


def test_put_atomicity_is_as_measured(engine: Engine) -> None:
    """A PUT of a large body with a syntax error in its last line: does the graph keep its
    old content? (The README says what each engine does.)"""
    graph = "http://example.org/atomicity"
    old = b"".join(
        f'<http://example.org/old/{i}> <http://example.org/p> "old {i}" .\n'.encode()
        for i in range(3)
    )
    assert engine.put(graph, old).is_success
    body = (
        b"".join(
            f'<http://example.org/new/{i}> <http://example.org/p> "new {i}" .\n'.encode()
            for i in range(20_000)
        )
        + b'<http://example.org/broken> <http://example.org/p> "no closing quote .\n'
    )
    refused = engine.put(graph, body)
    assert not refused.is_success
    kept = engine.count(graph) == 3 and engine.ask(f'ASK {{ GRAPH <{graph}> {{ ?s ?p "old 0" }} }}')
    assert kept == ATOMIC_PUT[engine.name], (
        f"{engine.name}: a failed PUT ({refused.status_code}) left {engine.count(graph)} quads; "
        "ATOMIC_PUT and the README say otherwise"
    )


@pytest.mark.parametrize(
    ("engine", "staged"),
    [("oxigraph", False), ("oxigraph", True), ("virtuoso", True)],
    indirect=["engine"],
    ids=["oxigraph-direct", "oxigraph-staged", "virtuoso-staged"],
)
def test_a_graph_that_fails_keeps_its_old_content(
    engine: Engine,
    staged: bool,
    built_store: Settings,
    password_file: Path,
    tmp_path: Path,
) -> None:
    before = store_with(tmp_path / "before", built_store, *big_graph("old"))
    assert publish(engine, before, password_file, staged=staged).code == 0
    after = store_with(tmp_path / "after", built_store, *big_graph("new"))
    proxy = Proxy(engine.server.url, mangle=breaking(b'"new value 0"'))
    try:
        options = ["--remote", proxy.moved(engine.query), "--gsp", proxy.moved(engine.gsp)]
        if staged:
            options += ["--update", proxy.moved(engine.update)]
        if engine.user is not None:
            options += ["--user", engine.user, "--password-file", str(password_file)]
        done = publish_cli(after, *options)
    finally:
        proxy.close()
    assert len(proxy.mangled) == 1  # (Digest met its challenge before: no PUT sent twice)
    assert done.code == 1
    status, answer = {
        "oxigraph": ("400 Bad Request", "Parser error"),
        "virtuoso": ("500", "SP029"),
    }[engine.name]
    assert f"drugkg publish: error: <{BIG}>: " in done.err
    assert status in done.err
    assert answer in done.err
    assert "0 of 58 graphs were published before it, the rest were not sent" in done.err
    if staged:
        assert "it keeps its previous content on the remote" in done.err
    assert engine.count(BIG) == 20_000
    assert engine.ask(f'ASK {{ GRAPH <{BIG}> {{ ?s ?p "old value 0" }} }}')
    assert not engine.ask(f'ASK {{ GRAPH <{BIG}> {{ ?s ?p "new value 1" }} }}')
    assert engine.counts(STAGING) == {}


@pytest.mark.parametrize("engine", ["oxigraph"], indirect=True)
def test_a_count_that_differs_stops_the_publish(
    engine: Engine, tmp_path: Path, password_file: Path
) -> None:
    graph = NamedNode("http://example.org/dropped")
    p = NamedNode("http://example.org/p")
    quads = [
        Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(f"kept {i}"), graph)
        for i in range(2)
    ]
    quads.append(Quad(NamedNode("http://example.org/s9"), p, Literal("dropped on the way"), graph))
    store = tmp_path / "store"
    write_store(store, quads)
    proxy = Proxy(engine.server.url, mangle=dropping(b"dropped on the way"))
    try:
        done = publish_cli(
            store, "--remote", proxy.moved(engine.query), "--gsp", proxy.moved(engine.gsp)
        )
    finally:
        proxy.close()
    assert done.code == 1
    assert "the remote holds 2 quads in <http://example.org/dropped>, the store 3" in done.err
    assert "the server took the new content, so the remote holds what the check found" in done.err


def test_literals_equal_in_value_count_once_where_the_server_merges_them(
    engine: Engine, tmp_path: Path, password_file: Path
) -> None:
    graph = NamedNode("http://example.org/values")
    s, p = NamedNode("http://example.org/s"), NamedNode("http://example.org/p")
    objects = [
        Literal("1", datatype=NamedNode(XSD + "integer")),
        Literal("1.0", datatype=NamedNode(XSD + "decimal")),
        Literal("1E0", datatype=NamedNode(XSD + "double")),
        Literal("1", datatype=NamedNode(XSD + "float")),
        Literal("2017-01-01T01:00:00+01:00", datatype=NamedNode(XSD + "dateTime")),
        Literal("2017-01-01T00:00:00Z", datatype=NamedNode(XSD + "dateTime")),
        Literal("x"),
    ]
    store = tmp_path / "store"
    write_store(store, [Quad(s, p, o, graph) for o in objects])
    with_empty = Store(str(store))  # and an empty graph, which empties the remote's
    with_empty.add_graph(NamedNode("http://example.org/emptied"))
    del with_empty
    assert engine.put("http://example.org/emptied", b'<http://e/s> <http://e/p> "x" .\n').is_success
    done = publish(engine, store, password_file)
    assert done.code == 0, done.err
    assert table(done.out)["<http://example.org/emptied>"][:2] == ["0", "0"]
    assert engine.count("http://example.org/emptied") == 0
    if engine.name == "virtuoso":  # one number and one instant are kept, with "x"
        assert engine.count(graph.value) == 3
        assert table(done.out)["<http://example.org/values>"][:2] == ["7", "3 (4 merged)"]
        assert "the server keeps one literal per value: 4 quads" in done.out
    else:
        assert engine.count(graph.value) == 7
        assert "merged" not in done.out


def test_the_default_graph_is_published_where_the_server_has_one(
    engine: Engine, tmp_path: Path, password_file: Path
) -> None:
    p = NamedNode("http://example.org/p")
    quads = [
        Quad(NamedNode("http://example.org/in-default"), p, Literal(f"default {i}"), DefaultGraph())
        for i in range(2)
    ]
    quads.append(
        Quad(
            NamedNode("http://example.org/in-named"),
            p,
            Literal("named"),
            NamedNode("http://example.org/named"),
        )
    )
    store = tmp_path / "store"
    write_store(store, quads)
    done = publish(engine, store, password_file)
    if engine.name == "oxigraph":
        assert done.code == 0, done.err
        assert table(done.out)["(default graph)"][:2] == ["2", "2"]
        with engine.client() as client:
            response = client.get(engine.gsp + "?default", headers={"accept": N_TRIPLES})
        assert b'"default 1"' in response.content
    else:  # Virtuoso has no default graph to PUT or MOVE into
        assert done.code == 1
        assert "drugkg publish: error: the default graph: " in done.err
        assert "MOVE...DEFAULT operator requires declaration of a plain default graph" in done.err
        direct = publish(engine, store, password_file, staged=False)
        assert direct.code == 1
        assert "the endpoint is not configured to have default graph" in direct.err
        assert "1 of 2 graphs were published before it" in done.err
        assert engine.count("http://example.org/named") == 1


# ---------------------------------------------------------------------------------------------
# Who may publish, and a server that is not there


@pytest.mark.parametrize("engine", ["virtuoso"], indirect=True)
def test_a_wrong_password_gets_the_servers_answer(
    engine: Engine, built_store: Settings, password_file: Path, tmp_path: Path
) -> None:
    assert publish(engine, built_store.store, password_file).code == 0
    before = engine.counts(NS)
    wrong = tmp_path / "wrong.password"
    wrong.write_text("pw-not-the-one-5d2a\n", encoding="utf-8")
    done = publish(engine, built_store.store, wrong)
    assert done.code == 1
    assert "pw-not-the-one-5d2a" not in done.out + done.err
    assert (  # found out before any graph is sent
        "drugkg publish: error: before publishing, a test of the Graph Store Protocol "
        f"endpoint: GET {engine.gsp} answered 401 Unauthorized: (empty body); the server "
        "refused the credentials of user 'publisher' (sent with digest; it asks for Digest "
        'realm="SPARQL") (0 of 57 graphs were published)'
    ) in done.err
    assert engine.counts(NS) == before


@pytest.mark.parametrize("engine", ["virtuoso"], indirect=True)
def test_a_user_who_may_not_write_gets_the_servers_answer(
    engine: Engine, built_store: Settings, tmp_path: Path
) -> None:
    reader = tmp_path / "reader.password"
    reader.write_text(READER[1] + "\n", encoding="utf-8")
    options = ["--remote", engine.query, "--gsp", engine.gsp, "--update", engine.update]
    done = publish_cli(
        built_store.store, *options, "--user", READER[0], "--password-file", str(reader)
    )
    assert done.code == 1
    assert READER[1] not in done.out + done.err
    assert "answered 403 Forbidden" in done.err
    assert "Permission denied" in done.err
    assert "grant it SPARQL_UPDATE" in done.err


def test_no_credentials_where_the_server_asks_for_them(
    engine: Engine, built_store: Settings
) -> None:
    if engine.name == "virtuoso":
        done = publish_cli(built_store.store, "--remote", engine.query, "--gsp", engine.gsp)
        asks = 'Digest realm="SPARQL"'
    else:
        proxy = Proxy(engine.server.url, basic=PUBLISHER)
        try:
            done = publish_cli(
                built_store.store,
                "--remote",
                proxy.moved(engine.query),
                "--gsp",
                proxy.moved(engine.gsp),
            )
        finally:
            proxy.close()
        asks = 'Basic realm="drugkg-test"'
    assert done.code == 1
    assert (
        f"the server asks for credentials ({asks}): give --user NAME and --password-file FILE"
        in done.err
    )


@pytest.mark.parametrize("engine", ["oxigraph"], indirect=True)
def test_basic_authentication(
    engine: Engine, built_store: Settings, password_file: Path, tmp_path: Path
) -> None:
    proxy = Proxy(engine.server.url, basic=PUBLISHER)
    wrong = tmp_path / "wrong.password"
    wrong.write_text("pw-not-the-one-5d2a\n", encoding="utf-8")
    options = [
        "--remote",
        proxy.moved(engine.query),
        "--gsp",
        proxy.moved(engine.gsp),
        "--user",
        PUBLISHER[0],
    ]
    try:
        done = publish_cli(built_store.store, *options, "--password-file", str(password_file))
        refused = publish_cli(built_store.store, *options, "--password-file", str(wrong))
    finally:
        proxy.close()
    assert done.code == 0, done.err
    assert engine.counts(NS) == article_graphs(built_store)
    assert PUBLISHER[1] not in done.out + done.err
    assert refused.code == 1
    assert "pw-not-the-one-5d2a" not in refused.out + refused.err
    assert (
        f"before publishing, a test query: POST {proxy.moved(engine.query)} answered 401 "
        "Unauthorized: credentials needed; the server refused the credentials of user "
        """'publisher' (sent with basic; it asks for Basic realm="drugkg-test")"""
    ) in refused.err


def test_a_server_that_is_down_is_named(built_store: Settings) -> None:
    port = free_port()  # nothing listens there
    query, gsp = f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/store"
    done = publish_cli(built_store.store, "--remote", query, "--gsp", gsp)
    assert done.code == 1
    assert (
        f"drugkg publish: error: before publishing, a test query: cannot reach {query}" in done.err
    )
    assert "Connection refused" in done.err
    assert "(0 of 57 graphs were published)" in done.err


def test_credentials_never_come_from_the_command_line(built_store: Settings) -> None:
    done = publish_cli(
        built_store.store,
        "--remote",
        "http://dba:dba@127.0.0.1:1/sparql",
        "--gsp",
        "http://127.0.0.1:1/store",
    )
    assert done.code == 2
    assert "--remote holds credentials" in done.err
    done = publish_cli(
        built_store.store,
        "--remote",
        "http://127.0.0.1:1/sparql",
        "--gsp",
        "http://127.0.0.1:1/store",
        "--user",
        "dba",
    )
    assert done.code == 2
    assert "--user and --password-file go together" in done.err
