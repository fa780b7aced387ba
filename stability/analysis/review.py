"""The data behind the review's figures: which materials, and their windows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pymatgen.core import Element

from stability.analysis.sets import dataset_targets
from stability.analysis.window import compute_window
from stability.errors import StabilityError
from stability.thermo.base import Engine

if TYPE_CHECKING:
    import pandas as pd

ANION_CHARGE = {"N": -3, "F": -1, "Cl": -1, "Br": -1, "I": -1, "O": -2, "S": -2}
ANION_CLASS = {
    "N": "nitride",
    "F": "fluoride",
    "Cl": "chloride",
    "Br": "bromide",
    "I": "iodide",
    "O": "oxide",
    "S": "sulfide",
}
BINARY = {"N": "Li3N", "F": "LiF", "Cl": "LiCl", "Br": "LiBr", "I": "LiI", "O": "Li2O", "S": "Li2S"}

#: The review's side-by-side window bars, in its order, with display labels.
WINDOW_BARS = [
    ("beta-Li3N", "Li3N", "nitrides"),
    ("Li9N2Cl3", "Li9N2Cl3", "nitrides"),
    ("LiPON (Li2PO2N)", "Li2PO2N", "nitrides"),
    ("Li2S", "Li2S", "sulfides"),
    ("Li6PS5Cl", "Li6PS5Cl", "sulfides"),
    ("Li3PS4", "Li3PS4", "sulfides"),
    ("LGPS", "Li10GeP2S12", "sulfides"),
    ("LiCl", "LiCl", "halides"),
    ("Li3YCl6", "Li3YCl6", "halides"),
    ("Li3InCl6", "Li3InCl6", "halides"),
    ("Li3ErCl6", "Li3ErCl6", "halides"),
    ("Li3ScCl6", "Li3ScCl6", "halides"),
    ("LiBr", "LiBr", "halides"),
    ("Li3YBr6", "Li3YBr6", "halides"),
    ("Li3HoBr6", "Li3HoBr6", "halides"),
    ("LLZO", "Li7La3Zr2O12", "oxides"),
    ("LLZT", "Li6.5La3Zr1.5Ta0.5O12", "oxides"),
    ("LATP", "Li1.3Al0.3Ti1.7(PO4)3", "oxides"),
    ("Li3PO4", "Li3PO4", "oxides"),
]


def highest_valence_balanced(comp: dict[str, float], anion: str) -> bool:
    """Is Li-M-X charge balanced with Li+1, M at its highest common valence, X at its charge?"""
    (metal,) = [el for el in comp if el not in ("Li", anion)]
    states = Element(metal).common_oxidation_states
    if not states or max(states) <= 0:
        return False
    charge = comp["Li"] + comp[metal] * max(states) + comp[anion] * ANION_CHARGE[anion]
    return abs(charge) < 1e-6 * sum(comp.values())


def class_windows(engine: Engine) -> pd.DataFrame:
    """Windows of the Li-M-X ternaries (M at highest common valence) and Li binaries, by anion.

    Columns: class, label, formula, reduction_limit_V, oxidation_limit_V, is_binary.
    """
    import pandas as pd

    rows = []
    for anion, cls in ANION_CLASS.items():
        if anion not in engine.table.elements:
            continue
        seen = set()
        for t in dataset_targets(engine.table, f"li-ternaries:{anion}"):
            comp = engine.table.row_composition(t.row)
            if not highest_valence_balanced(comp, anion):
                continue
            try:
                w = compute_window(engine, t.formula)
            except StabilityError:
                continue
            if w.reduced_formula in seen:
                continue
            seen.add(w.reduced_formula)
            rows.append(
                {
                    "class": cls,
                    "label": w.reduced_formula,
                    "formula": t.formula,
                    "reduction_limit_V": w.reduction_limit_V,
                    "oxidation_limit_V": w.oxidation_limit_V,
                    "is_binary": False,
                }
            )
        w = compute_window(engine, BINARY[anion])
        rows.append(
            {
                "class": cls,
                "label": BINARY[anion],
                "formula": BINARY[anion],
                "reduction_limit_V": w.reduction_limit_V,
                "oxidation_limit_V": w.oxidation_limit_V,
                "is_binary": True,
            }
        )
    return pd.DataFrame(rows)


def bar_windows(engine: Engine, items: list[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """Windows of the review's bar-chart materials. Columns: label, formula, class, limits (V)."""
    import pandas as pd

    rows = []
    for label, formula, cls in items or WINDOW_BARS:
        w = compute_window(engine, formula)
        rows.append(
            {
                "label": label,
                "formula": formula,
                "class": cls,
                "reduction_limit_V": w.reduction_limit_V,
                "oxidation_limit_V": w.oxidation_limit_V,
                "placed_on_hull": w.placed_on_hull,
            }
        )
    return pd.DataFrame(rows)
