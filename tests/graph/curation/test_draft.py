"""`drugkg draft`: a TriG draft whose every quote is verbatim at its offsets, whose comments
name mentions at their true offsets, and which the build never reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from curation_support import check_draft, run
from projectcopy import copy_real_data, environment

from graph.errors import InputError
from graph.paths import ONTOLOGY_FILE
from graph.pipeline.inputs import Sources, read_inputs
from graph.pipeline.seeds import load_seed

ARTICLE = "thinkprogress-2017-doj-opioids"


def test_the_articles_draft_parses_and_every_quote_and_mention_is_at_its_offsets(
    tmp_path: Path,
) -> None:
    data = copy_real_data(tmp_path / "data")
    env = environment(data, tmp_path / "var" / "store")
    done = run(env, "draft", ARTICLE)
    assert done.code == 0, done.err
    path = data / "facts" / f"{ARTICLE}.draft.trig"
    assert f"wrote {path}: 51 sentences" in done.out
    seed = load_seed(data / "seeds" / f"{ARTICLE}.json")
    draft = check_draft(seed, path, data / "entities")
    assert '#   mention  1426-1429 "DEA"  dkid:dea' in draft
    assert '#   mention  2460-2475 "Chuck Rosenberg"  dkid:chuck-rosenberg' in draft
    assert '#   cue      1382-1394 "According to"' in draft


def test_a_draft_is_not_written_over_without_force(fixture_env: dict[str, str]) -> None:
    assert run(fixture_env, "draft", "fixture-doc").code == 0
    path = Path(fixture_env["DRUGKG_FACTS_DIR"], "fixture-doc.draft.trig")
    path.write_text("# a curator's notes\n", encoding="utf-8")
    again = run(fixture_env, "draft", "fixture-doc")
    assert again.code == 2
    assert "a draft exists already" in again.err
    assert path.read_text(encoding="utf-8") == "# a curator's notes\n"
    forced = run(fixture_env, "draft", "fixture-doc", "--force")
    assert forced.code == 0, forced.err
    assert "q-0-72" in path.read_text(encoding="utf-8")
    unknown = run(fixture_env, "draft", "no-such-doc")
    assert unknown.code == 2
    assert "no seed 'no-such-doc'; known: fixture-doc" in unknown.err


def test_the_build_never_reads_a_draft(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parents[2] / "fixtures" / "build", data)
    sources = Sources(
        ontology=ONTOLOGY_FILE,
        seeds=data / "seeds",
        facts=data / "facts",
        links=data / "links",
        shapes=data / "shapes",
        entities=data / "entities",
    )
    before = read_inputs(sources)
    (data / "facts" / "fixture-doc.draft.trig").write_text(
        "this is { not TriG at all\n", encoding="utf-8"
    )
    (data / "facts" / "other.draft.trig").write_text("# no seed of this name\n")
    after = read_inputs(sources)
    assert after.files == before.files
    assert len(after.store) == len(before.store)
    assert not any(p.name.endswith(".draft.trig") for p in after.files)
    # a facts file that is no draft and no seed's is still refused: the filter is by name
    (data / "facts" / "other.trig").write_text("# no seed of this name\n")
    with pytest.raises(InputError, match="facts file has no seed"):
        read_inputs(sources)
