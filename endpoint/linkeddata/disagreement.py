"""Where sources disagree, for a resource page.

The ontology says disagreement through stances: a claim takes a position toward each thing it
takes a side on (`dk:position [ dk:toward X ; dk:stance S ]`), and two claims of different
claimants disagree about X when one supports it (`dk:Supports`) and the other opposes or doubts
it (`dk:Opposes`, `dk:Skeptical`); `dk:Neutral` takes no side. A claim that disputes another
is a position toward that claim, so the same rule covers it. Nothing is stated as a
disagreement: it is read from the stances (graph/facts/README.md, "Where sources disagree";
`queries/stance-disagreements.rq` asks the same of the whole graph).

On the page of a thing (X above): every disagreement about it. On the page of a claim: the
disagreements about the things it takes a side on, with the claims on the other side. Each
claim with its claimant and the sentence that gives its position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from endpoint.linkeddata.pages import Shown
from endpoint.linkeddata.provenance import Sentence
from endpoint.linkeddata.query import Row, Term
from graph.vocabulary.namespace import DK, RDFS, SKOS

_LABEL = f"<{RDFS.label}>|<{SKOS.prefLabel}>"
_EN = 'FILTER(LANG({v}) IN ("en", ""))'

POSITIONS = f"""SELECT ?subject ?claim ?claimant ?stance ?g (SAMPLE(?sl) AS ?subjectlabel)
  (SAMPLE(?cl) AS ?claimlabel) (SAMPLE(?wl) AS ?claimantlabel) (SAMPLE(?tl) AS ?stancelabel)
WHERE {{
  {{ BIND(%(iri)s AS ?subject) }}
  UNION {{ GRAPH ?own {{ %(iri)s <{DK.position}> ?mine . ?mine <{DK.toward}> ?subject }} }}
  GRAPH ?g {{ ?claim <{DK.position}> ?p . ?p <{DK.toward}> ?subject ; <{DK.stance}> ?stance }}
  ?claim <{DK.claimant}> ?claimant .
  OPTIONAL {{ ?subject {_LABEL} ?sl {_EN.format(v="?sl")} }}
  OPTIONAL {{ ?claim {_LABEL} ?cl {_EN.format(v="?cl")} }}
  OPTIONAL {{ ?claimant {_LABEL} ?wl {_EN.format(v="?wl")} }}
  OPTIONAL {{ ?stance {_LABEL} ?tl {_EN.format(v="?tl")} }} }}
GROUP BY ?subject ?claim ?claimant ?stance ?g ORDER BY ?subject ?stance ?claim LIMIT 1000"""
"""Every position toward the resource, or toward what the resource (a claim) takes a side on."""

FOR = str(DK.Supports)
AGAINST = frozenset({str(DK.Opposes), str(DK.Skeptical)})


@dataclass(frozen=True, slots=True)
class Taken:
    """A claim on one side: the claim, its claimant, its stance, and where it is said."""

    claim: Shown
    claimants: tuple[Shown, ...]
    stance: Shown
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True, slots=True)
class Disagreement:
    """The claims for and against one subject, by claimants on both sides."""

    subject: Shown
    supporting: tuple[Taken, ...]
    against: tuple[Taken, ...]


def disagreements(
    iri: str,
    rows: list[Row],
    show: Callable[[Term, Term | None], Shown],
    sentences: Callable[[set[str]], tuple[Sentence, ...]],
) -> list[Disagreement]:
    """The disagreements the page of `iri` shows, from the rows of POSITIONS."""
    by_subject: dict[str, list[Row]] = {}
    for row in rows:
        by_subject.setdefault(row["subject"].value, []).append(row)
    found = []
    for subject, positions in by_subject.items():
        pro = [r for r in positions if r["stance"].value == FOR]
        con = [r for r in positions if r["stance"].value in AGAINST]
        if subject != iri:  # a claim's page: only where the claim itself takes a side
            if any(r["claim"].value == iri for r in pro):
                pro = [r for r in pro if r["claim"].value == iri]
            elif any(r["claim"].value == iri for r in con):
                con = [r for r in con if r["claim"].value == iri]
            else:
                continue
        pro_claimants = {r["claimant"].value for r in pro}
        con_claimants = {r["claimant"].value for r in con}
        if not any(a != b for a in pro_claimants for b in con_claimants):
            continue  # no claimant takes a side against another
        first = positions[0]
        found.append(
            Disagreement(
                show(first["subject"], first.get("subjectlabel")),
                _sides(pro, show, sentences),
                _sides(con, show, sentences),
            )
        )
    return found


def _sides(
    rows: list[Row],
    show: Callable[[Term, Term | None], Shown],
    sentences: Callable[[set[str]], tuple[Sentence, ...]],
) -> tuple[Taken, ...]:
    graphs: dict[tuple[str, str], set[str]] = {}
    claimants: dict[tuple[str, str], dict[str, Shown]] = {}
    first: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (row["claim"].value, row["stance"].value)
        graphs.setdefault(key, set()).add(row["g"].value)
        who = claimants.setdefault(key, {})
        who.setdefault(row["claimant"].value, show(row["claimant"], row.get("claimantlabel")))
        first.setdefault(key, row)
    return tuple(
        Taken(
            show(r["claim"], r.get("claimlabel")),
            tuple(sorted(claimants[key].values(), key=lambda c: c.text)),
            show(r["stance"], r.get("stancelabel")),
            sentences(graphs[key]),
        )
        for key, r in first.items()
    )
