"""Comparing query answers the way SPARQL defines them: the one answer comparer.

Rows of solutions (or triples, as rows of three terms) compare as a bag, or as a sequence when
the query orders them; blank nodes compare up to a one-to-one renaming across all the rows (for
triples, that is graph isomorphism). `rows_difference` returns None when two answers match,
else a short account of the first difference found, for a failure message.

The competency questions (`bench.competency`, rows of pyoxigraph terms) and the W3C conformance
run (`tests/conformance`, rows of normalised cells) both compare here; each says how a cell of
its own shows a blank node through a `Cells` description.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

Row = tuple[Hashable, ...]

SEARCH_LIMIT = 200_000
"""Candidate pairings tried before the blank-node search gives up (an answer then differs)."""


@dataclass(frozen=True, slots=True)
class Cells:
    """How to read the cells of a row: the label of a blank node (None for any other cell),
    the cell with that label erased (so rows compare by their shape), and a cell for people."""

    blank: Callable[[Hashable], str | None]
    erase: Callable[[Hashable], Hashable]
    show: Callable[[Hashable], str]

    def shape(self, row: Row) -> Row:
        return tuple(self.erase(c) if self.blank(c) is not None else c for c in row)

    def show_row(self, row: Row) -> str:
        return "(" + ", ".join(self.show(c) for c in row) + ")"


class _GaveUpError(Exception):
    pass


def rows_difference(
    expected: Sequence[Row], actual: Sequence[Row], cells: Cells, *, ordered: bool
) -> str | None:
    """None when the rows are equal (as a bag, or in order), blank nodes up to renaming."""
    if len(expected) != len(actual):
        missing, extra = _gap(expected, actual, cells)
        return (
            f"expected {len(expected)} rows, got {len(actual)}; "
            f"missing {missing}, unexpected {extra}"
        )
    if ordered:
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            if cells.shape(e) != cells.shape(a):
                return f"row {index}: expected {cells.show_row(e)}, got {cells.show_row(a)}"
    else:
        missing, extra = _gap(expected, actual, cells)
        if missing or extra:
            return f"missing {missing}, unexpected {extra}"
    blanks = any(cells.blank(c) is not None for rows in (expected, actual) for r in rows for c in r)
    if not blanks:
        return None
    try:
        found = _bijection(expected, actual, cells, ordered=ordered)
    except _GaveUpError:
        return "blank-node matching gave up (too many candidate mappings)"
    return None if found else "no renaming of blank nodes makes the rows equal"


def _gap(
    expected: Sequence[Row], actual: Sequence[Row], cells: Cells
) -> tuple[list[str], list[str]]:
    """Up to three rows (by shape) only in `expected`, and up to three only in `actual`."""
    e, a = Counter(map(cells.shape, expected)), Counter(map(cells.shape, actual))
    missing = sorted(cells.show_row(r) for r in (e - a).elements())
    extra = sorted(cells.show_row(r) for r in (a - e).elements())
    return missing[:3], extra[:3]


def _bijection(
    expected: Sequence[Row], actual: Sequence[Row], cells: Cells, *, ordered: bool
) -> bool:
    """Search for a one-to-one renaming of blank nodes that maps expected rows onto actual
    rows (row for row when ordered); the rows of fewest candidates are tried first."""
    by_shape: dict[Row, list[int]] = {}
    for index, row in enumerate(actual):
        by_shape.setdefault(cells.shape(row), []).append(index)
    candidates = [
        [i] if ordered else by_shape.get(cells.shape(row), []) for i, row in enumerate(expected)
    ]
    order = sorted(range(len(expected)), key=lambda i: len(candidates[i]))
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    used: set[int] = set()
    steps = 0

    def extend(e_row: Row, a_row: Row) -> list[str] | None:
        added: list[str] = []
        for e, a in zip(e_row, a_row, strict=True):
            e_label, a_label = cells.blank(e), cells.blank(a)
            if e_label is None:
                continue
            assert a_label is not None  # the rows have one shape
            mapped = forward.get(e_label)
            if mapped is None and a_label not in backward:
                forward[e_label] = a_label
                backward[a_label] = e_label
                added.append(e_label)
            elif mapped != a_label:
                undo(added)
                return None
        return added

    def undo(added: list[str]) -> None:
        for label in added:
            backward.pop(forward.pop(label))

    def search(position: int) -> bool:
        nonlocal steps
        if position == len(order):
            return True
        e_index = order[position]
        for a_index in candidates[e_index]:
            steps += 1
            if steps > SEARCH_LIMIT:
                raise _GaveUpError
            if a_index in used:
                continue
            added = extend(expected[e_index], actual[a_index])
            if added is None:
                continue
            used.add(a_index)
            if search(position + 1):
                return True
            used.discard(a_index)
            undo(added)
        return False

    return search(0)
