"""The `drugkg` command line: build, validate, query, serve, quote, source, draft, links, load,
publish.

Exit codes: 0 ok, 1 a check failed (a quote, HermiT or SHACL) or a remote server refused (a
publish), 2 bad usage or input. Every
error is printed as one readable report on stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from graph.errors import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    DrugkgError,
    QueryError,
    SeedError,
)
from graph.pipeline.build import (
    Announce,
    BuildReport,
    ChecksFailedError,
    StepReport,
    build,
    validate,
)
from graph.pipeline.inputs import Sources, ontology_prefixes
from graph.pipeline.quotes import locate, quote_turtle
from graph.pipeline.seeds import Seed, load_seed
from graph.query import output
from graph.query.run import query_form, read_query, refuse_update, run_query
from graph.query.tables import prefixed, render_table
from graph.query.text import StackTooSmallError, run_on_deep_stack
from graph.settings import Settings
from graph.storage.publish import DEFAULT_TIMEOUT
from graph.storage.versions import open_read_only, writer_lock

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        if getattr(args, "store", None) is not None:
            settings = settings.model_copy(update={"store": Path(args.store)})
        handler: Handler = args.handler
        return handler(args, settings)
    except ChecksFailedError as exc:
        print(f"drugkg {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except DrugkgError as exc:
        print(f"drugkg {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:
        print(f"drugkg: invalid DRUGKG_* setting:\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader of our output went away (`drugkg query ... | head`)
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # the machine refused: permissions, a full disk, a locked store
        print(f"drugkg {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drugkg", description="Build, check, query and serve the drugkg knowledge graph."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build and validate; swap the new store in atomically")
    p.add_argument("--store", type=Path, help="store path (default: DRUGKG_STORE)")
    p.set_defaults(handler=_build)

    p = sub.add_parser(
        "validate",
        help="run every check, write nothing; exit 1 on a violation",
        description="Run every check of the build and write nothing. With DOC-ID, check that "
        "document's quotes and statement graphs (the entities, HermiT and SHACL still see the "
        "whole graph) and also report entities defined twice and statements without a quote "
        "(errors) and mentions of known entities its statements leave unlinked (information), "
        "each with its file and line.",
    )
    p.add_argument("doc_id", nargs="?", metavar="DOC-ID", help="check this document's facts")
    p.add_argument(
        "--shacl-report", metavar="FILE|-", help="write the SHACL report (Turtle) here, - = stdout"
    )
    p.set_defaults(handler=_validate)

    p = sub.add_parser(
        "query",
        help="run a SPARQL query against the store",
        description="Run a SPARQL 1.1 query. The default graph is the union of the named "
        "graphs (DRUGKG_UNION_DEFAULT_GRAPH); the ontology's prefixes (dk:, rdfs:, schema:...) "
        "and dkid:, source:, graph: may be used without PREFIX declarations.",
    )
    p.add_argument("--store", type=Path, help="store path (default: DRUGKG_STORE)")
    p.add_argument(
        "--format",
        default=output.TABLE,
        help=f"one of: {', '.join(output.names())} (default: table; long cells are cut but "
        "in the last column, csv and json show every value in full)",
    )
    p.add_argument("query", metavar="QUERY|FILE", help="query text, or a path to a .rq file")
    p.set_defaults(handler=_query)

    p = sub.add_parser(
        "serve",
        help="serve the SPARQL endpoint (builds first if needed)",
        description="Serve the endpoint and the site over the store (built first when it is "
        "missing), or with --remote over a remote SPARQL 1.1 server holding drugkg's graphs.",
    )
    p.add_argument("--store", type=Path, help="store path (default: DRUGKG_STORE)")
    p.add_argument(
        "--remote",
        metavar="QUERY_URL",
        help="answer from this remote SPARQL 1.1 query endpoint instead of the store "
        "(default: DRUGKG_REMOTE); read-only",
    )
    p.add_argument("--host", help="address to listen on (default: DRUGKG_HOST, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default: DRUGKG_PORT, 8000)")
    p.add_argument("--workers", type=int, help="server processes (default: DRUGKG_WORKERS)")
    p.add_argument(
        "--writable",
        action="store_true",
        help="accept SPARQL Update and Graph Store Protocol writes from clients that send "
        "the write token (DRUGKG_WRITE_TOKEN_FILE)",
    )
    p.set_defaults(handler=_serve)

    p = sub.add_parser("quote", help="print the Turtle of a quote of a seed document")
    p.add_argument("doc_id", metavar="DOC-ID", help="seed document id")
    p.add_argument("exact", help="the exact text to quote")
    p.add_argument("--occurrence", type=int, default=1, help="which occurrence (default 1)")
    p.set_defaults(handler=_quote)

    source = sub.add_parser("source", help="add a source document (a seed) for curation")
    source_sub = source.add_subparsers(dest="source_command", required=True, metavar="ACTION")
    p = source_sub.add_parser(
        "add",
        help="copy a verbatim UTF-8 text into the seeds with its metadata",
        description="Copy TEXT_FILE byte for byte to DRUGKG_SEEDS_DIR/DOC-ID.txt and write "
        "its metadata DOC-ID.json. Refused, with nothing written, when DOC-ID exists or is no "
        "lowercase slug, the text is not UTF-8, or the metadata does not validate.",
    )
    p.add_argument("text_file", type=Path, metavar="TEXT_FILE", help="the verbatim text")
    p.add_argument("--id", required=True, dest="doc_id", metavar="DOC-ID", help="document id")
    p.add_argument("--title", required=True, help="the document's title")
    p.add_argument("--publisher", required=True, help="who published it (its entity's label)")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="day of publication")
    p.add_argument("--url", help="where it was published")
    p.add_argument("--language", default="en", help="language tag of the text (default en)")
    p.set_defaults(handler=_source_add)

    p = sub.add_parser(
        "draft",
        help="write DOC-ID.draft.trig: sentences as ready quotes, mentions, names, cues",
        description="Write DRUGKG_FACTS_DIR/DOC-ID.draft.trig for a curator: every sentence of "
        "the seed text as a ready quote, with the known entities it mentions, names the "
        "entities graph does not know and attribution cues, and candidate links from the "
        "verified identifiers (DRUGKG_SHARED_DIR/linking/verified-ids.tsv) for new names and "
        "unlinked entities. The build never reads drafts.",
    )
    p.add_argument("doc_id", metavar="DOC-ID", help="seed document id")
    p.add_argument("--force", action="store_true", help="write over an existing draft")
    p.set_defaults(handler=_draft)

    links = sub.add_parser("links", help="check the link set, or suggest links to review")
    links_sub = links.add_subparsers(dest="links_command", required=True, metavar="ACTION")
    p = links_sub.add_parser("check", help="every link well-formed; every linkable entity linked")
    p.add_argument("--store", type=Path, help="store path (default: DRUGKG_STORE)")
    p.set_defaults(handler=_links_check)
    p = links_sub.add_parser("suggest", help="candidate links for unlinked entities, to review")
    p.add_argument("--store", type=Path, help="store path (default: DRUGKG_STORE)")
    p.add_argument("--against", type=Path, required=True, help="external extract (.nt, .ttl)")
    p.add_argument("--output", type=Path, default=Path("link-candidates.tsv"), help="review file")
    p.set_defaults(handler=_links_suggest)

    p = sub.add_parser("load", help="load an external dataset into its own named graph")
    p.add_argument("--store", type=Path, help="store path (default: DRUGKG_STORE)")
    p.add_argument("--graph", required=True, metavar="IRI", help="the named graph to load into")
    p.add_argument("file", type=Path, metavar="FILE", help="RDF file (.nt, .ttl, .rdf)")
    p.set_defaults(handler=_load)

    p = sub.add_parser(
        "publish",
        help="push every graph of the store to a SPARQL 1.1 server (Graph Store Protocol)",
        description="PUT every named graph of the store (and its default graph when it holds "
        "quads) to GSP_URL, one graph at a time, and check with a COUNT query per graph to "
        "QUERY_URL that the remote holds as many quads. With --update, each graph is PUT to a "
        "staging graph and moved into place with a SPARQL Update MOVE, so a graph that fails "
        "keeps its previous content on the remote whatever the server's PUT does. The password "
        "is read from a file, never from the command line.",
    )
    p.add_argument("--store", type=Path, help="store path (default: DRUGKG_STORE)")
    p.add_argument("--remote", required=True, metavar="QUERY_URL", help="SPARQL query endpoint")
    p.add_argument("--gsp", required=True, metavar="GSP_URL", help="Graph Store Protocol endpoint")
    p.add_argument(
        "--update",
        metavar="UPDATE_URL",
        help="SPARQL Update endpoint: stage each graph and MOVE it in (needed for a graph that "
        "fails to keep its old content where the server's PUT is not atomic, as Virtuoso's)",
    )
    p.add_argument("--user", metavar="NAME", help="user for HTTP Basic or Digest authentication")
    p.add_argument(
        "--password-file", type=Path, metavar="FILE", help="file holding the user's password"
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="drop the remote's graphs under the build's graph namespace that the store lacks",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"longest wait for one answer of the server (default {DEFAULT_TIMEOUT:g})",
    )
    p.set_defaults(handler=_publish)
    return parser


def _source_add(args: argparse.Namespace, settings: Settings) -> int:
    from graph.curation.sources import add_source

    sources = Sources.from_settings(settings)
    added = add_source(
        args.text_file,
        doc_id=args.doc_id,
        title=args.title,
        publisher=args.publisher,
        date=args.date,
        url=args.url,
        language=args.language,
        seeds_dir=sources.seeds,
        entities_dir=sources.entities,
    )
    print(f"added {added.text_path} ({added.characters} characters) and {added.json_path}")
    for note in added.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"next: drugkg draft {args.doc_id}")
    return EXIT_OK


def _draft(args: argparse.Namespace, settings: Settings) -> int:
    from graph.curation.draft import write_draft
    from graph.curation.entities import read_entities
    from graph.curation.suggestions import linked_entities
    from graph.linking.verified import read_verified

    sources = Sources.from_settings(settings)
    seed = _seed(sources, args.doc_id)
    table = settings.verified_ids
    verified = read_verified(table) if table.is_file() else None
    draft = write_draft(
        seed,
        read_entities(sources.entities),
        sources.facts,
        force=args.force,
        linked=linked_entities(sources.links),
        verified=verified,
        table=table,
    )
    sentences = draft.sentences
    print(
        f"wrote {draft.path}: {len(sentences)} sentences, "
        f"{sum(len(a.mentions) for a in sentences)} mentions of known entities, "
        f"{sum(len(a.names) for a in sentences)} new names, "
        f"{sum(1 for a in sentences if a.cues)} sentences with attribution cues, "
        f"{sum(len(s.links) for s in draft.links)} candidate links for {len(draft.links)} "
        "entities or names"
    )
    if verified is None:
        print(f"note: no verified identifiers at {table}: no candidate links", file=sys.stderr)
    print(f"next: curate it into {sources.facts / (seed.doc_id + '.trig')} (graph/facts/README.md)")
    return EXIT_OK


def _seed_of(settings: Settings, doc_id: str) -> Seed:
    return _seed(Sources.from_settings(settings), doc_id)


def _seed(sources: Sources, doc_id: str) -> Seed:
    json_path = sources.seeds / f"{doc_id}.json"
    if not json_path.is_file():
        known = sorted(p.stem for p in sources.seeds.glob("*.json"))
        raise SeedError(f"no seed {doc_id!r}; known: {', '.join(known) or 'none'}")
    return load_seed(json_path)


def _links_check(args: argparse.Namespace, settings: Settings) -> int:
    from graph.linking.linkset import check

    report = check(open_read_only(settings.store), settings.base_iri)
    print(f"{report.links} links checked; {len(report.unlinked)} entities unlinked with a reason")
    for entity, kind, reason in report.unlinked:
        print(f"unlinked {kind} {entity}: {reason}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED


def _links_suggest(args: argparse.Namespace, settings: Settings) -> int:
    from graph.linking.linkset import check, suggest, write_review

    store = open_read_only(settings.store)
    candidates = suggest(store, check(store, settings.base_iri), args.against)
    write_review(candidates, args.output)
    print(f"{len(candidates)} candidates written to {args.output} for review; no link was added")
    return EXIT_OK


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from graph.storage.loading import load

    path: Path = args.file
    terminal = sys.stderr.isatty()  # progress for a person watching; a log stays quiet
    size = path.stat().st_size if terminal and path.is_file() else 0
    with tqdm(
        total=size,
        desc=f"reading {path.name}",
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        disable=not terminal,
        dynamic_ncols=True,
    ) as bar:

        def advance(count: int) -> None:
            bar.update(count)

        def say(what: str) -> None:
            bar.close()  # the file is read: the bar stays, full, above the next steps
            if terminal:
                print(f"drugkg load: {what}", file=sys.stderr, flush=True)

        report = load(settings, args.graph, path, progress=advance, announce=say)
    print(
        f"loaded {report.triples} triples into <{report.graph}> (replacing {report.replaced}); "
        f"the store holds {report.store_quads} quads"
    )
    return EXIT_OK


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from graph.storage.publish import (
        GraphOutcome,
        LocalGraph,
        PublishUsageError,
        Remote,
        check_url,
        publish,
        read_password,
    )
    from graph.storage.versions import hold_version

    if (args.user is None) != (args.password_file is None):
        raise PublishUsageError(
            "--user and --password-file go together (the password is read from the file, "
            "never taken from the command line)"
        )
    remote = Remote(
        query=check_url(args.remote, "--remote"),
        gsp=check_url(args.gsp, "--gsp"),
        update=None if args.update is None else check_url(args.update, "--update"),
        user=args.user,
        password=None if args.password_file is None else read_password(args.password_file),
        timeout=args.timeout,
    )
    hold = hold_version(settings.store)  # no build deletes the version while it is read
    try:
        store = open_read_only(hold.version)
        terminal = sys.stderr.isatty()
        with tqdm(
            total=len(store),
            desc="publishing",
            unit="quads",
            file=sys.stderr,
            disable=not terminal,
            dynamic_ncols=True,
        ) as bar:

            class Bar:
                def starting(self, graph: LocalGraph) -> None:
                    bar.set_description(_short(graph.name, settings.base_iri))

                def finished(self, outcome: GraphOutcome) -> None:
                    bar.update(outcome.graph.quads)

            report = publish(
                store,
                remote,
                namespace=settings.base_iri + "graph/",
                prune=args.prune,
                watcher=Bar(),
            )
    finally:
        hold.release()
    prefixes = {"graph": settings.base_iri + "graph/"}
    rows = [
        [
            "(default graph)" if o.graph.name is None else prefixed(o.graph.name, prefixes),
            str(o.graph.quads),
            str(o.remote) + (f" ({o.merged} merged)" if o.merged else ""),
            o.how,
            f"{o.seconds:.2f}",
        ]
        for o in report.outcomes
    ]
    rows.append(["total", str(report.quads), str(sum(o.remote for o in report.outcomes)), "", ""])
    print(render_table(["graph", "quads", "remote", "how", "seconds"], rows, count=False), end="")
    mode = "staged and moved" if remote.staged else "PUT directly"
    print(
        f"published {len(report.outcomes)} graphs ({report.quads} quads, {mode}) to "
        f"{remote.gsp} in {report.seconds:.2f} s; every graph's count checked at {remote.query}"
        + (f" (server: {report.server})" if report.server else "")
    )
    merged = sum(o.merged for o in report.outcomes)
    if merged:
        print(
            f"the server keeps one literal per value: {merged} quads whose objects equal "
            "another's in value were merged"
        )
    for name in report.pruned:
        print(f"pruned <{name}> (not in the store)")
    for name in report.stale:
        if name not in report.pruned:
            print(
                f"warning: the remote holds <{name}>, which the store does not (kept; --prune "
                "drops it)",
                file=sys.stderr,
            )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _short(graph: str | None, base_iri: str) -> str:
    if graph is None:
        return "(default graph)"
    return prefixed(graph, {"graph": base_iri + "graph/"})


WAIT_FOR_WRITER = 130.0
"""How long a build waits for a writer already at work: a write over HTTP ends within the
server's write time limit (DRUGKG_WRITE_TIMEOUT, 120 s by default)."""


def _announce(command: str) -> Announce:
    """Print each step of a build as it starts, so long work shows where it is."""

    def say(step: str, what: str) -> None:
        print(f"drugkg {command}: {step}: {what}", file=sys.stderr, flush=True)

    return say


def _build(args: argparse.Namespace, settings: Settings) -> int:
    # a write over HTTP in progress finishes within its time limit: wait for it, then build
    with writer_lock(settings.store, "drugkg build", wait=WAIT_FOR_WRITER):
        report = build(settings, announce=_announce("build"))
    print(format_build_report(report))
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def format_build_report(report: BuildReport) -> str:
    """The steps, the checks and the quads per named graph of a build, for a terminal."""
    prefixes = {"graph": _graph_ns(report)}
    lines = [f"built {report.store} -> {report.version.name}", "", _steps_table(report.steps)]
    lines.append(report.validation.summary())
    rows = [[prefixed(g, prefixes), str(n)] for g, n in report.counts.items()]
    rows.append(["total", str(sum(report.counts.values()))])
    lines += ["", render_table(["named graph", "quads"], rows, count=False)]
    lines.append(f"dump: {report.dump}")
    return "\n".join(lines)


def _graph_ns(report: BuildReport) -> str:
    names = list(report.counts)
    return names[0].rsplit("graph/", 1)[0] + "graph/" if names else ""


def _steps_table(steps: Sequence[StepReport]) -> str:
    rows = [[s.name, f"{s.seconds:.2f}", f"{s.peak_rss_mb:.0f}", s.detail] for s in steps]
    return render_table(["step", "seconds", "peak MB", "detail"], rows, count=False)


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    findings: list[str] = []
    errors = 0
    if args.doc_id is not None:
        from graph.curation.checks import curation_findings

        found = curation_findings(Sources.from_settings(settings), _seed_of(settings, args.doc_id))
        findings = [str(f) for f in found]
        errors = sum(f.error for f in found)
    documents = None if args.doc_id is None else {args.doc_id}
    result = validate(settings, documents=documents, announce=_announce("validate"))
    to_stdout = args.shacl_report == "-"
    out = sys.stderr if to_stdout else sys.stdout
    print(result.summary(), file=out)
    if args.doc_id is not None:
        print(
            f"{args.doc_id}: {errors} curation error(s), {len(findings) - errors} note(s)",
            file=out,
        )
        for line in findings:
            print(line, file=out)
    if args.shacl_report and result.shacl is not None:
        text = result.shacl.turtle()
        if to_stdout:
            sys.stdout.write(text)
        else:
            Path(args.shacl_report).write_text(text, encoding="utf-8")
    return EXIT_OK if result.ok and not errors else EXIT_CHECK_FAILED


def _query(args: argparse.Namespace, settings: Settings) -> int:
    text = read_query(args.query)
    # an unknown or unfit format, or an update, fails before the store is opened
    output.check_name(args.format)
    refuse_update(text)
    output.check_fits(args.format, query_form(text))
    store = open_read_only(settings.store)
    prefixes = ontology_prefixes(Sources.from_settings(settings), settings.base_iri)

    def answer() -> bytes:
        result = run_query(
            store, text, union_default_graph=settings.union_default_graph, prefixes=prefixes
        )
        try:
            return output.write_result(result, args.format, prefixes)
        except (OSError, RuntimeError) as exc:  # results are computed lazily, while serialising
            raise QueryError(f"evaluation failed: {exc}") from exc

    try:  # on a stack deep enough for this text: see graph.query.text (pyoxigraph recurses)
        written = run_on_deep_stack(answer, len(text))
    except StackTooSmallError as exc:
        raise QueryError(f"the query is too long to be parsed safely here: {exc}") from exc
    sys.stdout.buffer.write(written)
    sys.stdout.flush()
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Build a missing store, then become the endpoint (`python -m endpoint`).

    The knowledge graph never imports the service; the service is started as its own
    program, with the same settings (DRUGKG_* variables, the store path among them). Over a
    remote store (`--remote`) nothing is built: the endpoint answers from the remote."""
    if not (args.remote or settings.remote) and not settings.store.exists():
        print(f"drugkg serve: no store at {settings.store}, building it first", file=sys.stderr)
        with writer_lock(settings.store, "drugkg serve (building a missing store)"):
            report = build(settings, announce=_announce("serve"))
            print(format_build_report(report), file=sys.stderr)
    command = [sys.executable, "-m", "endpoint"]
    for option in ("host", "port", "workers"):
        value = getattr(args, option)
        if value is not None:
            command += [f"--{option}", str(value)]
    if args.writable:
        command.append("--writable")
    if args.remote:
        command += ["--remote", args.remote]
    environment = {**os.environ, "DRUGKG_STORE": str(settings.store)}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, environment)


def _quote(args: argparse.Namespace, settings: Settings) -> int:
    seed = _seed(Sources.from_settings(settings), args.doc_id)
    start, end = locate(seed.text, args.exact, args.occurrence)
    sys.stdout.write(quote_turtle(seed.doc_id, seed.text, start, end))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
