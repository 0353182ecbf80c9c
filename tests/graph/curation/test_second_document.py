"""The curation workflow end to end, with a second document: an invented text (a test fixture,
tests/fixtures/curation/, never shipped as data) added with `drugkg source add`, drafted,
checked against its text, curated from its draft (a reported fact and a claim of a person it
quotes), validated and built beside the article, then queried across both documents.

Everything runs on a copy of the data; the article's graphs come out of the build unchanged.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from curation_support import check_draft, run
from fixturepaths import FIXTURES
from projectcopy import copy_real_data, environment
from pyoxigraph import BlankNode, NamedNode, QuerySolutions, Store

from graph.curation.draft import PREFIXES
from graph.paths import QUERIES_DIR
from graph.pipeline.inputs import Sources, read_inputs
from graph.pipeline.seeds import load_seed
from graph.storage.versions import open_read_only

DOC = "fixture-fentanyl-routes"
ARTICLE = "thinkprogress-2017-doj-opioids"
TEXT = FIXTURES / "curation" / f"{DOC}.txt"
FACT = "Fentanyl sold in the United States is sourced from China and Mexico."
CLAIM = (
    "“Seizing more packages will not end the opioid epidemic,” Whitlock told the Fixture Gazette."
)
ID = "https://w3id.org/drugkg/id/"
SOURCE = "https://w3id.org/drugkg/source/"


def _block(draft: str, start: int, end: int) -> str:
    """The draft's block of the quote `#char=start,end`: document graph, then statement graph."""
    match = re.search(
        rf"^<[^>\n]*/graph/facts/{DOC}> {{\n(?:(?!}}).*\n)*}}\n<[^>\n]*/q-{start}-{end}> {{\n"
        r"    # the triples this quote supports\n}\n",
        draft,
        re.MULTILINE,
    )
    assert match is not None, f"no block for {start}-{end} in the draft"
    assert f"#char={start},{end}>" in match.group()
    return match.group()


def _curate(draft: str, text: str) -> str:
    """DOC.trig as a curator makes it from two blocks of the draft."""
    fact_start = text.index(FACT)
    claim_start = text.index(CLAIM)
    fact = _block(draft, fact_start, fact_start + len(FACT)).replace(
        "    # the triples this quote supports\n",
        "    dkid:fentanyl dk:sourcedFrom dkid:china , dkid:mexico .\n",
    )
    claim = _block(draft, claim_start, claim_start + len(CLAIM))
    claim = claim.replace(
        "a dk:Quote ;\n", "a dk:Quote ;\n        prov:wasQuotedFrom dkid:dana-whitlock ;\n"
    ).replace(
        "    # the triples this quote supports\n",
        "    dkid:claim-whitlock-seizures a dk:Claim ;\n"
        '        rdfs:label "Whitlock: seizing more packages will not end the opioid epidemic"'
        "@en ;\n"
        "        dk:claimant dkid:dana-whitlock ;\n"
        "        dk:toldTo dkid:fixture-gazette ;\n"
        "        dk:about dkid:opioid-epidemic-us ;\n"
        '        dk:summary "Seizing more packages will not end the opioid epidemic." .\n',
    )
    header = "# Test fixture, never shipped as data: curated in tests/graph/curation.\n"
    return header + PREFIXES.format(doc=DOC) + "\n" + fact + "\n" + claim


def _rows(store: Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return sorted(
        tuple("" if row[n] is None else row[n].value for n in names)  # type: ignore[union-attr]
        for row in result
    )


MULTI_SOURCE = """
PREFIX dk: <https://w3id.org/drugkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?s ?p ?o (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources)
WHERE {
  GRAPH ?g { ?s ?p ?o }
  ?g a dk:StatementGraph ; prov:wasDerivedFrom ?quote .
  ?quote oa:hasSource ?source .
}
GROUP BY ?s ?p ?o
HAVING (COUNT(DISTINCT ?source) > 1)
"""

CLAIMS_OF = """
PREFIX dk: <https://w3id.org/drugkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?claim ?source ?exact ?quotedFrom WHERE {
  GRAPH ?g { ?claim dk:claimant <CLAIMANT> }
  ?g prov:wasDerivedFrom ?quote .
  ?quote oa:hasSource ?source ; oa:hasSelector [ oa:exact ?exact ] .
  OPTIONAL { ?quote prov:wasQuotedFrom ?quotedFrom }
}
"""


@pytest.mark.slow
def test_a_second_document_added_drafted_curated_built_and_queried(tmp_path: Path) -> None:
    data = copy_real_data(tmp_path / "data")
    env = environment(data, tmp_path / "var" / "store")

    added = run(
        env, "source", "add", str(TEXT), "--id", DOC,
        "--title", "Fentanyl routes and the border debate (test fixture)",
        "--publisher", "Fixture Gazette", "--date", "2019-03-04",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert (data / "seeds" / f"{DOC}.txt").read_bytes() == TEXT.read_bytes()
    assert "no entity is named 'Fixture Gazette'" in added.err  # the curator adds it below

    drafted = run(env, "draft", DOC)
    assert drafted.code == 0, drafted.err
    seed = load_seed(data / "seeds" / f"{DOC}.json")
    draft_path = data / "facts" / f"{DOC}.draft.trig"
    draft = check_draft(seed, draft_path, data / "entities")
    for name in ("Dana Whitlock", "Harbor Policy Institute", "Fixture Gazette"):
        at = seed.text.index(name)
        assert f'#   new name {at}-{at + len(name)} "{name}"' in draft
    told = seed.text.index("told")
    assert f'#   cue      {told}-{told + 4} "told"' in draft
    china = seed.text.index("China")
    assert f'#   mention  {china}-{china + 5} "China"  dkid:china' in draft

    shutil.copy(FIXTURES / "curation" / "entities.ttl", data / "entities" / "fixture-curation.ttl")
    (data / "facts" / f"{DOC}.trig").write_text(_curate(draft, seed.text), encoding="utf-8")

    checked = run(env, "validate", DOC)
    assert checked.code == 0, checked.out + checked.err
    assert "quotes: 2 checked, all verbatim at their offsets" in checked.out
    assert f"{DOC}: 0 curation error(s)" in checked.out
    assert "'United States' mentions dkid:united-states" in checked.out  # left unlinked

    built = run(env, "build")
    assert built.code == 0, built.err
    assert f"graph:facts/{DOC}/q-{seed.text.index(FACT)}-" in built.out
    store = open_read_only(Path(env["DRUGKG_STORE"]))

    both = f"{SOURCE}{DOC} {SOURCE}{ARTICLE}"
    sources_of = {
        (s, p, o): " ".join(sorted(found.split())) for s, p, o, found in _rows(store, MULTI_SOURCE)
    }
    sourced_from = "https://w3id.org/drugkg/ontology#sourcedFrom"
    assert sources_of == {
        (f"{ID}fentanyl", sourced_from, f"{ID}china"): both,
        (f"{ID}fentanyl", sourced_from, f"{ID}mexico"): both,
    }

    whitlock = _rows(store, CLAIMS_OF.replace("CLAIMANT", f"{ID}dana-whitlock"))
    assert whitlock == [
        (f"{ID}claim-whitlock-seizures", f"{SOURCE}{DOC}", CLAIM, f"{ID}dana-whitlock")
    ]
    tree = _rows(store, CLAIMS_OF.replace("CLAIMANT", f"{ID}sanho-tree"))
    assert tree
    assert {row[1] for row in tree} == {f"{SOURCE}{ARTICLE}"}

    _assert_article_unchanged(store)
    _assert_competency_questions_across_documents(store)


def _question(name: str, *replacements: tuple[str, str]) -> str:
    text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


def _assert_competency_questions_across_documents(store: Store) -> None:
    """The questions of queries/ on sources and claimants, asked of both documents."""
    alone = read_inputs(Sources()).store
    support = _question("statement-support")
    before = {(d, s): int(n) for d, s, n in _rows(alone, support)}
    after = {(d, s): int(n) for d, s, n in _rows(store, support)}
    claim_triples = 6  # type, label, claimant, toldTo, about, summary: one sentence each
    assert after == {
        **before,
        # fentanyl sourced from China, from Mexico: one sentence of each document, no longer
        # one sentence of the article alone
        ("2", "2"): 2,
        ("1", "1"): before[("1", "1")] - 2 + claim_triples,
    }

    several = _rows(store, _question("multi-source-statements"))
    by_documents = {row[:3]: (row[3], row[4], " ".join(sorted(row[5].split()))) for row in several}
    both = f"{SOURCE}{DOC} {SOURCE}{ARTICLE}"
    sourced_from = "https://w3id.org/drugkg/ontology#sourcedFrom"
    for country in ("china", "mexico"):
        assert by_documents.pop((f"{ID}fentanyl", sourced_from, f"{ID}{country}")) == (
            "2",
            "2",
            both,
        )
    assert by_documents == {
        row[:3]: (row[3], row[4], row[5])
        for row in _rows(alone, _question("multi-source-statements"))
    }  # the article's own, said twice there

    claims = _rows(store, _question("claimant-claims", ("dkid:sanho-tree", "dkid:dana-whitlock")))
    assert claims == [
        (
            "Dana Whitlock",
            f"{SOURCE}{DOC}",
            "Fentanyl routes and the border debate (test fixture)",
            f"{ID}claim-whitlock-seizures",
            "Seizing more packages will not end the opioid epidemic.",
            CLAIM,
        )
    ]


def _assert_article_unchanged(store: Store) -> None:
    """The article's document and statement graphs hold what they hold without the new one."""
    alone = read_inputs(Sources()).store
    prefix = f"https://w3id.org/drugkg/graph/facts/{ARTICLE}"

    def article(quads: Store) -> tuple[dict[str, int], set[tuple[str, ...]]]:
        counts: dict[str, int] = {}
        plain: set[tuple[str, ...]] = set()
        for q in quads:
            graph = q.graph_name
            if not (isinstance(graph, NamedNode) and graph.value.startswith(prefix)):
                continue
            counts[graph.value] = counts.get(graph.value, 0) + 1
            terms = (q.subject, q.predicate, q.object)
            if not any(isinstance(t, BlankNode) for t in terms):
                plain.add((graph.value, *(str(t) for t in terms)))
        return counts, plain

    assert article(store) == article(alone)
