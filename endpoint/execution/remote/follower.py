"""The remote store as a server process sees it: its engine, drugkg's graphs on it, their counts.

The embedded store has versions (`endpoint.execution.versions`); a remote store has looks. A
look asks the remote which engine it is (the Server header of its answer to `ASK {}`, unless
DRUGKG_REMOTE_ENGINE names one) and which graphs it holds with their sizes; drugkg's graphs
are those that are not the engine's own (`Engine.system_graphs`). The graphs and sizes make
the look's fingerprint, and the build id is drawn from it (`remote-<fingerprint>`), so ETags,
the result cache and the counts of the home page and the descriptions
(`graph.storage.statistics`, counted over the remote once per fingerprint) follow the remote's
content. The server looks again every DRUGKG_REMOTE_REFRESH seconds (every few seconds
while the remote does not answer); a changed fingerprint starts a new generation, in one step,
as a new store version does.

Every job of a generation names its engine and, on an engine that needs them listed,
drugkg's graphs (`RemotePool`), so the query processes ask the remote for exactly the dataset
the counts describe. A remote that does not answer at start-up, or answers but cannot be
listed or counted (Virtuoso refuses a query naming thousands of graphs), is not fatal: the
server answers 502 naming why until a look succeeds, and sends it no query meanwhile
(`python -m endpoint` refuses to start only on a remote that answers, but not as a SPARQL
endpoint).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from pyoxigraph import Literal, NamedNode

from endpoint.errors import EndpointError, RemoteStoreError
from endpoint.execution import wire
from endpoint.execution.pool import Answer, QueryPool
from endpoint.execution.remote.client import RemoteStore
from endpoint.execution.remote.engines import ENGINES, GENERIC, Engine, detect
from endpoint.execution.remote.request import Dataset, dataset
from graph.storage.statistics import GraphStats, StoreStats, count

log = logging.getLogger("drugkg.endpoint")

WHILE_DOWN = 5.0
"""Seconds between two looks at a remote that did not answer the last one."""
COUNT_TIMEOUT = 600.0
"""Seconds the counting queries may take on the remote (a large store counts for long)."""
SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
PROBE = "ASK {}"
UNREACHABLE = "remote-unreachable"


@dataclass(frozen=True, slots=True)
class Look:
    """What one look at the remote found."""

    engine: Engine
    graphs: tuple[str, ...]
    """drugkg's graphs on the remote, sorted."""
    fingerprint: str
    cap: int | None = None
    """The most triples the engine puts in a graph answer, cutting it silently there."""
    problem: str | None = None
    """Why the remote could not be read (its graphs or their counts): no look has succeeded
    yet, and every query is answered 502 with this, never from a dataset drugkg has not seen."""
    reason: str = "connect"
    """The metric's word for the problem (`endpoint.metrics.remote_error`)."""

    def dataset(self, *, union: bool) -> Dataset:
        """drugkg's dataset on the remote, without a query's own."""
        return dataset(
            self.engine,
            self.graphs,
            default_graphs=None,
            named_graphs=None,
            union=union,
            own_dataset=False,
        )

    @property
    def build_id(self) -> str:
        return f"remote-{self.fingerprint[:16]}"


@dataclass(slots=True)
class RemotePool:
    """The shared query processes, every job run against one look at the remote."""

    pool: QueryPool
    look: Look

    async def run(self, job: wire.Job, *, spare: bool = True) -> Answer:
        """As `QueryPool.run` (`spare` False: a health probe), against this look; 502 while
        the remote has not been read."""
        if self.look.problem is not None:
            raise RemoteStoreError(
                f"the remote store has not been read yet ({self.look.problem}); drugkg answers "
                "502 until it can list its graphs and count them",
                self.look.reason,
            )
        engine = self.look.engine
        graphs = list(self.look.graphs) if engine.lists_graphs else None
        return await self.pool.run(
            replace(job, engine=engine.name, graphs=graphs, cap=self.look.cap), spare=spare
        )


@dataclass(slots=True)
class RemoteGeneration:
    stats: StoreStats
    pool: RemotePool


class RemoteFollower:
    """Holds the current generation of a remote store and moves to each new one."""

    def __init__(
        self, url: str, engine: str, refresh: float, make_pool: Callable[[], QueryPool]
    ) -> None:
        self.url = url
        self._engine = ENGINES.get(engine)
        """The engine DRUGKG_REMOTE_ENGINE names; None: detected."""
        self.refresh = refresh
        self._make_pool = make_pool
        self._pool: QueryPool | None = None
        self._store = RemoteStore(url, timeout=COUNT_TIMEOUT)
        self._current: RemoteGeneration | None = None
        self._task: asyncio.Task[None] | None = None
        self._moving = asyncio.Lock()
        self.answering = False
        """The last look succeeded."""
        self.listeners: list[Callable[[RemoteGeneration], None]] = []
        self.switches = 0

    @property
    def current(self) -> RemoteGeneration:
        assert self._current is not None, "the follower has not started"
        return self._current

    @property
    def pool(self) -> QueryPool:
        assert self._pool is not None, "the follower has not started"
        return self._pool

    async def start(self) -> None:
        self._pool = self._make_pool()
        await self._pool.start()
        try:
            look = await asyncio.to_thread(self.look)
            stats = await asyncio.to_thread(self.count, look)
            self.answering = True
        except _UNANSWERED as error:
            log.warning(
                "the remote store %s does not answer (%s): queries get 502 until it does",
                self.url,
                _said(error),
            )
            look = _unread(self._engine, error)
            stats = _nothing(UNREACHABLE)
        self._current = RemoteGeneration(stats, RemotePool(self.pool, look))
        log.info("answering from the remote store %s (%s)", self.url, look.engine.name)
        self._task = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pool is not None:
            await self._pool.close()
        await asyncio.to_thread(self._store.close)

    async def latest(self) -> RemoteGeneration:
        """The current generation (a new look is the refresh task's, never a request's)."""
        return self.current

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self.refresh if self.answering else min(self.refresh, WHILE_DOWN))
            try:
                await self.check()
            except Exception:  # the next look may do better; the server answers meanwhile
                log.exception("could not look at the remote store %s", self.url)

    async def check(self) -> bool:
        """Look at the remote again; move to a new generation when its content changed."""
        async with self._moving:
            try:
                look = await asyncio.to_thread(self.look)
                if look == self.current.pool.look:
                    self._answers()
                    return False
                stats = await asyncio.to_thread(self.count, look)
            except _UNANSWERED as error:
                if self.answering:
                    log.warning("the remote store %s does not answer: %s", self.url, _said(error))
                self.answering = False
                if self.current.pool.look.problem is not None:  # never read: say the latest
                    look = _unread(self._engine, error)
                    self._current = RemoteGeneration(
                        self.current.stats, RemotePool(self.pool, look)
                    )
                return False
            self._answers()
            self._current = RemoteGeneration(stats, RemotePool(self.pool, look))
            self.switches += 1
        for listener in self.listeners:
            listener(self._current)
        log.info("now answering from %s of %s", look.build_id, self.url)
        return True

    def _answers(self) -> None:
        if not self.answering:
            log.info("the remote store %s answers again", self.url)
        self.answering = True

    def look(self) -> Look:
        """Ask the remote what it is and which graphs it holds (blocking: on a thread)."""
        engine = self._engine or self.engine()
        graphs: list[str] = []
        parts = [engine.name]
        for row in self._store.select(engine, SIZES):
            graph, size = row["g"], row["n"]
            if not isinstance(graph, NamedNode) or engine.is_system_graph(graph.value):
                continue  # the engine's own, or named by a blank node (no request can name it)
            graphs.append(graph.value)
            parts.append(f"{graph.value} {size.value if isinstance(size, Literal) else 0}")
        parts.sort()
        if engine.own_default_graph:
            (row,) = self._store.select(engine, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
            size = row["n"]
            parts.append(f"default {size.value if isinstance(size, Literal) else 0}")
        cap = self.cap(engine)
        parts.append(f"cap {cap}")
        fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return Look(engine, tuple(sorted(graphs)), fingerprint, cap)

    def cap(self, engine: Engine) -> int | None:
        """The most triples the engine puts in a graph answer, when it cuts them there
        without saying so; None when it does not, or will not tell (a warning then)."""
        if engine.cap_query is None:
            return None
        try:
            (row,) = self._store.select(engine, engine.cap_query)
            cap = int(row["cap"].value) if isinstance(row["cap"], Literal) else 0
        except (EndpointError, ValueError) as error:
            log.warning(
                "could not read the result cap of the remote store %s (%s): a graph answer "
                "it cuts is not announced as truncated",
                self.url,
                _said(error),
            )
            return None
        return cap if cap > 0 else None

    def engine(self) -> Engine:
        """The engine the remote's Server header names."""
        response = self._store.send(GENERIC, PROBE, [], "application/sparql-results+json")
        try:
            return detect(response.headers.get("server"))
        finally:
            response.close()

    def count(self, look: Look) -> StoreStats:
        """The counts of drugkg's graphs on the remote (blocking: on a thread)."""
        over = look.dataset(union=False)
        return count(lambda query: self._store.select(look.engine, query, over), look.build_id)


_UNANSWERED = (EndpointError, ValueError, TypeError)
"""What a look at a remote that does not answer as a SPARQL endpoint raises (an answer with
other rows than asked for fails as ValueError or TypeError in the counting)."""


def _unread(engine: Engine | None, error: Exception) -> Look:
    """The look of a remote that could not be read: no graph, and why."""
    reason = getattr(error, "reason", "protocol")
    return Look(engine or GENERIC, (), UNREACHABLE, problem=_said(error), reason=reason)


def _said(error: Exception) -> str:
    return error.message if isinstance(error, EndpointError) else f"an unexpected answer: {error}"


def _nothing(build: str) -> StoreStats:
    empty = GraphStats(None, 0, 0, 0, 0)
    return StoreStats(build, (), empty, 0, ())
