"""Pipelining into the pool, in-process: a job queued behind a running one is answered by the
same process when the one ahead ends in time, and taken back and run elsewhere when it does
not. The pool's thresholds are raised where a test needs a job queued whatever the machine's
load (the queueing window is a few milliseconds)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from endpoint_stores import write_synthetic_store

from endpoint.errors import QueryTimeoutError
from endpoint.execution import pool as pool_module
from endpoint.execution import wire
from endpoint.execution.pool import PoolConfig, QueryPool

pytestmark = pytest.mark.slow

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEDIUM = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
"""About 0.4 s over the 2,000 triples of the store: long enough to queue a job behind it."""
QUICK = "ASK { ?s ?p ?o }"
TIMEOUT = 3.0


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pipelining") / "store"
    write_synthetic_store(path, 2_000)
    return path


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A job is queued behind one that has run up to 10 s, and never taken back."""
    monkeypatch.setattr(pool_module, "PIPELINE_YOUNG", 10.0)
    monkeypatch.setattr(pool_module, "STEAL_AFTER", 60.0)


def make_pool(store: Path, timeout: float = TIMEOUT) -> QueryPool:
    worker = {"store": str(store), "union_default_graph": True, "result_limit": None}
    return QueryPool(PoolConfig(worker, size=1, max_size=2, timeout=timeout, memory_limit=None))


def job(query: str) -> wire.Job:
    return wire.Job(query, None, None, "application/sparql-results+json", None)


@pytest.mark.usefixtures("patient")
def test_a_job_queued_behind_one_that_ends_is_answered_by_the_same_process(store: Path) -> None:
    async def scenario() -> None:
        pool = make_pool(store, timeout=60.0)
        await pool.start()
        try:
            pids = pool.pids
            first = asyncio.create_task(pool.run(job(MEDIUM)))
            await asyncio.sleep(0)  # the first is sent: its process is busy
            second = asyncio.create_task(pool.run(job(QUICK)))
            medium, quick = await asyncio.gather(first, second)
            assert medium.body is not None
            assert b"4000000" in medium.body
            assert quick.body is not None
            assert b"true" in quick.body
            assert pool.counters.pipelined == 1
            assert pool.counters.stolen == 0
            assert set(pids) <= set(pool.pids), "its process was kept (a spare may have started)"
            assert pool.busy == 0
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_job_queued_behind_a_runaway_is_taken_back_and_answered_elsewhere(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "PIPELINE_YOUNG", 10.0)  # queued whatever the load

    async def scenario() -> None:
        pool = make_pool(store)
        await pool.start()
        try:
            (runaway_pid,) = pool.pids
            slow = asyncio.create_task(pool.run(job(SLOW)))
            await asyncio.sleep(0)  # the slow one is sent: its process is busy
            started = time.monotonic()
            quick = await pool.run(job(QUICK))
            waited = time.monotonic() - started
            assert quick.body is not None
            assert b"true" in quick.body
            assert not slow.done(), "the quick job did not wait for the slow one"
            assert waited < TIMEOUT / 2
            assert pool.counters.pipelined == 1
            assert pool.counters.stolen == 1
            with pytest.raises(QueryTimeoutError, match="time limit"):
                await slow
            assert runaway_pid not in pool.pids, "the runaway's process was stopped"
            assert pool.counters.timeouts == 1
            again = await pool.run(job(QUICK))
            assert again.body is not None
            assert b"true" in again.body
        finally:
            await pool.close()

    asyncio.run(scenario())


@pytest.mark.usefixtures("patient")
def test_a_queued_job_whose_client_left_is_dropped_and_the_process_kept(store: Path) -> None:
    async def scenario() -> None:
        pool = make_pool(store, timeout=60.0)
        await pool.start()
        try:
            pids = pool.pids
            first = asyncio.create_task(pool.run(job(MEDIUM)))
            await asyncio.sleep(0)
            second = asyncio.create_task(pool.run(job(QUICK)))
            await asyncio.sleep(0)  # the second is queued behind the first
            assert pool.counters.pipelined == 1
            second.cancel()
            answer = await first
            assert answer.body is not None
            assert b"4000000" in answer.body
            with pytest.raises(asyncio.CancelledError):
                await second
            for _ in range(100):  # its answer is read and dropped, then the process is free
                if pool.busy == 0:
                    break
                await asyncio.sleep(0.01)
            assert pool.busy == 0
            assert set(pids) <= set(pool.pids), "its process was kept (a spare may have started)"
            again = await pool.run(job(QUICK))
            assert again.body is not None
            assert b"true" in again.body
        finally:
            await pool.close()

    asyncio.run(scenario())
