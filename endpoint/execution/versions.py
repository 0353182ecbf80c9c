"""The store version a server answers from, and its move to a newer one.

`drugkg build`, `drugkg load` and every accepted write (`endpoint.writes`) make a new version
of the store beside the old one and swap the store's symlink over to it (`graph.storage`). A
server process answers every request from one generation: a version it holds (so no writer
deletes it meanwhile) and that version's counts (`graph.storage.statistics`, which the home
page, the service description, VoID and every ETag read). The query processes are shared by
the generations: each job names the version it runs on, and a query process opens a version
the first time a job asks for it (tens of milliseconds, even at a million quads), so a move
costs no process start.

The server looks at the symlink before each request (`current`, a readlink) and every
FOLLOW_INTERVAL seconds: when it points to another version, the new generation (its counts
read, or counted) replaces the old one in one step, so every later request, page and
description sees the new version and no answer mixes the two. A request that began on the
old generation finishes on it; the old version is released once no request uses it (and
deleted once no server holds it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from endpoint.execution import wire
from endpoint.execution.pool import Answer, QueryPool
from graph.errors import DrugkgError
from graph.storage.statistics import StoreStats, build_id, kept, load_or_compute
from graph.storage.versions import VersionHold, current_version, hold_version
from graph.storage.writes import written

log = logging.getLogger("drugkg.endpoint")

FOLLOW_INTERVAL = 0.5
"""Seconds between two looks at the store's symlink when no request comes."""
COUNT_POLL = 0.25
"""Seconds between two looks for the counts of a version a write made (`_count_later`)."""
COUNT_WAIT = 60.0
"""Seconds a server waits for the write process to count a version before counting it."""


@dataclass
class VersionedPool:
    """The shared query processes, every job run on one version of the store."""

    pool: QueryPool
    version: Path
    in_flight: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, job: wire.Job, *, spare: bool = True) -> Answer:
        self.in_flight += 1
        self.idle.clear()
        try:
            return await self.pool.run(replace(job, store=str(self.version)), spare=spare)
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()


@dataclass
class Generation:
    hold: VersionHold
    stats: StoreStats
    pool: VersionedPool

    real: Path = field(init=False)
    """The version's directory as it resolved when held (a plain-directory store is moved
    aside by the first write, and its path then resolves to the new version)."""

    def __post_init__(self) -> None:
        self.real = self.hold.version.resolve()

    @property
    def version(self) -> Path:
        return self.hold.version


class VersionFollower:
    """Holds the current generation and moves to each new version of the store."""

    def __init__(self, store: Path, make_pool: Callable[[Path], QueryPool]) -> None:
        self.store = store
        self._make_pool = make_pool
        self._pool: QueryPool | None = None
        self._current: Generation | None = None
        self._task: asyncio.Task[None] | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self._moving = asyncio.Lock()
        self.listeners: list[Callable[[Generation], None]] = []
        """Called with the new generation right after a switch (to drop caches)."""
        self.switches = 0
        self._counting: asyncio.Task[None] | None = None

    @property
    def current(self) -> Generation:
        assert self._current is not None, "the follower has not started"
        return self._current

    @property
    def pool(self) -> QueryPool:
        assert self._pool is not None, "the follower has not started"
        return self._pool

    async def start(self) -> None:
        hold = await asyncio.to_thread(hold_version, self.store)
        try:
            stats = await asyncio.to_thread(load_or_compute, hold.version)
            self._pool = self._make_pool(hold.version)
            await self._pool.start()
        except BaseException:
            hold.release()
            raise
        self._current = Generation(hold, stats, VersionedPool(self._pool, hold.version))
        self._task = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._counting is not None:
            self._counting.cancel()
        for task in list(self._retiring):
            task.cancel()
        if self._pool is not None:
            await self._pool.close()
        if self._current is not None:
            self._current.hold.release()

    async def latest(self) -> Generation:
        """The generation of the store's current version: moved to first when the symlink
        points elsewhere (a write acknowledged by any server process is then seen here)."""
        generation = self.current
        try:
            latest = os.readlink(self.store)  # one system call: cheap enough for every request
        except OSError:
            return generation  # a plain directory, or gone: nothing to follow
        if latest != generation.version.name:
            await self.check()
        return self.current

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(FOLLOW_INTERVAL)
            try:
                await self.check()
            except (DrugkgError, OSError) as error:
                log.warning("could not move to the store's new version: %s", error)

    async def check(self) -> bool:
        """Move to the store's current version if it changed; return whether it did."""
        async with self._moving:
            try:
                latest = await asyncio.to_thread(current_version, self.store)
            except OSError:
                return False
            if latest.resolve() == self.current.real:
                return False
            hold = await asyncio.to_thread(hold_version, self.store)
            old = self.current
            try:
                stats = await asyncio.to_thread(kept, hold.version)
                later = stats is None and await asyncio.to_thread(written, hold.version)
                if later:  # counted meanwhile (`_count_later`); until then the counts of the
                    # version before, under a name of their own: ETags and caches that rest on
                    # it then change with the version, and again once it is counted
                    stats = replace(old.stats, build_id=f"{build_id(hold.version)}-counting")
                elif stats is None:
                    stats = await asyncio.to_thread(load_or_compute, hold.version)
            except BaseException:
                hold.release()
                raise
            assert stats is not None
            self._current = Generation(hold, stats, VersionedPool(self.pool, hold.version))
            self.switches += 1
            if later:
                self._count_later()
        for listener in self.listeners:
            listener(self._current)
        log.info("now answering from %s", hold.version.name)
        task = asyncio.create_task(self._retire(old))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)
        return True

    def _count_later(self) -> None:
        """Follow the counts of a version a write over HTTP made. It is answered from at
        once, with the counts of the version before, until the write process has counted it
        (when no other write waits); the server counts it itself only when those counts do
        not come within COUNT_WAIT seconds. Counting takes half a second at the article's
        size and seconds at a million quads: every write would otherwise make a request wait
        for it, or take the server's CPU from queries."""
        if self._counting is None or self._counting.done():
            self._counting = asyncio.create_task(self._count())

    async def _count(self) -> None:
        waiting_since: dict[Path, float] = {}
        while True:
            generation = self.current
            if generation.stats.build_id == build_id(generation.version):
                return  # counted: nothing newer to follow
            stats = await asyncio.to_thread(kept, generation.version)
            since = waiting_since.setdefault(generation.version, time.monotonic())
            if stats is None and time.monotonic() - since > COUNT_WAIT:
                try:
                    stats = await asyncio.to_thread(load_or_compute, generation.version)
                except (DrugkgError, OSError) as error:
                    log.warning("could not count %s: %s", generation.version.name, error)
                    return
            if stats is None:
                await asyncio.sleep(COUNT_POLL)
                continue
            generation.stats = stats
            for listener in self.listeners:
                listener(generation)

    async def _retire(self, old: Generation) -> None:
        """Release the old version once no request runs on it any more."""
        try:
            while old.pool.in_flight:
                await old.pool.idle.wait()
        finally:
            await asyncio.to_thread(old.hold.release)
