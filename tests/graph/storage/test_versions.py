"""The on-disk store: atomic swap, failed writes and failed builds leave the old store alone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixturepaths import FIXTURES as SHARED_FIXTURES
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from graph.errors import (
    QuoteError,
    StoreBusyError,
    StoreError,
    StoreMissingError,
)
from graph.pipeline.build import ChecksFailedError, build
from graph.pipeline.inputs import Sources
from graph.settings import Settings
from graph.storage.versions import (
    hold_version,
    open_read_only,
    write_dump,
    write_store,
    writer_lock,
)

FIXTURES = SHARED_FIXTURES
G = NamedNode("http://example.org/graph")


def quads(*values: str) -> list[Quad]:
    s, p = NamedNode("http://example.org/s"), NamedNode("http://example.org/p")
    return [Quad(s, p, Literal(v), G) for v in values]


def read_values(path: Path) -> set[str]:
    store = open_read_only(path)
    values = {q.object.value for q in store if isinstance(q.object, Literal)}
    del store
    return values


def versions(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name != target.name)


def test_first_write_creates_a_symlink_to_a_versioned_directory(tmp_path: Path) -> None:
    target = tmp_path / "var" / "store"
    version = write_store(target, quads("one"))
    assert target.is_symlink()
    assert target.resolve() == version.resolve()
    assert version.name.startswith("store.build-")
    assert read_values(target) == {"one"}


def test_second_write_swaps_atomically_and_deletes_the_old_version(tmp_path: Path) -> None:
    target = tmp_path / "store"
    first = write_store(target, quads("one"))
    reader = open_read_only(target)  # a reader of the old version, open across the swap
    second = write_store(target, quads("two"))
    assert target.resolve() == second.resolve()
    assert not first.exists()
    assert versions(target) == [second.name]
    assert read_values(target) == {"two"}
    del reader


def test_a_real_directory_is_moved_aside_only_when_the_new_store_is_complete(
    tmp_path: Path,
) -> None:
    target = tmp_path / "store"
    old = Store(str(target))
    old.extend(quads("old"))
    old.flush()
    del old

    def failing() -> Iterator[Quad]:
        yield from quads("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_store(target, failing())
    assert target.is_dir()
    assert not target.is_symlink()
    assert read_values(target) == {"old"}
    assert versions(target) == []

    version = write_store(target, quads("new"))
    assert target.is_symlink()
    assert read_values(target) == {"new"}
    assert versions(target) == [version.name]


def test_a_failed_write_deletes_its_directory_and_keeps_the_old_store(tmp_path: Path) -> None:
    target = tmp_path / "store"
    first = write_store(target, quads("one"))

    def failing() -> Iterator[Quad]:
        yield from quads("two")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_store(target, failing())
    assert target.resolve() == first.resolve()
    assert versions(target) == [first.name]
    assert read_values(target) == {"one"}


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.write_text("not a store")
    with pytest.raises(StoreError, match="not a store directory"):
        write_store(target, quads("one"))
    assert target.read_text() == "not a store"


@pytest.mark.parametrize("make", ["nothing", "empty directory"])
def test_a_missing_store_says_how_to_build_one(tmp_path: Path, make: str) -> None:
    target = tmp_path / "store"
    if make == "empty directory":
        target.mkdir()
    with pytest.raises(StoreMissingError, match="run `drugkg build`"):
        open_read_only(target)


def test_the_dump_is_written_atomically_and_reads_back(tmp_path: Path) -> None:
    store = Store()
    store.extend(quads("one", "two"))
    dump = tmp_path / "out" / "drugkg.nq"
    write_dump(dump, store)
    assert {q.object.value for q in parse(path=dump, format=RdfFormat.N_QUADS)} == {"one", "two"}
    assert [p.name for p in dump.parent.iterdir()] == ["drugkg.nq"]


def _snapshot(settings: Settings) -> tuple[str, int, bytes]:
    store = open_read_only(settings.store)
    count = len(store)
    del store
    return os.readlink(settings.store), count, settings.dump_path.read_bytes()


@pytest.mark.slow
def test_a_failed_build_leaves_the_old_store_readable_and_unchanged(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    build(fixture_settings, fixture_sources)
    before = _snapshot(fixture_settings)
    parent = fixture_settings.store.parent
    entries = sorted(p.name for p in parent.iterdir())

    facts = fixture_sources.facts / "fixture-doc.trig"
    shutil.copy(FIXTURES / "quotes" / "broken-offset.trig", facts)
    with pytest.raises(QuoteError):
        build(fixture_settings, fixture_sources)
    assert _snapshot(fixture_settings) == before
    assert sorted(p.name for p in parent.iterdir()) == entries


@pytest.mark.slow
def test_a_build_failing_shacl_leaves_the_old_store_unchanged(
    fixture_sources: Sources, fixture_settings: Settings
) -> None:
    build(fixture_settings, fixture_sources)
    before = _snapshot(fixture_settings)
    entities = fixture_sources.entities / "fixture.ttl"
    entities.write_text(
        entities.read_text(encoding="utf-8")
        + "\ndkid:cocaine a dk:Substance .\n",  # no label: the fixture shapes object
        encoding="utf-8",
    )
    with pytest.raises(ChecksFailedError) as caught:
        build(fixture_settings, fixture_sources)
    assert "id/cocaine" in str(caught.value)
    assert caught.value.result.shacl is not None
    assert not caught.value.result.shacl.conforms
    assert _snapshot(fixture_settings) == before


def test_a_held_version_is_kept_until_it_is_released(tmp_path: Path) -> None:
    target = tmp_path / "store"
    first = write_store(target, quads("one"))
    hold = hold_version(target)  # a server answering from the first version
    second = write_store(target, quads("two"))
    assert first.exists(), "a version a reader holds is not deleted"
    assert read_values(first) == {"one"}
    hold.release()  # the server moved on: the version goes
    assert not first.exists()
    assert versions(target) == [second.name]


def test_what_a_dead_writer_left_is_removed_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "store"
    write_store(target, quads("one"))
    orphan = target.with_name("store.build-20260101T000000000000Z-99999")
    orphan.mkdir()  # a build killed while it wrote its new version
    (orphan / "000001.sst").write_bytes(b"half a store")
    link = target.with_name(".store.link-20260101T000000000000Z-99999")
    os.symlink(orphan.name, link)
    dump = tmp_path / "drugkg.nq"
    leftover = tmp_path / ".drugkg.nq.20260101T000000000000Z-99999.tmp"
    leftover.write_text("half a dump")
    with writer_lock(target, "test"):
        assert not orphan.exists()
        assert not link.is_symlink()
        write_dump(dump, Store.read_only(str(target)))
    assert not leftover.exists()
    assert read_values(target) == {"one"}


def test_one_writer_at_a_time_the_second_names_the_first(tmp_path: Path) -> None:
    target = tmp_path / "store"
    with writer_lock(target, "drugkg build"), pytest.raises(StoreBusyError) as refused:  # noqa: SIM117
        with writer_lock(target, "drugkg load --graph http://ex.org/g"):
            pytest.fail("a second writer got the lock")
    assert "`drugkg build` (pid" in str(refused.value)
    with writer_lock(target, "drugkg load"):  # free again once the first is done
        pass
