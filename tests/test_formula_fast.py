"""The pymatgen-free formula path (stability.formula) returns exactly what pymatgen returns.

Compared on every formula of mp2019_ground_states (read from ../shared/data at run time),
on every row composition of that table, and on hand-picked tricky formulas: special
formulas (O2, H2O2, Li2O2), polyanions, elements without an electronegativity, brackets,
hydrates, amounts below pymatgen's tolerance and non-integer amounts.
"""

from __future__ import annotations

import math
import warnings

import pytest
from pymatgen.core import Composition, Element

from stability.errors import FormulaError
from stability.formula import (
    ATOMIC_NUMBER,
    ELECTRONEGATIVITY,
    composition_amounts,
    formula_amounts,
    formula_string,
    num_atoms,
    parse_formula,
    reduced_composition,
    reduced_formula,
    reduced_formula_and_factor,
    written_formula,
)

TRICKY = [
    "O2", "O", "O3", "N2", "H2", "F2", "Cl2", "Cl", "H", "F", "N",
    "H2O2", "HO", "H4O4", "Li2O2", "LiO", "Li4O4", "Na2O2", "K2O2", "KO2", "Cs2O2", "Rb2O2",
    "LiO2", "Li3N", "Li3N1", "LiN3", "Li10GeP2S12", "Li3PS4", "Li6PS5Cl", "Li7P3S11",
    "LiPF6", "LiBF4", "LiBH4", "NH4Cl", "LiNH2", "Li2NH", "NH3", "CH4", "LiClO4", "Li2SO4",
    "LiFePO4", "Li4Fe4P4O16", "Fe2O3", "Li7La3Zr2O12", "Li3YCl6", "Li3InCl6", "CsPbI3",
    "He", "HeNe", "ArLi", "NeAr2", "Li2He", "KrF2", "XeF4", "XeO3", "LrNo",
    "Li1.3Al0.3Ti1.7(PO4)3", "Li6.5La3Zr1.5Ta0.5O12", "Li3.3PO3.9N0.17",
    "LiNi0.8Mn0.1Co0.1O2", "Li3NiMnCoO6", "Li1.35Si0.79P0.21O1.96N0.96", "Fe0.5O0.5",
    "Li0.5Na0.5Mg0.1Al0.1Si0.2P0.1S0.4Cl0.3Br0.2O0.5N0.2", "Li1.99999999999O",
    "Li2.000000001O", "Li0.000000001N", "Li0.00000001N", "Li1e-9N", "Li2e1O",
    "CuSO4(H2O)5", "Ca3(Al2(SiO4)3)2", "[Li(NH3)4]Cl", "{Li}2O", "Li2 O", "Y3N@C80",
    "(LiO)2", "(Li2O)0.5", "LiOLi", "SiO2", "Si2O4", "P2O5", "P4O10", "S8", "C60",
    "Li2S2", "LiS", "Li2C2", "LiC", "Na2O2Na2O2", "BaO2", "SrO2", "ZnO2", "Li2O2H2O2",
    "TiO2", "Ti2O4", "Li4Ti5O12", "LiMn2O4", "LiCoO2", "Li2CO3", "LiHCO3", "NaHSO4",
]  # fmt: skip
BAD = [
    "", "li3n", "LI3N", "co3o4", "Li0N", "Li3N0", "Xx3N", "Li3N+", "123", "Li-3N",
    "LiTs", "Li3N(", "Li3N)", "Li..3N", "Li.N", "Fe2+O", "Li0.000000001", "@", "()", "Li(N",
]  # fmt: skip


def _pmg_items(comp: Composition) -> list[tuple[str, float]]:
    return [(str(el), float(a)) for el, a in comp.items()]


def _same_reduction(amounts: dict[str, float], comp: Composition) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymatgen warns of elements without X
        want_formula, want_factor = comp.get_reduced_formula_and_factor()
        want_comp, want_cfactor = comp.get_reduced_composition_and_factor()
        want_string = comp.formula
        want_reduced_atoms = want_comp.num_atoms
        want_reduced_formula = want_comp.reduced_formula
    got_formula, got_factor = reduced_formula_and_factor(amounts)
    assert (got_formula, got_factor) == (want_formula, want_factor), amounts
    assert reduced_formula(amounts) == comp.reduced_formula
    assert formula_string(amounts) == want_string
    got_comp, got_cfactor = reduced_composition(amounts)
    assert got_cfactor == want_cfactor
    assert list(got_comp.items()) == _pmg_items(want_comp)
    assert reduced_formula(got_comp) == want_reduced_formula
    assert num_atoms(got_comp) == want_reduced_atoms
    assert num_atoms(amounts) == comp.num_atoms
    assert written_formula(amounts) == written_formula(comp)


def test_element_table_is_pymatgens():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for z in range(1, 104):
            el = Element.from_Z(z)
            assert ATOMIC_NUMBER[el.symbol] == z
            x = ELECTRONEGATIVITY[el.symbol]
            assert (math.isnan(x) and math.isnan(el.X)) or x == el.X, el.symbol
    assert len(ATOMIC_NUMBER) == 103


@pytest.mark.parametrize("formula", TRICKY)
def test_tricky_formulas_match_pymatgen(formula):
    comp = Composition(formula)
    assert list(composition_amounts(formula).items()) == _pmg_items(comp)
    _same_reduction(composition_amounts(formula), comp)


@pytest.mark.parametrize(
    "formula", [*TRICKY, "Li₃N", "Ｌｉ３Ｎ", "Li2SO4·H2O", "CuSO4·5H2O", "D2O", "T2O", "Fe2+O"]
)
def test_validated_amounts_match_parse_formula(formula):
    try:
        want = _pmg_items(parse_formula(formula))
    except FormulaError as exc:
        with pytest.raises(FormulaError) as got:
            formula_amounts(formula)
        assert str(got.value) == str(exc)
        return
    assert list(formula_amounts(formula).items()) == want


@pytest.mark.parametrize("formula", BAD)
def test_bad_formulas_fail_as_parse_formula_does(formula):
    with pytest.raises(FormulaError) as want:
        parse_formula(formula)
    with pytest.raises(FormulaError) as got:
        formula_amounts(formula)
    assert str(got.value) == str(want.value)


def test_every_dataset_formula_matches_pymatgen(mp2019):
    formulas = sorted(set(map(str, mp2019.formula)))
    assert len(formulas) > 10_000
    for formula in formulas:
        comp = Composition(formula)
        amounts = composition_amounts(formula)
        assert list(amounts.items()) == _pmg_items(comp), formula
        _same_reduction(amounts, comp)


def test_every_row_composition_matches_pymatgen(mp2019):
    # The engine reduces row compositions given as sorted (element, amount) items.
    for row in range(len(mp2019)):
        items = dict(sorted(mp2019.row_composition(row).items()))
        _same_reduction(items, Composition(items))


@pytest.mark.parametrize("symbol", sorted(ATOMIC_NUMBER))
def test_every_element_reads_as_pymatgen_reads_it(symbol):
    for formula in (symbol, f"{symbol}2", f"Li{symbol}3", f"{symbol}0.5O"):
        assert list(formula_amounts(formula).items()) == _pmg_items(parse_formula(formula))
        _same_reduction(formula_amounts(formula), Composition(formula))


def test_remembered_amount_formatting_never_crosses_number_types():
    # Decimal("2.5") == 2.5 (and hashes alike): a cache keyed on the value alone would give
    # one the other's formatting, whichever came first.
    from decimal import Decimal
    from fractions import Fraction

    from stability.formula import formula_string

    amounts = [2.5, Decimal("2.5"), Fraction(5, 2)]
    first = [formula_string({"Li": x, "O": 1}) for x in amounts]
    again = [formula_string({"Li": x, "O": 1}) for x in amounts[::-1]][::-1]
    assert first == again == ["Li2.5 O1", "Li2.50000000 O1", "Li5/2 O1"]
