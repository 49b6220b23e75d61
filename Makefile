# Two commands that work on a fresh machine (Python >= 3.11 on PATH):
#   make demo   installs deploy_opt in .venv and solves the shipped sample
#   make test   installs deploy_opt with its test tools (and, as root, the Debian
#               packages the tests need) and runs lint + tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/tangerang-kota
# Hypothesis profile of `make test` (see tests/conftest.py): `ci` replays the same
# examples on every clone; `make test HYPOTHESIS_PROFILE=dev` explores new ones.
HYPOTHESIS_PROFILE ?= ci

.PHONY: demo test lint install clean bench-quick system-deps

# uv installs the wheels in parallel (about 4x faster than pip on a fresh machine).
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/deploy-opt solve scenarios/tangerang-kota/scenario.yaml --out $(OUT) --overwrite

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

# Debian packages the tests need (PDF rendering and reading, headless Chromium)
system-deps:
	bash scripts/install-system-deps.sh

test: system-deps lint
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(BIN)/python -m pytest -q

# quality gates on both samples and a small generated region (benchmarks/README.md); ~3 min
bench-quick: $(VENV)/.installed
	$(BIN)/python benchmarks/ci_quick.py

clean:
	rm -rf $(VENV) out
