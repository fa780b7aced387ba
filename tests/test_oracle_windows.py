"""The fast engine equals plain pymatgen (PhaseDiagram + get_element_profile) on the same entries."""

from __future__ import annotations

import pytest
from pymatgen.core import Composition

from stability.analysis.windows.profile import compute_profile
from stability.analysis.windows.window import compute_window

from . import oracle
from .conftest import shared_file

# The review's catalogue: nitrides, LiPON glasses, sulfides, halides, oxides, cathodes, and
# off-stoichiometric compositions that are not in the dataset.
COMPOSITIONS = [
    "Li3N",
    "Li2.92N0.97",
    "Li2.83N0.94",
    "Li9N2Cl3",
    "Li8.60N1.911Cl2.867",
    "Li11N3Cl2",
    "Li5NCl2",
    "Li4NCl",
    "Li6NBr3",
    "Li10N3Br",
    "Li9N2Br3",
    "Li5NI2",
    "Li7N2I",
    "Li6.67N1.89I",
    "Li9S3N",
    "Li2.5N0.5S0.5",
    "Li8SeN2",
    "LiPN2",
    "Li7PN4",
    "Li10P4N10",
    "Li13P4N10Cl3",
    "Li2CN2",
    "LiSi2N3",
    "Li5SiN3",
    "Li8SiN4",
    "Li3BN2",
    "Li3AlN2",
    "Li5TiN3",
    "Li2ZrN2",
    "Li7VN4",
    "Li6MoN4",
    "Li2PO2N",
    "Li3.3PO3.9N0.17",
    "Li2.9PO3.3N0.46",
    "Li2.94PO3.5N0.31",
    "Li1.35Si0.79P0.21O1.96N0.96",
    "Li2.9Si0.35PO1.5N1.26",
    "Li2S",
    "Li3PS4",
    "Li7P3S11",
    "Li6PS5Cl",
    "Li10GeP2S12",
    "Li4GeS4",
    "LiF",
    "LiI",
    "Li3YCl6",
    "Li3InCl6",
    "Li3ErCl6",
    "Li3ScCl6",
    "Li3YBr6",
    "Li3HoBr6",
    "Li7La3Zr2O12",
    "Li1.3Al0.3Ti1.7(PO4)3",
    "Li3PO4",
    "Li2O",
    "Li4SiO4",
    "LiCoO2",
    "LiNi0.8Mn0.1Co0.1O2",
    "LiNi0.5Mn1.5O4",
    "LiMn2O4",
    "LiFePO4",
]
MV = 1e-3


@pytest.fixture(scope="module")
def csv2019():
    return oracle.FormationCsv(shared_file("mp2019_ground_states.csv.gz"))


@pytest.mark.parametrize("formula", COMPOSITIONS)
def test_window_equals_pymatgen(fast2019, csv2019, formula):
    elements = frozenset(str(e) for e in Composition(formula).elements)
    expected = oracle.window(csv2019.entries(elements), formula)
    got = compute_window(fast2019, formula)
    assert got.reduction_limit_V == pytest.approx(expected["reduction_limit_V"], abs=MV)
    assert got.oxidation_limit_V == pytest.approx(expected["oxidation_limit_V"], abs=MV)
    assert sorted(got.reduction_products) == expected["reduction_products"]
    assert sorted(got.oxidation_products) == expected["oxidation_products"]
    assert got.placed_on_hull == expected["placed_on_hull"]


@pytest.mark.parametrize("formula", ["Li3N", "Li9N2Cl3", "Li2PO2N", "Li3.3PO3.9N0.17", "Li6PS5Cl"])
def test_profile_equals_pymatgen(fast2019, csv2019, formula):
    elements = frozenset(str(e) for e in Composition(formula).elements)
    expected = oracle.window(csv2019.entries(elements), formula)
    steps = compute_profile(fast2019, formula).steps
    assert [s.voltage_low_V for s in steps] == pytest.approx(expected["profile_V"], abs=MV)
    assert [s.ion_per_formula_unit for s in steps] == pytest.approx(
        expected["profile_li"], abs=1e-6
    )
    assert sum(s.is_pristine for s in steps) == 1
