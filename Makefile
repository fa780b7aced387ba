# Quick start: `make demo` and `make test` on a fresh machine (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
export STABILITY_DATA ?= $(abspath $(SHARED)/data)
export MPLBACKEND := Agg

.PHONY: install demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

check-data:
	@test -d "$(STABILITY_DATA)" || { echo "error: snapshot folder $(STABILITY_DATA) not found: clone ../shared beside this repository or set STABILITY_DATA"; exit 1; }

demo: install check-data
	$(BIN)/stability data info
	$(BIN)/stability window Li3N Li9N2Cl3 Li2PO2N Li3PS4 Li6PS5Cl Li10GeP2S12 Li3YCl6 Li3InCl6 Li7La3Zr2O12 LiCoO2
	$(BIN)/stability window Li3N Li9N2Cl3 Li2PO2N Li3PS4 Li6PS5Cl Li10GeP2S12 Li3YCl6 Li3InCl6 Li7La3Zr2O12 --format csv > /dev/null
	@mkdir -p results
	$(BIN)/stability window Li3N Li9N2Cl3 Li2PO2N Li3PS4 Li6PS5Cl Li10GeP2S12 Li3YCl6 Li3InCl6 Li7La3Zr2O12 LiCoO2 --format csv > results/windows.csv
	$(BIN)/stability profile Li3N --plot results/profile_Li3N.png --format csv > results/profile_Li3N.csv
	$(BIN)/stability profile Li9N2Cl3 --plot results/profile_Li9N2Cl3.png
	$(BIN)/stability profile Li9N2Cl3 --format csv > results/profile_Li9N2Cl3.csv
	@echo "Results in results/: windows.csv, profile_*.csv and profile_*.png"

lint: install
	$(BIN)/ruff check stability tests benchmarks

test: install check-data lint
	$(BIN)/pytest -q

bench: install check-data
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
