"""Every working ion beyond windows: the sets of its compounds, practical windows (tolerance
per ion atom, the ion's metal never judged), screens, the class figure, and cells (Li only)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from stability.analysis.materials.catalogue import CATALOGUE
from stability.analysis.materials.sets import DATASET_SET_NAMES, resolve_targets
from stability.analysis.screens.review import class_windows
from stability.analysis.screens.screen import run_screen
from stability.analysis.windows.practical import Passivation, compute_practical_window
from stability.analysis.windows.profile import compute_profile
from stability.analysis.windows.window import compute_window, compute_windows
from stability.cli import cli

from .conftest import shared_file


def run(*args: str):
    return CliRunner().invoke(cli, [*args])


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


@pytest.fixture(scope="module")
def rows_with() -> dict[str, int]:
    """Compounds (two elements or more) of each ion in the snapshot, counted with pandas."""
    frame = pd.read_csv(shared_file("mp2019_ground_states.csv.gz"), usecols=["formula"])
    elements = frame["formula"].str.findall(r"[A-Z][a-z]?").map(set)
    return {
        ion: int(elements.map(lambda s, ion=ion: ion in s and len(s) > 1).sum())
        for ion in ("Li", "Na", "K", "Mg", "Ca", "Zn", "Al")
    }


@pytest.mark.parametrize("ion", ["Li", "Na", "K", "Mg", "Ca", "Zn", "Al"])
def test_all_ion_sets_list_every_compound_of_the_ion(mp2019, rows_with, ion):
    name = f"all-{ion.lower()}"
    assert name in DATASET_SET_NAMES
    targets = resolve_targets(mp2019, name)
    assert len(targets) == rows_with[ion]
    assert all(ion in mp2019.row_composition(t.row) for t in targets[::50])


def test_screen_all_na_writes_one_row_per_na_compound(data, rows_with, tmp_path):
    res = run("screen", "--set", "all-na", "--ion", "Na", "--data", data, "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(tmp_path / "screen.csv", keep_default_na=False)
    assert len(frame) == rows_with["Na"]
    assert set(frame["ion"]) == {"Na"}
    assert (frame["error"] == "").all()
    na3ps4 = frame.set_index("reduced_formula").loc["Na3PS4"]
    w = json.loads(run("window", "Na3PS4", "--ion", "Na", "--data", data, "--format", "json")
                   .stdout)[0]  # fmt: skip
    assert na3ps4["reduction_limit_V"] == pytest.approx(w["reduction_limit_V"], abs=1e-9)
    assert na3ps4["oxidation_limit_V"] == pytest.approx(w["oxidation_limit_V"], abs=1e-9)


def test_screen_of_li_compounds_with_na_says_no_window(fast2019):
    targets = resolve_targets(fast2019.table, "nitride-sses")
    rows = run_screen(fast2019, targets, ion="Na").rows
    assert {r["ion"] for r in rows} == {"Na"}
    assert all(
        r["error"].startswith("no window: ") and "contains no Na" in r["error"] for r in rows
    )


def test_na_tolerance_is_per_na_atom(fast2019):
    """Na3PS4 (8 atoms) takes up 1 Na per formula unit below its reduction limit: 0.125 Na
    per atom. A tolerance of 0.1 keeps the strict limit, one of 0.13 crosses that step."""
    steps = compute_profile(fast2019, "Na3PS4", ion="Na").steps
    own = next(i for i, s in enumerate(steps) if s.is_pristine)
    assert steps[own - 1].ion_per_formula_unit == pytest.approx(1.0)
    strict = compute_window(fast2019, "Na3PS4", ion="Na")
    kept = compute_practical_window(fast2019, "Na3PS4", tolerance=0.1, ion="Na")
    crossed = compute_practical_window(fast2019, "Na3PS4", tolerance=0.13, ion="Na")
    # (the full profile and the window's three steps agree to rounding)
    assert kept.reduction_limit_V == pytest.approx(strict.reduction_limit_V, abs=1e-12)
    assert crossed.reduction_limit_V == pytest.approx(steps[own - 1].voltage_low_V)
    assert crossed.reduction_limit_V < strict.reduction_limit_V
    assert crossed.ion_tolerance_per_atom == 0.13 and crossed.ion == "Na"
    assert crossed.strict_reduction_limit_V == pytest.approx(strict.reduction_limit_V, abs=1e-12)


def test_na_passivation_leaves_na_metal_unjudged(fast2019):
    steps = compute_profile(fast2019, "Na3PS4", ion="Na").steps
    insulating = Passivation({p.formula: 3.0 for s in steps for p in s.phases})
    w = compute_practical_window(fast2019, "Na3PS4", passivation=insulating, ion="Na")
    assert w.passivated_reduction_limit_V == 0.0
    assert w.passivation_reduction_stop == "Na metal reached"
    assert insulating.kind("Na", ion="Na") == "metal"
    # Na3P at 0.4 eV (GGA) is no insulator: the walk stops where it forms.
    gaps = Passivation({**insulating.gaps, "Na3P": 0.4})
    w = compute_practical_window(fast2019, "Na3PS4", passivation=gaps, ion="Na")
    assert w.passivation_reduction_stop == "Na3P: band gap 0.40 eV < 0.50 eV"
    assert w.passivated_reduction_limit_V > 0


def test_cli_practical_windows_take_the_ion(data):
    res = run(
        "window", "Na3PS4", "--ion", "Na", "--tolerance", "0.13", "--data", data, "--format", "json"
    )
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert row["ion"] == "Na" and row["ion_tolerance_per_atom"] == 0.13
    assert row["reduction_limit_V"] < row["strict_reduction_limit_V"]
    res = run("window", "Na3PS4", "--ion", "Na", "--passivation", "--data", data)
    assert res.exit_code == 0, res.output
    assert "working ion: Na (voltages V vs Na/Na+)" in res.output
    assert "Na3P: band gap" in res.output


@pytest.mark.parametrize(
    ("ion", "sets"),
    [("Na", ("na-electrolytes", "na-cathodes")), ("K", ("k-electrolytes", "k-cathodes")),
     ("Mg", ("mg-electrolytes", "mg-cathodes"))],
)  # fmt: skip
def test_catalogue_windows_of_other_ions_are_not_negative(fast2019, ion, sets):
    formulas = [f for name in sets for _, f in CATALOGUE[name] if ion in f]
    table = compute_windows(fast2019, formulas, ion=ion)
    assert len(table.ok) == len(formulas) >= 4
    assert all(w.window_width_V >= 0 and w.ion == ion for w in table.ok)


def test_class_windows_of_sodium(fast2019):
    frame = class_windows(fast2019, ion="Na")
    assert set(frame["ion"]) == {"Na"}
    nacl = frame.set_index("formula").loc["NaCl"]
    w = compute_window(fast2019, "NaCl", ion="Na")
    assert nacl["oxidation_limit_V"] == w.oxidation_limit_V and bool(nacl["is_binary"])
    # Na-M-X at M's highest valence, charge balanced with Na+: NaAlCl4 is one, Na2ZrCl6 too.
    assert {"NaAlCl4", "Na3InCl6"} <= set(frame["label"])


def test_li_outputs_are_unchanged_in_value(fast2019):
    """The default is Li: the same numbers as ion="Li", and the Li keys' values migrated."""
    default, li = compute_window(fast2019, "Li3PS4"), compute_window(fast2019, "Li3PS4", ion="Li")
    assert default == li and default.ion == "Li"
    assert round(default.reduction_limit_V, 3) == 1.721
    w = compute_practical_window(fast2019, "Li2.9PO3.3N0.46", tolerance=0.02)
    assert w.to_dict()["ion_tolerance_per_atom"] == 0.02


@pytest.mark.parametrize(
    ("cathode", "anode"), [("LiCoO2", "Na"), ("NaCoO2", "Li"), ("MgMn2O4", "Li")]
)
def test_cells_are_li_only(tmp_path, data, cathode, anode):
    path = tmp_path / "cell.toml"
    path.write_text(
        f'[cathode]\nmaterial = "{cathode}"\ncutoff_V = 4.2\nvoltage_V = 3.9\n\n'
        '[[electrolyte]]\nmaterial = "Li3PS4"\nthickness_um = 30\ndensity_g_cm3 = 1.88\n\n'
        f'[anode]\nmaterial = "{anode}"\n'
    )
    res = run("cell", str(path), "--data", data)
    assert res.exit_code == 1
    assert "cells are Li-only" in res.output
    assert "Traceback" not in res.output
