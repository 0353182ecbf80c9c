"""The errors drugkg raises: each names what is wrong and where, and carries its exit code.

Broken input raises one of these; non-conformance (a SHACL violation, an inconsistent
ontology) is a result, reported by `graph.pipeline.build.validate`, not an exception. The command
line prints the message of any of them as one readable report, never a traceback.

    DrugkgError                      exit 2 unless noted
    ├── InputError(file, line, term)     an input file cannot be read or makes no sense
    │   ├── SeedError                    a seed's metadata or text is missing or invalid
    │   ├── QuoteError                   quotes do not match their source text (exit 1)
    │   ├── StatementError               a statement lies outside its quote's graph (exit 1)
    │   └── QuoteNotFoundError           text asked for is not in the source
    ├── StoreMissingError(path)          no store yet: run `drugkg build`
    ├── StoreError(path)                 the store cannot be written or opened
    ├── QueryError(line, column)         malformed SPARQL, with the parser's position
    │   └── NotAQueryError               an update (or other text) given where a query goes
    ├── UnknownFormatError(name, known)  output format unknown or unfit for the query form
    ├── ReasonerError                    HermiT could not run
    │   └── JavaMissingError             no Java runtime for HermiT
    ├── RemoteError(url, status)         a remote SPARQL server down, refusing or answering
    │   │                                what drugkg cannot use (exit 1)
    │   └── PublishError(graph)          `drugkg publish`: a graph not published, or the
    │                                    remote's count of it differs (exit 1)
    └── ChecksFailedError(result)        build refused: a check failed (exit 1); in
                                         graph.pipeline.build, beside the result it carries
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2


class DrugkgError(Exception):
    """Base of every error drugkg raises on purpose."""

    exit_code: int = EXIT_USAGE


class InputError(DrugkgError):
    """An input file (ontology, seed, facts, links, shapes, query) is unreadable or wrong."""

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        term: str | None = None,
    ) -> None:
        self.message = message
        self.file = Path(file) if file is not None else None
        self.line = line
        self.column = column
        self.term = term
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        term = f" (term {self.term})" if self.term else ""
        return f"{where}{self.message}{term}"


class SeedError(InputError):
    """A seed document's metadata (JSON) or verbatim text is missing or invalid."""


class QuoteError(InputError):
    """One or more quotes do not occur verbatim at their offsets in the source text."""

    exit_code = EXIT_CHECK_FAILED

    def __init__(self, problems: Sequence[str], *, file: Path | str | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} quote{'s' if count != 1 else ''} do{'es' if count == 1 else ''} not match"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head} the source text:\n{body}", file=file)


class StatementError(InputError):
    """Statements not laid out one quote per statement graph (`graph.pipeline.statements`)."""

    exit_code = EXIT_CHECK_FAILED

    def __init__(self, problems: Sequence[str], *, file: Path | str | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} with the statement graphs"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}:\n{body}", file=file)


class QuoteNotFoundError(InputError):
    """The text a curator asked to locate does not occur (often enough) in the source."""


class StoreMissingError(DrugkgError):
    """There is no store at the configured path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"no drugkg store at {path}: run `drugkg build` first "
            "(or set DRUGKG_STORE / --store to an existing store)"
        )


class StoreError(DrugkgError):
    """The store could not be written, swapped in or opened."""

    def __init__(self, message: str, *, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class StoreBusyError(StoreError):
    """Another process is writing the store (a build, a load): one writer at a time."""


class QueryError(DrugkgError):
    """A SPARQL query that does not parse (or fails to evaluate)."""

    heading = "invalid SPARQL query"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{self.heading}{where}: {message}" if self.heading else message)


class NotAQueryError(QueryError):
    """A text that is SPARQL but no query (an update), where only a query is run."""

    heading = ""


STORE_CHANGES = (
    "the store changes through `drugkg build` (the curated files), `drugkg load --graph IRI "
    "FILE` (an external dataset in a named graph of its own) and SPARQL Update sent with the "
    "write token, as `update=` or an application/sparql-update body, to an endpoint started "
    "with `drugkg serve --writable`"
)
"""How the store does change, for every refusal of an update where a query goes."""


def update_refused(where: str) -> str:
    """The message that refuses an update given to `where`, which runs queries only: the
    command line and the endpoint's `query=` say it in the same words."""
    return (
        f"this is a SPARQL Update, and {where} runs queries only (SELECT, ASK, CONSTRUCT, "
        f"DESCRIBE): {STORE_CHANGES}"
    )


class UnknownFormatError(DrugkgError):
    """An output format that is unknown, or does not fit the query form.

    `fits` says, for a known format that does not fit, what it is for ("graph results
    (CONSTRUCT, DESCRIBE)"); `known` lists the formats that fit (or every format)."""

    def __init__(
        self,
        name: str,
        known: Sequence[str],
        *,
        query_form: str | None = None,
        fits: str | None = None,
    ):
        self.name = name
        self.known = list(known)
        self.query_form = query_form
        listing = ", ".join(self.known)
        if query_form is None:
            message = f"unknown output format {name!r}; formats known: {listing}"
        elif fits is not None:
            message = (
                f"output format {name!r} is for {fits}, not for a {query_form} query; "
                f"formats for a {query_form} query: {listing}"
            )
        else:
            message = f"unknown output format {name!r}; formats for a {query_form} query: {listing}"
        super().__init__(message)


class ReasonerError(DrugkgError):
    """The OWL reasoner (HermiT) failed to run."""


class JavaMissingError(ReasonerError):
    """HermiT needs a Java runtime and none was found."""

    def __init__(self, tried: str) -> None:
        self.tried = tried
        super().__init__(
            f"HermiT needs Java, but {tried!r} was not found: install a Java runtime "
            "(e.g. `apt-get install default-jre-headless`) or set DRUGKG_JAVA to a java executable"
        )


class RemoteError(DrugkgError):
    """A remote SPARQL server (a query, update or Graph Store Protocol endpoint) could not be
    reached, refused a request, or answered something drugkg cannot use. `status` is the HTTP
    status of its answer (None when there was none) and `excerpt` a bounded, readable piece of
    the answer's body."""

    exit_code = EXIT_CHECK_FAILED

    def __init__(
        self, message: str, *, url: str, status: int | None = None, excerpt: str | None = None
    ) -> None:
        self.url = url
        self.status = status
        self.excerpt = excerpt
        super().__init__(message)


class PublishError(RemoteError):
    """`drugkg publish` stopped at `graph` (None: the default graph): the server refused it, or
    holds another number of quads for it than the store."""

    def __init__(
        self,
        message: str,
        *,
        graph: str | None,
        url: str,
        status: int | None = None,
        excerpt: str | None = None,
    ) -> None:
        self.graph = graph
        super().__init__(message, url=url, status=status, excerpt=excerpt)
