"""The materials of the review, as named sets (formulas as written there), and their classes.

Set names are plural (``nitrides``, ``sulfides``, ``halides``, ...); each material's class is
singular, from the one vocabulary in ``stability.analysis.materials.classes``.
"""

from __future__ import annotations

from functools import lru_cache

from stability.analysis.materials.classes import anion_class
from stability.errors import StabilityError
from stability.formula import formula_amounts, parse_formula

#: class -> [(label, formula)]; labels are what tables and figures show.
CATALOGUE: dict[str, list[tuple[str, str]]] = {
    "nitrides": [
        ("Li3N", "Li3N"),
        ("Li2.92N0.97", "Li2.92N0.97"),
        ("Li2.83N0.94", "Li2.83N0.94"),
        ("Li2PO2N", "Li2PO2N"),
        ("LiPON (Li3.3PO3.9N0.17)", "Li3.3PO3.9N0.17"),
        ("LiPON (Li2.9PO3.3N0.46)", "Li2.9PO3.3N0.46"),
        ("LiPON (Li2.94PO3.5N0.31)", "Li2.94PO3.5N0.31"),
        ("LiSiPON (Li1.35Si0.79P0.21O1.96N0.96)", "Li1.35Si0.79P0.21O1.96N0.96"),
        ("LiSiPON (Li2.9Si0.35PO1.5N1.26)", "Li2.9Si0.35PO1.5N1.26"),
        ("Li9N2Cl3", "Li9N2Cl3"),
        ("Li8.60N1.911Cl2.867", "Li8.60N1.911Cl2.867"),
        ("Li11N3Cl2", "Li11N3Cl2"),
        ("Li5NCl2", "Li5NCl2"),
        ("Li4NCl", "Li4NCl"),
        ("Li6NBr3", "Li6NBr3"),
        ("Li10N3Br", "Li10N3Br"),
        ("Li13N4Br", "Li13N4Br"),
        ("Li9N2Br3", "Li9N2Br3"),
        ("Li5NBr2", "Li5NBr2"),
        ("Li5NI2", "Li5NI2"),
        ("Li7N2I", "Li7N2I"),
        ("Li6.67N1.89I", "Li6.67N1.89I"),
        ("Li9.27N2.76I", "Li9.27N2.76I"),
        ("Li9S3N", "Li9S3N"),
        ("Li2.5N0.5S0.5", "Li2.5N0.5S0.5"),
        ("Li8SeN2", "Li8SeN2"),
        ("LiPN2", "LiPN2"),
        ("Li7PN4", "Li7PN4"),
        ("Li10P4N10", "Li10P4N10"),
        ("Li18P6N16", "Li18P6N16"),
        ("Li12P3N9", "Li12P3N9"),
        ("Li5P2N5", "Li5P2N5"),
        ("Li4PN3", "Li4PN3"),
        ("Li13P4N10Cl3", "Li13P4N10Cl3"),
        ("Li13P4N10Br3", "Li13P4N10Br3"),
        ("LiCN", "LiCN"),
        ("Li2CN2", "Li2CN2"),
        ("LiSi2N3", "LiSi2N3"),
        ("Li2SiN2", "Li2SiN2"),
        ("Li5SiN3", "Li5SiN3"),
        ("Li21Si3N11", "Li21Si3N11"),
        ("Li18Si3N10", "Li18Si3N10"),
        ("Li8SiN4", "Li8SiN4"),
        ("LiGe2N3", "LiGe2N3"),
        ("Li2GeN2", "Li2GeN2"),
        ("Li5GeN3", "Li5GeN3"),
        ("Li8GeN4", "Li8GeN4"),
        ("Li3BN2", "Li3BN2"),
        ("Li3AlN2", "Li3AlN2"),
        ("Li3GaN2", "Li3GaN2"),
        ("Li3InN2", "Li3InN2"),
        ("Li3ScN2", "Li3ScN2"),
        ("Li5TiN3", "Li5TiN3"),
        ("Li2ZrN2", "Li2ZrN2"),
        ("Li2HfN2", "Li2HfN2"),
        ("Li7VN4", "Li7VN4"),
        ("Li7NbN4", "Li7NbN4"),
        ("Li7TaN4", "Li7TaN4"),
        ("Li6MoN4", "Li6MoN4"),
        ("Li6WN4", "Li6WN4"),
    ],
    "sulfides": [
        ("Li2S", "Li2S"),
        ("Li3PS4", "Li3PS4"),
        ("Li7P3S11", "Li7P3S11"),
        ("Li6PS5Cl", "Li6PS5Cl"),
        ("LGPS", "Li10GeP2S12"),
        ("Li4GeS4", "Li4GeS4"),
    ],
    "halides": [
        ("LiF", "LiF"),
        ("LiCl", "LiCl"),
        ("LiBr", "LiBr"),
        ("LiI", "LiI"),
        ("Li3YCl6", "Li3YCl6"),
        ("Li3InCl6", "Li3InCl6"),
        ("Li3ErCl6", "Li3ErCl6"),
        ("Li3ScCl6", "Li3ScCl6"),
        ("Li3YBr6", "Li3YBr6"),
        ("Li3HoBr6", "Li3HoBr6"),
    ],
    "oxides": [
        ("LLZO", "Li7La3Zr2O12"),
        ("LLZT", "Li6.5La3Zr1.5Ta0.5O12"),
        ("LATP", "Li1.3Al0.3Ti1.7(PO4)3"),
        ("Li3PO4", "Li3PO4"),
        ("Li2O", "Li2O"),
        ("Li4SiO4", "Li4SiO4"),
    ],
    "cathodes": [
        ("LiCoO2", "LiCoO2"),
        ("NMC811", "LiNi0.8Mn0.1Co0.1O2"),
        ("NCM83", "LiNi0.83Co0.11Mn0.06O2"),
        ("LiNi0.5Mn1.5O4", "LiNi0.5Mn1.5O4"),
        ("LiMn2O4", "LiMn2O4"),
        ("LiFePO4", "LiFePO4"),
        ("V2O5", "V2O5"),
    ],
    "coatings": [("BN", "BN"), ("Si3N4", "Si3N4")],
}
#: Small sets for interface matrices: the review's nitride electrolytes and its catholytes.
CATALOGUE["nitride-sses"] = [
    ("beta-Li3N", "Li3N"),
    ("Li9N2Cl3", "Li9N2Cl3"),
    ("LiPON", "Li2PO2N"),
    ("Li7N2I", "Li7N2I"),
]
CATALOGUE["catholytes"] = [
    ("Li3InCl6", "Li3InCl6"),
    ("Li3YCl6", "Li3YCl6"),
    ("LGPS", "Li10GeP2S12"),
    ("Li6PS5Cl", "Li6PS5Cl"),
    ("LLZT", "Li6.5La3Zr1.5Ta0.5O12"),
]
#: The review's side-by-side window bars, in its order (label, formula), plus oxides.
CATALOGUE["window-bars"] = [
    ("beta-Li3N", "Li3N"),
    ("Li9N2Cl3", "Li9N2Cl3"),
    ("LiPON (Li2PO2N)", "Li2PO2N"),
    ("Li2S", "Li2S"),
    ("Li6PS5Cl", "Li6PS5Cl"),
    ("Li3PS4", "Li3PS4"),
    ("LGPS", "Li10GeP2S12"),
    ("LiCl", "LiCl"),
    ("Li3YCl6", "Li3YCl6"),
    ("Li3InCl6", "Li3InCl6"),
    ("Li3ErCl6", "Li3ErCl6"),
    ("Li3ScCl6", "Li3ScCl6"),
    ("LiBr", "LiBr"),
    ("Li3YBr6", "Li3YBr6"),
    ("Li3HoBr6", "Li3HoBr6"),
    ("LLZO", "Li7La3Zr2O12"),
    ("LLZT", "Li6.5La3Zr1.5Ta0.5O12"),
    ("LATP", "Li1.3Al0.3Ti1.7(PO4)3"),
    ("Li3PO4", "Li3PO4"),
]
#: Electrolytes and cathodes of the other working ions (``--ion Na``, ``K``, ``Mg``), not in
#: the review (so not in ``seed``). P2-type Na2/3Ni1/3Mn2/3O2 is written with decimals, as
#: the formula reader takes them; Mo6S8 is the charged Chevrel cathode (no Mg: it takes part
#: in interfaces, not in Mg windows).
CATALOGUE["na-electrolytes"] = [
    ("Na3PS4", "Na3PS4"),
    ("Na3SbS4", "Na3SbS4"),
    ("Na11Sn2PS12", "Na11Sn2PS12"),
    ("Na3PSe4", "Na3PSe4"),
    ("Na3YCl6", "Na3YCl6"),
    ("Na3InCl6", "Na3InCl6"),
    ("Na2ZrCl6", "Na2ZrCl6"),
    ("NaAlCl4", "NaAlCl4"),
    ("NASICON", "Na3Zr2Si2PO12"),
    ("beta-alumina (NaAl11O17)", "NaAl11O17"),
    ("Na3OCl", "Na3OCl"),
]
CATALOGUE["na-cathodes"] = [
    ("NaCoO2", "NaCoO2"),
    ("NaFePO4", "NaFePO4"),
    ("NVP", "Na3V2(PO4)3"),
    ("P2-Na2/3Ni1/3Mn2/3O2", "Na0.6667Ni0.3333Mn0.6667O2"),
    ("NaCrO2", "NaCrO2"),
    ("NaMnO2", "NaMnO2"),
]
CATALOGUE["k-electrolytes"] = [
    ("K3SbS4", "K3SbS4"),
    ("K3PS4", "K3PS4"),
    ("KAlCl4", "KAlCl4"),
    ("K-beta-alumina (KAl11O17)", "KAl11O17"),
]
CATALOGUE["k-cathodes"] = [
    ("KCoO2", "KCoO2"),
    ("KCrO2", "KCrO2"),
    ("KVPO4F", "KVPO4F"),
    ("KFeSO4F", "KFeSO4F"),
]
CATALOGUE["mg-electrolytes"] = [
    ("MgSc2Se4", "MgSc2Se4"),
    ("MgSc2S4", "MgSc2S4"),
    ("MgIn2S4", "MgIn2S4"),
    ("MgY2S4", "MgY2S4"),
    ("Mg3N2", "Mg3N2"),
]
CATALOGUE["mg-cathodes"] = [
    ("Mo6S8", "Mo6S8"),
    ("MgMo6S8", "MgMo6S8"),
    ("MgMn2O4", "MgMn2O4"),
    ("MgCo2O4", "MgCo2O4"),
    ("MgV2O5", "MgV2O5"),
]
#: Sets of the other working ions and the class of their materials (None: by anion).
ION_SECTION_CLASS: dict[str, str | None] = {
    f"{ion}-{kind}": ("cathode" if kind == "cathodes" else None)
    for ion in ("na", "k", "mg")
    for kind in ("electrolytes", "cathodes")
}
#: The review's sections (set names) and the class of their materials; the halides section's
#: materials are classed by their halide anion (``chloride``, ``bromide``, ...).
SECTION_CLASS: dict[str, str | None] = {
    "nitrides": "nitride",
    "sulfides": "sulfide",
    "halides": None,
    "oxides": "oxide",
    "cathodes": "cathode",
    "coatings": "coating",
}
SEED_SECTIONS = tuple(SECTION_CLASS)


def set_names() -> list[str]:
    """Names of the catalogue's sets (``seed`` is every section)."""
    return ["seed", *CATALOGUE]


def composition_key(amounts: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """A hashable key equal for equal compositions however written (atomic fractions)."""
    total = sum(amounts.values())
    return tuple(sorted((el, round(a / total, 9)) for el, a in amounts.items() if a > 0))


@lru_cache(maxsize=1)
def _class_index() -> dict[tuple[tuple[str, float], ...], str]:
    index: dict[tuple[tuple[str, float], ...], str] = {}
    for section, cls in {**SECTION_CLASS, **ION_SECTION_CLASS}.items():
        for _, formula in CATALOGUE[section]:
            # formula_amounts: parse_formula's amounts without importing pymatgen (a quarter
            # second of every dataset screen's serial start).
            amounts = formula_amounts(formula)
            index.setdefault(composition_key(amounts), cls or anion_class(amounts))
    return index


@lru_cache(maxsize=1)
def catalogue_element_sets() -> frozenset[frozenset[str]]:
    """The element sets of the catalogue's materials (``catalogue_class`` can only find a
    composition with one of these)."""
    return frozenset(frozenset(el for el, _ in key) for key in _class_index())


def catalogue_class(amounts: dict[str, float]) -> str:
    """The class of a composition if the catalogue lists it (however written), else ''."""
    return _class_index().get(composition_key(amounts), "") if amounts else ""


def material_class(formula: str) -> str:
    """The catalogue class of a formula (compared as compositions), or '' when it is not
    in the catalogue or does not parse."""
    try:
        comp = parse_formula(formula)
    except StabilityError:
        return ""
    return catalogue_class({str(el): float(a) for el, a in comp.items()})
