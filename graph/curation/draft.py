"""`drugkg draft DOC`: a draft of a document's facts file, for a curator to edit into DOC.trig.

The draft (`DOC.draft.trig` beside the facts files) is TriG: every sentence of the seed text
(graph.curation.sentences) is one block, its quote and statement graph ready at the sentence's
exact offsets in the layout of the curated files (`graph.pipeline.quotes.quote_turtle`), its
statement graph empty. Comments above each block list what the curator looks for
(graph.curation.mentions): the known entities the sentence mentions, with their offsets and
IRIs; names the entities graph does not know; and attribution cues, which tell claim and
report apart. The build never reads a draft (graph.pipeline.inputs skips `*.draft.trig`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.curation.entities import Entity
from graph.curation.mentions import EntityMatcher, Span, candidates, cues
from graph.curation.sentences import Sentence, split
from graph.errors import InputError
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
# {sentences} sentences, {mentions} mentions of {entities} known entities, {names} new names.
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


def render(seed: Seed, sentences: list[Annotated]) -> str:
    """The draft's TriG text."""
    mentioned = {m.entity.iri for a in sentences for m in a.mentions if m.entity is not None}
    parts = [
        HEADER.format(
            doc=seed.doc_id,
            text=f"seeds/{seed.text_path.name}",
            sentences=len(sentences),
            mentions=sum(len(a.mentions) for a in sentences),
            entities=len(mentioned),
            names=sum(len(a.names) for a in sentences),
        ),
        PREFIXES.format(doc=seed.doc_id),
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


def _show(words: str) -> str:
    shown = words if len(words) <= _SHOWN else words[: _SHOWN - 1] + "…"
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_draft(
    seed: Seed, entities: list[Entity], facts_dir: Path, *, force: bool = False
) -> Draft:
    """Write `facts_dir/DOC.draft.trig`; an existing draft is kept unless `force`."""
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
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(render(seed, sentences), encoding="utf-8")
    temporary.replace(path)
    return Draft(path, sentences)
