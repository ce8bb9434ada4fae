# qingdan: `make demo` sets everything up, builds and serves; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REGISTRY ?= registry
HOST ?= 127.0.0.1

.PHONY: demo build test validate schema clean

$(BIN)/qingdan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

validate: $(BIN)/qingdan
	$(BIN)/qingdan validate $(REGISTRY) --quiet

schema: $(BIN)/qingdan
	$(BIN)/qingdan schema

build: $(BIN)/qingdan
	$(BIN)/qingdan validate $(REGISTRY)

demo: build

test: $(BIN)/qingdan
	$(BIN)/python -m pytest -q

clean:
	rm -rf dist
