"""The fast paths of issue 28 give the answers of the paths they replace.

- a screen's ``reaction_with_<label>`` columns come from ``reaction_energy`` (no products or
  reactions of any kink, and on a pivoting hull one walk per closed pair instead of three);
  compared here with ``compute_interface`` on every 4th system of the all-Li screen;
- an interlayer search computes windows only for candidates within ``max_ehull``; compared
  with the search that computes every candidate's window (``compute_window``).
"""

from __future__ import annotations

import math

import pytest

from stability.analysis.cells import interlayer
from stability.analysis.interfaces import interface
from stability.analysis.interfaces.interface import compute_interface, reaction_energy
from stability.analysis.materials.sets import resolve_set, resolve_targets
from stability.analysis.screens.screen import run_screen, system_groups
from stability.errors import StabilityError
from stability.thermo.engines import make_engine

#: Largest difference allowed between an energy and the one it replaces (meV/atom).
ENERGY_TOL_MEV = 1e-9


@pytest.fixture(scope="module")
def every_fourth_system(mp2019):
    targets = resolve_targets(mp2019, "all-li")
    groups = system_groups(targets, make_engine(mp2019))
    return [targets[i] for g in groups[::4] for i in g]


def test_screen_interface_columns_equal_compute_interface(mp2019, every_fourth_system):
    partners = resolve_set("cathodes", mp2019)
    rows = run_screen(make_engine(mp2019), every_fourth_system, partners=partners).rows
    plain = run_screen(make_engine(mp2019), every_fourth_system).rows
    reference = make_engine(mp2019)
    checked = 0
    for target, row, base in zip(every_fourth_system, rows, plain, strict=True):
        # The window columns are those of the screen without partners.
        assert {k: v for k, v in row.items() if not k.startswith("reaction_with_")} == {
            **base,
            "error": row["error"],
        }
        for label, formula in partners:
            got = row[f"reaction_with_{label}_meV_per_atom"]
            try:
                want = compute_interface(reference, target.formula, formula)
            except StabilityError:
                assert got is None
                continue
            assert math.isfinite(got)
            assert abs(got - want.reaction_energy_meV_per_atom) <= ENERGY_TOL_MEV
            checked += 1
    assert checked > 10_000


def test_screen_interface_columns_read_no_products(mp2019, monkeypatch):
    """A screen column needs the most negative energy only: no kink's products."""

    def no_products(*args, **kwargs):
        raise AssertionError("products computed for a screen column")

    monkeypatch.setattr(interface, "reaction_string", no_products)
    targets = resolve_targets(mp2019, "nitride-sses")
    rows = run_screen(make_engine(mp2019), targets, partners=[("LCO", "LiCoO2")]).rows
    assert [round(r["reaction_with_LCO_meV_per_atom"], 1) for r in rows] == [
        -449.9,
        -323.3,
        -201.7,
        -393.4,
    ]


@pytest.mark.parametrize("voltage", [None, 0.5, 3.0])
def test_reaction_energy_is_compute_interfaces(fast2019, voltage):
    for a, b in [("Li3N", "LiCoO2"), ("Li3PS4", "LiNi0.8Mn0.1Co0.1O2"), ("Li6PS5Cl", "LiFePO4")]:
        want = compute_interface(fast2019, a, b, voltage).reaction_energy_meV
        assert abs(reaction_energy(fast2019, a, b, voltage) - want) <= ENERGY_TOL_MEV


def _every_window(engine, item):
    """Stage 1 as it was: every candidate's window, then the energy-above-hull test."""
    key, formula, faces, max_ehull = item
    row = {"key": key, "formula": formula, "error": ""}
    try:
        w = interlayer.compute_window(engine, formula)
    except StabilityError as exc:
        return {**row, "error": str(exc), "stage": "window"}
    need = faces.required_V
    short = 0.0
    if need:
        short = max(0.0, w.reduction_limit_V - min(need), max(need) - w.oxidation_limit_V)
    e_hull = w.e_above_hull_eV_per_atom
    margin = (
        min(min(need) - w.reduction_limit_V, w.oxidation_limit_V - max(need))
        if need
        else w.window_width_V
    )
    return {
        **row,
        "reduced_formula": w.reduced_formula,
        "e_above_hull_eV_per_atom": e_hull,
        "placed_on_hull": w.placed_on_hull,
        "reduction_limit_V": w.reduction_limit_V,
        "oxidation_limit_V": w.oxidation_limit_V,
        "window_margin_V": margin,
        "window_shortfall_V": short,
        "covers_voltages": short <= interlayer.WINDOW_TOL_V,
        "within_max_ehull": e_hull is None or e_hull <= max_ehull + 1e-12,
    }


def test_interlayer_search_equals_the_every_window_search(mp2019, every_fourth_system, monkeypatch):
    candidates = [(t.key, t.formula) for t in every_fourth_system]
    candidates += [("LGPS", "LGPS"), ("bad", "Xx2O"), ("no Li", "Al2O3"), ("placed", "Li5N2Cl")]
    fast = interlayer.rank_interlayers(make_engine(mp2019), "Li3N", "Li3InCl6", candidates)
    monkeypatch.setattr(interlayer, "candidate_window", _every_window)
    slow = interlayer.rank_interlayers(make_engine(mp2019), "Li3N", "Li3InCl6", candidates)
    assert fast.counts == slow.counts
    assert fast.counts["reacted"] > 10 and fast.counts["above_max_ehull"] > 100
    assert fast.to_dict() == slow.to_dict()


def test_interlayer_windows_only_within_max_ehull(mp2019, every_fourth_system, monkeypatch):
    """Candidates above max_ehull are left out by their hull energy: no window for them."""
    from stability.thermo.fast import FastSystem

    windows = []
    steps = FastSystem.ion_window_steps

    def counted(self, amounts, element="Li"):
        windows.append(amounts)
        return steps(self, amounts, element)

    monkeypatch.setattr(FastSystem, "ion_window_steps", counted)
    candidates = [(t.key, t.formula) for t in every_fourth_system]
    ranking = interlayer.rank_interlayers(make_engine(mp2019), "Li3N", "Li3InCl6", candidates)
    kept = ranking.counts["evaluated"] - ranking.counts["above_max_ehull"]
    # Windows of the candidates kept, plus those of A and B (the faces' voltages).
    assert len(windows) <= kept + 2 < ranking.counts["evaluated"]
