"""The rules the draft is made by: sentences, mentions of known entities, candidate names and
attribution cues, each on texts small enough to check by hand."""

from __future__ import annotations

from graph.curation.entities import Entity
from graph.curation.mentions import EntityMatcher, candidates, cues
from graph.curation.sentences import split
from graph.paths import SEEDS_DIR
from graph.pipeline.seeds import load_seed

ARTICLE = load_seed(SEEDS_DIR / "thinkprogress-2017-doj-opioids.json")


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split(text)]


def test_sentences_end_at_stops_followed_by_a_capital_and_at_line_breaks() -> None:
    text = (
        "Fentanyl comes from China. Mr. Lee of the U.S. Coast Guard said so! "
        "“It moves by sea.” Then it goes\nnorth. J. Smith agrees? yes.\n\n  Last one  "
    )
    assert _sentences(text) == [
        "Fentanyl comes from China.",
        "Mr. Lee of the U.S. Coast Guard said so!",
        "“It moves by sea.”",
        "Then it goes",
        "north.",
        "J. Smith agrees? yes.",
        "Last one",
    ]
    assert [(s.paragraph, s.number) for s in split(text)] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 1),
        (2, 2),
        (3, 1),
    ]


def test_the_article_splits_into_sentences_that_cover_its_text() -> None:
    text = ARTICLE.text
    sentences = split(text)
    assert len(sentences) > 40
    covered = [False] * len(text)
    previous_end = 0
    for s in sentences:
        assert previous_end <= s.start < s.end
        assert text[s.start : s.end] == text[s.start : s.end].strip()
        assert "\n" not in text[s.start : s.end]
        covered[s.start : s.end] = [True] * (s.end - s.start)
        previous_end = s.end
    lost = "".join(c for c, seen in zip(text, covered, strict=True) if not seen)
    assert lost.strip() == ""
    assert (
        "According to the Drug Enforcement Agency\u2019s (DEA) 2017 National Drug Assessment"
        in _sentences(text)[10]
    )


def _entity(slug: str, *names: str) -> Entity:
    return Entity(f"https://w3id.org/drugkg/id/{slug}", list(names))


MATCHER = EntityMatcher(
    [
        _entity("china", "China"),
        _entity(
            "china-mps",
            "Ministry of Public Security of China",
            "China\u2019s Ministry of Public Security",
        ),
        _entity("dea", "Drug Enforcement Administration", "DEA"),
        _entity("opioid", "opioid"),
        _entity("cartel", "the cartels"),
    ]
)


def _mentions(text: str) -> list[tuple[str, str]]:
    found = MATCHER.mentions(text, 0, len(text))
    for m in found:
        assert text[m.start : m.end] == m.text
    return [(m.text, m.entity.short if m.entity else "") for m in found]


def test_mentions_tolerate_case_plurals_possessives_and_apostrophes() -> None:
    text = "OPIOIDS and an opioid's reach; China's Ministry of Public Security and chinas"
    assert _mentions(text) == [
        ("OPIOIDS", "dkid:opioid"),
        ("opioid's", "dkid:opioid"),
        ("China's Ministry of Public Security", "dkid:china-mps"),  # the longer name wins
        ("chinas", "dkid:china"),
    ]


def test_mentions_are_whole_words_and_acronyms_keep_their_case() -> None:
    assert _mentions("Chinatown, idea, the dea, the DEA\u2019s agents, the  cartels") == [
        ("DEA\u2019s", "dkid:dea"),
        ("the  cartels", "dkid:cartel"),
    ]


def test_candidate_names_are_capitalised_runs_the_graph_does_not_know() -> None:
    text = (
        "However, Dana Whitlock of the Harbor Policy Institute told the DEA that China "
        "and Sessions\u2019 Department of Justice disagree with Paul."
    )
    matcher = EntityMatcher([*_ENTITIES, _entity("doj", "Department of Justice")])
    found = matcher.mentions(text, 0, len(text))
    names = [c.text for c in candidates(text, 0, len(text), found, matcher.names)]
    assert names == ["Dana Whitlock", "Harbor Policy Institute", "Sessions", "Paul"]
    two = (
        "Traffickers cross at night. "
        "On Tuesday in October boats come from the East and DEA Agents wait."
    )
    per_sentence = [c.text for s in split(two) for c in candidates(two, s.start, s.end, [], set())]
    assert per_sentence == ["East", "DEA Agents"]  # a sentence's first word is no name


_ENTITIES = [_entity("china", "China"), _entity("dea", "DEA")]


def test_cues_mark_attribution_phrases_and_quotations() -> None:
    text = "According to Lee, “it is over,” she said, and “it goes on"
    assert [c.text for c in cues(text, 0, len(text))] == [
        "According to",
        "“it is over,”",
        "said",
        "“it goes on",
    ]
    assert cues("The United States states nothing.", 0, 33) == []
