"""A SPARQL text before pyoxigraph sees it: its tokens, its nesting, and a deep enough stack.

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

`tokens` is a lexer of SPARQL 1.1 (and the SPARQL 1.2 tokens pyoxigraph reads), written from
the grammar's terminal rules: IRIs with their `\\u` escapes, the four string forms with their
escapes, prefixed names with every local-name escape and `%` sequence, variables, blank-node
labels, language tags, numbers, comments. It is what the nesting check and the SERVICE
guard (`endpoint.sparql.federation`) read; the guard then has pyoxigraph itself confirm every
conclusion it draws from these tokens, so a lexer error is refused, never let through.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

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

# The terminals of the SPARQL 1.1 grammar (section 19.8), as character classes.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_EXPONENT = r"[eE][+-]?[0-9]+"

TOKEN = re.compile(
    rf"""
      (?P<skip>[ \t\r\n]+|\#[^\r\n]*)
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<var>[?$]{_VARNAME})
    | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
    | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)
    | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}
               |[0-9]*\.[0-9]+|[0-9]+)
    | (?P<punct><<|>>|\{{\||\|\}}|\^\^|&&|\|\||!=|<=|>=)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
"""One token of a SPARQL text: blanks and comments (`skip`), an IRI, a string literal, a
variable, a blank-node label, a language tag, a prefixed name, a word (keyword, function
name, `a`, `true`), a number, a punctuation mark of two characters, or any other single
character (brackets, `.`, `;`, operators)."""

_OPENING = frozenset({"(", "{", "[", "<<", "{|"})
_CLOSING = frozenset({")", "}", "]", ">>", "|}"})
_UNARY = frozenset("!+-")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    """skip is never produced; one of iri, string, var, bnode, langtag, pname, word, number,
    punct, other."""
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        """The word upper-cased when the token is a word (keywords are case-insensitive)."""
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a text, blanks and comments left out."""
    for match in TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "skip":
            yield Token(kind, match.group(), match.start(), match.end())


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
    instead of the character classes a name may continue with."""
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
    expected = _EXPECTED.match(detail)
    if expected is not None:
        items = _top_level_items(expected[1])
        named = [item for item in items if not item.startswith("[")]
        if any(item.startswith("[") and "..=" in item for item in items):
            named.append("a name character")
        detail = "expected one of " + ", ".join(named)
    return SyntaxProblem(detail, line, column)


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
