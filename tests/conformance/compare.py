"""Compare two query outcomes: bag semantics, blank-node isomorphism, order when asked.

`difference(expected, actual, ordered)` returns None when they match, else a short account of
the first difference found, for the test's failure message.
"""

from __future__ import annotations

from collections import Counter

from .results import Boolean, Cell, CsvTable, Outcome, Row, Table, Triples

_SEARCH_LIMIT = 200_000


class _GaveUpError(Exception):
    pass


def difference(expected: Outcome, actual: Outcome, *, ordered: bool) -> str | None:
    if type(expected) is not type(actual):
        return f"expected a {type(expected).__name__}, got a {type(actual).__name__}"
    if isinstance(expected, Boolean):
        assert isinstance(actual, Boolean)
        return None if expected.value == actual.value else f"expected {expected.value}"
    if isinstance(expected, Table | CsvTable):
        assert isinstance(actual, Table | CsvTable)
        if set(expected.variables) != set(actual.variables):
            return (
                f"variables differ: expected {sorted(expected.variables)}, "
                f"got {sorted(actual.variables)}"
            )
        return rows_difference(expected.rows, actual.rows, ordered=ordered)
    assert isinstance(expected, Triples)
    assert isinstance(actual, Triples)
    return rows_difference(expected.rows, actual.rows, ordered=False)


def _shape(row: Row) -> Row:
    return tuple((name, ("b", "") if c[0] == "b" else c) for name, c in row)


def _show(row: Row) -> str:
    return "{" + ", ".join(f"{n}={_show_cell(c)}" for n, c in row) + "}"


def _show_cell(c: Cell) -> str:
    return f"_:{c[1]}" if c[0] == "b" else repr(c[1])


def rows_difference(
    expected: tuple[Row, ...], actual: tuple[Row, ...], *, ordered: bool
) -> str | None:
    if len(expected) != len(actual):
        missing = Counter(map(_shape, expected)) - Counter(map(_shape, actual))
        extra = Counter(map(_shape, actual)) - Counter(map(_shape, expected))
        return (
            f"expected {len(expected)} rows, got {len(actual)}; "
            f"missing {[_show(r) for r in list(missing)[:3]]}, "
            f"unexpected {[_show(r) for r in list(extra)[:3]]}"
        )
    if ordered:
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            if _shape(e) != _shape(a):
                return f"row {index}: expected {_show(e)}, got {_show(a)}"
    else:
        missing = Counter(map(_shape, expected)) - Counter(map(_shape, actual))
        if missing:
            extra = Counter(map(_shape, actual)) - Counter(map(_shape, expected))
            return (
                f"missing {[_show(r) for r in list(missing)[:3]]}, "
                f"unexpected {[_show(r) for r in list(extra)[:3]]}"
            )
    has_blank = any(c[0] == "b" for row in expected for _, c in row)
    if not has_blank:
        return None
    try:
        found = _blank_node_bijection(expected, actual, ordered=ordered)
    except _GaveUpError:
        return "blank-node matching gave up (too many candidate mappings)"
    return None if found else "no blank-node mapping makes the results equal"


def _blank_node_bijection(
    expected: tuple[Row, ...], actual: tuple[Row, ...], *, ordered: bool
) -> bool:
    """Search for a one-to-one renaming of blank nodes that maps expected rows onto actual rows."""
    by_shape: dict[Row, list[int]] = {}
    for index, row in enumerate(actual):
        by_shape.setdefault(_shape(row), []).append(index)
    candidates = [[i] if ordered else by_shape[_shape(row)] for i, row in enumerate(expected)]
    order = sorted(range(len(expected)), key=lambda i: len(candidates[i]))
    forward: dict[object, object] = {}
    backward: dict[object, object] = {}
    used: set[int] = set()
    steps = 0

    def extend(e_row: Row, a_row: Row) -> list[object] | None:
        added: list[object] = []
        for (_, e), (_, a) in zip(e_row, a_row, strict=True):
            if e[0] != "b":
                continue
            mapped = forward.get(e[1])
            if mapped is None and a[1] not in backward:
                forward[e[1]] = a[1]
                backward[a[1]] = e[1]
                added.append(e[1])
            elif mapped != a[1]:
                undo(added)
                return None
        return added

    def undo(added: list[object]) -> None:
        for label in added:
            backward.pop(forward.pop(label))

    def search(position: int) -> bool:
        nonlocal steps
        if position == len(order):
            return True
        e_index = order[position]
        for a_index in candidates[e_index]:
            steps += 1
            if steps > _SEARCH_LIMIT:
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
