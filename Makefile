# qingdan: `make demo` sets everything up, builds and serves; `make test` runs the tests
# (all of them, as CI does); `make test-fast` leaves out full builds and the browser.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REGISTRY ?= registry
DIST ?= dist
HOST ?= 127.0.0.1
# Other ports when these are taken: make demo SITE_PORT=8100 DATASETTE_PORT=8101 (the build links to them).
SITE_PORT ?= 8000
DATASETTE_PORT ?= 8001
SITE_URL ?= http://$(HOST):$(SITE_PORT)/
DATASETTE_URL ?= $(or $(QINGDAN_DATASETTE_URL),http://$(HOST):$(DATASETTE_PORT)/)
PORTS := --site-port $(SITE_PORT) --datasette-port $(DATASETTE_PORT)

# Tests run with bytecode caching on even where the environment turns it off (PYTHONDONTWRITEBYTECODE):
# without the caches every run recompiles the package and pytest's rewritten test modules (~2 s of CPU).
# They go to __pycache__/ folders, which git ignores.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

.PHONY: demo build serve serve-prod test test-fast lint validate schema benchmark system-deps clean

# System packages the build needs (Graphviz and CJK fonts for flowcharts, Chromium for the
# browser test, nginx for serve-prod, systemd-analyze to check deploy/systemd); installed only when missing, with sudo when not root.
# (setpriv, which qingdan/children.py uses when present, is in util-linux: essential on Debian.)
system-deps:
	@missing=""; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(BIN)/qingdan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

validate: $(BIN)/qingdan
	$(BIN)/qingdan validate $(REGISTRY) --quiet

schema: $(BIN)/qingdan
	$(BIN)/qingdan schema

build: system-deps $(BIN)/qingdan
	$(BIN)/qingdan build $(REGISTRY) --dist $(DIST) --site-url $(SITE_URL) --datasette-url $(DATASETTE_URL)

serve: $(BIN)/qingdan
	$(BIN)/qingdan serve --dist $(DIST) --host $(HOST) $(PORTS)

# nginx on $(HOST):$(SITE_PORT) in front of the site and two Datasette replicas (see README, "Deploying").
serve-prod: build
	$(BIN)/qingdan serve --prod --dist $(DIST) --host $(HOST) $(PORTS)

demo: build serve

test: system-deps $(BIN)/qingdan
	$(PYTEST) -q

test-fast: $(BIN)/qingdan
	$(PYTEST) -q -m "not slow and not browser"

lint: $(BIN)/qingdan
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

benchmark: $(BIN)/qingdan
	$(BIN)/python benchmarks/bench_datasette.py
	$(BIN)/python benchmarks/bench_site.py

clean:
	rm -rf $(DIST) build
