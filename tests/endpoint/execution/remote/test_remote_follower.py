"""What a look at a remote finds, and what it hands the query processes: the engine's own
graphs are told from drugkg's and kept out of the counts and of every query's dataset
(without a server); and a remote that answers but cannot be read is never answered from
(a live server over a stand-in that refuses the counts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from liveservers import LiveServer, wait_until
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, QuerySolution, parse_query_results
from remote_support import Recorder, start_over

from endpoint.execution import wire
from endpoint.execution.remote.engines import Engine
from endpoint.execution.remote.follower import SIZES, RemoteFollower, RemotePool
from endpoint.execution.remote.request import Dataset

OWN = "http://www.openlinksw.com/schemas/virtrdf#"
DAV = "http://localhost:8890/DAV/"
OURS = ("https://w3id.org/drugkg/graph/entities", "https://w3id.org/drugkg/graph/links")


def _rows(variables: list[str], rows: list[dict[str, Any]]) -> list[QuerySolution]:
    head = "\t".join(f"?{v}" for v in variables)
    lines = ["\t".join(str(row.get(v, "")) for v in variables) for row in rows]
    text = "\n".join([head, *lines]) + "\n"
    return list(parse_query_results(text, QueryResultsFormat.TSV))


class _Remote:
    """A Virtuoso as the look sees it: two graphs of drugkg's, two of its own."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Dataset | None]] = []

    def select(self, engine: Engine, text: str, over: Dataset | None = None) -> list[Any]:
        self.asked.append((text, over))
        if text == SIZES:
            sizes = [(OWN, 2479), (OURS[0], 219), (DAV, 14), (OURS[1], 63)]
            return _rows(["g", "n"], [{"g": NamedNode(g), "n": Literal(n)} for g, n in sizes])
        if "?cap" in text:
            return _rows(["cap"], [{"cap": Literal("10000")}])
        if text.startswith("\nSELECT ?g"):  # the counts per graph
            return _rows(
                ["g", "triples"], [{"g": NamedNode(g), "triples": Literal(1)} for g in OURS]
            )
        return _rows(["triples", "n"], [{"triples": Literal(1), "n": Literal(0)}])

    def close(self) -> None:
        pass


def _follower() -> tuple[RemoteFollower, _Remote]:
    follower = RemoteFollower("http://127.0.0.1:1/sparql", "virtuoso", 60.0, make_pool=None)  # type: ignore[arg-type]
    remote = _Remote()
    follower._store = remote  # type: ignore[assignment]
    return follower, remote


def test_the_engines_own_graphs_are_told_from_drugkgs() -> None:
    follower, _ = _follower()
    look = follower.look()
    assert look.graphs == OURS
    assert look.cap == 10000


def test_the_counts_see_drugkgs_graphs_only() -> None:
    follower, remote = _follower()
    look = follower.look()
    remote.asked.clear()
    stats = follower.count(look)
    assert [g.name for g in stats.graphs] == list(OURS)
    for _text, over in remote.asked:
        assert over is not None
        named = [iri for name, iri in over.params if name == "named-graph-uri"]
        assert named == list(OURS)  # every count over drugkg's graphs, never the engine's


def test_every_job_names_drugkgs_graphs() -> None:
    follower, _ = _follower()
    look = follower.look()
    sent: list[wire.Job] = []

    class _Pool:
        async def run(self, job: wire.Job, *, spare: bool = True) -> None:
            sent.append(job)

    job = wire.Job("ASK {}", None, None, None, None)
    running = RemotePool(_Pool(), look).run(job)  # type: ignore[arg-type]
    with pytest.raises(StopIteration):  # it never waits: one step runs it to its end
        running.send(None)
    (sent_job,) = sent
    assert (sent_job.engine, sent_job.graphs, sent_job.cap) == ("virtuoso", list(OURS), 10000)


REFUSAL = b"Virtuoso 37000 Error SP030: SPARQL compiler, line 0: Too many arguments"


def test_a_remote_that_cannot_be_counted_is_never_answered_from(
    workdir: Path, oxigraph: LiveServer
) -> None:
    """The remote answers queries but refuses the counts (as Virtuoso refuses them over
    thousands of graphs): until a look succeeds, every query and page gets 502 with the
    refusal, and no query of a client reaches the remote; once it counts, drugkg answers."""
    stand_in = Recorder(oxigraph.sparql, behaviour="counts", status=400, body=REFUSAL)
    with stand_in.running() as url:
        live = start_over(url, workdir, probe="/health/live", remote_refresh="1")
        try:
            query = "SELECT ?s WHERE { ?s a ?kind } LIMIT 1 # drugkg-unread-test"
            response = httpx.get(live.sparql, params={"query": query}, timeout=30)
            assert response.status_code == 502, response.text
            assert "has not been read yet" in response.text
            assert "SP030" in response.text
            assert not any("drugkg-unread-test" in q for q in stand_in.queries)
            page = httpx.get(live.url + "/id/fentanyl", timeout=30)
            assert page.status_code == 502, page.text
            assert httpx.get(live.url + "/health/ready", timeout=30).status_code == 503
            stand_in.behaviour = "forward"
            wait_until(
                lambda: httpx.get(live.sparql, params={"query": query}).status_code == 200,
                "drugkg answering once the remote counts",
                limit=30,
            )
            assert httpx.get(live.url + "/id/fentanyl", timeout=30).status_code == 200
        finally:
            live.stop()
