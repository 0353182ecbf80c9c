"""Benchmarks and the tools around the competency questions (never run by the tests' timing)."""
