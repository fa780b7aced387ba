"""Limit margins mean what they say: a phase's energy raised by just under its margin keeps
the limit's reaction, by just over it the runner-up takes over."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from pymatgen.core import Composition

from stability.analysis.uncertainty.sensitivity import limit_sensitivity
from stability.analysis.windows.window import compute_window
from stability.thermo.engines import make_engine


def raised(table, formula: str, delta_eV_per_atom: float):
    """The dataset with every entry of ``formula``'s composition raised by ``delta``."""
    comp = Composition(formula)
    elements = {str(e) for e in comp.elements}
    rows = [
        int(i)
        for i in np.flatnonzero(table.mask_within(elements))
        if Composition(table.row_composition(int(i))).reduced_formula == comp.reduced_formula
    ]
    assert rows, formula
    energies = table.energy_per_atom.copy()
    energies[rows] += delta_eV_per_atom
    return replace(table, energy_per_atom=energies, meta={**table.meta, "name": "raised"})


@pytest.mark.parametrize(
    ("formula", "limit"),
    [
        ("Li2PO2N", "oxidation"),
        ("Li2PO2N", "reduction"),
        ("Li3N", "oxidation"),
        ("Li3InCl6", "reduction"),
    ],
)
def test_margin_is_the_switching_energy(mp2019, formula, limit):
    red, ox = limit_sensitivity(make_engine(mp2019), formula)
    lim = red if limit == "reduction" else ox
    decisive = lim.decisive
    assert decisive is not None and decisive.margin_meV_per_atom > 0
    key = f"{limit}_limit_V"
    products = f"{limit}_products"
    margin = decisive.margin_meV_per_atom / 1000
    below = compute_window(make_engine(raised(mp2019, decisive.phase, 0.98 * margin)), formula)
    above = compute_window(make_engine(raised(mp2019, decisive.phase, 1.02 * margin)), formula)
    assert sorted(getattr(below, products)) == sorted(lim.products)
    assert decisive.phase not in getattr(above, products)
    assert getattr(above, key) == pytest.approx(decisive.limit_V, abs=1e-3)


def test_stable_against_li_and_spectators(mp2019):
    red, ox = limit_sensitivity(make_engine(mp2019), "Li6PS5Cl")
    li3n_red, _ = limit_sensitivity(make_engine(mp2019), "Li3N")
    assert li3n_red.reaction == "stable against Li metal" and li3n_red.decisive is None
    licl = next(c for c in red.competitors if c.phase == "LiCl")
    assert licl.margin_meV_per_atom is None and "spectator" in licl.note
    assert red.decisive.phase == "Li2S"
