"""Live servers on loopback ports for the endpoint tests: real processes, real stores.

Each server is `python -m endpoint` in a subprocess, with its own store in a temporary
directory and its settings in DRUGKG_* variables. A second endpoint for federation is the
`oxigraph` server from PyPI holding a small fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint_processes import SYNTHETIC_ROWS, Remote
from endpoint_stores import write_article_store, write_synthetic_store
from liveservers import LiveServer, free_port, start_drugkg, start_oxigraph


def start_server(workdir: Path, store: Path, **settings: str) -> LiveServer:
    """drugkg on `store` (its dump beside it) with `settings` as DRUGKG_* variables."""
    return start_drugkg(store, workdir, **{"dump": str(store.with_name("drugkg.nq")), **settings})


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("endpoint")


@pytest.fixture(scope="session")
def article_store(workdir: Path) -> Path:
    store = workdir / "article" / "store"
    write_article_store(store, store.with_name("drugkg.nq"))
    return store


REMOTE_FIXTURE = """\
<http://example.org/remote/r1> <http://www.w3.org/2000/01/rdf-schema#label> "remote one" .
<http://example.org/remote/r2> <http://www.w3.org/2000/01/rdf-schema#label> "remote two" .
"""


@pytest.fixture(scope="session")
def remote(workdir: Path) -> Iterator[Remote]:
    """A real second SPARQL endpoint: the oxigraph server, read-only, with two labels."""
    data = workdir / "remote.nt"
    data.write_text(REMOTE_FIXTURE)
    server = start_oxigraph(workdir / "remote-store", data, workdir)
    yield Remote(url=server.sparql, down=f"http://127.0.0.1:{free_port()}/query")
    server.stop()


@pytest.fixture(scope="session")
def server(workdir: Path, article_store: Path, remote: Remote) -> Iterator[LiveServer]:
    """The article store, a 2 s time limit, and the remote endpoints allow-listed."""
    live = start_server(
        workdir,
        article_store,
        query_timeout="2",
        query_workers="2",
        federation_allowlist=f"{remote.url},{remote.down}",
    )
    yield live
    live.stop()


@pytest.fixture(scope="session")
def limited_server(workdir: Path, article_store: Path) -> Iterator[LiveServer]:
    """The article store with a result limit of 5."""
    live = start_server(workdir, article_store, result_limit="5", query_workers="1")
    yield live
    live.stop()


@pytest.fixture(scope="session")
def big_server(workdir: Path) -> Iterator[LiveServer]:
    """A synthetic store of SYNTHETIC_ROWS labelled resources, to stream."""
    store = workdir / "big" / "store"
    write_synthetic_store(store, SYNTHETIC_ROWS)
    live = start_server(
        workdir, store, query_timeout="120", query_workers="1", query_workers_max="1"
    )
    yield live
    live.stop()
