"""Fixtures of the linked-data tests: one drugkg server on the store the real build writes
(the session's `built_store`, so source texts and quotes are there), and the Wikidata-shaped
stand-in endpoint (the `oxigraph` server holding fixtures/wikidata-sample.ttl).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixturepaths import WIKIDATA_SAMPLE
from liveservers import LiveServer as Server
from liveservers import start_drugkg, start_oxigraph

from graph.settings import Settings


@pytest.fixture(scope="session")
def ld_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("linkeddata")


@pytest.fixture(scope="session")
def wikidata(ld_workdir: Path) -> Iterator[Server]:
    """The Wikidata stand-in: a real SPARQL server on loopback, holding the fixture only."""
    server = start_oxigraph(ld_workdir / "wikidata-store", WIKIDATA_SAMPLE, ld_workdir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ld_server(built_store: Settings, ld_workdir: Path, wikidata: Server) -> Iterator[Server]:
    """drugkg on the built store, with the Wikidata stand-in allow-listed for SERVICE."""
    server = start_drugkg(
        built_store.store,
        ld_workdir,
        dump=str(built_store.dump_path),
        query_timeout="10",
        federation_allowlist=wikidata.sparql,
    )
    yield server
    server.stop()
