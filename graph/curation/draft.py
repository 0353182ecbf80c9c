"""`drugkg draft DOC`: a draft of a document's facts file, for a curator to edit into DOC.trig.

The draft (`DOC.draft.trig` beside the facts files) is TriG: every sentence of the seed text
(graph.curation.sentences) is one block, its quote and statement graph ready at the sentence's
exact offsets in the layout of the curated files (`graph.pipeline.quotes.quote_turtle`), its
statement graph empty. Comments above each block list what the curator looks for
(graph.curation.mentions): the known entities the sentence mentions, with their offsets and
IRIs; names the entities graph does not know; and attribution cues, which tell claim and
report apart. Before the blocks, the candidate links of the names it uses that the graph does
not know and of the known entities it mentions that have no link yet (graph.curation.suggestions:
`drugkg links suggest`'s match against the verified identifiers only), as commented triples. The
build never reads a draft (graph.pipeline.inputs skips `*.draft.trig`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.curation.entities import Entity
from graph.curation.mentions import EntityMatcher, Span, candidates, cues
from graph.curation.sentences import Sentence, split
from graph.curation.suggestions import Suggestion, suggest_links
from graph.errors import InputError
from graph.linking.verified import Verified
from graph.pipeline.inputs import DRAFT_SUFFIX
from graph.pipeline.quotes import quote_id, quote_turtle
from graph.pipeline.seeds import Seed

_SHOWN = 70

PREFIXES = """\
@prefix dk:     <https://w3id.org/drugkg/ontology#> .
@prefix dkid:   <https://w3id.org/drugkg/id/> .
@prefix src:    <https://w3id.org/drugkg/source/> .
@prefix facts:  <https://w3id.org/drugkg/graph/facts/> .
@prefix stmt:   <https://w3id.org/drugkg/graph/facts/{doc}/> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix oa:     <http://www.w3.org/ns/oa#> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix owl:    <http://www.w3.org/2002/07/owl#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
"""

HEADER = """\
# DRAFT of the facts of `{doc}` ({text}), written by `drugkg draft {doc}`.
# The build never reads it. Curate it into {doc}.trig beside it, by the rules of
# graph/facts/README.md (read it first): copy the block of each sentence that states
# something, shorten its quote to the smallest span that supports the statement (`drugkg quote
# {doc} "exact text"` prints the block of any span), say whose words it holds
# (prov:wasQuotedFrom, dk:accordingTo: "Who speaks"), and fill its statement graph: a claim of
# its claimant for an opinion, a plain triple for a reported fact ("Claims and reported facts").
#
# One block per sentence (the rule: graph/curation/sentences.py), in text order, its quote at
# code-point offsets START-END (END exclusive). Above each block:
#   mention  START-END "words"  dkid:entity   a known entity of graph/entities (by its names)
#   new name START-END "words"                a name graph/entities does not know: add it there
#   cue      START-END "words"                an attribution cue: someone else's words or
#                                             account, a claim or a report of that source
# A sentence without a cue belongs to the source that opens its paragraph, else to the author.
# {sentences} sentences, {mentions} mentions of {entities} known entities, {names} new names,
# {links} candidate links for {linked} of them (below, before the sentences).
"""

LINKS_HEADER = """\
#################################################################
# Candidate links, for the new names and for the known entities mentioned that have no link
# yet: `drugkg links suggest`'s match (graph/linking/linkset.py: normalised labels, a score;
# the table gives no types, so a score is at most 0.7) against the verified identifiers of
# {table}, the one source of external identifiers. No link is
# added: review each, then copy the right ones, uncommented, into graph/links/verified.ttl
# (the rule for the predicate is atop that file; a new name needs its entity in graph/entities
# first, under the slug you give it: the table's key is shown).
"""


@dataclass(frozen=True)
class Annotated:
    """One sentence with what the draft says about it."""

    sentence: Sentence
    mentions: list[Span]
    names: list[Span]
    cues: list[Span]


@dataclass(frozen=True)
class Draft:
    """What `write_draft` wrote."""

    path: Path
    sentences: list[Annotated]
    links: list[Suggestion]


def draft_path(facts_dir: Path, doc_id: str) -> Path:
    return facts_dir / f"{doc_id}{DRAFT_SUFFIX}"


def annotate(seed: Seed, entities: list[Entity]) -> list[Annotated]:
    """Every sentence of the seed with its mentions, candidate names and attribution cues."""
    matcher = EntityMatcher(entities)
    text = seed.text
    annotated = []
    for sentence in split(text):
        found = matcher.mentions(text, sentence.start, sentence.end)
        annotated.append(
            Annotated(
                sentence,
                found,
                candidates(text, sentence.start, sentence.end, found, matcher.names),
                cues(text, sentence.start, sentence.end),
            )
        )
    return annotated


def render(
    seed: Seed,
    sentences: list[Annotated],
    links: list[Suggestion] | None = None,
    table: Path | None = None,
) -> str:
    """The draft's TriG text; `links` None when the verified table `table` was not found."""
    mentioned = {m.entity.iri for a in sentences for m in a.mentions if m.entity is not None}
    parts = [
        HEADER.format(
            doc=seed.doc_id,
            text=f"seeds/{seed.text_path.name}",
            sentences=len(sentences),
            mentions=sum(len(a.mentions) for a in sentences),
            entities=len(mentioned),
            names=sum(len(a.names) for a in sentences),
            links=sum(len(s.links) for s in links or []),
            linked=len(links or []),
        ),
        PREFIXES.format(doc=seed.doc_id),
        _links(links, table),
    ]
    for item in sentences:
        parts.append(_comments(seed.text, item))
        s = item.sentence
        parts.append(quote_turtle(seed.doc_id, seed.text, s.start, s.end))
    return "\n".join(parts)


def _comments(text: str, item: Annotated) -> str:
    s = item.sentence
    voice = (
        "names a source or quotes: whose words?"
        if item.cues
        else "no cue: the voice of its paragraph's first source, else the author's"
    )
    lines = [
        "#" * 65,
        f"# {quote_id(s.start, s.end)} · ¶{s.paragraph}.{s.number} · {voice}",
        f"#   {_show(text[s.start : s.end])}",
    ]
    for m in item.mentions:
        assert m.entity is not None
        lines.append(f"#   mention  {m.start}-{m.end} {_show(m.text)}  {m.entity.short}")
    lines += [f"#   new name {n.start}-{n.end} {_show(n.text)}" for n in item.names]
    lines += [f"#   cue      {c.start}-{c.end} {_show(c.text)}" for c in item.cues]
    lines.append("#" * 65)
    return "\n".join(lines) + "\n"


def _links(links: list[Suggestion] | None, table: Path | None) -> str:
    shown = str(table) if table is not None else "shared/linking/verified-ids.tsv"
    text = LINKS_HEADER.format(table=shown)
    if links is None:
        return text + f"# None: the verified identifiers ({shown}) are not here.\n"
    if not links:
        return text + "# None: no new name or unlinked known entity matches a verified one.\n"
    blocks = []
    for s in links:
        if s.known is not None:
            subject, what = s.subject, f"{s.subject}: a known entity with no link yet"
        else:
            subject, what = f"dkid:{s.links[0][1].key}", f"new name {_show(s.subject)}"
        lines = [f"# {what}, first at {s.first.start}-{s.first.end} {_show(s.first.text)}"]
        for candidate, v, predicate in s.links:
            note = f"; note: {v.note}" if v.note else ""
            lines.append(
                f"#   from {shown}:{v.line} key {v.key} {_show(v.label)} ({v.match} match, "
                f"{v.column}): {candidate.why}, score {candidate.score}{note}"
            )
            lines.append(f"# {subject} {_prefixed(predicate)} <{v.iri}> .")
        blocks.append("\n".join(lines))
    return text + "#\n" + "\n#\n".join(blocks) + "\n"


def _prefixed(iri: str) -> str:
    for prefix, namespace in (
        ("owl", "http://www.w3.org/2002/07/owl#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ):
        if iri.startswith(namespace):
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return f"<{iri}>"


def _show(words: str) -> str:
    shown = words if len(words) <= _SHOWN else words[: _SHOWN - 1] + "…"
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_draft(
    seed: Seed,
    entities: list[Entity],
    facts_dir: Path,
    *,
    force: bool = False,
    linked: set[str] | None = None,
    verified: list[Verified] | None = None,
    table: Path | None = None,
) -> Draft:
    """Write `facts_dir/DOC.draft.trig`; an existing draft is kept unless `force`.

    `linked` are the entities that have a link already; `verified` the verified identifiers
    (read from `table`), None when there are none to suggest from."""
    path = draft_path(facts_dir, seed.doc_id)
    if path.exists() and not force:
        raise InputError(
            "a draft exists already (it may hold a curator's notes): move it away, or pass "
            "--force to write a new one over it",
            file=path,
        )
    if not facts_dir.is_dir():
        raise InputError("the facts directory does not exist", file=facts_dir)
    sentences = annotate(seed, entities)
    links = None
    if verified is not None:
        mentions = [m for a in sentences for m in a.mentions]
        names = [n for a in sentences for n in a.names]
        links = suggest_links(mentions, names, linked or set(), verified)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(render(seed, sentences, links, table), encoding="utf-8")
    temporary.replace(path)
    return Draft(path, sentences, links or [])
