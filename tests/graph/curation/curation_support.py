"""Running the installed `drugkg` command on a copy of the data, for the curation commands.

`run` starts the console script as a subprocess with DRUGKG_* pointing at a copy
(`environment`): the fixture data of tests/fixtures/build (`fixture_env`, in this folder's
conftest: small and fast) or the real data of this checkout (`copy_real_data`: the article's
seed, facts, entities, links and shapes; both from tests/projectcopy.py). `check_draft` checks
a draft against its seed text.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, Store, parse

from graph.curation.entities import fold, read_entities
from graph.curation.sentences import split
from graph.pipeline.quotes import check_quotes, count_quotes
from graph.pipeline.seeds import Seed

DRUGKG = Path(sys.executable).with_name("drugkg")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(env: dict[str, str], *args: str) -> Run:
    done = subprocess.run(
        [str(DRUGKG), *args], env=env, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


MENTION = re.compile(r'^#   mention  (\d+)-(\d+) "(.*)"  dkid:(\S+)$', re.MULTILINE)


def check_draft(seed: Seed, path: Path, entities_dir: Path) -> str:
    """The draft parses as TriG; its quotes, one per sentence, pass the build's quote check;
    each mention it lists is at its offsets and is one of the entity's names. Its text."""
    store = Store()
    store.extend(parse(path=path, format=RdfFormat.TRIG))
    assert check_quotes(store, seed.graph, {seed.iri: seed.text}) == []
    assert count_quotes(store, seed.graph) == len(split(seed.text))
    draft = path.read_text(encoding="utf-8")
    names = {
        e.iri.rsplit("/", 1)[1]: [fold(n) for n in e.names] for e in read_entities(entities_dir)
    }
    mentions = MENTION.findall(draft)
    assert mentions
    for start, end, shown, slug in mentions:
        words = seed.text[int(start) : int(end)]
        assert words == shown or shown.endswith("…")
        assert any(fold(words).startswith(name) for name in names[slug]), (words, slug)
    assert "graph/facts/README.md" in draft
    return draft
