"""Query results as aligned text tables for a terminal, with prefixed names.

A cell longer than CELL_WIDTH characters is cut, except in the last column, which nothing
follows and which is therefore always shown in full (a quote's text reads best there: put it
last in the SELECT). Under a table with cut cells, a note names their columns and says how
to see every value in full.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QueryTriples, Triple

from graph.query.formats import Result

Prefixes = Mapping[str, str]

CELL_WIDTH = 80
"""Longest cell shown in full outside the last column."""

_XSD = "http://www.w3.org/2001/XMLSchema#"
_PLAIN_TYPES = {f"{_XSD}{t}" for t in ("string", "integer", "decimal", "double", "boolean")}
# Tables are for reading, so a local part may hold '/', '#', ',' and '=' (which strict Turtle
# would escape): `graph:facts/doc` and `source:doc#char=0,8` read better than full IRIs.
_LOCAL = re.compile(r"^[^\s<>\"{}|^`\\]*$")


def result_table(result: Result, prefixes: Prefixes, *, full_values_hint: str = "") -> str:
    """Any query result as a table: solutions by variable, a boolean, or triples as s p o.

    `full_values_hint` is how the reader sees cut values in full (for the note)."""
    if isinstance(result, QueryBoolean):
        return render_table(["ASK"], [["true" if bool(result) else "false"]])
    if isinstance(result, QueryTriples):
        header = ["subject", "predicate", "object"]
        rows = [
            [term_text(term, prefixes) for term in (t.subject, t.predicate, t.object)]
            for t in result
        ]
    else:
        header = [v.value for v in result.variables]
        rows = [[term_text(solution[name], prefixes) for name in header] for solution in result]
    table, cut = _cut(header, rows)
    text = render_table(header, table)
    if cut:
        columns = ", ".join(
            f"{name} ({count} row{'s' if count != 1 else ''})" for name, count in cut.items()
        )
        text += f"(cells over {CELL_WIDTH} characters are cut in {columns}"
        text += f"; {full_values_hint})\n" if full_values_hint else ")\n"
    return text


def _cut(header: Sequence[str], rows: list[list[str]]) -> tuple[list[list[str]], dict[str, int]]:
    """The rows with long cells cut (the last column kept whole), and how many per column."""
    cut: dict[str, int] = {}
    last = len(header) - 1
    shown = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            if index != last and len(cell) > CELL_WIDTH:
                cut[header[index]] = cut.get(header[index], 0) + 1
                cell = cell[: CELL_WIDTH - 1] + "…"
            cells.append(cell)
        shown.append(cells)
    return shown, cut


def term_text(term: object, prefixes: Prefixes) -> str:
    """A term as a reader wants it in a table: prefixed names, bare plain literals, one line."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return prefixed(term.value, prefixes)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        text = term.value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value in _PLAIN_TYPES:
            return text
        return f"{text}^^{prefixed(term.datatype.value, prefixes)}"
    if isinstance(term, Triple):
        parts = (term.subject, term.predicate, term.object)
        return "<< " + " ".join(term_text(p, prefixes) for p in parts) + " >>"
    return str(term)


def prefixed(iri: str, prefixes: Prefixes) -> str:
    """`prefix:local` for the longest namespace that fits, else `<iri>`."""
    best: tuple[str, str] | None = None
    for prefix, namespace in prefixes.items():
        longer = best is None or len(namespace) > len(best[1])
        if longer and iri.startswith(namespace) and _LOCAL.match(iri[len(namespace) :]):
            best = (prefix, namespace)
    if best is None:
        return f"<{iri}>"
    return f"{best[0]}:{iri[len(best[1]) :]}"


def render_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, count: bool = True
) -> str:
    """An aligned text table with a header rule and (unless `count` is false) a row count."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    # the last column may be long (it is never cut): its rule stops at CELL_WIDTH
    rules = [*widths[:-1], max(len(header[-1]), min(widths[-1], CELL_WIDTH))] if widths else []
    out = [line(header), "-+-".join("-" * w for w in rules)]
    out += [line(row) for row in rows]
    if count:
        out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
