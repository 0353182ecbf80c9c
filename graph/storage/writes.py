"""Writes to the store: each one a new version, checked, audited, then swapped in.

A write (a SPARQL Update, or one graph put, added to or deleted by the Graph Store Protocol)
never changes a version that readers use. The writer, one at a time (`versions.writer_lock`):

1. makes the new version a checkpoint of the current one (`Store.backup`: hard links to the
   current version's immutable files, milliseconds even at a million quads);
2. applies the change to it: pyoxigraph applies an update or a load whole or not at all;
3. compares it with the current version. The quads of every named graph and of the default
   graph are counted on both sides (one aggregate query each; a version's counts are kept
   beside it once known). The build's own graphs (`<base>graph/...`) are compared exactly, by a
   digest of their sorted N-Quads (they are the curated graphs, small beside loaded data): a
   change to one refuses the write (`BuildGraphWriteError`: its name, and that it changes
   through the curated files and a build);
4. validates the graphs the write touched with the shapes, with the ontology and the source
   documents beside them, when they use a drugkg term: a violation refuses the write with the
   SHACL report (`ShapesViolatedError`). Foreign data that no shape targets is accepted as is;
5. records the write in the `audit` graph, inside the same new version, so the record and the
   data commit together: a prov:Activity with its time, the non-secret id of the token, the
   operation, and per graph touched the quads before and after and the quads added and
   removed;
6. flushes and closes the new version, keeps its counts beside it, swaps the store's symlink
   over to it and syncs the folder: from then on the write is durable, and every server
   process answers from it on its next request.

A writer killed at any point leaves the old version current (the next writer removes the
half-made one) or the new one complete: never a mix. A write that is refused changes nothing.

Quads added and removed are exact for the Graph Store Protocol and for INSERT DATA and DELETE
DATA (the quads are known, each is looked up); for a pattern update (DELETE/INSERT WHERE,
CLEAR, COPY...) they are what the counts say: a graph whose count did not move is reported
when the update names it, and a count-neutral change to a graph the update reaches only
through a variable is checked, as every change, but not itemised.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import json
import os
import shutil
import sys
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import rdflib
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
)

from graph.errors import DrugkgError, InputError
from graph.pipeline import shacl
from graph.query.tokens import tokens
from graph.settings import Settings
from graph.storage.loading import AUDIT_GRAPH, is_build_graph
from graph.storage.statistics import DEFAULT, quads_per_graph
from graph.storage.versions import current_version, remove_unused, stamp, swap_in
from graph.vocabulary.namespace import DK, PROV, RDF, XSD

METADATA_FORMAT = 1
"""The layout of the counts and digests kept beside a version; another is computed anew."""

UPDATE_TEXT_MAX = 10_000
"""Characters of an update's text the audit keeps."""

_DATA_KEYWORDS = frozenset({"INSERT", "DELETE", "DATA", "PREFIX", "BASE"})


class WriteError(DrugkgError):
    """A write that was refused; nothing changed."""


class BuildGraphWriteError(WriteError):
    """The write would change one of the build's own graphs."""

    def __init__(self, graphs: list[str]) -> None:
        self.graphs = graphs
        names = ", ".join(f"<{g}>" for g in graphs)
        super().__init__(
            f"the write would change {names}: the build's own graphs come from the curated "
            "files (ontology/, graph/entities/, graph/facts/, graph/links/) and change only "
            "through them and `drugkg build`, and the audit graph only records writes; "
            "write your data to a graph of your own"
        )


class ShapesViolatedError(WriteError):
    """The store after the write would violate the shapes."""

    def __init__(self, report: shacl.ShaclReport) -> None:
        self.report = report
        shown = [str(v) for v in report.violations[:20]]
        more = len(report.violations) - len(shown)
        super().__init__(
            f"the write would violate the shapes ({len(report.violations)} results); nothing "
            "was changed:\n"
            + "\n".join(shown)
            + (f"\n... and {more} more (the SHACL report has them all)" if more > 0 else "")
        )

    def turtle(self) -> bytes:
        return self.report.graph.serialize(format="turtle").encode()


class GraphMissingError(WriteError):
    """A Graph Store Protocol request for a graph the store does not hold."""


@dataclass(frozen=True, slots=True)
class WriteJob:
    """What to write, as the endpoint received it."""

    operation: str
    """`update`, or the Graph Store Protocol's `put`, `post`, `delete`."""
    token_id: str
    """A non-secret name of the token that authorised the write."""
    update: str | None = None
    base_iri: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    graph: str | None = None
    """The Graph Store Protocol's target graph; None: the store's default graph."""
    payload: str | None = None
    """A file holding the RDF payload of a put or post."""
    payload_format: str | None = None
    """Its media type (`RdfFormat.from_media_type`)."""
    named: tuple[str, ...] = ()
    """Graphs the update names as targets (resolved IRIs; "" for the default graph): they
    are reported even when their count did not move."""


@dataclass(slots=True)
class GraphChange:
    before: int
    after: int
    added: int
    removed: int
    exact: bool


@dataclass(slots=True)
class WriteOutcome:
    version: str
    created: bool
    """The Graph Store Protocol request made a graph that did not exist (201)."""
    changes: dict[str, GraphChange]
    activity: str
    """The IRI of the audit record."""

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class _Digest:
    """A file-like sink pyoxigraph dumps into, keeping only a digest of the bytes."""

    def __init__(self) -> None:
        self.hash = hashlib.blake2b(digest_size=16)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)

    def flush(self) -> None:
        pass


def protected(graph: str, base_iri: str) -> bool:
    """A graph no write over HTTP may change: the build's own, and the audit graph (which
    only the writer's own record extends)."""
    return is_build_graph(graph, base_iri) or graph == base_iri + AUDIT_GRAPH


def build_digests(store: Store, base_iri: str, graphs: Iterable[str]) -> dict[str, str]:
    """A digest of the N-Quads of each protected graph among `graphs` (the store lists a
    graph's quads in the order of its index, so equal graphs give equal bytes)."""
    digests = {}
    for graph in sorted(graphs):
        if protected(graph, base_iri):
            sink = _Digest()
            store.dump(cast(IO[bytes], sink), RdfFormat.N_QUADS, from_graph=NamedNode(graph))
            digests[graph] = sink.hash.hexdigest()
    return digests


def _metadata_file(version: Path) -> Path:
    return version.with_name(f"{version.name}.writes.json")


def written(version: Path) -> bool:
    """Whether a write over HTTP made this version, or was applied on top of it."""
    return _metadata_file(version.resolve()).exists()


def version_metadata(
    version: Path, store: Store, base_iri: str
) -> tuple[dict[str, int], dict[str, str]]:
    """The counts and build-graph digests of a version: kept beside it, else computed."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads(_metadata_file(version).read_text(encoding="utf-8"))
        if data["format"] == METADATA_FORMAT:
            return dict(data["counts"]), dict(data["build"])
    counts = quads_per_graph(store)
    digests = build_digests(store, base_iri, counts)
    _keep_metadata(version, counts, digests)
    return counts, digests


def _keep_metadata(version: Path, counts: dict[str, int], digests: dict[str, str]) -> None:
    path = _metadata_file(version)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):  # a read-only location: computed again next time
        kept = {"format": METADATA_FORMAT, "counts": counts, "build": digests}
        temporary.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(temporary, path)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    """fsync every file of a new version and its folders, before it is swapped in."""
    for folder, _, files in os.walk(root):
        for name in files:
            _fsync(os.path.join(folder, name))
        _fsync(folder)


def _graph_node(key: str | None) -> NamedNode | DefaultGraph:
    return NamedNode(key) if key else DefaultGraph()


def _key(quad: Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else DEFAULT


def _payload_quads(job: WriteJob) -> set[Quad]:
    assert job.payload is not None
    assert job.payload_format is not None
    fmt = RdfFormat.from_media_type(job.payload_format)
    if fmt is None:
        raise InputError(f"cannot read {job.payload_format} payloads")
    target = _graph_node(job.graph)
    try:
        parsed = parse(path=job.payload, format=fmt, base_iri=job.base_iri)
        return {Quad(q.subject, q.predicate, q.object, target) for q in parsed}
    except SyntaxError as exc:
        where = str(exc).replace(f"({Path(job.payload).name}, ", "(")
        raise InputError(f"the {job.payload_format} payload does not parse: {where}") from exc


def _apply_graph_store(
    store: Store, job: WriteJob, old: Store, before: dict[str, int]
) -> tuple[bool, dict[str, tuple[int, int]]]:
    """A Graph Store Protocol put, post or delete; returns (the graph was created, exact
    (added, removed) of its graph)."""
    key = job.graph or DEFAULT
    target = _graph_node(job.graph)
    named = isinstance(target, NamedNode)
    existed = key in before or (named and old.contains_named_graph(cast(NamedNode, target)))
    if job.operation == "delete":
        if not existed:
            raise GraphMissingError(f"the store holds no graph {_name(job.graph)}")
        if named:
            store.remove_graph(cast(NamedNode, target))
        else:
            store.clear_graph(target)
        return False, {key: (0, before.get(key, 0))}
    quads = _payload_quads(job)
    present = sum(1 for quad in quads if quad in old)
    if job.operation == "put":
        store.clear_graph(target) if existed else None
        removed = before.get(key, 0) - present
    else:  # post: the payload is merged into the graph
        removed = 0
    if named and not existed:
        store.add_graph(cast(NamedNode, target))
    store.extend(quads)
    return named and not existed, {key: (len(quads) - present, removed)}


def data_only(update: str) -> bool:
    """The update holds nothing but INSERT DATA and DELETE DATA operations (and prologues):
    read from its tokens outside any brackets."""
    depth = 0
    for token in tokens(update):
        if token.text in ("{", "(", "["):
            depth += 1
        elif token.text in ("}", ")", "]"):
            depth -= 1
        elif depth == 0 and token.kind == "word" and token.keyword not in _DATA_KEYWORDS:
            return False
    return True


def _mentioned_quads(job: WriteJob) -> set[Quad] | None:
    """Every quad the INSERT DATA and DELETE DATA operations of a data-only update name:
    the update, each DELETE DATA read as INSERT DATA (the same grammar), run on an empty
    store. None when that cannot be done exactly (blank nodes, or a text it cannot read)."""
    assert job.update is not None
    pieces, at = [], 0
    words = [t for t in tokens(job.update) if t.kind == "word"]
    for word, after in itertools.pairwise(words):
        if word.keyword == "DELETE" and after.keyword == "DATA":
            pieces += [job.update[at : word.start], "INSERT"]
            at = word.end
    probe = Store()
    try:
        text = "".join([*pieces, job.update[at:]])
        probe.update(text, base_iri=job.base_iri, prefixes=job.prefixes or None)
    except (SyntaxError, OSError, ValueError):
        return None
    quads = set(probe)
    if any(isinstance(t, BlankNode) for q in quads for t in (q.subject, q.object)):
        return None  # the store mints its own blank nodes: they cannot be looked up
    return quads


def _apply_update(store: Store, job: WriteJob, old: Store) -> dict[str, tuple[int, int]]:
    """A SPARQL Update; returns exact (added, removed) per graph where they are known."""
    assert job.update is not None
    mentioned = _mentioned_quads(job) if data_only(job.update) else None
    store.update(job.update, base_iri=job.base_iri, prefixes=job.prefixes or None)
    if mentioned is None:
        return {}
    exact: dict[str, tuple[int, int]] = {}
    for quad in mentioned:
        was, now = quad in old, quad in store
        if was != now:
            added, removed = exact.get(_key(quad), (0, 0))
            exact[_key(quad)] = (added + (now and not was), removed + (was and not now))
    for key in {_key(q) for q in mentioned}:
        exact.setdefault(key, (0, 0))
    return exact


def _keeps_protected(job: WriteJob, base: str) -> bool:
    """Whether the update reaches protected graphs only through CLEAR or DROP of ALL or
    NAMED, naming none of them: then ALL and NAMED mean the graphs this writer may change,
    and the protected ones are kept as they were (as a server keeps its system graphs out of
    them). An update that names a protected graph is refused instead."""
    if job.operation != "update" or job.update is None:
        return False
    words = [t.keyword for t in tokens(job.update)]
    clears = False
    for i, word in enumerate(words):
        if word in ("CLEAR", "DROP"):
            rest = words[i + 1 : i + 3]
            target = rest[1:2] if rest[:1] == ["SILENT"] else rest[:1]
            clears = clears or target in (["ALL"], ["NAMED"])
    return clears and not _names_protected(job.update, base, job.prefixes)


def _names_protected(update: str, base: str, prefixes: dict[str, str]) -> bool:
    """Whether an IRI or prefixed name in the update is a protected graph (read from its
    tokens, PREFIX declarations included; relative IRIs are not resolved: naming a protected
    graph that way gives a refusal that names it all the same)."""
    declared = dict(prefixes)
    scanned = list(tokens(update))
    declarations: set[int] = set()  # the tokens of PREFIX and BASE declarations
    for i, (word, name, iri) in enumerate(zip(scanned, scanned[1:], scanned[2:], strict=False)):
        if word.keyword == "PREFIX" and name.kind == "pname" and iri.kind == "iri":
            declared[name.text.rstrip(":")] = iri.text[1:-1]
            declarations.update((i + 1, i + 2))
        elif word.keyword == "BASE" and name.kind == "iri":
            declarations.add(i + 1)
    for i, token in enumerate(scanned):
        if i in declarations:
            continue
        if token.kind == "iri":
            value = token.text[1:-1]
        elif token.kind == "pname" and ":" in token.text:
            prefix, local = token.text.split(":", 1)
            if prefix not in declared or not local:
                continue
            value = declared[prefix] + local
        else:
            continue
        if protected(value, base):
            return True
    return False


def _filled(store: Store, graphs: Iterable[str]) -> bool:
    """Whether any of the protected `graphs` holds a quad after the update: then it was
    written to, not only cleared, and the update is refused rather than restored."""
    return any(
        next(iter(store.quads_for_pattern(None, None, None, NamedNode(g))), None) is not None
        for g in graphs
    )


def _restore(store: Store, old: Store, graphs: Iterable[str]) -> None:
    """Put the protected `graphs` back as they are in `old`."""
    for graph in graphs:
        node = NamedNode(graph)
        if store.contains_named_graph(node):
            store.remove_graph(node)
        quads = list(old.quads_for_pattern(None, None, None, node))
        if quads or old.contains_named_graph(node):
            store.add_graph(node)
            store.extend(quads)


def _known_graphs(job: WriteJob, exact: dict[str, tuple[int, int]]) -> set[str] | None:
    """The only graphs the write can have changed, when that is known exactly: the Graph
    Store Protocol's graph, or the graphs an INSERT DATA / DELETE DATA update names."""
    if job.operation != "update":
        return {job.graph or DEFAULT}
    if exact:  # a data-only update whose quads were all read (`_mentioned_quads`)
        return set(exact)
    return None


def _counts_after(before: dict[str, int], exact: dict[str, tuple[int, int]]) -> dict[str, int]:
    after = dict(before)
    for key, (added, removed) in exact.items():
        after[key] = after.get(key, 0) + added - removed
        if not after[key]:
            del after[key]
    return after


def _name(graph: str | None) -> str:
    return f"<{graph}>" if graph else "the default graph"


def _changes(
    job: WriteJob,
    before: dict[str, int],
    after: dict[str, int],
    exact: dict[str, tuple[int, int]],
    exact_everywhere: bool,
) -> dict[str, GraphChange]:
    """What the write did to each graph it touched or named."""
    named = set(job.named)
    if job.operation != "update":
        named.add(job.graph or DEFAULT)
    changes: dict[str, GraphChange] = {}
    for key in sorted(set(before) | set(after) | set(exact) | named):
        b, a = before.get(key, 0), after.get(key, 0)
        if key in exact:
            added, removed = exact[key]
            if added or removed or key in named:
                changes[key] = GraphChange(b, a, added, removed, True)
        elif a != b or key in named:
            changes[key] = GraphChange(b, a, max(0, a - b), max(0, b - a), exact_everywhere)
    return changes


def _uses_drugkg_terms(store: Store, graphs: Iterable[str]) -> bool:
    """Whether a graph uses a drugkg term as a property or a class (then shapes apply)."""
    for key in graphs:
        pattern = "?s ?p ?o" if key == DEFAULT else f"GRAPH <{key}> {{ ?s ?p ?o }}"
        ask = (
            f'ASK {{ {pattern} FILTER(STRSTARTS(STR(?p), "{DK}") || '
            f'(?p = <{RDF.type}> && isIRI(?o) && STRSTARTS(STR(?o), "{DK}"))) }}'
        )
        if bool(store.query(ask)):
            return True
    return False


SKOLEM = "urn:drugkg:blank:"
"""Blank nodes are validated as IRIs under this prefix (see `_validate`)."""


def _skolem(term: Any) -> Any:
    return NamedNode(SKOLEM + term.value) if isinstance(term, BlankNode) else term


def _nodes(store: Store, graphs: Iterable[str]) -> set[str]:
    """The subjects and the IRI or blank-node objects of the touched graphs (blank nodes as
    their skolem IRIs)."""
    found: set[str] = set()
    for key in graphs:
        for quad in store.quads_for_pattern(None, None, None, _graph_node(key)):
            for term in (quad.subject, quad.object):
                if isinstance(term, (NamedNode, BlankNode)):
                    found.add(_skolem(term).value)
    return found


def _validation_input(
    store: Store, graphs: list[str], base_iri: str
) -> tuple[rdflib.Dataset, list[str]]:
    """The dataset the shapes see for a write, and its focus nodes: the resources of the
    touched graphs, over the touched graphs and every graph of the build (the ontology, the
    documents and their statement graphs).

    pyshacl, given focus nodes, also filters the value nodes a nested shape (sh:node,
    sh:qualifiedValueShape) is applied to, keeping only IRIs among the focus nodes: a blank
    selector would pass every nested shape, and a quote with two selectors would count two
    of each kind. So blank nodes are validated as skolem IRIs, and every node the written
    graphs mention is a focus node (nested shapes over literals still pass unchecked here; the
    full build validates those).

    The data is copied out here, and the validation itself (`_check_shapes`) is given no
    store: rdflib's SPARQL parser (pyparsing) keeps the last exception it raised, and with it
    the frames of the stack it was raised in, until it raises the next one. A frame of that
    stack that held the new version's writable store would keep it open after the write lets
    it go, compacting the files of a version already swapped in (`_ensure_closed`).
    """
    kept = {
        *graphs,
        *(
            g.value
            for g in store.named_graphs()
            if isinstance(g, NamedNode) and is_build_graph(g.value, base_iri)
        ),
    }
    return shacl.to_dataset(_skolemised(store, kept)), sorted(_nodes(store, graphs))


def _skolemised(store: Store, graphs: Iterable[str]) -> Iterator[Quad]:
    for key in sorted(graphs):
        for q in store.quads_for_pattern(None, None, None, _graph_node(key)):
            yield Quad(_skolem(q.subject), q.predicate, _skolem(q.object), q.graph_name)


def _check_shapes(dataset: rdflib.Dataset, focus: list[str], shapes: rdflib.Graph) -> None:
    """ShapesViolatedError when the focus nodes of `dataset` do not conform to the shapes."""
    if not focus:
        return
    report = shacl.validate(dataset, shapes, focus_nodes=focus)
    if not report.conforms:
        raise ShapesViolatedError(report)


def _open_for_writing(version: Path) -> bool:
    """Whether this process still has a writable RocksDB instance open on `version` (it
    holds the directory's LOCK file open while it is open; a read-only instance takes no
    lock). False where /proc cannot tell (not Linux)."""
    lock = os.path.join(os.path.realpath(version), "LOCK")
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return False
    for fd in descriptors:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{fd}") == lock:
                return True
    return False


class StoreNotClosedError(WriteError):
    """The new version's writable store stayed open after the write let it go."""


def _ensure_closed(version: Path) -> None:
    """Make sure the writable store of `version` is closed before the version is synced and
    swapped in: one that stayed open (a reference the write did not know of) would go on
    compacting, removing files that readers of the swapped-in version need. A reference in a
    garbage cycle is collected; any other refuses the write, which then changes nothing."""
    if _open_for_writing(version):
        gc.collect()
    if _open_for_writing(version):
        raise StoreNotClosedError(
            "the write's new store version could not be closed (something still refers to "
            "it); nothing was changed. This is a fault of drugkg: please report it"
        )


def _audit(
    job: WriteJob, changes: dict[str, GraphChange], base_iri: str, started: datetime
) -> tuple[str, list[Quad]]:
    """The prov:Activity of an accepted write, as quads of the audit graph."""
    graph = NamedNode(base_iri + AUDIT_GRAPH)
    activity = NamedNode(f"{base_iri}id/write-{started.strftime('%Y%m%dT%H%M%S%fZ')}")
    token = NamedNode(f"{base_iri}id/write-token-{job.token_id}")

    def time(moment: datetime) -> Literal:
        return Literal(
            moment.isoformat(timespec="microseconds"), datatype=NamedNode(str(XSD.dateTime))
        )

    def quad(s: NamedNode, p: object, o: NamedNode | Literal) -> Quad:
        return Quad(s, NamedNode(str(p)), o, graph)

    out = [
        quad(activity, RDF.type, NamedNode(str(DK.WriteActivity))),
        quad(activity, PROV.startedAtTime, time(started)),
        quad(activity, PROV.wasAssociatedWith, token),
        quad(token, RDF.type, NamedNode(str(DK.WriteToken))),
        quad(activity, DK.operation, Literal(job.operation)),
    ]
    if job.update is not None:
        out.append(quad(activity, DK.updateText, Literal(job.update[:UPDATE_TEXT_MAX])))
    for index, (key, change) in enumerate(sorted(changes.items())):
        node = NamedNode(f"{activity.value}-change-{index}")
        out += [
            quad(activity, DK.graphChange, node),
            quad(node, RDF.type, NamedNode(str(DK.GraphChange))),
            quad(node, DK.changedGraph, NamedNode(key))
            if key
            else quad(node, DK.inDefaultGraph, Literal(True)),
            quad(node, DK.quadsBefore, Literal(change.before)),
            quad(node, DK.quadsAfter, Literal(change.after)),
            quad(node, DK.quadsAdded, Literal(change.added)),
            quad(node, DK.quadsRemoved, Literal(change.removed)),
            quad(node, DK.countsExact, Literal(change.exact)),
        ]
    out.append(quad(activity, PROV.endedAtTime, time(datetime.now(UTC))))
    return activity.value, out


_opened: tuple[Path, Store] | None = None
"""The version the last write made, open read-only for the next one (versions never change
once swapped in): opening a store takes tens of milliseconds."""


def _open(version: Path) -> Store:
    global _opened
    if _opened is None or _opened[0] != version:
        _opened = None
        _opened = (version, Store.read_only(str(version)))
    return _opened[1]


def after_write(settings: Settings) -> None:
    """What can wait until a write is acknowledged: delete the versions no reader holds, and
    open the current version for the next write. The caller holds the writer lock."""
    target = Path(os.path.abspath(settings.store))
    if _opened is not None and _opened[0] != current_version(target):
        _forget()
    remove_unused(target)
    _open(current_version(target))


def _forget() -> None:
    global _opened
    _opened = None


def write(settings: Settings, job: WriteJob, shapes: rdflib.Graph) -> WriteOutcome:
    """Apply one write as a new version and swap it in; a WriteError (or InputError) when it
    is refused, and then nothing changed. The caller holds `writer_lock(settings.store)`, and
    calls `after_write` once the write is acknowledged."""
    started = datetime.now(UTC)
    base = settings.base_iri
    target = Path(os.path.abspath(settings.store))
    current = current_version(target)
    old = _open(current)
    before, build_before = version_metadata(current, old, base)
    version = target.with_name(f"{target.name}.build-{stamp()}")
    try:
        old.backup(str(version))
        store = Store(str(version))
        if job.operation == "update":
            created = False
            exact = _apply_update(store, job, old)
            exact_everywhere = bool(exact) or (job.update is not None and data_only(job.update))
        else:
            created, exact = _apply_graph_store(store, job, old, before)
            exact_everywhere = True
        # The graphs a write can have changed are known for the Graph Store Protocol and for
        # an update of INSERT DATA / DELETE DATA alone: then no protected graph is dumped and
        # no graph counted (at a million quads, that is seconds per write); else every
        # protected graph is compared by digest and every graph counted.
        known = _known_graphs(job, exact)
        if known is not None:
            changed = sorted(g for g in known if protected(g, base))
            if changed:
                raise BuildGraphWriteError(changed)
            after = _counts_after(before, exact)
            build_after = dict(build_before)
        else:
            after = quads_per_graph(store)
            build_after = build_digests(store, base, after)
            changed = sorted(
                g
                for g in build_before.keys() | build_after.keys()
                if build_before.get(g) != build_after.get(g)
            )
            if changed and _keeps_protected(job, base) and not _filled(store, changed):
                _restore(store, old, changed)
                after = quads_per_graph(store)
                build_after = build_digests(store, base, after)
                changed = [g for g in changed if build_before.get(g) != build_after.get(g)]
            if changed:
                raise BuildGraphWriteError(changed)
        changes = _changes(job, before, after, exact, exact_everywhere)
        touched = [key for key, change in changes.items() if change.after]
        if touched and _uses_drugkg_terms(store, touched):
            _check_shapes(*_validation_input(store, touched, base), shapes)
        activity, record = _audit(job, changes, base, started)
        new = sum(1 for quad in record if quad not in store)  # the token's type may be there
        store.extend(record)
        store.flush()
        audit = base + AUDIT_GRAPH
        after[audit] = after.get(audit, 0) + new
        build_after.update(build_digests(store, base, [base + AUDIT_GRAPH]))
        del store
        _ensure_closed(version)
        _sync_tree(version)
        _keep_metadata(version, after, build_after)
        swap_in(target, version)
    except BaseException as error:
        # the store closed before its directory goes: this frame's reference dropped, and
        # the locals of the frames the error passed through (a helper given the store)
        traceback.clear_frames(error.__traceback__)
        store = None  # noqa: F841
        if _open_for_writing(version):
            gc.collect()
        shutil.rmtree(version, ignore_errors=True)
        raise
    finally:
        del old
    # swapped in: from here on the version is the store, never removed on a failure
    try:
        _fsync(str(target.parent))
    except OSError as error:  # the write took effect; only the rename's durability is unsure
        print(f"drugkg: could not sync {target.parent} after a write: {error}", file=sys.stderr)
    return WriteOutcome(str(version), created, changes, activity)
