"""SPARQL servers on loopback ports, each over a store built for one test dataset.

Three kinds of server answer the same HTTP requests, all started through the shared harness
(tests/liveservers.py):
- `drugkg`: our endpoint, `endpoint.app.create_app(settings)` served in-process
  (`InProcessServer`: real HTTP over loopback, no interpreter start per dataset), with the
  standard dataset semantics (`union_default_graph=False`);
- `oxigraph`: the `oxigraph serve-read-only` server from PyPI, as a reference;
- `drugkg-remote`: our endpoint as `drugkg` is, answering from the `oxigraph` server over
  the store (`drugkg serve --remote`).
"""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from liveservers import InProcessServer, LiveServer, start_oxigraph

from .manifest import Dataset


class Running(Protocol):
    sparql: str

    def close(self) -> None: ...


def build_store(dataset: Dataset, directory: Path) -> Path:
    """A fresh on-disk store: qt:data in the default graph, qt:graphData named by file IRI."""
    store = ox.Store(str(directory))
    for suite_file in dataset.default:
        store.load(
            path=suite_file.path,
            format=ox.RdfFormat.from_extension(suite_file.path.suffix[1:]),
            base_iri=suite_file.iri,
        )
    for suite_file in dataset.named:
        store.load(
            path=suite_file.path,
            format=ox.RdfFormat.from_extension(suite_file.path.suffix[1:]),
            base_iri=suite_file.iri,
            to_graph=ox.NamedNode(suite_file.iri),
        )
    store.flush()
    del store
    gc.collect()  # release the store's lock before a server opens it
    return directory


class _Oxigraph:
    """The oxigraph server over an existing store directory (it is read-only)."""

    def __init__(self, store: Path) -> None:
        logs = Path(tempfile.mkdtemp(prefix="drugkg-oxigraph-log-"))
        self._server: LiveServer = start_oxigraph(store, None, logs, load=False)
        self.sparql = self._server.sparql

    def close(self) -> None:
        self._server.stop()


class _OverOxigraph:
    """drugkg in-process, answering from the oxigraph server over the store."""

    def __init__(self, store: Path) -> None:
        from endpoint.app import create_app
        from endpoint.settings import ServerSettings

        self._remote = _Oxigraph(store)
        settings = ServerSettings(
            store=store,
            remote=self._remote.sparql,
            remote_refresh=3600,
            union_default_graph=False,
        )
        try:
            self._server = InProcessServer(create_app(settings))
        except BaseException:
            self._remote.close()
            raise
        self.sparql = self._server.sparql

    def close(self) -> None:
        try:
            self._server.close()
        finally:
            self._remote.close()


def start(kind: str, store: Path) -> Running:
    if kind == "drugkg-remote":
        return _OverOxigraph(store)
    if kind == "drugkg":
        from endpoint.app import create_app
        from endpoint.settings import ServerSettings

        return InProcessServer(create_app(ServerSettings(store=store, union_default_graph=False)))
    if kind == "oxigraph":
        return _Oxigraph(store)
    raise ValueError(f"unknown server kind {kind!r}: use drugkg or oxigraph")
