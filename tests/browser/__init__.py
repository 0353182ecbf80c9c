"""Browser tests: a real headless Chromium against a live server (a package, so that its
conftest does not shadow the `conftest` module other test folders import from)."""
