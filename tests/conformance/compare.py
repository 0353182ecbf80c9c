"""Compare two query outcomes: bag semantics, blank-node isomorphism, order when asked.

`difference(expected, actual, ordered)` returns None when they match, else a short account of
the first difference found, for the test's failure message. The rows compare in
`graph.query.compare`, the one answer comparer (the competency questions use it too).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import cast

from graph.query import compare
from graph.query.compare import Cells

from .results import Boolean, Cell, CsvTable, Outcome, Row, Table, Triples


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


def _blank(pair: Hashable) -> str | None:
    _name, (kind, value) = cast(tuple[str, Cell], pair)
    return str(value) if kind == "b" else None


def _erase(pair: Hashable) -> Hashable:
    name, _cell = cast(tuple[str, Cell], pair)
    return (name, ("b", ""))


def _show(pair: Hashable) -> str:
    name, (kind, value) = cast(tuple[str, Cell], pair)
    return f"{name}=_:{value}" if kind == "b" else f"{name}={value!r}"


CELLS = Cells(blank=_blank, erase=_erase, show=_show)
"""Rows of (variable, normalised cell) pairs, for `graph.query.compare`."""


def rows_difference(
    expected: tuple[Row, ...], actual: tuple[Row, ...], *, ordered: bool
) -> str | None:
    return compare.rows_difference(expected, actual, CELLS, ordered=ordered)
