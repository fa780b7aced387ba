# Quick start: `make demo` and `make test` on a fresh machine (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
export STABILITY_DATA ?= $(abspath $(SHARED)/data)
export MPLBACKEND := Agg

.PHONY: install link demo test lint docs bench clean
# Where `make demo` puts the `stability` command so that any new shell finds it: the first
# writable folder on PATH of ~/.local/bin and /usr/local/bin (override: make demo BINDIR=DIR).
BINDIR ?= $(firstword $(foreach d,$(HOME)/.local/bin /usr/local/bin,$(if $(findstring :$(d):,:$(PATH):),$(shell test -w "$(d)" && echo "$(d)"))))

$(VENV)/.installed: pyproject.toml setup.py stability/thermo/_pivots.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

link: install
	@if [ -n "$(BINDIR)" ]; then \
	  ln -sfn "$(abspath $(BIN))/stability" "$(BINDIR)/stability" && \
	  echo "linked $(BINDIR)/stability -> $(abspath $(BIN))/stability: 'stability' runs in any shell"; \
	else \
	  echo "note: no writable folder on PATH for 'stability': run $(abspath $(BIN))/stability or add $(abspath $(BIN)) to PATH"; \
	fi

check-data:
	@test -d "$(STABILITY_DATA)" || { echo "error: snapshot folder $(STABILITY_DATA) not found: clone ../shared beside this repository or set STABILITY_DATA"; exit 1; }

demo: install link check-data
	$(BIN)/stability data info
	$(BIN)/stability window Li3N Li9N2Cl3 Li2PO2N Li3PS4 Li6PS5Cl Li10GeP2S12 Li3YCl6 Li3InCl6 Li7La3Zr2O12
	$(BIN)/stability screen --set seed --interfaces-with cathodes --out results/seed --jobs 2 --restart
	$(BIN)/stability interfaces --left nitride-sses --right cathodes --voltage 3 --out results/interfaces_3V
	$(BIN)/stability figures --out results/figures
	$(BIN)/stability compare --set window-bars --dataset mp2019_ground_states --dataset mp2022_hull --out results/compare
	@echo
	@echo "Done. Look at:"
	@echo "  results/seed/screen.csv, .json     windows of every catalogue material + reaction energies with cathodes"
	@echo "  results/interfaces_3V/             nitride | cathode reactions with Li open at 3 V (csv + heatmap)"
	@echo "  results/figures/*.png, *.pdf       the review's figures, with the table behind each"
	@echo "  results/compare/                   mp2019 vs mp2022 windows with 95% error bars (MP2020 corrections)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check stability

# Tests run in parallel (pytest-xdist), one test file per worker at a time (--dist loadfile:
# a file's fixtures, its cluster or its local MP server stay in one process). PYTEST_JOBS=0:
# serially, in this process. Tests marked serial (signals that must land mid-run) run alone
# after the rest.
PYTEST_JOBS ?= auto
PYTEST_ARGS ?=
PYTEST := $(BIN)/pytest -q -n $(PYTEST_JOBS) --dist loadfile $(PYTEST_ARGS)
test: install check-data lint docs
	$(PYTEST) -m "not serial"
	$(BIN)/pytest -q -m serial $(PYTEST_ARGS)
	$(PYTEST) --doctest-modules stability
	$(PYTEST) --nbmake notebooks

# The manual (docs/, mkdocs.yml) into site/; --strict: a broken link or reference fails.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# First issue 28's goals (ratios within one run, answers checked against the old paths),
# then pymatgen against stability, then the cluster.
bench: install check-data
	$(BIN)/python benchmarks/goals.py
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/cluster.py

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
