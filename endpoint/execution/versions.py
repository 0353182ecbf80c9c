"""The store version a server answers from, and its move to a newer one.

`drugkg build` and `drugkg load` write a new version of the store beside the old one and swap the
store's symlink over to it (`graph.storage.versions`). A server process answers every request from
one generation: a version it holds (so no writer deletes it meanwhile), that version's counts
(`graph.storage.statistics`, which the home page, the service description, VoID and every ETag read)
and a pool of query processes that opened that version (`endpoint.execution.pool`).

The server looks at the symlink every FOLLOW_INTERVAL seconds. When it points to another
version, a new generation is made ready while the old one keeps answering (its counts read
or counted, its query processes started); then it replaces the old one in one step, so every
later request, page and description sees the new version and no answer mixes the two. The
old pool finishes the queries it has, its processes stop, and its version is released
(deleted once no server holds it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from endpoint.execution.pool import QueryPool
from graph.errors import DrugkgError
from graph.storage.statistics import StoreStats, load_or_compute
from graph.storage.versions import VersionHold, current_version, hold_version

log = logging.getLogger("drugkg.endpoint")

FOLLOW_INTERVAL = 0.5
"""Seconds between two looks at the store's symlink."""


@dataclass
class Generation:
    hold: VersionHold
    stats: StoreStats
    pool: QueryPool

    @property
    def version(self) -> Path:
        return self.hold.version


PoolFactory = Callable[[Path], QueryPool]


class VersionFollower:
    """Holds the current generation and moves to each new version of the store."""

    def __init__(self, store: Path, make_pool: PoolFactory) -> None:
        self.store = store
        self._make_pool = make_pool
        self._current: Generation | None = None
        self._task: asyncio.Task[None] | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self.listeners: list[Callable[[Generation], None]] = []
        """Called with the new generation right after a switch (to drop caches)."""
        self.switches = 0

    @property
    def current(self) -> Generation:
        assert self._current is not None, "the follower has not started"
        return self._current

    async def start(self) -> None:
        self._current = await self._prepare()
        self._task = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._retiring):
            task.cancel()
        if self._current is not None:
            await self._current.pool.close()
            self._current.hold.release()

    async def _prepare(self) -> Generation:
        hold = await asyncio.to_thread(hold_version, self.store)
        try:
            stats = await asyncio.to_thread(load_or_compute, hold.version)
            pool = self._make_pool(hold.version)
            await pool.start()
        except BaseException:
            hold.release()
            raise
        return Generation(hold, stats, pool)

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(FOLLOW_INTERVAL)
            try:
                await self.check()
            except (DrugkgError, OSError) as error:
                log.warning("could not move to the store's new version: %s", error)

    async def check(self) -> bool:
        """Move to the store's current version if it changed; return whether it did."""
        try:
            latest = await asyncio.to_thread(current_version, self.store)
        except OSError:
            return False
        if latest.resolve() == self.current.version.resolve():
            return False
        new = await self._prepare()
        old, self._current = self._current, new
        self.switches += 1
        for listener in self.listeners:
            listener(new)
        log.info("now answering from %s", new.version.name)
        if old is not None:
            task = asyncio.create_task(self._retire(old))
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)
        return True

    async def _retire(self, old: Generation) -> None:
        try:
            await old.pool.drain()
        finally:
            await asyncio.to_thread(old.hold.release)
