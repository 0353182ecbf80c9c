"""The store's counts are kept beside its version, read back by later starts, and go with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from graph.storage import statistics as stats
from graph.storage.versions import write_store

GRAPH = NamedNode("https://w3id.org/drugkg/graph/links")


def quads(n: int) -> list[Quad]:
    return [
        Quad(
            NamedNode(f"https://w3id.org/drugkg/id/thing-{i}"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal(f"thing {i}"),
            GRAPH,
        )
        for i in range(n)
    ]


def test_counts_are_kept_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    write_store(store, quads(3))
    first = stats.load_or_compute(store)
    assert first.union.triples == 3
    assert stats.stats_file(store).is_file()

    def no_counting(_: Path) -> stats.StoreStats:
        raise AssertionError("counted again although the counts were kept")

    monkeypatch.setattr(stats, "compute", no_counting)
    assert stats.load_or_compute(store) == first


def test_a_new_build_is_counted_anew_and_the_old_counts_go(tmp_path: Path) -> None:
    store = tmp_path / "store"
    write_store(store, quads(3))
    old_file = stats.stats_file(store)
    stats.load_or_compute(store)
    write_store(store, quads(5))
    assert not old_file.exists()
    fresh = stats.load_or_compute(store)
    assert fresh.union.triples == 5
    assert fresh.build_id == stats.build_id(store)


def test_unreadable_counts_are_counted_again(tmp_path: Path) -> None:
    store = tmp_path / "store"
    write_store(store, quads(2))
    stats.stats_file(store).write_text("{not json", encoding="utf-8")
    assert stats.load_or_compute(store).union.triples == 2
