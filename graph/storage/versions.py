"""The on-disk pyoxigraph store: versions written beside each other, swapped in atomically.

`<store>` is a symlink to a versioned directory `<store>.build-<timestamp>` beside it. A build
bulk-loads a new version, checks it opens and holds every quad, then points a temporary symlink
at it and renames that over `<store>` (`os.replace`, atomic on POSIX). If `<store>` is a real
directory (an older layout, or one made by hand), it is moved aside only once the new version
is complete. A failed write deletes its own directory and leaves the old store exactly as it
was. The N-Quads dump is written the same way: to a temporary file beside it, then replaced.

Who may touch what, enforced with advisory locks (`flock`) on files beside the store:

- One writer at a time (`writer_lock`, on `.<store>.writer.lock`): a build and a load, or two
  builds, never interleave; the second is refused with a message naming the first. A writer
  first removes what a dead run left (`remove_unused`): version directories no one reads,
  temporary symlinks and dumps.
- Readers hold the version they read (`hold_version`, a shared lock on
  `<version>.readers`): a server keeps serving the version it opened until it has moved to the
  new one, and a version is deleted only when no reader holds it (an exclusive lock, tried
  without waiting). Files derived from a version (`<version>.*.json`, such as the endpoint's
  statistics) are deleted with it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import json
import os
import shutil
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Store

from graph.errors import StoreBusyError, StoreError, StoreMissingError


def stamp() -> str:
    """A name part no other version of this store has: the time and the process."""
    return _stamp()


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"


def _absolute(target: Path) -> Path:
    return Path(os.path.abspath(target))


def write_store(target: Path, quads: Iterable[Quad]) -> Path:
    """Write `quads` into a new store version and swap it in at `target`.

    Returns the versioned directory `target` now points to. The caller holds
    `writer_lock(target)`.
    """
    target = _absolute(target)
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
    swap_in(target, version)
    remove_unused(target)
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


def swap_in(target: Path, version: Path) -> None:
    """Point `target` at `version` (a complete store beside it), atomically."""
    aside: Path | None = None
    if not target.is_symlink() and target.is_dir():
        aside = target.with_name(f"{target.name}.build-{_stamp()}-moved")
        os.rename(target, aside)  # a real directory: kept as a version until unused
        with contextlib.suppress(FileNotFoundError):  # its readers' locks move with it
            os.rename(_readers_file(target), _readers_file(aside))
    link = target.with_name(f".{target.name}.link-{_stamp()}")
    try:
        os.symlink(version.name, link)
        os.replace(link, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            link.unlink()
        if aside is not None and not target.exists() and not target.is_symlink():
            os.rename(aside, target)  # put the moved-aside real directory back
            with contextlib.suppress(FileNotFoundError):  # and its readers' locks
                os.rename(_readers_file(aside), _readers_file(target))
        raise StoreError(f"could not swap in the new store: {exc}", path=target) from exc


def current_version(target: Path) -> Path:
    """The version directory `target` points to (itself when it is a plain directory)."""
    target = _absolute(target)
    if target.is_symlink():
        return target.parent / os.readlink(target)
    return target


def _versions(target: Path) -> list[Path]:
    pattern = f"{glob.escape(target.name)}.build-*"
    return sorted(p for p in target.parent.glob(pattern) if p.is_dir() and not p.is_symlink())


def _readers_file(version: Path) -> Path:
    return version.with_name(f"{version.name}.readers")


def remove_unused(target: Path) -> list[Path]:
    """Delete the versions that are not current and that no reader holds, and whatever a
    dead writer left (temporary symlinks, dumps); returns the versions deleted."""
    target = _absolute(target)
    current = current_version(target).resolve() if target.exists() else None
    removed = []
    for version in _versions(target):
        if current is not None and version.resolve() == current:
            continue
        if _remove_if_unread(version):
            removed.append(version)
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.link-*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
    return removed


def _remove_if_unread(version: Path) -> bool:
    readers = _readers_file(version)
    fd = os.open(readers, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a server still reads it; the next writer tries again
        shutil.rmtree(version, ignore_errors=True)
        for derived in version.parent.glob(f"{glob.escape(version.name)}.*.json"):
            derived.unlink(missing_ok=True)
        readers.unlink(missing_ok=True)  # last, still locked: a late reader sees it gone
        return True
    finally:
        os.close(fd)


@dataclass
class VersionHold:
    """A version of the store held open for reading (see `hold_version`)."""

    target: Path
    version: Path
    _fd: int | None

    @property
    def build_id(self) -> str:
        return self.version.name

    def release(self) -> None:
        """Stop holding the version; delete it when it is no longer current and unread."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
        if current_version(self.target).resolve() != self.version.resolve():
            with contextlib.suppress(OSError):
                if self.version.name.startswith(f"{self.target.name}.build-"):
                    _remove_if_unread(self.version)


def hold_version(target: Path) -> VersionHold:
    """Hold the store's current version for reading, so no writer deletes it meanwhile."""
    target = _absolute(target)
    for _ in range(20):
        if not target.exists():
            raise StoreMissingError(target)
        version = current_version(target)
        # A plain directory is held too: the first writer moves it aside as a version (its
        # readers file with it, `swap_in`), deleted only once no reader holds it.
        try:
            fd = os.open(_readers_file(version), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if version == target and exc.errno in (errno.EROFS, errno.EACCES):
                # a plain directory where nothing may be written: no writer moves it either
                return VersionHold(target, version, None)
            raise StoreError(f"cannot hold the store version: {exc}", path=version) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # being deleted right now: the symlink has moved on
            continue
        if (
            version.is_dir()
            and _readers_file(version).exists()
            and (version != target or not target.is_symlink())
        ):
            return VersionHold(target, version, fd)
        os.close(fd)
    raise StoreError("the store changed too often to hold one version", path=target)


@contextlib.contextmanager
def writer_lock(target: Path, command: str, wait: float = 0.0) -> Iterator[None]:
    """Be the one writer of the store at `target` for the duration, waiting up to `wait`
    seconds for the writer that already is; StoreBusyError names it. Removes what dead runs
    left before the caller writes."""
    target = _absolute(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.with_name(f".{target.name}.writer.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"another process is writing this store: {_holder(fd)}; wait for it "
                        "to finish, then run this again",
                        path=target,
                    ) from None
                time.sleep(0.05)
        holder = {
            "command": command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        remove_unused(target)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the lock


def _holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"`{data['command']}` (pid {data['pid']}, since {data['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another drugkg command"


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
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()  # a dead writer's; the caller is the one writer now
    temp = path.with_name(f".{path.name}.{_stamp()}.tmp")
    try:
        store.dump(temp, RdfFormat.N_QUADS)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
