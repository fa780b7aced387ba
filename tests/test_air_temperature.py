"""Air at a temperature where the dataset has structures (issue 27, heat): solids take
pymatgen's GibbsComputedStructureEntry energies, O2 its free energy at T and 0.21 bar; air on
total-energy datasets; reactant gases a dataset cannot make are left out and said."""

from __future__ import annotations

import gzip
import json
import math
import warnings

import pytest
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition
from pymatgen.entries.computed_entries import (
    ComputedStructureEntry,
    GibbsComputedStructureEntry,
)

from stability.analysis.air import Conditions, compute_air, react_with_air, react_with_gas
from stability.analysis.air.gases import KB_EV
from stability.entries.load import load_dataset

from .conftest import shared_file

CO_NI = "mp2020_entries_Li-Co-Ni-O.json.gz"


@pytest.fixture(scope="module")
def co_ni():
    path = shared_file(CO_NI)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        entries = [ComputedStructureEntry.from_dict(d) for d in json.load(fh)]
    return entries, load_dataset(path)


def _gibbs_hull(entries, temperature: float, elements: set[str], o2_pa: float):
    """pymatgen's phase diagram at T of the solids of ``elements``, O2 as a gas PDEntry at
    its chemical potential on the same scale (elements at T at 0: kT ln(p/p0) per O2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gibbs = GibbsComputedStructureEntry.from_entries(entries, temp=temperature)
    solids = [
        e
        for e in gibbs
        if {str(el) for el in e.composition.elements} <= elements and e.composition != Composition("O2")
        and not (e.composition.is_element and str(e.composition.elements[0]) == "O")
    ]
    mu_o2 = KB_EV * temperature * math.log(o2_pa / 1e5)
    return solids, PDEntry(Composition("O2"), mu_o2)


@pytest.mark.parametrize("temperature", [300.0, 1000.0, 1500.0])
@pytest.mark.parametrize("formula", ["Li2O2", "LiNiO2", "LiCoO2", "Li2O", "Li2Ni2O3"])
def test_air_at_temperature_equals_pymatgen(co_ni, formula, temperature):
    """The air row's energy per formula unit: pymatgen's grand potential of the formula with
    O open at mu_O2(T, 0.21 bar) / 2, against the formula's own solids-only hull energy."""
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram
    from pymatgen.core import Element

    entries, table = co_ni
    cond = Conditions(temperature_K=temperature)
    row = react_with_air(table, formula, cond)
    comp = Composition(formula)
    els = {str(e) for e in comp.elements} | {"O"}
    solids, o2 = _gibbs_hull(entries, temperature, els, cond.pressure_Pa("O2"))
    stand_in = PDEntry(Composition("O"), 10.0)  # an O terminal no real hull uses
    own = PhaseDiagram([*solids, stand_in]).get_hull_energy(comp)
    mu_o = o2.energy / 2
    grand = GrandPotentialPhaseDiagram([*solids, o2], {Element("O"): mu_o})
    closed = Composition({el: a for el, a in comp.items() if str(el) != "O"})
    expected = min(grand.get_hull_energy(closed) - (own - comp["O"] * mu_o), 0.0)
    assert row.reaction_energy_eV_per_formula_unit == pytest.approx(expected, abs=1e-6)


def test_warm_peroxide_and_nickelate_give_off_o2(co_ni):
    _, table = co_ni
    hot = Conditions(temperature_K=1000)
    li2o2 = react_with_air(table, "Li2O2", hot)
    assert li2o2.products == ["Li2O"] and li2o2.released_gases == ["O2"]
    assert li2o2.reaction_energy_eV_per_reactant_gas is None  # nothing taken up
    cold = react_with_air(table, "Li2O2", Conditions(temperature_K=300))
    assert cold.products == ["Li2O2"]
    assert "O2" in react_with_air(table, "LiNiO2", hot).released_gases


def test_o2_row_energy_is_pymatgens_reaction_energy(co_ni):
    """Li2O + 1/2 O2 -> Li2O2 at 300 K: G(Li2O2) - G(Li2O) - mu_O2/2 on pymatgen's scale."""
    entries, table = co_ni
    cond = Conditions(temperature_K=300)
    row = react_with_gas(table, "Li2O", "O2", cond)
    solids, o2 = _gibbs_hull(entries, 300.0, {"Li", "O"}, cond.pressure_Pa("O2"))
    pd = PhaseDiagram([*solids, PDEntry(Composition("O"), 10.0)])
    expected = (
        pd.get_hull_energy(Composition("Li2O2"))
        - pd.get_hull_energy(Composition("Li2O"))
        - o2.energy / 2
    )
    assert row.products == ["Li2O2"]
    assert row.reaction_energy_eV_per_formula_unit == pytest.approx(expected, abs=1e-6)


def test_the_temperature_note_says_what_moved(co_ni, mp2019):
    _, table = co_ni
    note = react_with_air(table, "Li2O", Conditions(temperature_K=700)).temperature_note
    assert "G^delta(T)" in note and "700 K" in note
    cold = react_with_air(mp2019, "Li2O", Conditions()).temperature_note
    assert "no structures" in cold and "0 K" in cold


def test_gases_the_dataset_cannot_make_are_left_out_and_said(co_ni):
    _, table = co_ni
    r = compute_air(table, ["LiCoO2"])
    assert {x.reactant_gas for x in r.results} == {"O2", "air"} and not r.errors
    assert "H2O" in r.skipped and "CO2" in r.skipped and "has no C, H" in r.skipped


def test_air_on_a_total_energy_dataset():
    """mp2022_hull holds corrected totals: read against its own elemental phases."""
    table = load_dataset(shared_file("mp2022_hull.csv.gz"))
    rows = {
        (r.formula, r.reactant_gas): r
        for r in compute_air(table, ["LiCl", "Li2O", "Li3N"], Conditions()).results
    }
    assert rows["LiCl", "O2"].products == ["LiCl"] and rows["LiCl", "H2O"].products == ["LiCl"]
    assert rows["Li2O", "CO2"].products == ["Li2CO3"]
    assert -2.4 <= rows["Li2O", "CO2"].reaction_energy_eV_per_reactant_gas <= -1.2
    assert "NH3" in rows["Li3N", "H2O"].released_gases
    assert all(r.dataset == "mp2022_hull" for r in rows.values())
