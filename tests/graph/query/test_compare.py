"""graph.query.compare: rows as a bag or in order, blank nodes up to a one-to-one renaming."""

from __future__ import annotations

from collections.abc import Hashable

from graph.query.compare import Cells, Row, rows_difference


def _blank(cell: Hashable) -> str | None:
    return cell[2:] if isinstance(cell, str) and cell.startswith("_:") else None


CELLS = Cells(blank=_blank, erase=lambda _cell: "_:", show=str)


def rows(*given: tuple[str, ...]) -> list[Row]:
    return list(given)


def test_a_bag_ignores_order_and_counts_duplicates() -> None:
    one, other = rows(("a",), ("b",)), rows(("b",), ("a",))
    assert rows_difference(one, other, CELLS, ordered=False) is None
    assert rows_difference(one, other, CELLS, ordered=True) == "row 0: expected (a), got (b)"
    twice = rows(("a",), ("a",))
    assert rows_difference(twice, one, CELLS, ordered=False) == (
        "missing ['(a)'], unexpected ['(b)']"
    )
    assert rows_difference(twice, rows(("a",)), CELLS, ordered=False) == (
        "expected 2 rows, got 1; missing ['(a)'], unexpected []"
    )


def test_blank_nodes_match_by_one_renaming_across_all_rows() -> None:
    expected = rows(("_:b1", "_:b1"), ("_:b2", "x"))
    assert (
        rows_difference(expected, rows(("_:c2", "x"), ("_:c1", "_:c1")), CELLS, ordered=False)
        is None
    )
    # one label cannot become two, and two labels cannot become one
    assert rows_difference(expected, rows(("_:c1", "_:c2"), ("_:c2", "x")), CELLS, ordered=False)
    two = rows(("_:b1",), ("_:b2",))
    assert rows_difference(two, rows(("_:c",), ("_:c",)), CELLS, ordered=False) == (
        "no renaming of blank nodes makes the rows equal"
    )


def test_a_blank_node_never_equals_a_constant() -> None:
    assert rows_difference(
        rows(
            ("_:b",),
        ),
        rows(
            ("x",),
        ),
        CELLS,
        ordered=False,
    )
    assert rows_difference(
        rows(
            ("x",),
        ),
        rows(
            ("_:b",),
        ),
        CELLS,
        ordered=True,
    )
