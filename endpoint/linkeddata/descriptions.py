"""The service description and the VoID description for people, each a page made from the
very triples machines get (`endpoint.sparql.description`), so the two cannot drift apart.

A browser opening /sparql (without a query) or /.well-known/void gets the page; it is chosen
only when the client prefers text/html to every RDF type it names
(`endpoint.linkeddata.negotiation.wants_html`) or asks `?format=html`: SPARQL clients, curl
and anything sending `*/*` keep RDF. The page shows the described resource's properties, its
graphs as a table with their counts, and (VoID) the link sets with their targets; anything
else the description says is listed under the resource it is said of.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from endpoint import templating
from endpoint.linkeddata.pages import FORMATS, Shown, local_name, local_url
from graph.vocabulary.namespace import DCTERMS, FOAF, RDF, SD, VOID

Node = NamedNode | BlankNode
Term = NamedNode | BlankNode | Literal

_COUNTS = ("triples", "entities", "classes", "properties")


class _Index:
    """The triples of a description, by subject."""

    def __init__(self, triples: Sequence[Triple]) -> None:
        self.by_subject: dict[Term, list[tuple[NamedNode, Term]]] = defaultdict(list)
        for t in triples:
            if isinstance(t.subject, NamedNode | BlankNode) and not isinstance(t.object, Triple):
                self.by_subject[t.subject].append((t.predicate, t.object))

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return [o for p, o in self.by_subject.get(subject, []) if p.value == predicate]

    def one(self, subject: Term, predicate: str) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def typed(self, cls: str) -> list[Term]:
        return [
            s
            for s in self.by_subject
            if any(o.value == cls for o in self.objects(s, str(RDF.type)))
        ]


@dataclass(frozen=True, slots=True)
class Row:
    predicate: Shown
    values: tuple[Shown, ...]


@dataclass(frozen=True, slots=True)
class Counted:
    """A graph of the dataset with its counts (VoID's numbers)."""

    name: Shown
    counts: tuple[int | None, ...]
    download: str | None = None


@dataclass(frozen=True, slots=True)
class Linkset:
    target: str
    predicate: Shown
    triples: int | None


@dataclass
class Described:
    """What the page shows: the resource's properties, its graphs, its link sets."""

    rows: list[Row] = field(default_factory=list)
    graphs: list[Counted] = field(default_factory=list)
    linksets: list[Linkset] = field(default_factory=list)


class _Shower:
    def __init__(self, index: _Index, base: str, root: str) -> None:
        self.index, self.base, self.root = index, base, root

    def term(self, term: Term) -> Shown:
        """A value: this server's and the dataset's IRIs in full, other IRIs (vocabulary
        terms, formats) by their local name, literals as they are."""
        if isinstance(term, NamedNode):
            iri = term.value
            href = local_url(iri, self.base)
            if href.startswith(self.root):
                href = "/" + href[len(self.root) :]
            ours = iri.startswith((self.root, self.base))
            return Shown(iri if ours else local_name(iri), href, iri)
        if isinstance(term, BlankNode):
            title = self.index.one(term, str(DCTERMS.title))
            return Shown(title.value if title is not None else "(a blank node)")
        return Shown(term.value)

    def predicate(self, term: NamedNode) -> Shown:
        return Shown(local_name(term.value), term.value, term.value)

    def graph(self, term: Term) -> Shown:
        """A named graph: by its name under the dataset's graphs (`facts/DOC/q-S-E`)."""
        shown = self.term(term)
        return Shown(shown.text.removeprefix(self.base + "graph/"), shown.href, shown.iri)

    def rows(self, subject: Term, skip: set[str]) -> list[Row]:
        grouped: dict[str, tuple[NamedNode, list[Shown]]] = {}
        for p, o in self.index.by_subject.get(subject, []):
            if p.value in skip:
                continue
            grouped.setdefault(p.value, (p, []))[1].append(self.term(o))
        return [Row(self.predicate(p), tuple(values)) for p, values in grouped.values()]

    def counts(self, node: Term) -> tuple[int | None, ...]:
        found = [self.index.one(node, str(VOID[c])) for c in _COUNTS]
        return tuple(int(n.value) if n is not None else None for n in found)


def _service(index: _Index, shower: _Shower) -> Described:
    out = Described()
    for service in index.typed(str(SD.Service)):
        out.rows += shower.rows(service, {str(SD.defaultDataset), str(RDF.type)})
        for dataset in index.objects(service, str(SD.defaultDataset)):
            for default in index.objects(dataset, str(SD.defaultGraph)):
                out.graphs.append(Counted(Shown("the default graph"), shower.counts(default)))
            for named in index.objects(dataset, str(SD.namedGraph)):
                name, inner = index.one(named, str(SD.name)), index.one(named, str(SD.graph))
                if name is not None:
                    counts = shower.counts(inner) if inner is not None else ()
                    out.graphs.append(Counted(shower.graph(name), counts))
    return out


def _void(index: _Index, shower: _Shower) -> Described:
    out = Described()
    for document in index.typed(str(VOID.DatasetDescription)):
        for dataset in index.objects(document, str(FOAF.primaryTopic)):
            skip = {str(VOID.subset), str(RDF.type)}
            out.rows += shower.rows(dataset, skip)
            for subset in index.objects(dataset, str(VOID.subset)):
                types = {o.value for o in index.objects(subset, str(RDF.type))}
                if str(VOID.Linkset) in types:
                    target = index.one(subset, str(VOID.objectsTarget))
                    predicate = index.one(subset, str(VOID.linkPredicate))
                    title = index.one(target, str(DCTERMS.title)) if target else None
                    triples = index.one(subset, str(VOID.triples))
                    out.linksets.append(
                        Linkset(
                            title.value if title is not None else "?",
                            shower.term(predicate) if predicate is not None else Shown("?"),
                            int(triples.value) if triples is not None else None,
                        )
                    )
                else:
                    dump = index.one(subset, str(VOID.dataDump))
                    download = shower.term(dump).href if dump is not None else None
                    counts = shower.counts(subset)
                    out.graphs.append(Counted(shower.graph(subset), counts, download))
    return out


def page(which: str, triples: Sequence[Triple], *, base: str, root: str, path: str) -> str:
    """The page of the service description (`which="service"`) or of VoID (`"void"`)."""
    index = _Index(triples)
    shower = _Shower(index, base, root)
    described = _service(index, shower) if which == "service" else _void(index, shower)
    return templating.render(
        "description.html",
        which=which,
        title="SPARQL endpoint" if which == "service" else "VoID description",
        iri=root + path.lstrip("/"),
        path=path,
        formats=FORMATS,
        endpoint=root + "sparql",
        described=described,
        columns=_COUNTS,
    )
