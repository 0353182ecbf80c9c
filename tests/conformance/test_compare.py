"""The result comparison the conformance run relies on: it must tell equal from different."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from .compare import difference
from .results import Boolean, CsvTable, ResultsError, Table, read_csv, read_results

XSD = "http://www.w3.org/2001/XMLSchema#"


def table(*rows: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> Table:
    tsv_lines = []
    names = sorted({n for row in rows for n in row})
    tsv_lines.append("\t".join("?" + n for n in names))
    for row in rows:
        tsv_lines.append("\t".join(str(row[n]) if n in row else "" for n in names))
    outcome = read_results(("\n".join(tsv_lines) + "\n").encode(), ox.QueryResultsFormat.TSV, "t")
    assert isinstance(outcome, Table)
    return outcome


A, B = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b")


def test_bags_compare_regardless_of_order_unless_ordered() -> None:
    one = table({"x": A}, {"x": B})
    other = table({"x": B}, {"x": A})
    assert difference(one, other, ordered=False) is None
    assert difference(one, other, ordered=True) is not None


def test_duplicates_count() -> None:
    assert difference(table({"x": A}, {"x": A}), table({"x": A}, {"x": B}), ordered=False)
    assert difference(table({"x": A}, {"x": A}), table({"x": A}), ordered=False)


def test_blank_nodes_match_by_a_consistent_renaming() -> None:
    b1, b2 = ox.BlankNode("b1"), ox.BlankNode("b2")
    c1, c2 = ox.BlankNode("c1"), ox.BlankNode("c2")
    expected = table({"x": b1, "y": b1}, {"x": b2, "y": A})
    assert difference(expected, table({"x": c2, "y": A}, {"x": c1, "y": c1}), ordered=False) is None
    # the same label in both columns cannot map to two different labels
    assert difference(expected, table({"x": c1, "y": c2}, {"x": c2, "y": A}), ordered=False)
    # two different labels cannot map to one
    assert difference(table({"x": b1}, {"x": b2}), table({"x": c1}, {"x": c1}), ordered=False)


def test_numbers_compare_by_value_within_a_datatype_only() -> None:
    two = table({"n": ox.Literal("2.0", datatype=ox.NamedNode(XSD + "decimal"))})
    assert (
        difference(
            two,
            table({"n": ox.Literal("2.00", datatype=ox.NamedNode(XSD + "decimal"))}),
            ordered=False,
        )
        is None
    )
    assert difference(
        two, table({"n": ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))}), ordered=False
    )
    assert difference(table({"n": ox.Literal("x")}), table({"n": ox.Literal("X")}), ordered=False)


def test_variables_and_forms_must_agree() -> None:
    assert difference(table({"x": A}), table({"y": A}), ordered=False)
    assert difference(Boolean(True), Boolean(False), ordered=False)
    assert difference(Boolean(True), table(), ordered=False)


def test_csv_cells_are_strings_and_blank_labels() -> None:
    expected = read_csv(b"x,y\r\n_:a,1\r\n_:b,2\r\n", "e")
    assert isinstance(expected, CsvTable)
    assert difference(expected, read_csv(b"y,x\r\n2,_:q\r\n1,_:r\r\n", "a"), ordered=False) is None
    assert difference(expected, read_csv(b"x,y\r\n_:q,1\r\n_:q,2\r\n", "a"), ordered=False)


def test_unreadable_results_raise_a_named_error() -> None:
    with pytest.raises(ResultsError, match="response 7"):
        read_results(b"{not json", ox.QueryResultsFormat.JSON, "response 7")
    with pytest.raises(ResultsError, match="line 2"):
        read_csv(b"x,y\r\n1\r\n", "line check")
