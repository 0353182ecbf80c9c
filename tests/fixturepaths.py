"""Where the tests' shared files are, for test modules at any depth of tests/."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
"""The checkout."""
FIXTURES = TESTS / "fixtures"
"""Fixture data shared by the tests (tests/fixtures)."""
WIKIDATA_SAMPLE = FIXTURES / "linkeddata" / "wikidata-sample.ttl"
"""A Wikidata-shaped fixture for federation and link suggestions (see its header)."""
