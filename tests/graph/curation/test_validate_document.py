"""`drugkg validate DOC-ID`: the build's checks for one document, plus entities defined twice
and statements without a quote (errors, exit 1) and unlinked mentions (information, exit 0),
each with its file and line."""

from __future__ import annotations

from pathlib import Path

from curation_support import run


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _line_of(path: Path, words: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if words in line)


def test_a_clean_document_passes_and_unlinked_mentions_are_information(
    fixture_env: dict[str, str],
) -> None:
    entities = Path(fixture_env["DRUGKG_ENTITIES_DIR"], "fixture.ttl")
    _append(entities, '\ndkid:us-mexico-border a dk:Border ;\n    rdfs:label "border"@en .\n')
    done = run(fixture_env, "validate", "fixture-doc")
    assert done.code == 0, done.out + done.err
    assert "quotes: 3 checked, all verbatim at their offsets" in done.out
    assert "fixture-doc: 0 curation error(s), 1 note(s)" in done.out
    text = Path(fixture_env["DRUGKG_SEEDS_DIR"], "fixture-doc.txt")
    assert (
        f"{text}:1: info: 138-144 'border' mentions dkid:us-mexico-border (border): no quote "
        "holds this mention, and no statement of the document names it"
    ) in done.out


def test_an_entity_defined_twice_is_an_error_at_both_definitions(
    fixture_env: dict[str, str],
) -> None:
    entities = Path(fixture_env["DRUGKG_ENTITIES_DIR"], "fixture.ttl")
    _append(entities, '\ndkid:mexico-country a dk:Country ;\n    rdfs:label "mexico"@en .\n')
    done = run(fixture_env, "validate", "fixture-doc")
    assert done.code == 1
    message = (
        "error: entity defined twice: dkid:mexico, dkid:mexico-country are each a Country "
        "named 'mexico'"
    )
    for slug in ("dkid:mexico a", "dkid:mexico-country a"):
        assert f"{entities}:{_line_of(entities, slug)}: {message}" in done.out


def test_a_statement_without_a_quote_is_an_error_at_its_block(fixture_env: dict[str, str]) -> None:
    facts = Path(fixture_env["DRUGKG_FACTS_DIR"], "fixture-doc.trig")
    _append(facts, "\nstmt:q-0-8 {\n    dkid:fentanyl dk:morePotentThan dkid:heroin .\n}\n")
    done = run(fixture_env, "validate", "fixture-doc")
    assert done.code == 1
    graph = "https://w3id.org/drugkg/graph/facts/fixture-doc/q-0-8"
    line = _line_of(facts, "stmt:q-0-8 {")
    assert (
        f"{facts}:{line}: error: statement graph <{graph}> holds statements but is derived "
        "from no dk:Quote"
    ) in done.out


def test_an_unknown_document_is_a_usage_error(fixture_env: dict[str, str]) -> None:
    done = run(fixture_env, "validate", "no-such-doc")
    assert done.code == 2
    assert "no seed 'no-such-doc'; known: fixture-doc" in done.err


def test_the_quote_checks_are_limited_to_the_document(
    fixture_env: dict[str, str], tmp_path: Path
) -> None:
    text = tmp_path / "other.txt"
    text.write_text("Heroin is an opioid.", encoding="utf-8")
    added = run(
        fixture_env, "source", "add", str(text), "--id", "other-doc", "--title", "Other",
        "--publisher", "Fixture Press", "--date", "2018-05-06",
    )  # fmt: skip
    assert added.code == 0, added.err
    wrong = Path(fixture_env["DRUGKG_FACTS_DIR"], "fixture-doc.trig").read_text(encoding="utf-8")
    wrong = wrong.replace("fixture-doc", "other-doc")  # offsets of the other text: all wrong
    Path(fixture_env["DRUGKG_FACTS_DIR"], "other-doc.trig").write_text(wrong, encoding="utf-8")
    everything = run(fixture_env, "validate")
    assert everything.code == 1
    assert "other-doc#char=0,71" in everything.out
    one = run(fixture_env, "validate", "fixture-doc")
    assert one.code == 0, one.out
    assert "quotes: 3 checked, all verbatim at their offsets" in one.out
    assert "other-doc#char" not in one.out
