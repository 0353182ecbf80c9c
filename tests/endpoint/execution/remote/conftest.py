"""drugkg over a real remote: the `oxigraph` server from PyPI holding the article's graphs.

    oxigraph          `oxigraph serve` (writable), the article store's graphs PUT to it
    over_oxigraph     drugkg --remote oxigraph (the engine detected: oxigraph)
    over_generic      drugkg --remote oxigraph, as an unknown engine (every graph listed)
    recorder          a recording stand-in in front of oxigraph (`remote_support.Recorder`)
    over_recorder     drugkg --remote recorder, a 2 s time limit, one allowed SERVICE

Each drugkg looks at the remote once (DRUGKG_REMOTE_REFRESH is an hour), so what a test makes
the recorder do reaches only the query processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from liveservers import LiveServer, start_oxigraph
from remote_support import ALLOWED, TIME_LIMIT_S, Recorder, publish, start_over


@pytest.fixture(scope="session")
def oxigraph(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    server = start_oxigraph(workdir / "remote-article", None, workdir, writable=True)
    publish(article_store, server.url + "/store")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def over_oxigraph(workdir: Path, oxigraph: LiveServer) -> Iterator[LiveServer]:
    live = start_over(oxigraph.sparql, workdir)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def over_generic(workdir: Path, oxigraph: LiveServer) -> Iterator[LiveServer]:
    live = start_over(oxigraph.sparql, workdir, remote_engine="generic")
    yield live
    live.stop()


@pytest.fixture(scope="session")
def recorder(oxigraph: LiveServer) -> Iterator[tuple[Recorder, str]]:
    stand_in = Recorder(oxigraph.sparql)
    with stand_in.running() as url:
        yield stand_in, url


@pytest.fixture(scope="session")
def over_recorder(workdir: Path, recorder: tuple[Recorder, str]) -> Iterator[LiveServer]:
    _, url = recorder
    live = start_over(
        url,
        workdir,
        query_timeout=str(TIME_LIMIT_S),
        federation_allowlist=ALLOWED,
        result_cache_mb="0",
    )
    yield live
    live.stop()


@pytest.fixture
def stand_in(recorder: tuple[Recorder, str], over_recorder: LiveServer) -> Iterator[Recorder]:
    """The recorder, as a test leaves it: forwarding again afterwards."""
    stand_in, _ = recorder
    yield stand_in
    stand_in.reset()
