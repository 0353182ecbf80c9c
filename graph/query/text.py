"""A SPARQL text before pyoxigraph sees it: its nesting, a deep enough stack, readable errors.

pyoxigraph parses and evaluates by recursion, a stack frame or more per level of nesting, and
a stack overflow in its Rust code ends the whole process at once (SIGSEGV): no exception ever
reaches Python. Two guards, for the CLI and the endpoint's query processes alike:

- `run_on_deep_stack` runs a query on a thread whose stack is large enough for any text of
  the length it is given: STACK_PER_CHAR bytes for each character. This is the guard that
  holds whatever the text looks like, so no disguise can crash a process. Measured with
  pyoxigraph 0.5.13 (largest nesting that parses and evaluates on a 32 MiB stack): nested
  groups `{{{...}}}` 3.9 KiB of stack per level (1.9 KiB per character, the worst), nested
  subqueries 7.1 KiB per level (0.65 KiB per character), FILTER EXISTS 12 KiB (0.75),
  parentheses 1.8 KiB (0.9), MINUS 3.2 KiB (0.46), OPTIONAL 2.9 KiB (0.29). STACK_PER_CHAR
  is twice the worst. The stack is reserved address space: only the part a query uses
  becomes memory, and the endpoint's memory limit bounds that part.
- `too_deep` refuses a text whose brackets (`(`, `{`, `[`, and the `<<` of triple terms and
  reifiers) nest deeper than MAX_NESTING, blank-node property lists deeper than
  MAX_BLANK_NODE_NESTING, or with more than MAX_NESTING unary operators in a row, naming the
  line and column where the limit is passed: a clear 400 instead of a query that would spend
  its time and memory limits being parsed. No real query comes near;
  generated ones rarely pass a few dozen levels.

`explain` makes pyoxigraph's syntax errors readable: an undeclared prefix is named, with the
prefixes known without a declaration; a word that is no SPARQL keyword (`SELET`, `LIMT`) is
named at its own place, with the keyword it most likely meant, instead of the place where
the parser gave up and the alternatives it tried there. The text is read with
`graph.query.tokens`.
"""

from __future__ import annotations

import re
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from graph.query.tokens import KEYWORDS, Token, closest_keyword, tokens

MAX_NESTING = 1000
"""Deepest bracket nesting, and longest run of unary operators, a query may have."""

MAX_BLANK_NODE_NESTING = 50
"""Deepest nesting of blank-node property lists `[ ... ]`: pyoxigraph 0.5.13 takes time that
grows with about the fourth power of it to prepare a query (measured: 50 levels 0.16 s,
100 levels 1.3 s, 150 levels 5.7 s, 250 levels 42 s), so a query of 1.3 KB would hold a
query process for its whole time limit."""

STACK_PER_CHAR = 4 * 1024
"""Bytes of stack a query gets per character of its text (twice the worst measured)."""

MIN_STACK_BYTES = 256 * 1024 * 1024
"""The least stack a query thread gets, however short its text."""

_OPENING = frozenset({"(", "{", "[", "<<", "{|"})
_CLOSING = frozenset({")", "}", "]", ">>", "|}"})
_UNARY = frozenset("!+-")


def too_deep(
    text: str, limit: int = MAX_NESTING, scanned: Iterable[Token] | None = None
) -> str | None:
    """Why the text nests too deeply to be parsed safely, or None when it does not.

    `scanned` is `tokens(text)` when the caller has them already."""
    depth = 0
    run = 0
    blank: list[int] = []  # the depth at which each open `[` was opened
    for token in tokens(text) if scanned is None else scanned:
        if token.kind not in ("other", "punct"):
            run = 0
            continue
        if token.text in _OPENING:
            depth += 1
            if depth > limit:
                return where(text, token.start, f"brackets nest more than {limit} levels deep")
            if token.text == "[":
                blank.append(depth)
                if len(blank) > MAX_BLANK_NODE_NESTING:
                    return where(
                        text,
                        token.start,
                        f"blank-node property lists nest more than {MAX_BLANK_NODE_NESTING} "
                        "levels deep",
                    )
        elif token.text in _CLOSING:
            if blank and blank[-1] == depth:
                blank.pop()
            depth = max(0, depth - 1)
        if token.text in _UNARY:
            run += 1
            if run > limit:
                return where(text, token.start, f"more than {limit} unary operators in a row")
        else:
            run = 0
    return None


def where(text: str, offset: int, what: str) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"the query is nested too deeply: {what} at line {line}, column {column}"


def stack_bytes(chars: int) -> int:
    """The stack a query text of `chars` characters needs (`STACK_PER_CHAR` each)."""
    return max(MIN_STACK_BYTES, chars * STACK_PER_CHAR)


T = TypeVar("T")


class StackTooSmallError(Exception):
    """No thread with the stack a text needs could be started (address space refused)."""


def run_on_deep_stack(work: Callable[[], T], chars: int) -> T:
    """Run `work` on a thread with the stack a text of `chars` characters needs.

    Returns its result or raises its error; StackTooSmallError when the system refuses a
    stack that large (then the text is too long to be parsed safely here)."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller's thread
            _drop_locals(exc)
            failure.append(exc)

    size = stack_bytes(chars)
    previous = threading.stack_size()
    try:
        threading.stack_size(size)
        # a daemon, so that an interrupted caller (Ctrl-C) is not kept waiting at exit
        thread = threading.Thread(target=target, name="drugkg-query", daemon=True)
        thread.start()
    except (RuntimeError, MemoryError, OverflowError, ValueError) as exc:
        raise StackTooSmallError(
            f"cannot start a thread with a {size >> 20} MiB stack for a query of "
            f"{chars} characters: {exc}"
        ) from exc
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _drop_locals(error: BaseException) -> None:
    """Clear the local variables of the frames an error (and the errors it chains) went
    through, on the thread that ran them: pyoxigraph's results may only be dropped on the
    thread that made them (elsewhere pyo3 reports "PyQuerySolutions is unsendable")."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__]


_ERROR_AT = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)
_EXPECTED = re.compile(r"^expected one of (.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """pyoxigraph's report of a query that does not parse, made readable."""

    message: str
    line: int | None
    column: int | None

    @property
    def located(self) -> str:
        """`error at L:C: message`, the form pyoxigraph (and the query page) uses."""
        if self.line is None:
            return self.message
        return f"error at {self.line}:{self.column}: {self.message}"


def explain(text: str, error: SyntaxError, prefixes: Iterable[str] = ()) -> SyntaxProblem:
    """pyoxigraph's syntax error, with an undeclared prefix named (and the known ones listed)
    instead of the character classes a name may continue with, and a word that is no SPARQL
    keyword named where it stands (with the keyword it most likely meant)."""
    raw = str(error.msg or error)
    match = _ERROR_AT.match(raw)
    if match is None:
        return SyntaxProblem(raw, error.lineno, error.offset)
    line, column, detail = int(match[1]), int(match[2]), match[3]
    if "Prefix not found" in detail:
        prefix = _prefix_before(text, line, column)
        known = ", ".join(f"{p}:" for p in sorted(prefixes)) or "none"
        what = f"`{prefix}:`" if prefix is not None else "of a prefixed name"
        return SyntaxProblem(
            f"unknown prefix {what}: declare it with PREFIX; the prefixes known without a "
            f"declaration are {known}",
            line,
            column,
        )
    unknown = _unknown_word(text, _offset(text, line, column))
    if unknown is not None:
        return unknown
    expected = _EXPECTED.match(detail)
    if expected is not None:
        items = _top_level_items(expected[1])
        named = [item for item in items if not item.startswith("[")]
        if any(item.startswith("[") and "..=" in item for item in items):
            named.append("a name character")
        detail = "expected one of " + ", ".join(named)
    return SyntaxProblem(detail, line, column)


def _unknown_word(text: str, offset: int) -> SyntaxProblem | None:
    """The first bare word up to `offset` (where the parser gave up) that SPARQL does not
    reserve: the parser cannot have read past it, so it is the error."""
    for token in tokens(text):
        if token.start > offset:
            break
        if token.kind == "word" and token.keyword not in KEYWORDS:
            meant = closest_keyword(token.text)
            hint = (
                f": did you mean {meant}?"
                if meant is not None
                else " or built-in function (other functions are called by IRI)"
            )
            line = text.count("\n", 0, token.start) + 1
            column = token.start - (text.rfind("\n", 0, token.start) + 1) + 1
            return SyntaxProblem(f"`{token.text}` is not a SPARQL keyword{hint}", line, column)
    return None


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return start + column - 1


def _prefix_before(text: str, line: int, column: int) -> str | None:
    offset = _offset(text, line, column)
    for token in tokens(text):
        if token.start >= offset:
            break
        if token.kind == "pname" and token.end >= offset - 1:
            return token.text.split(":", 1)[0]
    return None


def _top_level_items(listing: str) -> list[str]:
    """The items of pyoxigraph's `expected one of a, b, [c | d], ...`, brackets kept whole."""
    items: list[str] = []
    depth, current = 0, ""
    for char in listing:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        items.append(current.strip())
    return items
