"""The on-disk pyoxigraph store: written beside the old one, swapped in atomically.

`<store>` is a symlink to a versioned directory `<store>.build-<timestamp>` beside it. A build
bulk-loads a new version, checks it opens and holds every quad, then points a temporary symlink
at it and renames that over `<store>` (`os.replace`, atomic on POSIX), and only then deletes the
previous version. If `<store>` is a real directory (an older layout, or one made by hand), it is
moved aside only once the new version is complete. A failed write deletes its own directory and
leaves the old store exactly as it was. Readers open the store with `open_read_only`.

The N-Quads dump is written the same way: to a temporary file beside it, then `os.replace`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Store

from graph.errors import StoreError, StoreMissingError


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"


def write_store(target: Path, quads: Iterable[Quad]) -> Path:
    """Write `quads` into a new store version and swap it in at `target`.

    Returns the versioned directory `target` now points to.
    """
    target = Path(os.path.abspath(target))
    if target.exists() and not target.is_dir():
        raise StoreError("exists and is not a store directory; refusing to replace it", path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    version = target.with_name(f"{target.name}.build-{_stamp()}")
    try:
        expected = _load(version, quads)
        _check_readable(version, expected)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _swap_in(target, version)
    return version


def _load(version: Path, quads: Iterable[Quad]) -> int:
    """Bulk-load into a new store; returns how many distinct quads it must now hold."""
    if isinstance(quads, Store):
        source: Iterable[Quad] = quads  # streamed; a store holds no duplicates
        expected = len(quads)
    else:
        source = set(quads)
        expected = len(source)
    store = Store(str(version))
    try:
        store.bulk_extend(source)
        store.flush()
        store.optimize()
    finally:
        del store  # releases the RocksDB lock before the store is reopened
    return expected


def _check_readable(version: Path, expected: int) -> None:
    reopened = Store.read_only(str(version))
    found = len(reopened)
    del reopened
    if found != expected:
        raise StoreError(f"wrote {expected} quads but the new store holds {found}", path=version)


def _swap_in(target: Path, version: Path) -> None:
    previous: Path | None = None
    if target.is_symlink():
        previous = target.parent / os.readlink(target)
    elif target.is_dir():
        previous = target.with_name(f"{target.name}.old-{_stamp()}")
        os.rename(target, previous)
    link = target.with_name(f".{target.name}.link-{_stamp()}")
    try:
        os.symlink(version.name, link)
        os.replace(link, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            link.unlink()
        if previous is not None and not target.exists() and not target.is_symlink():
            os.rename(previous, target)  # put the moved-aside real directory back
        raise StoreError(f"could not swap in the new store: {exc}", path=target) from exc
    if previous is not None and previous.resolve() != version.resolve():
        shutil.rmtree(previous, ignore_errors=True)
        # what readers derived from that version and kept beside it (endpoint statistics)
        for derived in previous.parent.glob(f"{glob.escape(previous.name)}.*.json"):
            derived.unlink(missing_ok=True)


def open_read_only(path: Path) -> Store:
    """Open a built store for reading; StoreMissingError says how to build one."""
    if not path.exists():
        raise StoreMissingError(path)
    if not path.is_dir() or not any(path.iterdir()):
        raise StoreMissingError(path)
    try:
        return Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store: {exc}", path=path) from exc


def write_dump(path: Path, store: Store) -> None:
    """Write the whole dataset as N-Quads to `path`, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{_stamp()}.tmp")
    try:
        store.dump(temp, RdfFormat.N_QUADS)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
