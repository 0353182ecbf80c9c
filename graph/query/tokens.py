"""The SPARQL lexer: the tokens of a query text, and the words SPARQL reserves.

`tokens` is a lexer of SPARQL 1.1 (and the SPARQL 1.2 tokens pyoxigraph reads), written from
the grammar's terminal rules: IRIs with their `\\u` escapes, the four string forms with their
escapes, prefixed names with every local-name escape and `%` sequence, variables, blank-node
labels, language tags, numbers, comments. The nesting guard (`graph.query.text`), the
explanation of syntax errors and the endpoint's scan and SERVICE guard
(`endpoint.sparql.lexer`, `endpoint.sparql.federation`) read a text through it; the guard then
has pyoxigraph itself confirm every conclusion it draws from these tokens, so a lexer error is
refused, never let through.

A bare word in a valid query is always one of KEYWORDS (the grammar's keywords and built-in
function names, `a`, `true` and `false`): `closest_keyword` finds the one a misspelt word meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

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


QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
PROLOGUE_KEYWORDS = frozenset({"BASE", "PREFIX", "VERSION"})

_GRAMMAR_WORDS = """
    BASE PREFIX VERSION SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED
    GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL SERVICE SILENT BIND
    MINUS UNION FILTER GRAPH DEFAULT ALL IN NOT EXISTS SEPARATOR A TRUE FALSE LATERAL
    LOAD INTO CLEAR DROP CREATE ADD MOVE COPY TO INSERT DELETE DATA WITH USING
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
    STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR
    MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384
    SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX
    SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
    TRIPLE ISTRIPLE SUBJECT PREDICATE OBJECT LANGDIR HASLANG HASLANGDIR STRLANGDIR ADJUST
"""
KEYWORDS = frozenset(_GRAMMAR_WORDS.split())
"""Every bare word a query may hold, upper-cased: the keywords and built-in function names of
SPARQL 1.1 and of the SPARQL 1.2 drafts pyoxigraph reads."""


def first_keyword(scanned: Iterable[Token]) -> Token | None:
    """The first word after the prologue (BASE, PREFIX, VERSION): the query form, or else
    the first word of an update or of a misspelt text."""
    for token in scanned:
        if token.keyword and token.keyword not in PROLOGUE_KEYWORDS:
            return token
    return None


def closest_keyword(word: str) -> str | None:
    """The keyword a misspelt word most likely meant (`SELET`: SELECT), if one is close."""
    close = difflib.get_close_matches(word.upper(), KEYWORDS, n=1, cutoff=0.75)
    return close[0] if close else None
