"""Query evaluation inside the server process, watched, with the query processes behind it.

The hop to a query process (`endpoint.execution.pool`) costs more CPU than evaluating a point
lookup (bench/README.md, "Where the time goes"), so a server process evaluates queries itself
when it can: on a thread of its own with the deep stack the longest query text needs
(`graph.query.text`), with the code of a query process (`endpoint.execution.worker.Worker`).
pyoxigraph releases the GIL while it evaluates and serialises, so the event loop keeps
serving meanwhile.

What cannot be done in this process is stopping a query: pyoxigraph has no cancellation, and
only the death of a process reclaims the CPU a query holds. So:
- the inline thread takes one query at a time, and a query waits for it only while the one it
  runs is young (`YOUNG`); otherwise, and when `QUEUE` wait already, the query goes to the
  pool, and so do the ones waiting once the running one grows old;
- an answer is kept in memory up to `MAX_BYTES`; a query that writes more is given up here
  (its serialisation raises at the next write) and run again in the pool (reads are
  idempotent);
- a query that runs past `cpus.SLOW_AFTER` has its thread lowered in CPU priority and spread over
  every CPU, as the pool does with its processes, and a fresh thread takes the new work; the
  old thread ends with its query (at most `MAX_SLOW` at once, else no query is taken here);
- a query still running at its time limit is answered 503 like one in the pool, and its
  thread is lowered to the lowest priority; then the server process retires (`supervise`): it
  stops accepting connections, answers what it has in flight, and exits, which reclaims the
  CPU, and its supervisor (uvicorn's, `endpoint.server`) starts a fresh one. The same, with
  a 503 naming the memory limit, when the process grows past the query memory limit while a
  query runs here.

Inline evaluation is on only in a server process whose supervisor replaces it (`supervise`
installs how it retires); elsewhere, and for a remote store, every query goes to the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from endpoint import metrics
from endpoint.execution import cpus, wire
from endpoint.execution.worker import Worker
from graph.query.text import stack_bytes

log = logging.getLogger("drugkg.endpoint")

YOUNG = 0.002
"""Seconds a running inline query may have run for a new query to wait behind it."""
QUEUE = 32
"""Queries that may wait for the inline thread; more go to the query processes."""
MAX_BYTES = 1024 * 1024
"""Bytes of an answer an inline query may write before it is handed to the query processes."""
LOWEST_NICENESS = 19
MAX_SLOW = 2
"""Inline threads that may run slow queries at once; beyond, no query is taken inline."""
WATCH = 0.002
"""Seconds between two looks of the watchdog at the inline thread."""

_retire: Callable[[str], None] | None = None


def supervise(retire: Callable[[str], None]) -> None:
    """Allow inline evaluation in this process: `retire(why)` makes it stop accepting
    connections, finish what it has in flight and exit, and its supervisor replaces it."""
    global _retire
    _retire = retire


def supervised() -> bool:
    return _retire is not None


class _GivenUpError(Exception):
    """Raised from a write of the answer: the query is handed to the query processes."""


@dataclass(slots=True, eq=False)
class _Task:
    job: wire.Job
    deadline: float
    """Loop time (monotonic) the answer is owed by: the request's arrival + time limit."""
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Outcome]
    started: float = 0.0
    dropped: bool = False
    """Handed to the pool or answered by the watchdog: whatever the thread makes is thrown away."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an inline job: its frames, or why it must be answered otherwise."""

    frames: bytes | None = None
    """The answer's frames (`endpoint.execution.wire`); None: run it in the pool."""
    stopped: str | None = None
    """`time` or `memory`: the query ran past that limit here; answer it so."""


_POOL = Outcome()


class _Collector:
    """The file-like object an inline job's frames are written to: kept in memory, bounded."""

    def __init__(self, task: _Task) -> None:
        self.frames = bytearray()
        self._task = task
        self.given_up = False

    def write(self, data: bytes) -> int:
        if self._task.dropped or len(self.frames) + len(data) > MAX_BYTES + 4096:
            self.given_up = True
            raise _GivenUpError()
        self.frames += data
        return len(data)

    def flush(self) -> None:
        """Frames are kept until the job ends."""


@dataclass(eq=False)
class _Thread:
    """One inline thread: its queue, what it runs, and whether it was set aside."""

    queue: queue.SimpleQueue[_Task | None] = field(default_factory=queue.SimpleQueue)
    thread: threading.Thread | None = None
    native_id: int | None = None
    current: _Task | None = None
    waiting: int = 0
    slow: bool = False
    """Lowered in priority for a slow query; ends when that query does."""


class InlineEvaluator:
    """The inline threads of a server process and their watchdog (see the module)."""

    def __init__(
        self, worker_config: dict[str, Any], *, memory_limit: int | None, stack_chars: int
    ) -> None:
        self._config = worker_config
        self._memory_limit = memory_limit
        self._stack_chars = stack_chars
        self._worker: Worker | None = None
        self._active: _Thread | None = None
        self._slow: list[_Thread] = []
        self._watchdog: asyncio.Task[None] | None = None
        self._work = asyncio.Event()
        """Set when a query is given to a thread: the watchdog sleeps while none runs."""
        self._baseline = 0
        self.retiring = False
        self.closed = False

    def open(self) -> None:
        """Open the store in this process (off the event loop: it reads from disk)."""
        self._worker = Worker(self._config)

    def start(self) -> None:
        """Start the thread and the watchdog (after `open`)."""
        self._baseline = cpus.resident_bytes()
        self._active = self._new_thread()
        self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    async def close(self) -> None:
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        for inline in [self._active, *self._slow]:
            if inline is not None:
                inline.queue.put(None)

    def _new_thread(self) -> _Thread:
        inline = _Thread()
        previous = threading.stack_size()
        try:
            threading.stack_size(stack_bytes(self._stack_chars))
            inline.thread = threading.Thread(
                target=self._serve, args=(inline,), name="drugkg-inline", daemon=True
            )
            inline.thread.start()
        finally:
            threading.stack_size(previous)
        return inline

    def take(self, loop_time: float) -> _Thread | None:
        """The thread a new query may wait for now, or None: the pool takes it."""
        inline = self._active
        if inline is None or self.retiring or self.closed or inline.waiting >= QUEUE:
            return None
        current = inline.current
        if current is not None and current.started and loop_time - current.started > YOUNG:
            return None
        return inline

    async def run(self, job: wire.Job, deadline: float) -> Outcome:
        """Evaluate `job` here if it can be (see the module); `deadline` is the loop time its
        answer is owed by."""
        loop = asyncio.get_running_loop()
        inline = self.take(loop.time())
        if inline is None:
            return _POOL
        task = _Task(job, deadline, loop, loop.create_future())
        inline.waiting += 1
        inline.queue.put(task)
        self._work.set()
        try:
            return await asyncio.shield(task.future)
        except BaseException:  # cancelled (the client went away): nothing more is sent
            task.dropped = True
            raise
        finally:
            inline.waiting -= 1

    # -- an inline thread --------------------------------------------------------------

    def _serve(self, inline: _Thread) -> None:
        # The threads share one Worker: a slow thread may still answer beside the fresh one;
        # what a local job changes on it (the open store versions) is safe under the GIL.
        inline.native_id = threading.get_native_id()
        worker = self._worker
        assert worker is not None
        while True:
            task = inline.queue.get()
            if task is None:
                return
            if task.dropped:
                continue
            task.started = task.loop.time()
            inline.current = task
            collector = _Collector(task)
            frames: bytes | None = None
            try:
                worker.answer(task.job, collector)  # type: ignore[arg-type]
                if not collector.given_up:
                    frames = bytes(collector.frames)
            except _GivenUpError:
                pass
            except Exception:  # the pool evaluates it again, and reports what fails
                if not collector.given_up:
                    log.exception("inline evaluation failed; the query processes take it")
            inline.current = None
            if frames is not None and _aborted(frames):
                frames = None  # failed mid-answer: the pool's stream reports it as it would
            task.loop.call_soon_threadsafe(_settle, task, Outcome(frames=frames))
            if inline.slow:
                task.loop.call_soon_threadsafe(self._ended, inline)
                return

    def _ended(self, inline: _Thread) -> None:
        """A slow thread's query ended: the thread ends."""
        with contextlib.suppress(ValueError):
            self._slow.remove(inline)
        if self._active is None and not self.retiring and not self.closed:
            self._active = self._new_thread()

    # -- the watchdog ------------------------------------------------------------------

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(WATCH)
            inline = self._active
            if not self._slow and (
                inline is None or (inline.current is None and not inline.waiting)
            ):
                self._work.clear()  # nothing runs: wait for the next query
                await self._work.wait()
                continue
            now = loop.time()
            current = inline.current if inline is not None else None  # the thread sets it
            if inline is not None and current is not None and current.started:
                age = now - current.started
                if age > YOUNG:
                    _to_pool(inline)
                late = now >= current.deadline  # a time limit under SLOW_AFTER
                if age > cpus.SLOW_AFTER or late or (age > YOUNG and self._over_memory()):
                    self._set_aside(inline)
            for slow in list(self._slow):
                task = slow.current
                if task is None or task.dropped:
                    continue
                if now >= task.deadline:
                    self._runaway(slow, task, "time")
                elif self._over_memory():
                    self._runaway(slow, task, "memory")

    def _over_memory(self) -> bool:
        """Whether this process grew past the query memory limit since it started."""
        limit = self._memory_limit
        return limit is not None and cpus.resident_bytes() - self._baseline > limit

    def _set_aside(self, inline: _Thread) -> None:
        """The active thread's query is slow: lower it, and give new work a fresh thread."""
        inline.slow = True
        self._slow.append(inline)
        if inline.native_id is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, inline.native_id, cpus.SLOW_NICENESS)
            cpus.spread_thread(inline.native_id)
        metrics.inline_set_aside()
        inline.queue.put(None)  # it ends after its query (and takes no more)
        self._active = self._new_thread() if len(self._slow) < MAX_SLOW else None

    def _runaway(self, inline: _Thread, task: _Task, why: str) -> None:
        """A query here passed its limit: answer it so; the process retires."""
        _settle(task, Outcome(stopped=why))
        task.dropped = True
        if inline.native_id is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, inline.native_id, LOWEST_NICENESS)
        metrics.query_stopped("time" if why == "time" else "memory")
        if self.retiring:
            return
        self.retiring = True
        self._active = None
        metrics.inline_retired(why)
        log.warning(
            "an inline query ran past the %s limit; this server process retires to reclaim its CPU",
            why,
        )
        if _retire is not None:
            _retire(why)


def _to_pool(inline: _Thread) -> None:
    """The queries waiting behind an old query go to the query processes."""
    while True:
        try:
            task = inline.queue.get_nowait()
        except queue.Empty:
            return
        if task is None:
            inline.queue.put(None)
            return
        _settle(task, _POOL)
        task.dropped = True


def _settle(task: _Task, outcome: Outcome) -> None:
    if not task.future.done():
        task.future.set_result(outcome)


def _aborted(frames: bytes) -> bool:
    """Whether a streamed answer ended in an ABORT frame."""
    return any(kind == wire.ABORT for kind, _ in wire.frames(frames))
