"""The curated facts say what the article says, and say who says it.

Each test here is one error an independent reading of the graph against the article found (and one
rule that keeps it from coming back): a wall stated as built, stances spread over subjects they do
not hold for, opinions stated as facts, sentences filed under the wrong speaker, things the text
does not say, hedges lost, names wrong. The tests read the asserted data (ontology, entities, facts
and links as `graph.pipeline.inputs.read_inputs` reads them, before reasoning) and ask it SPARQL
questions; the paragraph table below is a curator's reading of who speaks where, written down once
so that the data can be checked against it.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from pyoxigraph import QueryBoolean, QuerySolutions, Store

from graph.pipeline.inputs import Sources, read_inputs
from graph.vocabulary.namespace import DKID, SOURCE

DOC = "thinkprogress-2017-doj-opioids"
AUTHOR = "article-author"
REPORT = "dea-2017-national-drug-threat-assessment"

PREFIXES = {
    "dk": "https://w3id.org/drugkg/ontology#",
    "dkid": str(DKID),
    "src": str(SOURCE),
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}

# Who speaks in each span of the article, by the attribution rule of graph/facts/README.md: a
# sentence belongs to the source it names ("according to X", "X said", "X told", "X and Y
# agree", a quotation continuing X's); a sentence that names none belongs to the source that
# opens its paragraph; a paragraph that opens with none is the author's. The innermost span
# holding a quote decides. "author" is the article's own voice: its claims are the author's,
# its facts carry no attribution. Spans nested inside a speaker's sentence are the article
# naming the speaker ("Sanho Tree, drug policy director at ...").
VOICES: list[tuple[int, int, frozenset[str]]] = [
    (0, 1382, frozenset({AUTHOR})),
    (1382, 1933, frozenset({REPORT})),
    (1382, 1460, frozenset({AUTHOR})),  # "According to the Drug Enforcement Agency's (DEA) ..."
    (1681, 1706, frozenset({AUTHOR})),  # "According to the report, "
    (1935, 2062, frozenset({AUTHOR})),
    (2062, 2240, frozenset({REPORT})),
    (2062, 2093, frozenset({AUTHOR})),  # "According to the DEA's report, "
    (2242, 2657, frozenset({AUTHOR})),
    (2659, 3015, frozenset({"chuck-rosenberg"})),
    (3016, 3782, frozenset({AUTHOR})),
    (3782, 4226, frozenset({"sanho-tree"})),
    (3804, 3871, frozenset({AUTHOR})),  # "Sanho Tree, drug policy director at the Institute ..."
    (4228, 4625, frozenset({"nathan-jones"})),
    (4228, 4278, frozenset({AUTHOR})),  # "Nathan Jones, an expert on drug violence in Mexico"
    (4626, 5968, frozenset({"sanho-tree"})),
    (5970, 6204, frozenset({"nathan-jones", "sanho-tree"})),
    (
        5970,
        6029,
        frozenset({AUTHOR}),
    ),  # "Meanwhile on the Mexican border, both Jones and Tree agree"
    (6205, 6421, frozenset({"nathan-jones"})),
    (6422, 6721, frozenset({"sanho-tree"})),
    (6722, 7081, frozenset({"nathan-jones"})),
    (7082, 7576, frozenset({"nathan-jones", "sanho-tree"})),
    (7082, 7112, frozenset({AUTHOR})),  # "But both Jones and Tree agree"
    (7577, 7773, frozenset({"nathan-jones"})),
]

# The properties of the shared entities graph: names, kinds and curators' notes, no facts.
ENTITY_VOCABULARY = {
    PREFIXES["rdf"] + "type",
    PREFIXES["rdfs"] + "label",
    PREFIXES["rdfs"] + "comment",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["skos"] + "altLabel",
    PREFIXES["skos"] + "definition",
    PREFIXES["dk"] + "groupClass",
}


def voice(start: int, end: int) -> frozenset[str]:
    holding = [(s, e, v) for s, e, v in VOICES if s <= start and end <= e]
    assert holding, f"no voice for #char={start},{end}: extend VOICES"
    return min(holding, key=lambda span: span[1] - span[0])[2]


@pytest.fixture(scope="module")
def store() -> Store:
    return read_inputs(Sources()).store


def ask(store: Store, query: str) -> bool:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, QueryBoolean)
    return bool(result)


def rows(store: Store, query: str) -> list[dict[str, str]]:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def local(iri: str) -> str:
    return iri.removeprefix(str(DKID))


def quote(start: int, end: int) -> str:
    return f"<{SOURCE[DOC]}#char={start},{end}>"


# Where a statement lies: (statement graph, its quote's start, end) for each graph holding it.
STATEMENT_GRAPHS = """
SELECT ?g ?start ?end WHERE {
  GRAPH ?g { %s }
  OPTIONAL { ?g prov:wasDerivedFrom ?q . ?q a dk:Quote ;
             oa:hasSelector [ oa:start ?start ; oa:end ?end ] }
}"""

ATTRIBUTION = """
SELECT ?who WHERE { ?g prov:wasDerivedFrom ?q . ?q dk:accordingTo|prov:wasQuotedFrom ?who }"""


def attribution(store: Store, graph: str) -> frozenset[str]:
    found = rows(store, ATTRIBUTION.replace("?g", f"<{graph}>"))
    return frozenset(local(r["who"]) for r in found) or frozenset({AUTHOR})


def sources_of(store: Store, pattern: str) -> list[tuple[str, frozenset[str] | None]]:
    """For each graph holding the pattern: the graph and who says it (None: it has no quote)."""
    found = []
    for row in rows(store, STATEMENT_GRAPHS % pattern):
        who = attribution(store, row["g"]) if "start" in row else None
        found.append((row["g"], who))
    return found


# --- The border wall --------------------------------------------------------------------


def test_the_border_wall_is_proposed_not_implemented(store: Store) -> None:
    assert not ask(store, "ASK { dkid:border-wall dk:implementedIn ?place }")
    assert ask(store, "ASK { dkid:border-wall dk:proposedBy dkid:donald-trump }")


# --- Stances ----------------------------------------------------------------------------

STANCES = """
SELECT ?claim ?claimant ?stance ?subject WHERE {
  ?claim a/rdfs:subClassOf* dk:Claim ; dk:claimant ?claimant .
  { ?claim dk:position ?position . ?position dk:toward ?subject ; dk:stance ?stance }
  UNION
  { ?claim dk:stance ?stance ; dk:about ?subject }
}"""


def stances(store: Store) -> set[tuple[str, str, str]]:
    return {
        (local(r["claimant"]), r["stance"].rpartition("#")[2], local(r["subject"]))
        for r in rows(store, STANCES)
    }


def test_a_stance_is_held_toward_one_subject_not_spread_over_a_claim(store: Store) -> None:
    assert not ask(store, "ASK { ?claim a/rdfs:subClassOf* dk:Claim ; dk:stance ?stance }")
    assert ask(store, "ASK { ?claim dk:position [ dk:toward ?s ; dk:stance ?stance ] }")


@pytest.mark.parametrize(
    ("claimant", "stance", "subject"),
    [
        (AUTHOR, "Supports", "doj"),  # the DOJ "is pursuing the exact opposite"
        (AUTHOR, "Supports", "opioid-addiction"),
        ("chuck-rosenberg", "Supports", "synthetic-drug-crisis"),
        ("chuck-rosenberg", "Supports", "dangerous-synthetic-chemicals"),
        ("nathan-jones", "Supports", "doj"),
        ("sanho-tree", "Supports", "doj"),
    ],
)
def test_no_stance_the_text_contradicts(
    store: Store, claimant: str, stance: str, subject: str
) -> None:
    assert (claimant, stance, subject) not in stances(store)


@pytest.mark.parametrize(
    ("claimant", "stance", "subject"),
    [
        (AUTHOR, "Skeptical", "doj-international-cooperation-plan"),  # "won't work"
        ("chuck-rosenberg", "Supports", "cooperation-dea-china-mps"),
        ("nathan-jones", "Opposes", "border-wall"),
        ("sanho-tree", "Opposes", "border-wall"),
        ("nathan-jones", "Supports", "public-health-approach"),
        ("sanho-tree", "Opposes", "enforcement-approach"),
        ("nathan-jones", "Supports", "us-mexico-task-forces"),  # "paid positive dividends"
    ],
)
def test_the_stances_the_text_takes(store: Store, claimant: str, stance: str, subject: str) -> None:
    assert (claimant, stance, subject) in stances(store)


# --- Opinions are claims; reported facts say who reports them ---------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "dkid:war-on-drugs dk:pursuedBy dkid:doj",
        "dkid:war-on-drugs dk:durationYears ?years",
        "dkid:enforcement-approach dk:pursuedBy dkid:doj",
        "dkid:enforcement-approach dk:oppositeOf dkid:public-health-approach",
        "dkid:public-health-approach dk:oppositeOf dkid:enforcement-approach",
    ],
)
def test_the_authors_argument_is_not_stated_as_fact(store: Store, statement: str) -> None:
    assert not ask(store, f"ASK {{ {statement} }}")


@pytest.mark.parametrize(
    ("claimant", "subject", "words"),
    [
        (AUTHOR, "war-on-drugs", "40-year-old record of prohibitionist policies"),
        ("nathan-jones", "enforcement-approach", "exact opposite"),
    ],
)
def test_the_argument_is_a_claim_of_its_claimant(
    store: Store, claimant: str, subject: str, words: str
) -> None:
    assert ask(
        store,
        f"""ASK {{ ?claim dk:claimant dkid:{claimant} ; dk:about dkid:{subject} ;
                        dk:summary ?summary . FILTER CONTAINS(?summary, "{words}") }}""",
    )


@pytest.mark.parametrize(
    ("subject", "reporter"),
    [
        ("us-mexico-task-forces", "nathan-jones"),
        ("us-cuba-drug-enforcement-cooperation", "sanho-tree"),
    ],
)
def test_a_fact_an_expert_reports_says_so(store: Store, subject: str, reporter: str) -> None:
    assert ask(store, f"ASK {{ dkid:{subject} dk:reportedBy dkid:{reporter} }}")
    found = sources_of(store, f"dkid:{subject} ?p ?o")
    assert found, f"nothing is said of {subject}"
    for graph, who in found:
        if graph.endswith("/entities"):
            continue
        assert who is not None, f"{subject} is described in {graph}, which has no quote"
        assert reporter in who, f"{subject} is described in {graph}, attributed to {set(who)}"


def test_precursor_control_is_pursued_according_to_tree(store: Store) -> None:
    found = sources_of(store, "dkid:precursor-control dk:pursuedBy ?agent")
    assert found
    assert all(who == frozenset({"sanho-tree"}) for _graph, who in found), found


# --- Who speaks: one attribution rule for every paragraph --------------------------------

CLAIM_QUOTES = """
SELECT DISTINCT ?claim ?claimant ?start ?end WHERE {
  ?claim a/rdfs:subClassOf* dk:Claim ; dk:claimant ?claimant .
  { ?claim prov:wasDerivedFrom ?q }
  UNION
  { GRAPH ?g { ?claim dk:claimant ?claimant } ?g prov:wasDerivedFrom ?q }
  ?q a dk:Quote ; oa:hasSelector [ oa:start ?start ; oa:end ?end ] .
}"""


def test_the_there_sentence_belongs_to_jones_and_tree(store: Store) -> None:
    found = [
        r for r in rows(store, CLAIM_QUOTES) if (int(r["start"]), int(r["end"])) == (7364, 7575)
    ]
    assert found, "no claim from “There, public health policies like ... have actually made ...”"
    claimants: dict[str, set[str]] = defaultdict(set)
    for r in found:
        claimants[r["claim"]].add(local(r["claimant"]))
    assert all(c == {"nathan-jones", "sanho-tree"} for c in claimants.values()), claimants


def test_every_claim_is_claimed_by_who_speaks_where_its_quote_is(store: Store) -> None:
    claimants: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for r in rows(store, CLAIM_QUOTES):
        claimants[(r["claim"], int(r["start"]), int(r["end"]))].add(local(r["claimant"]))
    assert claimants
    wrong = [
        f"{local(claim)} #char={s},{e}: claimed by {sorted(c)}, but {sorted(voice(s, e))} speak(s)"
        for (claim, s, e), c in sorted(claimants.items())
        if c != voice(s, e)
    ]
    assert wrong == []


STATEMENTS_AND_QUOTES = """
SELECT DISTINCT ?g ?s ?start ?end WHERE {
  GRAPH ?g { ?s ?p ?o }
  ?g prov:wasDerivedFrom ?q . ?q a dk:Quote ; oa:hasSelector [ oa:start ?start ; oa:end ?end ] .
  FILTER NOT EXISTS { ?s a/rdfs:subClassOf* dk:Claim }
  FILTER NOT EXISTS { ?claim dk:predicts ?s }
}"""


def test_every_reported_fact_is_attributed_to_who_speaks_where_its_quote_is(
    store: Store,
) -> None:
    found = rows(store, STATEMENTS_AND_QUOTES)
    assert found, "no statement lies in a statement graph"
    wrong = sorted(
        f"{r['g'].rpartition('/')[2]} ({local(r['s'])}): attributed to "
        f"{sorted(attribution(store, r['g']))}, but {sorted(voice(int(r['start']), int(r['end'])))}"
        " speak(s) there"
        for r in found
        if attribution(store, r["g"]) != voice(int(r["start"]), int(r["end"]))
    )
    assert wrong == []


def test_nothing_fact_bearing_lies_outside_a_statement_graph(store: Store) -> None:
    doc_graph = f"https://w3id.org/drugkg/graph/facts/{DOC}"
    outside = rows(
        store,
        f"""SELECT DISTINCT ?s ?p WHERE {{ GRAPH <{doc_graph}> {{ ?s ?p ?o }}
              FILTER (STRSTARTS(STR(?s), STR(dkid:))) }}""",
    )
    photo = str(DKID[f"{DOC}-photo"])
    facts = [f"{local(r['s'])} {r['p']}" for r in outside if r["s"] != photo]
    assert facts == [], "fact-bearing triples in the document graph"
    shared = rows(
        store,
        "SELECT DISTINCT ?p WHERE { GRAPH <https://w3id.org/drugkg/graph/entities> { ?s ?p ?o } }",
    )
    assert shared, "no entities graph"
    assert sorted({r["p"] for r in shared} - ENTITY_VOCABULARY) == []


# --- Things the text does not say ---------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "dkid:prohibition-us dk:targets ?beverage",
        "?conference a dk:NewsConference ; dk:organizedBy dkid:doj",
        '?cartels rdfs:label "the cartels"@en ; dk:basedIn ?place',
        '?period dk:originalExpression "in the early 2000s" ; dk:resolvedEnd ?end',
        "dkid:mississippi-river dk:locatedIn ?place",
        "dkid:washington dk:locatedIn ?place",
    ],
)
def test_nothing_the_text_does_not_say(store: Store, statement: str) -> None:
    assert not ask(store, f"ASK {{ {statement} }}")


# --- Hedges and the source's words ---------------------------------------------------------


def test_awareness_keeps_the_sources_words_only(store: Store) -> None:
    assert not ask(store, "ASK { ?practice dk:usersAware ?aware }")
    words = "often without users\u2019 awareness"
    assert ask(store, f'ASK {{ ?practice dk:awarenessExpression "{words}" }}')


def test_heavily_contributes_keeps_heavily(store: Store) -> None:
    assert ask(
        store,
        """ASK { ?contribution dk:contributor dkid:fentanyl ;
                   dk:contributesTo dkid:opioid-epidemic-us ; dk:extent "heavily" ;
                   dk:reportedBy dkid:dea-2017-national-drug-threat-assessment }""",
    )


@pytest.mark.parametrize("words", ["which is an optimistic number", "power in profits"])
def test_a_claim_keeps_the_speakers_words(store: Store, words: str) -> None:
    assert ask(
        store,
        f"""ASK {{ ?claim dk:summary ?summary FILTER CONTAINS(?summary, "{words}") }}""",
    )


def test_no_summary_changes_power_in_profits(store: Store) -> None:
    assert not ask(
        store,
        """ASK { ?x dk:summary|dk:description ?text
                 FILTER CONTAINS(LCASE(?text), "power and profits") }""",
    )


# --- Names, reported facts and offices ------------------------------------------------------


def test_the_dea_report_is_the_national_drug_threat_assessment(store: Store) -> None:
    report = DKID[REPORT]
    assert ask(store, f'ASK {{ <{report}> rdfs:label "2017 National Drug Threat Assessment"@en }}')
    assert ask(store, f'ASK {{ <{report}> skos:altLabel "2017 National Drug Assessment"@en }}')
    assert ask(store, f"ASK {{ <{report}> a dk:Report ; dk:publishedBy dkid:dea }}")


def test_traditional_heroin_thriving_is_a_reported_fact_and_the_authors_claim(
    store: Store,
) -> None:
    assert ask(
        store,
        f"""ASK {{ GRAPH ?g {{ ?forms dk:thrivesIn dkid:united-states }}
                  ?g prov:wasDerivedFrom {quote(1973, 2060)} }}""",
    )
    assert ask(
        store,
        """ASK { ?claim dk:claimant dkid:article-author ; dk:summary ?summary
                 FILTER CONTAINS(?summary, "Making matters worse") }""",
    )


def test_trump_is_president_of_the_united_states(store: Store) -> None:
    assert ask(store, "ASK { dkid:donald-trump dk:presidentOf dkid:united-states }")
    assert not ask(
        store,
        """ASK { ?membership org:member dkid:donald-trump ;
                 org:organization dkid:trump-administration }""",
    )
    assert not ask(store, "ASK { dkid:trump-administration dk:headedBy ?head }")


# --- Modelling ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group",
    [
        "opioid",
        "heroin-products",
        "other-illicit-drugs",
        "counterfeit-prescription-pills",
        "precursor-chemicals",
        "dangerous-synthetic-chemicals",
    ],
)
def test_a_group_of_substances_is_a_concept_not_a_member_of_itself(
    store: Store, group: str
) -> None:
    assert ask(store, f"ASK {{ dkid:{group} a dk:SubstanceGroup }}")
    assert not ask(store, f"ASK {{ dkid:{group} a/rdfs:subClassOf* dk:Substance }}")


@pytest.mark.parametrize("group", ["us-law-enforcement", "mexican-security-services", "cartels"])
def test_a_group_of_agents_is_a_group_not_one_organisation(store: Store, group: str) -> None:
    assert ask(store, f"ASK {{ dkid:{group} a foaf:Group }}")
    assert not ask(store, f"ASK {{ dkid:{group} a/rdfs:subClassOf* org:Organization }}")


def test_every_membership_has_its_organisation(store: Store) -> None:
    assert ask(store, "ASK { ?m a org:Membership }")
    assert not ask(
        store, "ASK { ?m a org:Membership FILTER NOT EXISTS { ?m org:organization ?o } }"
    )


def test_one_head_of_property(store: Store) -> None:
    for retired in ("dk:leads", "dk:headedBy"):
        assert not ask(store, f"ASK {{ ?s {retired} ?o }}")
        assert not ask(store, f"ASK {{ {retired} ?p ?o }}")
    assert ask(store, "ASK { dkid:jeff-sessions dk:headOf dkid:doj }")
    assert ask(store, "ASK { dkid:chuck-rosenberg dk:headOf dkid:dea }")
    assert ask(store, "ASK { dk:presidentOf rdfs:subPropertyOf dk:headOf }")


def test_the_dojs_plan_is_not_the_general_approach(store: Store) -> None:
    plan = "dkid:doj-international-cooperation-plan"
    assert ask(store, f"ASK {{ {plan} dk:pursuedBy dkid:doj }}")
    assert ask(
        store,
        f"ASK {{ {plan} dk:instanceOfApproach dkid:international-law-enforcement-cooperation }}",
    )
    assert not ask(
        store,
        """ASK { dkid:us-cuba-drug-enforcement-cooperation dk:instanceOfApproach+ ?plan .
                 ?plan dk:pursuedBy dkid:doj }""",
    )


@pytest.mark.parametrize(
    ("start", "end", "speaker"),
    [
        (2659, 2877, "chuck-rosenberg"),
        (2878, 3014, "chuck-rosenberg"),
        (4000, 4225, "sanho-tree"),
        (4351, 4624, "nathan-jones"),
        (6205, 6420, "nathan-jones"),
        (7577, 7773, "nathan-jones"),
        (1469, 1595, REPORT),
    ],
)
def test_a_quotation_says_whose_words_it_repeats(
    store: Store, start: int, end: int, speaker: str
) -> None:
    assert ask(store, f"ASK {{ {quote(start, end)} prov:wasQuotedFrom dkid:{speaker} }}")


def test_every_quotation_says_whose_words_it_repeats(store: Store) -> None:
    found = rows(
        store,
        """SELECT ?q ?exact WHERE { ?q a dk:Quote ; oa:hasSelector [ oa:exact ?exact ] .
             FILTER NOT EXISTS { ?q prov:wasQuotedFrom ?who } }""",
    )
    quoting = [r["q"] for r in found if "“" in r["exact"] or "”" in r["exact"]]
    assert quoting == []
