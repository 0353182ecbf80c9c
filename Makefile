# `make serve` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.drugkg-installed

.PHONY: serve build test check java browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# HermiT (the OWL reasoner the build runs through owlready2) needs a Java runtime.
java:
	@if command -v java >/dev/null 2>&1 || [ -n "$$DRUGKG_JAVA" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing a Java runtime for HermiT (apt-get install default-jre-headless)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	else \
	  echo "drugkg needs Java for HermiT: install a Java runtime (11 or newer) or set DRUGKG_JAVA to its java executable" >&2; exit 1; \
	fi

# The browser tests drive Debian's Chromium headless (never Playwright's own downloads).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Chromium for the browser tests (apt-get install chromium)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "the browser tests need /usr/bin/chromium: install Debian's chromium package (as root)" >&2; exit 1; \
	fi

build: $(STAMP) java
	$(BIN)/drugkg build

serve: $(STAMP) java
	$(BIN)/drugkg serve

test: $(STAMP) java browser
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/ruff check graph endpoint tests bench
	$(BIN)/ruff format --check graph endpoint tests bench
	$(BIN)/mypy

clean:
	rm -rf var build dist .pytest_cache .mypy_cache .ruff_cache
