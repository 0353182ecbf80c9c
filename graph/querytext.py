"""A SPARQL text before pyoxigraph sees it: its tokens, its nesting, and a deep enough stack.

pyoxigraph parses and evaluates by recursion, a stack frame or more per level of nesting, and
a stack overflow in its Rust code ends the whole process at once (SIGSEGV): no exception ever
reaches Python. Measured with pyoxigraph 0.5.13 on an 8 MiB stack (a process's main thread):
about 2,200 nested groups `{{{...}}}` were enough, 4,500 nested parentheses, 9,000 `!` in a
row, 7,000 terms of `1+1+...`, 2,600 BINDs in one group. Two guards, for the CLI and the
endpoint's query processes alike:

- `too_deep` refuses a text whose brackets (`(`, `{`, `[`, and the `<<` of triple terms and
  reifiers) nest deeper than MAX_NESTING, or with more than MAX_NESTING unary operators in a
  row, naming the line and column where the limit is passed. No real query comes near;
  generated ones rarely pass a few dozen levels.
- `run_on_deep_stack` runs a query on a thread with a STACK_BYTES stack, for the chains that no
  bracket count sees (long sums, thousands of BINDs or FILTERs in one group): at the rates
  measured, 1 MB of `1+1+...` (the endpoint's default request limit) needs about 570 MiB. The
  stack is reserved address space; only the part a query uses becomes memory.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

MAX_NESTING = 1000
"""Deepest bracket nesting, and longest run of unary operators, a query may have."""

STACK_BYTES = 1 << 30
"""Stack of the thread a query runs on (`run_on_deep_stack`)."""

_NAME_CHAR = r"""[^\s(){}\[\],;!=<>&|+*/^"'\#.]"""
"""A character that may continue a prefixed name: anything but blanks and punctuation."""
_LOCAL = rf"(?:{_NAME_CHAR}|\.(?={_NAME_CHAR}))*"
"""The local part of a prefixed name: a dot only inside it, never at its end."""

TOKEN = re.compile(
    rf"""
      (?P<skip>\s+|\#[^\n\r]*)
    | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<var>[?$]{_NAME_CHAR}*)
    | (?P<word>(?:[^\W\d]|_)[\w.\-]*(?::{_LOCAL})?|:{_LOCAL})
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
"""One token of a SPARQL text: blanks and comments (`skip`), an IRI, a string literal, a
variable, a word (keyword, prefixed name) or a single other character (punctuation, digits)."""

_OPENING = frozenset("({[")
_CLOSING = frozenset(")}]")
_UNARY = frozenset("!+-")


def tokens(text: str) -> Iterator[re.Match[str]]:
    """The tokens of a text, blanks and comments left out."""
    return (match for match in TOKEN.finditer(text) if match.lastgroup != "skip")


def too_deep(
    text: str, limit: int = MAX_NESTING, scanned: Iterable[re.Match[str]] | None = None
) -> str | None:
    """Why the text nests too deeply to be parsed safely, or None when it does not.

    `scanned` is `tokens(text)` when the caller has them already."""
    depth = 0
    run = 0
    paired = -1  # where the second `<` of `<<` (or `>` of `>>`) is, already counted
    for match in tokens(text) if scanned is None else scanned:
        token = match.group()
        if match.lastgroup != "other" or match.start() == paired:
            run = 0
            continue
        if token in "<>" and text.startswith(token, match.end()):
            # `<<` opens a quoted triple or reifier, `>>` closes it (SPARQL has no shift)
            paired = match.end()
            token = "{" if token == "<" else "}"
        if token in _OPENING:
            depth += 1
            if depth > limit:
                return _where(text, match.start(), f"brackets nest more than {limit} levels deep")
        elif token in _CLOSING:
            depth = max(0, depth - 1)
        if token in _UNARY:
            run += 1
            if run > limit:
                return _where(text, match.start(), f"more than {limit} unary operators in a row")
        else:
            run = 0
    return None


def _where(text: str, offset: int, what: str) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"the query is nested too deeply: {what} at line {line}, column {column}"


T = TypeVar("T")


def run_on_deep_stack(work: Callable[[], T]) -> T:
    """Run `work` on a thread with a STACK_BYTES stack; return its result or raise its error."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    previous = threading.stack_size(STACK_BYTES)
    try:
        # a daemon, so that an interrupted caller (Ctrl-C) is not kept waiting at exit
        thread = threading.Thread(target=target, name="drugkg-query", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
