# Zhaoshang (招商图谱) — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium-headless-shell fonts-noto-cjk poppler-utils postgresql libpq5 openjdk-17-jre-headless
PORT ?= 8800

.PHONY: setup setup-system setup-python setup-web demo test bench clean

setup: setup-system setup-python setup-web

# Debian packages: chromium's headless shell for browser tests, CJK fonts for PDF reports, pdftoppm, PostgreSQL
# (the team-state tests start a throw-away server; libpq for psycopg), Java 17 for Spark in local mode.
setup-system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=24"

# Reinstalls only when pyproject.toml changed. pip byte-compiles what it installs one file at a time; compiled here
# instead on every core (the packages' own test folders left out: nothing imports them), the same files in about half
# the wall time of a fresh setup. Files that are not Python 3 (a package's templates, old examples) do not compile,
# as pip too passes over them.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --no-compile -e '.[test,spark]'
	$(BIN)/python -m compileall -q -j 0 -x '/tests?/' $(VENV)/lib >/dev/null || true
	touch $@

setup-python: $(VENV)/.installed

# Front-end assets from the npm registry (pinned in package-lock.json), copied into the static folder.
setup-web: src/zhaoshang/interfaces/web/static/vendor/.stamp

src/zhaoshang/interfaces/web/static/vendor/.stamp: package.json package-lock.json scripts/vendor_assets.sh
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	bash scripts/vendor_assets.sh
	touch $@

demo: setup
	$(BIN)/zhaoshang demo --port $(PORT)

# Three workers on the two cores, one test file each at a time (a file's module fixtures stay in one process): three
# ran the suite faster than two, and four no faster than three — the cores are busy throughout (docs/benchmarks.md
# "Three test workers", "The suite's CPU, where it goes"). Files go out in collection order, the slowest first
# (tests/conftest.py::SLOW_FIRST), so the workers finish together.
test: setup
	$(BIN)/python -m pytest -p no:cacheprovider -n 3 --dist loadfile --no-loadscope-reorder --durations=30

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules src/zhaoshang/interfaces/web/static/vendor
