"""What the guard tests share: a recording HTTP server on loopback, and, as Hypothesis
strategies, the disguises an IRI can wear in SPARQL (codepoint escapes, BASE and relative
IRIs, prefixed names with escaped local parts) and the hostile texts built with them: SERVICE
clauses behind decoys (`federated_query`), nestings too deep to parse (`deep_query`) and
updates of every form (`graph_update`). The embedded store's tests and those of drugkg over a
remote store draw from the same strategies."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hypothesis import strategies as st

EMPTY = b'{"head":{"vars":[]},"results":{"bindings":[]}}'


class Recorder:
    """An HTTP server on loopback that records the path of every request it gets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.paths.append(self.path)
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(200)
                self.send_header("content-type", "application/sparql-results+json")
                self.send_header("content-length", str(len(EMPTY)))
                self.end_headers()
                self.wfile.write(EMPTY)

            do_GET = do_POST = _answer  # noqa: N815 (the names http.server calls)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def escape_iri_chars(draw: st.DrawFn, text: str) -> str:
    """Some characters of an IRI's text as \\u or \\U codepoint escapes."""
    out = []
    for char in text:
        if draw(st.integers(0, 5)) == 0:
            out.append(f"\\u{ord(char):04X}" if draw(st.booleans()) else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "".join(out)


LOCAL_ESCAPABLE = set("_~.-!$&'()*+,;=/?#@%")


def local_name(draw: st.DrawFn, text: str) -> str | None:
    """`text` as the local part of a prefixed name, escaping what must be, or None."""
    out = []
    for index, char in enumerate(text):
        if char.isalnum() or char == "_" or char == ":":
            out.append(char)
        elif char in LOCAL_ESCAPABLE:
            # a '-' may stand bare inside a name; escaping is always allowed. So may a '.' by
            # the grammar, but pyoxigraph 0.5 misreads a name with more than one bare '.'
            # (`ex:a.b.c` is refused, `ex:7.0.0` read as `ex:7.0` and a number): its own
            # refusal of such a text is no fault of a guard, so the dots are escaped
            bare_ok = char == "-" and 0 < index < len(text) - 1
            out.append(char if bare_ok and draw(st.booleans()) else "\\" + char)
        else:
            return None
    return "".join(out)


@st.composite
def endpoint_written(draw: st.DrawFn, iri: str) -> tuple[str, str]:
    """(prologue, the endpoint as written) for the absolute IRI `iri`, in some disguise."""
    form = draw(st.sampled_from(["iri", "escaped", "base", "bases", "prefixed"]))
    if form == "iri":
        return "", f"<{iri}>"
    if form == "escaped":
        return "", f"<{escape_iri_chars(draw, iri)}>"
    scheme, rest = iri.split("://", 1)
    host, path = rest.split("/", 1)
    if form == "base":
        base = f"{scheme}://{host}/"
        return f"BASE <{escape_iri_chars(draw, base)}>\n", f"<{path}>"
    if form == "bases":
        return f"BASE <{scheme}://{host}/decoy/x/> BASE <../../>\n", f"<{path}>"
    cut = draw(st.integers(len(scheme) + 3, len(iri)))
    namespace, local = iri[:cut], iri[cut:]
    written = local_name(draw, local) if local else ""
    if written is None or (written and not (written[0].isalnum() or written[0] in "_:\\")):
        return "", f"<{iri}>"
    name = draw(st.sampled_from(["ex", "p", "a.b", "service", "x_1"]))
    prefix = f"PREFIX {name}: <{escape_iri_chars(draw, namespace)}>\n"
    return prefix, f"{name}:{written}"


def near_misses(root: str) -> st.SearchStrategy[str]:
    """The allow-listed endpoint `{root}/allowed/sparql`, or an IRI that nearly is."""
    return st.sampled_from(
        [
            f"{root}/allowed/sparql",
            f"{root}/other",
            f"{root}/allowed/sparql#frag",
            f"{root}/allowed/sparqlx",
            f"{root}/allowed/",
        ]
    )


def cased(draw: st.DrawFn, word: str) -> str:
    """`word` with each letter in either case (SPARQL's keywords are case-insensitive)."""
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word)


# Queries: a SERVICE clause to an endpoint in some disguise, behind decoys, in some wrapper.

DECOYS = [
    "",
    "BIND(ex:a\\#b AS ?q) ",
    'BIND("}#{\\"" AS ?s1) ',
    "BIND('''\n}}} # ''' AS ?s2) ",
    "?s <http://example.org/a#b> ?o . ",
    "# SERVICE <http://example.org/> { \n",
    'FILTER(?o != "SERVICE <x> {}") ',
    "BIND(<http://example.org/service> AS ?svc) ",
    "?service ?p ?o . ",
]

WRAPPERS = [
    "{inner}",
    "OPTIONAL {{ {inner} }}",
    "{{ ?s ?p ?o }} UNION {{ {inner} }}",
    "MINUS {{ {inner} }}",
    "GRAPH ?g {{ {inner} }}",
    "{{ SELECT * WHERE {{ {inner} }} }}",
    "FILTER EXISTS {{ {inner} }}",
]


@st.composite
def federated_query(draw: st.DrawFn, root: str) -> tuple[str, str]:
    """(query, the absolute endpoint IRI its SERVICE clause names)."""
    target = draw(near_misses(root))
    prologue, written = draw(endpoint_written(target))
    keyword = cased(draw, "service")
    gap = draw(st.sampled_from([" ", "\n", "\t", " # a comment }\n", "#\n"]))
    silent = draw(st.sampled_from(["", "SILENT ", "silent\n"]))
    clause = f"{keyword}{gap}{silent}{written}{gap}{{ ?x ?y ?z }}"
    wrapper = draw(st.sampled_from(WRAPPERS))
    decoy = draw(st.sampled_from(DECOYS))
    body = decoy + wrapper.format(inner=clause)
    # the decoys' prefix first: the disguise may declare `ex:` again, and the last one counts
    query = f"PREFIX ex: <http://example.org/>\n{prologue}SELECT * WHERE {{ {body} }}"
    return query, target


# Queries nested deeply, behind the same decoys (built, not drawn: Hypothesis would print
# megabytes of them).

DEPTH = st.one_of(st.integers(900, 20_000), st.just(450_000))
BRACKETS = [("{", "}"), ("(", ")"), ("[ ?p ", "]"), ("OPTIONAL {", "}"), ("<< ?s ?p ", ">>")]


def deep_query(decoy: str, brackets: tuple[str, str], depth: int, unary: int) -> str:
    opening, closing = brackets
    if opening == "(":
        core = f"FILTER({opening * depth}1{closing * depth})"
    elif opening.startswith("["):
        core = f"?s ?p {opening * depth}1{closing * depth}"
    elif opening.startswith("<<"):
        core = f"?s ?p {opening * depth}?o{closing * depth}"
    else:
        core = opening * depth + closing * depth
    nots = "FILTER(" + "!" * unary + "true) " if unary else ""
    return f"PREFIX ex: <http://example.org/>\nSELECT * WHERE {{ {decoy}{nots}{core} }}"


# Updates: every form SPARQL Update has, to a graph in some disguise.

UPDATE_OPERATIONS = [
    "INSERT DATA {{ GRAPH {g} {{ <{ex}a> <{ex}b> 1 }} }}",
    "DELETE WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}",
    "INSERT {{ GRAPH {g} {{ <{ex}a> <{ex}b> 1 }} }} WHERE {{}}",
    "WITH {g} DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "CLEAR GRAPH {g}",
    "CLEAR SILENT GRAPH {g}",
    "DROP GRAPH {g}",
    "DROP SILENT GRAPH {g}",
    "COPY <{ex}other> TO {g}",
    "MOVE DEFAULT TO {g}",
    "ADD {g} TO <{ex}copy>",
    "MOVE {g} TO <{ex}moved>",
]


@st.composite
def graph_update(
    draw: st.DrawFn, graphs: list[str], ex: str, operations: list[str] = UPDATE_OPERATIONS
) -> str:
    """An update that reaches one of `graphs`, its IRI in some disguise, sometimes after a
    CLEAR ALL or DROP NAMED; `ex` is the namespace of the other IRIs it names."""
    graph = draw(st.sampled_from(graphs))
    prologue, written = draw(endpoint_written(graph))
    operation = draw(st.sampled_from(operations)).format(g=written, ex=ex)
    before = draw(st.sampled_from(["", "CLEAR ALL ;\n", "DROP SILENT NAMED ;\n"]))
    return f"{prologue}{before}{operation}"
