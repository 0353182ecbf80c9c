# `make serve` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.drugkg-installed
VENDOR := endpoint/vendor
VENDOR_STAMP := $(VENDOR)/.installed
YASGUI := node_modules/@triply/yasgui
SWAGGER := node_modules/swagger-ui-dist

.PHONY: serve build test check java browser tools virtuoso vendor clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The browser libraries the pages serve from the server itself, never from a CDN: YASGUI for
# the query page, Swagger UI 5 for /docs. Pinned in package.json and package-lock.json,
# installed with `npm ci` (no install scripts), and only the files the pages load are copied
# into endpoint/vendor/ (ignored by git, shipped in the wheel). npm is installed with apt-get
# when missing and run as root (as CI does); elsewhere without npm the pages fall back: the
# query page to its built-in editor, /docs to a list of the operations (CI=true: an error).
$(VENDOR_STAMP): package.json package-lock.json Makefile
	@if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing npm for YASGUI and Swagger UI (apt-get install npm)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	fi
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "npm is not installed: the query page keeps its built-in editor and /docs lists the operations (install Node.js and npm for YASGUI and Swagger UI)" >&2; \
	  if [ "$$CI" = true ]; then exit 1; fi; \
	else \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
	  rm -rf $(VENDOR) && mkdir -p $(VENDOR)/yasgui $(VENDOR)/swagger-ui && \
	  cp $(YASGUI)/build/yasgui.min.js $(YASGUI)/build/yasgui.min.css \
	     $(YASGUI)/build/yasgui.min.js.LICENSE.txt $(YASGUI)/LICENSE.txt $(YASGUI)/package.json \
	     $(VENDOR)/yasgui/ && \
	  cp $(SWAGGER)/swagger-ui-bundle.js $(SWAGGER)/swagger-ui.css $(SWAGGER)/favicon-32x32.png \
	     $(SWAGGER)/swagger-ui-bundle.js.LICENSE.txt $(SWAGGER)/LICENSE $(SWAGGER)/NOTICE \
	     $(SWAGGER)/package.json \
	     $(VENDOR)/swagger-ui/ && \
	  touch $@; \
	fi

vendor: $(VENDOR_STAMP)

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

# The write tests drive curl as a client of the Graph Store Protocol; the replica test runs
# HAProxy in front of two servers (deploy/haproxy.cfg).
tools:
	@for pair in curl:curl haproxy:haproxy; do \
	  command=$${pair%%:*}; package=$${pair#*:}; \
	  if command -v $$command >/dev/null 2>&1; then :; \
	  elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $$package for the tests (apt-get install $$package)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$package >/dev/null; \
	  else \
	    echo "the tests need $$command: install $$package (its tests fail in CI and skip elsewhere without it)" >&2; \
	  fi; \
	done

# The publish tests push the graph to Virtuoso Open Source 7 (Debian's package) on a database
# of their own, on free loopback ports. Installed without questions (no dba password is set,
# so Debian disables its own virtuoso service, which the tests never use).
virtuoso:
	@if command -v virtuoso-t >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Virtuoso for the publish tests (apt-get install virtuoso-opensource)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; \
	else \
	  echo "the publish tests need Virtuoso 7: install virtuoso-opensource (they fail in CI and skip elsewhere without it)" >&2; \
	fi

build: $(STAMP) java
	$(BIN)/drugkg build

serve: $(STAMP) java vendor
	$(BIN)/drugkg serve

test: $(STAMP) java browser tools virtuoso vendor
	$(BIN)/python -m pytest
	# the W3C query-evaluation suite again, through drugkg answering from the oxigraph server
	$(BIN)/python -m pytest -q tests/conformance --sparql-server=drugkg-remote

check: $(STAMP)
	$(BIN)/ruff check graph endpoint tests bench
	$(BIN)/ruff format --check graph endpoint tests bench
	$(BIN)/mypy

clean:
	rm -rf var build dist .pytest_cache .mypy_cache .ruff_cache node_modules $(VENDOR)
