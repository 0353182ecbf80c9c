"""The header of a competency question: the `# title:`, `# question:`, `# description:` and
`# order:` comment lines at the top of a `.rq` file in queries/.

The tests (bench/competency.py) and the query page's example gallery (endpoint/querypage)
both read questions through `read_header`, so a question reads the same everywhere. `order`
is where the question stands among the others when they are shown to a reader (the gallery
lists them by it, what a reader asks first at the top; questions without one come last).
"""

import re

FIELDS = ("title", "question", "description", "order")
_HEADER = re.compile(r"^#\s*(title|question|description|order)\s*:\s*(.*?)\s*$")


def read_header(text: str) -> dict[str, str]:
    """The header fields of a query text: the first non-empty value of each, from the comment
    lines before its first other line."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match and match.group(2):
            fields.setdefault(match.group(1), match.group(2))
    return fields
