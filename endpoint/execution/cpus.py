"""Where a server process and its query processes run: one CPU each, and their priority.

A point lookup crosses from the server process to a query process and back. When the two
sit on different CPUs every crossing wakes the other CPU (an inter-processor interrupt, which
on a virtual machine is an exit to the hypervisor); measured with bench/throughput.py on the
2-core VM of bench/README.md, pinning each server process with its query processes to one
CPU took 16-connection point lookups from ~1,400 to ~3,300 requests/s. So:

- `pin_server` pins a server process at start-up to the CPU `claim` picks: the first free
  slot among the server's processes (a lock file each, held while the process lives, so a
  replacement takes the slot its predecessor left), a CPU of the allowed set per slot in
  turn; without a slot directory (a server of one process) the allowed CPU its process id
  picks.
- `pin` puts a process on that CPU, with every thread it has: query processes started from a
  pinned server inherit it.
- A query that runs long (`SLOW_AFTER`, in a query process or on an inline thread) is
  `spread` over every allowed CPU again, so costly queries still use the whole machine, and
  lowered in priority (`set_niceness`) so the short queries arriving meanwhile go first;
  when it ends its process is pinned again and its priority restored.
- `resident_bytes` reads a process's resident memory, which the pool and the inline
  evaluator watch beside its CPU.

Linux keeps the CPU set and the nice value per thread (`setpriority(PRIO_PROCESS, pid)`
changes one thread only), so both are applied to every thread of a process: a query is
evaluated on a thread of its own (`graph.query.text`), not on the process's main thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

SLOW_AFTER = 0.5
"""Seconds after which a running query yields the CPU to newer ones (`SLOW_NICENESS`)."""
SLOW_NICENESS = 10
_PAGE = os.sysconf("SC_PAGE_SIZE")

_held: list[int] = []
"""The slot lock of this process, kept open for its lifetime."""
_wide: set[int] | None = None
"""The CPUs this server process could use before it was pinned; None: it is not pinned."""


def allowed() -> list[int]:
    """The CPUs this process may run on, in order."""
    return sorted(os.sched_getaffinity(0))


def claim(slots: Path | None) -> int:
    """The CPU this server process runs on (see the module)."""
    cpus = allowed()
    if slots is None:
        return cpus[os.getpid() % len(cpus)]
    slots.mkdir(parents=True, exist_ok=True)
    for slot in range(1024):
        fd = os.open(slots / f"slot-{slot}", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        _held.append(fd)
        return cpus[slot % len(cpus)]
    return cpus[os.getpid() % len(cpus)]


def pin_server(slots: Path | None) -> int | None:
    """Pin this server process (every thread it has so far) to the CPU it claims; None on a
    machine (or CPU set) of one CPU, where there is nothing to choose."""
    global _wide
    cpus = allowed()
    if len(cpus) < 2:
        return None
    cpu = claim(slots)
    _wide = set(cpus)
    pin(os.getpid(), {cpu})
    return cpu


def home() -> set[int] | None:
    """The CPU set of this pinned server process (its query processes belong there); None
    when it is not pinned."""
    return None if _wide is None else os.sched_getaffinity(0)


def _threads(pid: int) -> list[int]:
    try:
        return [int(task) for task in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return [pid]


def pin(pid: int, cpus: set[int]) -> None:
    """Run every thread of `pid` on `cpus` (a process that is gone is left alone)."""
    for tid in _threads(pid):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(tid, cpus)


def spread(pid: int) -> None:
    """Let every thread of `pid` run on any CPU this server could use before it was pinned."""
    if _wide is not None:
        pin(pid, _wide)


def spread_thread(tid: int) -> None:
    """Let one thread of this process run on any CPU this server could use before it was
    pinned (an inline query that runs long, `endpoint.execution.inline`)."""
    if _wide is not None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(tid, _wide)


def set_niceness(pid: int, niceness: int) -> bool:
    """Give every thread of `pid` this nice value; False if one could not be set (raising a
    priority needs CAP_SYS_NICE)."""
    done = True
    for tid in _threads(pid):
        try:
            os.setpriority(os.PRIO_PROCESS, tid, niceness)
        except ProcessLookupError:
            continue
        except OSError:
            done = False
    return done


def resident_bytes(pid: int | str = "self") -> int:
    """The resident memory of process `pid` (this one by default); 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0
