"""What the endpoint tests share besides their fixtures (conftest.py): the processes of a live
server, the remote endpoint's addresses and the size of the synthetic store.

Test modules import these from here, never from conftest: several test folders have a
conftest.py, and which one `import conftest` finds depends on what pytest loaded last.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

SYNTHETIC_ROWS = 200_000

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g ?c ?f ?i"
"""ORDER BY over a three-way cross product: it holds every row in memory before the first."""
COSTLY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""Counts a three-way cross product: runs to any time limit in little memory."""


@dataclass
class Remote:
    url: str
    """The remote endpoint's query IRI (allow-listed)."""
    down: str
    """An allow-listed endpoint where nothing listens."""


def children(pid: int) -> set[int]:
    """The direct child processes of `pid` (its query processes)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(x) for x in text)
    return found


def started(pid: int) -> set[int]:
    """The query processes of server `pid` that have opened their store.

    A query process gets its configuration (with the store) as its last argument, and holds
    the store's files open once it has opened it, just before it says it is ready: one found
    here may still be starting (a kill then is a failed start, not a crash) or, until it
    ends, stopping; compare with the count the pool gives (`/health`) to tell.
    """
    found: set[int] = set()
    for child in children(pid):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            store = json.loads(argv[-2] if argv[-1] == b"" else argv[-1])["store"]
            links = [os.readlink(fd) for fd in Path(f"/proc/{child}/fd").iterdir()]
        except (OSError, ValueError, KeyError, IndexError):
            continue  # it ended meanwhile, or is no query process
        if any(link.startswith(store.rstrip("/") + "/") for link in links):
            found.add(child)
    return found


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
