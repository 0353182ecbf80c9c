"""The server's side of writing: one write process, one write at a time, each bounded.

The write process (`endpoint.execution.writer`) is started with the server and kept warm
(its SHACL libraries and shapes loaded), so a small write pays no start-up. Writes of this
server process are serialised here (an asyncio lock); writes of other processes (another
server process, `drugkg build`, `drugkg load`) are serialised by the store's writer lock,
which the write process takes, waiting for it within the write's time limit.

Each write is bounded like a query: the time limit (DRUGKG_WRITE_TIMEOUT, the wait for the
writer lock included) and the memory limit of a query process (DRUGKG_QUERY_MEMORY_MB, read
ten times a second). A write over either is stopped by killing the process, which a fresh one
replaces; the version it was making is never swapped in, so the store is as it was. After an
accepted write the store's symlink points to the new version, and this server process moves
to it before it answers: the next request, to any server process, sees the write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from endpoint.errors import EndpointError, QueryMemoryError, QueryTimeoutError, from_wire
from endpoint.settings import ServerSettings
from graph.storage.versions import current_version
from graph.storage.writes import WriteJob

log = logging.getLogger("drugkg.endpoint")

START_TIMEOUT = 120.0
MEMORY_POLL = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")


class WriteFailedError(EndpointError):
    """The write process stopped without answering."""

    status = 500


class WriteRunner:
    def __init__(self, settings: ServerSettings, prefixes: dict[str, str]) -> None:
        self.settings = settings
        self._config = json.dumps(
            {
                "settings": json.loads(settings.model_dump_json()),
                "federation_allowlist": settings.federation_allowlist,
                "prefixes": prefixes,
            }
        )
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._respawning: asyncio.Task[None] | None = None
        self.writes = 0
        self.refused = 0

    async def start(self) -> None:
        async with self._lock:
            await self._ensure()

    async def close(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        self._process = None

    async def _ensure(self) -> asyncio.subprocess.Process:
        if self._process is not None and self._process.returncode is None:
            return self._process
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "endpoint.execution.writer",
            self._config,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        assert process.stdout is not None
        try:
            async with asyncio.timeout(START_TIMEOUT):
                ready = await process.stdout.readline()
        except TimeoutError:
            ready = b""
        if not ready.startswith(b'{"ready"'):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise WriteFailedError("the write process could not start (see the server log)")
        self._process = process
        return process

    def _resident(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            return 0

    async def run(self, job: WriteJob) -> dict[str, Any]:
        """Apply one write; returns the write process's outcome (status 200 or 201 and what
        changed), or raises the endpoint error that refuses it (nothing changed)."""
        timeout = self.settings.write_timeout
        limit = self.settings.query_memory_mb
        deadline = asyncio.get_running_loop().time() + timeout
        async with asyncio.timeout_at(deadline):
            await self._lock.acquire()
        try:
            before = current_version(self.settings.store)
            process = await self._ensure()
            assert process.stdin is not None
            assert process.stdout is not None
            left = max(0.0, deadline - asyncio.get_running_loop().time())
            message = {"job": asdict(job), "lock_wait": max(0.0, left - 1.0)}
            process.stdin.write((json.dumps(message) + "\n").encode())
            reading = asyncio.create_task(process.stdout.readline())
            stopped: str | None = None
            while not reading.done():
                done, _ = await asyncio.wait({reading}, timeout=MEMORY_POLL)
                if done:
                    break
                if asyncio.get_running_loop().time() > deadline:
                    stopped = "time"
                elif limit is not None and self._resident(process.pid) > limit * 1024 * 1024:
                    stopped = "memory"
                if stopped is not None:
                    process.kill()
                    await process.wait()
                    reading.cancel()
                    self._process = None
                    # start the next write process now, so the next write does not pay for it
                    self._respawning = asyncio.create_task(self.start())
                    raise self._stopped(stopped, before)
            line = reading.result()
            if not line:
                self._process = None
                raise WriteFailedError(
                    "the write process stopped unexpectedly; " + self._whether_changed(before)
                )
            answer: dict[str, Any] = json.loads(line)
        finally:
            self._lock.release()
        if answer.get("status") not in (200, 201):
            self.refused += 1
            log.warning("write refused (%s): %s", answer.get("status"), answer.get("message"))
            raise _refusal(answer)
        self.writes += 1
        return answer

    def _whether_changed(self, before: Path) -> str:
        try:
            now = current_version(self.settings.store)
        except OSError:
            return "whether the write took effect is unknown"
        if now == before:
            return "the store is as it was"
        return "the store's version changed meanwhile: the write may have taken effect"

    def _stopped(self, why: str, before: Path) -> EndpointError:
        state = self._whether_changed(before)
        if why == "time":
            return QueryTimeoutError(
                f"write stopped: it ran longer than the time limit of "
                f"{self.settings.write_timeout:g} s (DRUGKG_WRITE_TIMEOUT); {state}"
            )
        return QueryMemoryError(
            f"write stopped: it needed more than the memory limit of "
            f"{self.settings.query_memory_mb} MiB (DRUGKG_QUERY_MEMORY_MB); {state}"
        )


def _refusal(answer: dict[str, Any]) -> EndpointError:
    from endpoint.errors import ShapesViolatedError

    if answer.get("error") == "ShapesViolatedError":
        return ShapesViolatedError(
            str(answer.get("message")), str(answer.get("report", "")).encode()
        )
    error = from_wire(answer)
    error.status = int(answer.get("status", error.status))
    return error
