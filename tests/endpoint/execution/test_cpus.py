"""Where query processes run: on their server's CPU, and a long query lowered and let onto
every CPU, on every thread (the evaluating one is not the process's main thread)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from endpoint_processes import children
from liveservers import LiveServer, start_drugkg, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs or more"),
]

MEDIUM = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
"""A query of a second or two on the article store (a cross product of its 3,400 triples with
themselves): past the 0.5 s after which it is lowered."""


@pytest.fixture(scope="module")
def single(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    """One query process, so the one that ran the long query answers the next one too."""
    live = start_drugkg(
        article_store,
        workdir,
        query_timeout="60",
        query_workers="1",
        query_workers_max="1",
        result_cache_mb="0",
    )
    yield live
    live.stop()


def threads(pid: int) -> dict[int, tuple[int, str, int]]:
    """Each thread of `pid`: (nice value, allowed CPUs, CPU ticks used)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        cpus = next(
            line.split(":", 1)[1].strip()
            for line in (task / "status").read_text().splitlines()
            if line.startswith("Cpus_allowed_list:")
        )
        found[int(task.name)] = (int(fields[16]), cpus, int(fields[11]) + int(fields[12]))
    return found


def test_query_processes_run_on_their_server_cpu(single: LiveServer) -> None:
    server_cpus = {cpus for _, cpus, _ in threads(single.pid).values()}
    assert len(server_cpus) == 1
    (cpu,) = server_cpus
    assert cpu.isdigit(), f"the server runs on one CPU, not {cpu}"
    (process,) = children(single.pid)
    assert {cpus for _, cpus, _ in threads(process).values()} == {cpu}


def test_a_long_query_is_lowered_and_spread_on_every_thread_then_restored(
    single: LiveServer,
) -> None:
    (process,) = children(single.pid)
    home = {cpus for _, cpus, _ in threads(process).values()}
    answer: dict[str, httpx.Response] = {}
    client = threading.Thread(
        target=lambda: answer.setdefault(
            "r", httpx.get(single.sparql, params={"query": MEDIUM}, timeout=120)
        )
    )
    client.start()
    try:
        wait_until(
            lambda: all(nice == 10 for nice, _, _ in threads(process).values()),
            "every thread of the busy query process to be lowered",
        )
        seen = threads(process)
        busiest = max(seen.values(), key=lambda t: t[2])
        assert busiest[0] == 10, "the thread evaluating the query is lowered"
        assert {cpus for _, cpus, _ in seen.values()} != home, "it may use every CPU"
    finally:
        client.join()
    assert answer["r"].status_code == 200, answer["r"].text
    assert children(single.pid) == {process}, "the same process answers on"
    wait_until(
        lambda: (
            {(nice, cpus) for nice, cpus, _ in threads(process).values()}
            == {(0, cpu) for cpu in home}
        ),
        "its priority and its server's CPU back",
    )
