"""What the endpoint tests share besides their fixtures (conftest.py): the processes of a live
server, the remote endpoint's addresses and the size of the synthetic store.

Test modules import these from here, never from conftest: several test folders have a
conftest.py, and which one `import conftest` finds depends on what pytest loaded last.
"""

from __future__ import annotations

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


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
