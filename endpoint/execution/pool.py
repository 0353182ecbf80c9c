"""Query evaluation off the event loop, in a pool of query processes, each query bounded.

pyoxigraph cannot cancel a running query from another thread, so each query runs in a
separate process (`endpoint.execution.worker`) that holds one version of the store open read-only.
The event loop talks to the processes over pipes without any thread hop.

Bounds, each enforced by the server on the process from outside:
- time: a query past its limit is stopped (SIGKILL reclaims its CPU at once) and 503;
- memory: the server reads the resident size of every busy process `MEMORY_POLL` times a
  second; a process over the limit is killed and its query answered 503;
- fair share: a query still running after `cpus.SLOW_AFTER` seconds has its process lowered in
  CPU priority (nice 10, every thread) and, where the server process is pinned to one CPU
  (`endpoint.execution.cpus`: its query processes run beside it), allowed onto every CPU,
  so the queries that arrive meanwhile get the CPU first and costly ones still use the
  machine; when its query ends the process gets its priority and CPU back (or, where
  raising a priority is not allowed, it is replaced by a fresh one). The pool grows beyond
  its warm size, up to its most, whenever every process is busy, so a point lookup need not
  wait for costly queries to finish; processes idle past `IDLE_RETIRE` beyond the warm size
  are stopped.

A process that dies is noticed at once (each has a task waiting on its exit) and replaced;
one that dies under a job before any of the answer was sent has its job run again on a fresh
process (reads are idempotent): up to KILLED_RETRIES times when it was killed from outside
(SIGKILL), once when it crashed, since a crash may be the query's own doing. The time limit
counts from the request's arrival to the last byte of the answer. A timeout before the first
byte is a 503; after the first byte the status is gone, so the response is broken off
(`StreamStoppedError`).

With inline evaluation on (`PoolConfig.inline`, in a supervised server process), a job is
first offered to the server process's own inline thread (`endpoint.execution.inline`); the
pool runs what that declines or gives up, under the same deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from endpoint import metrics
from endpoint.errors import (
    QueryMemoryError,
    QueryTimeoutError,
    WorkerCrashedError,
    from_wire,
)
from endpoint.execution import cpus, inline, wire
from graph.errors import StoreError

log = logging.getLogger("drugkg.endpoint")

START_TIMEOUT = 120.0
"""Seconds a new query process may take to open the store."""
MEMORY_POLL = 0.1
"""Seconds between two readings of the busy processes' resident memory."""
KILLED_RETRIES = 3
"""How many times a read whose process was killed from outside is run again."""
IDLE_RETIRE = 30.0
"""Seconds a process beyond the warm size may stay idle before it is stopped."""
_REPLACED: dict[str, metrics.Replacement] = {
    "time": "time",
    "memory": "memory",
    "retired": "retired",
}
"""Why a process stopped, when the pool replaces it (its metric's label)."""


class StreamStoppedError(Exception):
    """A streamed answer could not be finished; the connection must be broken off."""


@dataclass(frozen=True, slots=True)
class PoolConfig:
    """What a pool needs to start its processes and bound their work."""

    worker_config: dict[str, object]
    """Given to every query process (`endpoint.execution.worker`): the store version and more."""
    size: int
    """Processes kept warm."""
    max_size: int
    """Most processes at once."""
    timeout: float
    memory_limit: int | None
    """Bytes of resident memory a query process may use; None: unlimited."""
    inline: bool = False
    """Evaluate in the server process first where it can be (`endpoint.execution.inline`):
    only in a supervised server process and on a local store."""


class QueryProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pid = process.pid
        assert process.stdin is not None
        assert process.stdout is not None
        self._stdin = process.stdin
        self._stdout = process.stdout
        self.stopped: str | None = None
        """Why the server stopped it: `time`, `memory`, `retired` (left by its client, or
        its priority could not be raised again), `idle` (surplus), `closed` (shut-down)."""
        self.busy_since: float | None = None
        self.idle_since = 0.0
        self.demoted = False
        self.exited: asyncio.Task[int] | None = None

    @property
    def alive(self) -> bool:
        return self.process.returncode is None and self.stopped is None

    def send(self, job: wire.Job) -> None:
        if self._stdin.is_closing():
            raise ConnectionResetError("the query process's input is closed")
        self._stdin.write(job.encode())

    async def read_frame(self) -> tuple[bytes, bytes]:
        kind, size = wire.FRAME.unpack(await self._stdout.readexactly(wire.FRAME.size))
        return kind, (await self._stdout.readexactly(size) if size else b"")

    def resident_bytes(self) -> int:
        return cpus.resident_bytes(self.pid)

    def demote(self) -> None:
        """Lower the process's CPU priority and let it use every CPU: it ran long; newer
        queries go first (`endpoint.execution.cpus`: every thread, the evaluating one too)."""
        cpus.set_niceness(self.pid, cpus.SLOW_NICENESS)
        cpus.spread(self.pid)
        self.demoted = True

    def restore(self, home: set[int] | None) -> bool:
        """Give the process its priority back, and its server's CPU (`home`); False when
        the system does not allow it (raising a priority needs CAP_SYS_NICE): then it must
        be replaced instead."""
        if not cpus.set_niceness(self.pid, 0):
            return False
        if home is not None:
            cpus.pin(self.pid, home)
        self.demoted = False
        return True

    def stop(self, why: str) -> None:
        if self.stopped is None:
            self.stopped = why
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    async def kill(self, why: str) -> None:
        self.stop(why)
        await self.process.wait()


@dataclass(slots=True)
class Answer:
    """A successful answer: a whole body, or a stream of chunks to be read to the end."""

    content_type: str
    truncated: bool | None
    limit: int | None
    body: bytes | None = None
    chunks: AsyncIterator[bytes] | None = None


@dataclass(slots=True)
class _Counters:
    timeouts: int = 0
    memory: int = 0
    crashes: int = 0
    retries: int = 0
    replaced: int = 0
    demoted: int = 0


class QueryPool:
    def __init__(self, config: PoolConfig) -> None:
        self.config = config
        self.size = config.size
        self.max_size = max(config.size, config.max_size)
        self.timeout = config.timeout
        self._config = json.dumps(config.worker_config)
        self._store = Path(str(config.worker_config["store"]))
        # last in, first out: the process that just answered is the warmest (its caches)
        self._idle: list[QueryProcess] = []
        self._all: dict[int, QueryProcess] = {}
        self._waiters: deque[asyncio.Future[QueryProcess]] = deque()
        self._spawning = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._housekeeper: asyncio.Task[None] | None = None
        self._home = cpus.home()
        """The CPU of this (pinned) server process, where its query processes run."""
        self.counters = _Counters()
        self.inline: inline.InlineEvaluator | None = None
        if config.inline and inline.supervised() and "remote" not in config.worker_config:
            chars = config.worker_config.get("max_query_chars")
            self.inline = inline.InlineEvaluator(
                config.worker_config,
                memory_limit=config.memory_limit,
                stack_chars=int(chars) if isinstance(chars, int) else 1_000_000,
            )

    @property
    def pids(self) -> list[int]:
        return sorted(pid for pid, p in self._all.items() if p.alive)

    @property
    def busy(self) -> int:
        return sum(1 for p in self._all.values() if p.busy_since is not None)

    @property
    def idle(self) -> int:
        return len(self._idle)

    async def start(self) -> None:
        processes = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for process in processes:
            self._give(process)
        if self.inline is not None:
            await asyncio.to_thread(self.inline.open)
            self.inline.start()
        self._housekeeper = asyncio.create_task(self._housekeep())

    async def close(self) -> None:
        """Stop every process now (server shut-down)."""
        self._closed = True
        if self.inline is not None:
            await self.inline.close()
        if self._housekeeper is not None:
            self._housekeeper.cancel()
        for task in list(self._tasks):
            task.cancel()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(QueryTimeoutError("the server is shutting down"))
        await asyncio.gather(*(p.kill("closed") for p in list(self._all.values())))
        self._all.clear()
        self._idle.clear()

    # -- processes ---------------------------------------------------------------------

    async def _spawn(self) -> QueryProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "endpoint.execution.worker",
            self._config,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=4 * wire.CHUNK_SIZE,
        )
        query_process = QueryProcess(process)
        try:
            async with asyncio.timeout(START_TIMEOUT):
                kind, _ = await query_process.read_frame()
        except (TimeoutError, asyncio.IncompleteReadError) as exc:
            await query_process.kill("closed")
            raise StoreError(
                "a query process could not open the store (see its message above)",
                path=self._store,
            ) from exc
        if kind != wire.READY:
            await query_process.kill("closed")
            raise StoreError("a query process failed to start", path=self._store)
        self._all[query_process.pid] = query_process
        query_process.exited = asyncio.create_task(process.wait())
        query_process.exited.add_done_callback(lambda _: self._exited(query_process))
        return query_process

    def _exited(self, process: QueryProcess) -> None:
        """A process ended: forget it; replace it when the pool is short."""
        self._all.pop(process.pid, None)
        with contextlib.suppress(ValueError):
            self._idle.remove(process)
        if process.stopped is None:
            self.counters.crashes += 1
            metrics.process_replaced("crashed")
            log.warning(
                "query process %d exited unexpectedly (%s); replacing it",
                process.pid,
                process.process.returncode,
            )
        elif process.stopped in _REPLACED:
            if process.stopped != "retired":
                self.counters.replaced += 1
            metrics.process_replaced(_REPLACED[process.stopped])
        self._refill()

    def _refill(self, *, spare: bool = True) -> None:
        """Start processes: up to the warm size; one more for each query that no free or
        starting process will serve; a spare while every process is busy (unless `spare` is
        False); never more than the most (a draining pool starts processes only for the
        queries it still owes)."""
        waiting = sum(1 for w in self._waiters if not w.done())
        if self._closed and not waiting:
            return
        total = sum(1 for p in self._all.values() if p.alive) + self._spawning
        need = 0 if self._closed else max(0, self.size - total)
        short = waiting - len(self._idle) - self._spawning
        if short > 0:
            need = max(need, short)
        elif spare and not self._closed and not self._idle and not self._spawning:
            need = max(need, 1)
        for _ in range(min(need, self.max_size - total)):
            self._spawning += 1
            task = asyncio.create_task(self._respawn())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _respawn(self) -> None:
        try:
            try:
                process = await self._spawn()
            finally:
                self._spawning -= 1
        except StoreError:
            log.exception("could not start a query process")
            await asyncio.sleep(1.0)  # do not spin on a store that cannot be opened
            # then try again if queries still wait or the pool is below its size: a process
            # killed while it started must not leave queries waiting for none
            self._refill(spare=False)
            return
        self._give(process)

    def _give(self, process: QueryProcess) -> None:
        """A free process: to the longest waiting query, else to the idle list."""
        if not process.alive:
            return
        if self._closed and not self._waiters:
            process.stop("closed")
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                process.busy_since = asyncio.get_running_loop().time()
                waiter.set_result(process)
                return
        process.idle_since = asyncio.get_running_loop().time()
        self._idle.append(process)

    async def _acquire(self, deadline: float, *, spare: bool = True) -> QueryProcess:
        while self._idle:
            process = self._idle.pop()
            if process.alive:
                process.busy_since = asyncio.get_running_loop().time()
                self._refill(spare=spare)
                return process
        waiter: asyncio.Future[QueryProcess] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._refill()
        try:
            async with asyncio.timeout_at(deadline):
                return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())  # handed over just as we gave up
            else:
                waiter.cancel()
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _release(self, process: QueryProcess) -> None:
        process.busy_since = None
        if process.demoted and not process.restore(self._home):
            process.stop("retired")  # its priority cannot be raised again: a fresh one
            self._refill()
            return
        self._give(process)

    def _discard(self, process: QueryProcess, why: str) -> None:
        process.busy_since = None
        process.stop(why)

    async def _housekeep(self) -> None:
        """Watch memory and long runners; retire surplus idle processes."""
        loop = asyncio.get_running_loop()
        limit = self.config.memory_limit
        while True:
            await asyncio.sleep(MEMORY_POLL)
            now = loop.time()
            for process in list(self._all.values()):
                if process.busy_since is None or not process.alive:
                    continue
                if limit is not None and process.resident_bytes() > limit:
                    self.counters.memory += 1
                    metrics.query_stopped("memory")
                    process.stop("memory")
                elif not process.demoted and now - process.busy_since > cpus.SLOW_AFTER:
                    self.counters.demoted += 1
                    process.demote()
            surplus = len(self._all) - self.size
            for process in list(self._idle):
                if surplus <= 0:
                    break
                if now - process.idle_since > IDLE_RETIRE:
                    self._idle.remove(process)
                    process.stop("idle")
                    surplus -= 1

    # -- jobs --------------------------------------------------------------------------

    async def run(self, job: wire.Job, *, spare: bool = True) -> Answer:
        """Evaluate one job; raise the endpoint error the query process reports. With
        `spare` False (a health probe), taking the last free process starts no spare."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        if self.inline is not None and spare:
            outcome = await self.inline.run(job, deadline)
            if outcome.stopped == "memory":
                raise QueryMemoryError(self._memory_message())
            if outcome.stopped is not None:
                raise QueryTimeoutError(
                    f"query stopped: it ran longer than the time limit of {self.timeout:g} s"
                )
            if outcome.frames is not None:
                metrics.query_evaluated("inline")
                return _from_frames(outcome.frames)
        metrics.query_evaluated("pool")
        crashes = killed = 0
        while True:
            process: QueryProcess | None = None
            try:
                async with asyncio.timeout_at(deadline):
                    process = await self._acquire(deadline, spare=spare)
                    process.send(job)
                    kind, payload = await process.read_frame()
            except TimeoutError:
                if process is None:
                    metrics.query_stopped("wait")
                    raise QueryTimeoutError(
                        f"no query process became free within the time limit of "
                        f"{self.timeout:g} s: the server is busy, try again later"
                    ) from None
                self.counters.timeouts += 1
                metrics.query_stopped("time")
                process.busy_since = None
                await process.kill("time")  # its CPU is reclaimed before the client hears
                raise QueryTimeoutError(
                    f"query stopped: it ran longer than the time limit of {self.timeout:g} s"
                ) from None
            except (asyncio.IncompleteReadError, ConnectionError, RuntimeError) as exc:
                assert process is not None
                why = process.stopped
                self._discard(process, why or "crashed")
                if why == "memory":
                    raise QueryMemoryError(self._memory_message()) from None
                code = await self._exit_code(process)
                # killed from outside (SIGKILL: an operator, the kernel's OOM killer) is no
                # fault of the query: run it again, up to KILLED_RETRIES times; a crash may be
                # the query's own doing: once
                if code == -signal.SIGKILL:
                    killed += 1
                else:
                    crashes += 1
                if killed <= KILLED_RETRIES and crashes <= 1:
                    self.counters.retries += 1
                    metrics.query_retried()
                    log.warning(
                        "query process %d died under a job (exit %s); running it again",
                        process.pid,
                        code,
                    )
                    continue
                raise WorkerCrashedError(
                    "the query processes evaluating this query stopped unexpectedly "
                    f"{killed + crashes} times (the last with exit status {code}); "
                    "it was not answered"
                ) from exc
            except BaseException:  # cancelled (client gone): the process may be mid-job
                if process is not None:
                    self._discard(process, "retired")
                raise
            if kind == wire.COMPLETE:
                self._release(process)
                header, body = wire.split_complete(payload)
                if header.get("status") != 200:
                    raise from_wire(header)
                return _answer(header, body=body)
            if kind == wire.HEAD:
                return _answer(json.loads(payload), chunks=self._stream(process, deadline))
            self._discard(process, "retired")
            raise WorkerCrashedError(f"the query process sent an unexpected frame {kind!r}")

    async def _exit_code(self, process: QueryProcess) -> int | None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                return await process.process.wait()
        return process.process.returncode

    def _memory_message(self) -> str:
        limit = self.config.memory_limit or 0
        return (
            f"query stopped: it needed more than the memory limit of {limit >> 20} MiB "
            "(DRUGKG_QUERY_MEMORY_MB); narrow it down, or add a LIMIT"
        )

    async def _stream(self, process: QueryProcess, deadline: float) -> AsyncIterator[bytes]:
        finished = False
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        kind, payload = await process.read_frame()
                except TimeoutError:
                    self.counters.timeouts += 1
                    metrics.query_stopped("time")
                    process.stop("time")
                    raise StreamStoppedError(
                        f"query stopped mid-stream: it ran longer than the time limit of "
                        f"{self.timeout:g} s"
                    ) from None
                except asyncio.IncompleteReadError as exc:
                    if process.stopped == "memory":
                        raise StreamStoppedError(self._memory_message()) from exc
                    raise StreamStoppedError("the query process stopped unexpectedly") from exc
                if kind == wire.DATA:
                    yield payload
                elif kind == wire.END:
                    finished = True
                    return
                elif kind == wire.ABORT:
                    finished = True
                    message = payload.decode()
                    raise StreamStoppedError(f"query evaluation failed mid-stream: {message}")
                else:
                    raise StreamStoppedError(f"the query process sent a bad frame {kind!r}")
        finally:
            if finished:
                self._release(process)
            else:
                self._discard(process, process.stopped or "retired")


def _from_frames(frames: bytes) -> Answer:
    """The answer of an inline job (`endpoint.execution.inline`), kept whole in memory: a
    COMPLETE frame, or HEAD, DATA frames and END."""
    each = wire.frames(frames)
    kind, payload = next(each)
    if kind == wire.COMPLETE:
        header, body = wire.split_complete(payload)
        if header.get("status") != 200:
            raise from_wire(header)
        return _answer(header, body=body)
    head = json.loads(payload)
    return _answer(head, body=b"".join(data for kind, data in each if kind == wire.DATA))


def _answer(
    header: dict[str, object],
    *,
    body: bytes | None = None,
    chunks: AsyncIterator[bytes] | None = None,
) -> Answer:
    truncated = header.get("truncated")
    limit = header.get("limit")
    return Answer(
        content_type=str(header["type"]),
        truncated=bool(truncated) if truncated is not None else None,
        limit=int(limit) if isinstance(limit, int) else None,
        body=body,
        chunks=chunks,
    )
