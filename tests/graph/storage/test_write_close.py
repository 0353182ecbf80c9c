"""A write's new version is swapped in only once its writable store is closed.

A writable RocksDB instance left open on a version that is already swapped in goes on
compacting it, deleting files that its readers (and the next write's checkpoint) need. The
write path closes the store by dropping every reference to it, and then checks that it really
is closed (`writes._ensure_closed`): these tests hold a reference the write does not know of,
and see the write refused with nothing changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, Store

from graph.settings import Settings
from graph.storage import writes
from graph.storage.versions import current_version, write_store

EX = "http://example.org/close/"
G = NamedNode(EX + "graph")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    store = tmp_path / "store"
    write_store(store, [Quad(NamedNode(EX + "s"), NamedNode(EX + "p"), Literal(1), G)])
    return Settings(store=store)


def insert(value: int) -> writes.WriteJob:
    return writes.WriteJob(
        operation="update",
        token_id="test",
        update=f"INSERT DATA {{ GRAPH <{G.value}> {{ <{EX}s> <{EX}p> {value} }} }}",
    )


def values(version: str | Path) -> set[str]:
    store = Store.read_only(str(version))
    return {q.object.value for q in store.quads_for_pattern(None, None, None, G)}


def versions(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.store.parent.glob("store.build-*") if p.is_dir())


def test_an_accepted_write_leaves_no_store_open_for_writing(settings: Settings) -> None:
    outcome = writes.write(settings, insert(2), rdflib.Graph())
    assert current_version(settings.store) == Path(outcome.version)
    assert not writes._open_for_writing(Path(outcome.version))
    assert values(outcome.version) == {"1", "2"}


def test_a_write_whose_store_stays_open_is_refused_and_changes_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, listed = current_version(settings.store), versions(settings)
    kept: list[Store] = []
    original = writes._uses_drugkg_terms

    def keeping(store: Store, graphs: object) -> bool:
        kept.append(store)  # a reference the write cannot drop
        return original(store, graphs)  # type: ignore[arg-type]

    monkeypatch.setattr(writes, "_uses_drugkg_terms", keeping)
    with pytest.raises(writes.StoreNotClosedError, match="could not be closed"):
        writes.write(settings, insert(3), rdflib.Graph())
    assert kept, "the write never reached the check"
    kept.clear()
    assert current_version(settings.store) == before
    assert versions(settings) == listed
    assert values(before) == {"1"}

    monkeypatch.setattr(writes, "_uses_drugkg_terms", original)
    outcome = writes.write(settings, insert(4), rdflib.Graph())
    assert values(outcome.version) == {"1", "4"}
