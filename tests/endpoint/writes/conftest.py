"""Writable drugkg servers on loopback for the write tests, each over its own store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint_stores import write_article_store
from liveservers import LiveServer, start_drugkg
from writeclient import Writable, new_token, writable_server


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return new_token(tmp_path_factory.mktemp("token"))


@pytest.fixture(scope="module")
def writable(
    tmp_path_factory: pytest.TempPathFactory, token: tuple[str, Path]
) -> Iterator[Writable]:
    server = writable_server(tmp_path_factory.mktemp("writable"), token)
    yield server
    server.live.stop()


@pytest.fixture
def fresh(tmp_path: Path, token: tuple[str, Path]) -> Iterator[Writable]:
    """A writable server over a store of its own, for tests that need it pristine."""
    server = writable_server(tmp_path, token, write_timeout="20")
    yield server
    server.live.stop()


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("read-only")
    store = root / "store"
    write_article_store(store, store.with_name("drugkg.nq"))
    live = start_drugkg(store, root)
    yield live
    live.stop()
