# The two commands that must always work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
# PyTorch is installed first, on its own, so a local CPU build can be chosen; override freely,
# e.g. `make test TORCH_SPEC="torch>=2.2"`.
TORCH_SPEC ?= torch==2.13.0
EXTRAS ?= cli,test,dev
PYTEST_ARGS ?= -n 2
BIN := $(VENV)/bin
STAMP := $(VENV)/.torchbalance-installed

.PHONY: run test lint docs bench setup clean

run: $(STAMP)
	$(BIN)/torchbalance compare

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples docs/_hooks conftest.py
	$(BIN)/ruff format --check src tests benchmarks examples docs/_hooks conftest.py
	$(BIN)/mypy

# The site (README sections, API pages from the docstrings) into site/; any warning fails it.
# NO_MKDOCS_2_WARNING only silences mkdocs-material's banner about MkDocs 2.
docs: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),docs]"
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

# torchsampler is a peer in bench_samplers; --no-deps keeps its torchvision from replacing torch.
# torchmetrics (the bench extra) is a peer in bench_metrics.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),bench]"
	$(BIN)/python -m pip install --quiet --no-deps torchsampler
	$(BIN)/python benchmarks/bench_neighbors.py
	$(BIN)/python benchmarks/bench_samplers.py
	$(BIN)/python benchmarks/bench_losses.py
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_over_sampling.py
	$(BIN)/python benchmarks/bench_under_sampling.py
	$(BIN)/python benchmarks/smote_downstream.py
	$(BIN)/python benchmarks/ensemble.py
	$(BIN)/python benchmarks/anomaly.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/scale.py --compare

setup: $(STAMP)

# Rebuilt only when the project's dependencies change; otherwise `make` is instant.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist site src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
