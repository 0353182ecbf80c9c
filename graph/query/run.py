"""A query given to `drugkg query`: its text, the checks before it runs, its evaluation.

The argument is the query or the file that holds it. An update is refused before anything
runs, saying how the store does change (the endpoint refuses an update sent as `query=` in
the same words, `graph.errors.update_refused`); a text nested too deeply for pyoxigraph's
parser is refused with the place (`graph.query.text.too_deep`); a syntax error becomes a
QueryError with the parser's position, made readable (`graph.query.text.explain`).
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples, Store

from graph.errors import InputError, NotAQueryError, QueryError, update_refused
from graph.query.text import explain, too_deep
from graph.query.tokens import UPDATE_KEYWORDS, first_keyword, tokens

UPDATE_REFUSED = update_refused("`drugkg query`")


def read_query(arg: str) -> str:
    """The query text: the argument itself, or the file it names (any `*.rq` is a file)."""
    path = Path(arg)
    if arg.endswith(".rq") or (len(arg) < 4096 and "\n" not in arg and _is_file(path)):
        try:
            return path.read_text(encoding="utf-8-sig")  # a byte-order mark is not the query
        except FileNotFoundError as exc:
            raise InputError("query file does not exist", file=path) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the query file: {exc}", file=path) from exc
    return arg


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a query on one line is often longer than a file name may be
        return False


def query_form(text: str) -> str | None:
    """The first keyword after the prologue: SELECT, ASK, CONSTRUCT or DESCRIBE in a query."""
    head = first_keyword(tokens(text))
    return head.keyword if head is not None else None


def refuse_update(text: str) -> None:
    """NotAQueryError, saying how the store is changed, when the text is an update."""
    if query_form(text) in UPDATE_KEYWORDS:
        raise NotAQueryError(UPDATE_REFUSED)


def run_query(
    store: Store, text: str, *, union_default_graph: bool, prefixes: dict[str, str] | None = None
) -> QuerySolutions | QueryBoolean | QueryTriples:
    """Evaluate a query; a syntax error becomes a QueryError with the parser's position, an
    update a NotAQueryError that says how the store is changed.

    `prefixes` may be used in the query without PREFIX declarations (the query's own win). A
    text nested too deeply for the parser is refused first (`graph.query.text.too_deep`).
    """
    refuse_update(text)
    deep = too_deep(text)
    if deep is not None:
        raise QueryError(deep)
    try:
        return store.query(text, use_default_graph_as_union=union_default_graph, prefixes=prefixes)
    except SyntaxError as exc:
        problem = explain(text, exc, prefixes or {})
        raise QueryError(problem.message, line=problem.line, column=problem.column) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"evaluation failed: {exc}") from exc
