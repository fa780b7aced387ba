"""What users type where a formula goes: aliases, catalogue labels, Unicode, case, mp-ids."""

from __future__ import annotations

import numpy as np
import pytest
from pymatgen.core import Composition

from stability.analysis.materials.catalogue import CATALOGUE
from stability.analysis.materials.names import (
    ALIASES,
    AMBIGUOUS,
    FORMULA_LIKE_ALIASES,
    Material,
    resolve_material,
)
from stability.errors import FormulaError, StabilityError
from stability.formula import normalize_formula, parse_formula

from .conftest import shared_file


def same(a: str, b: str) -> bool:
    return Composition(a).almost_equals(Composition(b), rtol=0, atol=1e-9)


def test_lipon_is_the_alias_not_one_of_each():
    m = resolve_material("LiPON")
    assert m == Material("LiPON", "Li2PO2N", None)
    assert not same(m.formula, "Li1P1O1N1")
    # The literal formula is what its 1s say.
    literal = resolve_material("Li1P1O1N1")
    assert same(literal.formula, "LiPON") and literal.label == "Li1P1O1N1"


@pytest.mark.parametrize(
    ("text", "label", "formula"),
    [
        ("LGPS", "LGPS", "Li10GeP2S12"),
        ("lgps", "LGPS", "Li10GeP2S12"),
        ("LLZO", "LLZO", "Li7La3Zr2O12"),
        ("LLZT", "LLZT", "Li6.5La3Zr1.5Ta0.5O12"),
        ("LATP", "LATP", "Li1.3Al0.3Ti1.7(PO4)3"),
        ("LiSiPON", "LiSiPON", "Li1.35Si0.79P0.21O1.96N0.96"),
        ("LiPSCl", "LiPSCl", "Li6PS5Cl"),
        ("argyrodite", "argyrodite", "Li6PS5Cl"),
        ("NMC811", "NMC811", "LiNi0.8Mn0.1Co0.1O2"),
        ("NCM83", "NCM83", "LiNi0.83Co0.11Mn0.06O2"),
        ("beta-Li3N", "beta-Li3N", "Li3N"),
        ("β-Li3N", "β-Li3N", "Li3N"),
        ("LiPON (Li2.9PO3.3N0.46)", "LiPON (Li2.9PO3.3N0.46)", "Li2.9PO3.3N0.46"),
        ("  lipon  (li2.9po3.3n0.46) ", "LiPON (Li2.9PO3.3N0.46)", "Li2.9PO3.3N0.46"),
    ],
)
def test_aliases_and_catalogue_labels(text, label, formula):
    m = resolve_material(text)
    assert (m.label, m.formula, m.material_id) == (label, formula, None)


def test_alias_table_agrees_with_the_catalogue():
    for alias, (formula, source) in ALIASES.items():
        parse_formula(formula)
        assert source.startswith(("review", "common")), alias
    # A catalogue label that is also an alias names the same composition.
    for items in CATALOGUE.values():
        for label, formula in items:
            if label in ALIASES:
                assert same(ALIASES[label][0], formula), label


def test_formula_like_aliases_are_exactly_the_listed_ones():
    parses = set()
    for alias in ALIASES:
        try:
            parse_formula(alias)
        except FormulaError:
            continue
        parses.add(alias)
    assert parses == FORMULA_LIKE_ALIASES
    for alias in FORMULA_LIKE_ALIASES:  # ... and each still resolves to the alias
        assert resolve_material(alias).formula == ALIASES[alias][0]


@pytest.mark.parametrize("text", ["NCa", "LiPoN"])
def test_alias_in_another_case_that_is_a_formula_is_refused(text):
    with pytest.raises(StabilityError, match="ambiguous") as info:
        resolve_material(text)
    assert "1" in str(info.value).split("formula with its 1s")[1]  # says how to force it


def test_ambiguous_acronym_lists_choices():
    with pytest.raises(StabilityError, match="several materials") as info:
        resolve_material("NMC")
    assert all(c in str(info.value) for c in AMBIGUOUS["NMC"])


def test_lowercase_gets_a_suggestion():
    with pytest.raises(FormulaError, match=r"did you mean Li3N\?"):
        resolve_material("li3n")
    with pytest.raises(FormulaError, match=r"did you mean Li3N\?"):
        parse_formula("LI3N")
    with pytest.raises(FormulaError, match="did you mean Co3O4"):
        parse_formula("co3o4")


def test_misspelt_name_suggests_the_alias():
    with pytest.raises(FormulaError, match="did you mean LGPS"):
        resolve_material("LGSP")
    with pytest.raises(FormulaError, match="unknown element 'Xx'"):
        resolve_material("LiXx2")


@pytest.mark.parametrize(
    ("text", "plain", "equal_to"),
    [
        ("Li₃N", "Li3N", "Li3N"),
        ("Ｌｉ３Ｎ", "Li3N", "Li3N"),
        ("Li3\u3000N\u00a0", "Li3N", "Li3N"),
        ("Li2SO4·H2O", "Li2SO4(H2O)", "Li2SO4H2O"),
        ("Li2SO4 • H2O", "Li2SO4(H2O)", "Li2SO4H2O"),
        ("CuSO4·5H2O", "CuSO4(H2O)5", "CuSO9H10"),
        ("LiCl∙0.5H2O", "LiCl(H2O)0.5", "LiClH1O0.5"),
    ],
)
def test_unicode_subscripts_hydrates_and_spaces(text, plain, equal_to):
    assert normalize_formula(text) == plain
    m = resolve_material(text)
    assert m.formula == plain and m.label == " ".join(text.split())
    assert same(str(parse_formula(text)), equal_to)


@pytest.fixture(scope="module")
def mp2022():
    from stability.entries.load import load_dataset

    return load_dataset(shared_file("mp2022_hull.csv.gz"))


def test_mp_id_resolves_to_its_row(mp2022):
    m = resolve_material("mp-2251", mp2022)
    assert m.label == "mp-2251" and m.material_id == "mp-2251"
    (row,) = np.flatnonzero(mp2022.material_id == "mp-2251")
    assert same(m.formula, str(mp2022.formula[row]))
    assert Composition(m.formula).reduced_formula == "Li3N"  # MP's id of Li3N
    assert resolve_material(" MP-2251 ", mp2022) == m


def test_mp_id_errors(mp2019, mp2022):
    with pytest.raises(StabilityError, match="dataset mp2019_ground_states has no material ids"):
        resolve_material("mp-2251", mp2019)
    with pytest.raises(StabilityError, match="needs a dataset"):
        resolve_material("mp-2251")
    with pytest.raises(StabilityError, match="mp-999999999 is not in dataset mp2022_hull"):
        resolve_material("mp-999999999", mp2022)


@pytest.mark.parametrize("text", ["", "   ", "Li(", "0"])
def test_bad_input_is_a_stability_error(text):
    with pytest.raises(StabilityError):
        resolve_material(text)
