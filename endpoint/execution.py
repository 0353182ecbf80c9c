"""Query evaluation off the event loop, in a pool of query processes, under a time limit.

pyoxigraph cannot cancel a running query from another thread, so each query runs in a
separate process (`endpoint.worker`) that holds the store open read-only. The event loop
talks to the processes over pipes without any thread hop. A query past its time limit is
stopped: its process gets SIGKILL (its CPU is reclaimed at once), is reaped, and a fresh
process takes its place, while the other processes keep answering.

The time limit counts from the request's arrival to the last byte of the answer: waiting
for a free process, evaluation, outgoing SERVICE calls and streaming. A timeout before the
first byte is a 503 `QueryTimeoutError`; after the first byte the status is gone, so the
response is broken off (`StreamStoppedError`) rather than ended as if it were complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from endpoint import wire
from endpoint.errors import QueryTimeoutError, WorkerCrashedError, from_wire
from graph.errors import StoreError
from graph.inputs import Sources, ontology_prefixes
from graph.settings import Settings

log = logging.getLogger("drugkg.endpoint")

START_TIMEOUT = 120.0
"""Seconds a new query process may take to open the store."""


class StreamStoppedError(Exception):
    """A streamed answer could not be finished; the connection must be broken off."""


class QueryProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pid = process.pid
        assert process.stdin is not None
        assert process.stdout is not None
        self._stdin = process.stdin
        self._stdout = process.stdout

    def send(self, job: wire.Job) -> None:
        self._stdin.write(job.encode())

    async def read_frame(self) -> tuple[bytes, bytes]:
        kind, size = wire.FRAME.unpack(await self._stdout.readexactly(wire.FRAME.size))
        return kind, (await self._stdout.readexactly(size) if size else b"")

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()


@dataclass(slots=True)
class Answer:
    """A successful answer: a whole body, or a stream of chunks to be read to the end."""

    content_type: str
    truncated: bool | None
    limit: int | None
    body: bytes | None = None
    chunks: AsyncIterator[bytes] | None = None


class QueryPool:
    def __init__(self, settings: Settings) -> None:
        self.size = settings.query_workers
        self.timeout = settings.query_timeout
        self._store = settings.store
        self._config = json.dumps(
            {
                "store": str(settings.store),
                "union_default_graph": settings.union_default_graph,
                "result_limit": settings.result_limit,
                "federation_allowlist": settings.federation_allowlist,
                "prefixes": ontology_prefixes(Sources.from_settings(settings), settings.base_iri),
            }
        )
        # last in, first out: the process that just answered is the warmest (its caches)
        self._idle: asyncio.LifoQueue[QueryProcess] = asyncio.LifoQueue()
        self._all: dict[int, QueryProcess] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def pids(self) -> list[int]:
        return sorted(self._all)

    async def start(self) -> None:
        processes = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for process in processes:
            self._idle.put_nowait(process)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*(p.kill() for p in list(self._all.values())))
        self._all.clear()

    async def _spawn(self) -> QueryProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "endpoint.worker",
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
            await query_process.kill()
            raise StoreError(
                "a query process could not open the store (see its message above)",
                path=self._store,
            ) from exc
        if kind != wire.READY:
            await query_process.kill()
            raise StoreError("a query process failed to start", path=self._store)
        self._all[query_process.pid] = query_process
        return query_process

    async def _replace(self, dead: QueryProcess) -> None:
        """Kill and reap a process, then start a fresh one in its place."""
        self._all.pop(dead.pid, None)
        await dead.kill()
        if self._closed:
            return
        task = asyncio.create_task(self._respawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self) -> None:
        try:
            process = await self._spawn()
        except StoreError:
            log.exception("could not replace a query process")
            return
        self._idle.put_nowait(process)

    def _release(self, process: QueryProcess) -> None:
        self._idle.put_nowait(process)

    async def run(self, job: wire.Job) -> Answer:
        """Evaluate one job; raise the endpoint error the query process reports."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        process: QueryProcess | None = None
        try:
            async with asyncio.timeout_at(deadline):
                process = await self._idle.get()
                process.send(job)
                kind, payload = await process.read_frame()
        except TimeoutError:
            if process is None:
                raise QueryTimeoutError(
                    f"no query process became free within the time limit of "
                    f"{self.timeout:g} s: the server is busy, try again later"
                ) from None
            await self._replace(process)
            raise QueryTimeoutError(
                f"query stopped: it ran longer than the time limit of {self.timeout:g} s"
            ) from None
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            assert process is not None
            await self._replace(process)
            raise WorkerCrashedError(f"the query process stopped unexpectedly: {exc}") from exc
        except BaseException:  # cancelled (client gone): the process may be mid-job
            if process is not None:
                await self._replace(process)
            raise
        if kind == wire.COMPLETE:
            self._release(process)
            header, body = wire.split_complete(payload)
            if header.get("status") != 200:
                raise from_wire(header)
            return _answer(header, body=body)
        if kind == wire.HEAD:
            return _answer(json.loads(payload), chunks=self._stream(process, deadline))
        await self._replace(process)
        raise WorkerCrashedError(f"the query process sent an unexpected frame {kind!r}")

    async def _stream(self, process: QueryProcess, deadline: float) -> AsyncIterator[bytes]:
        finished = False
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        kind, payload = await process.read_frame()
                except TimeoutError:
                    raise StreamStoppedError(
                        f"query stopped mid-stream: it ran longer than the time limit of "
                        f"{self.timeout:g} s"
                    ) from None
                except asyncio.IncompleteReadError as exc:
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
                await self._replace(process)


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
