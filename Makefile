# Two entry points: `make run` and `make test`. Every step is skipped when already done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.deps-installed
NPM_STAMP := node_modules/.package-lock.json
ASSET_STAMP := static/vendor/.installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8501
# Loopback only; serve a team behind a reverse proxy (README: Serving a team).
ADDRESS ?= 127.0.0.1

.PHONY: install run test lint bench clean system-deps chromium postgres

install: $(PIP_STAMP) $(ASSET_STAMP)

# Debian/Ubuntu packages the set-up needs: venv support, Node's package manager for the web assets.
system-deps:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null && command -v npm >/dev/null || { \
	  echo "Installing system packages (python3-venv, npm)..."; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv python3-pip npm; }

$(PY): | system-deps
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(NPM_STAMP): package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --loglevel=error

$(ASSET_STAMP): $(NPM_STAMP) $(PIP_STAMP) geo/assets.py $(wildcard geo/basemap/*.py) geo/tiles.py
	$(PY) -m geo.assets install

# The browser tests drive Debian's Chromium; Playwright cannot download its own build here.
chromium:
	@[ -x $(CHROMIUM) ] || { echo "Installing Debian's chromium for the browser tests..."; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core; }

# The store tests start their own PostgreSQL cluster with PostGIS, for the installed server version.
postgres:
	@v=$$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1); \
	[ -n "$$v" ] && [ -f /usr/share/postgresql/$$v/extension/postgis.control ] || { \
	  echo "Installing PostgreSQL and PostGIS for the store tests..."; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql && \
	  v=$$(ls /usr/lib/postgresql | sort -n | tail -1) && \
	  $(SUDO) apt-get install -y -qq postgresql-$$v-postgis-3; }

# Two C heaps for all the server's threads: what one session frees then serves the next
# (three closed upload sessions left ~40 MB more resident with glibc's 8 per core).
run: install
	MALLOC_ARENA_MAX=2 $(PY) -m streamlit run dashboard.py --server.address $(ADDRESS) --server.port $(PORT)

test: install chromium postgres
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check geo ui pages benchmarks tests dashboard.py
	$(PY) -m mypy

bench: install chromium
	$(PY) -m geo bench

clean:
	rm -rf $(VENV) node_modules static/vendor static/basemap test-output
