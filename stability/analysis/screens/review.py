"""The data behind the review's figures: which materials, and their windows."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pymatgen.core import Element

from stability.analysis.materials.catalogue import CATALOGUE, material_class
from stability.analysis.materials.classes import ANION_CLASSES
from stability.analysis.materials.sets import ternary_targets
from stability.analysis.windows.practical import Passivation, compute_practical_window
from stability.analysis.windows.window import compute_window
from stability.errors import StabilityError
from stability.ions import DEFAULT_ION, check_ion, ion_charge
from stability.thermo.base import Engine

if TYPE_CHECKING:
    import pandas as pd

ANION_CHARGE = {"N": -3, "F": -1, "Cl": -1, "Br": -1, "I": -1, "O": -2, "S": -2}
ANION_CLASS = {anion: ANION_CLASSES[anion] for anion in ANION_CHARGE}  # the review's seven classes
BINARY = {"N": "Li3N", "F": "LiF", "Cl": "LiCl", "Br": "LiBr", "I": "LiI", "O": "Li2O", "S": "Li2S"}

#: The review's side-by-side window bars, in its order, with display labels and classes.
WINDOW_BARS = [
    (label, formula, material_class(formula)) for label, formula in CATALOGUE["window-bars"]
]


def highest_valence_balanced(comp: dict[str, float], anion: str, ion: str = DEFAULT_ION) -> bool:
    """Is ion-M-X charge balanced with the ion at +z, M at its highest common valence, X at
    its charge?"""
    (metal,) = [el for el in comp if el not in (ion, anion)]
    states = Element(metal).common_oxidation_states
    if not states or max(states) <= 0:
        return False
    charge = (
        comp[ion] * ion_charge(ion) + comp[metal] * max(states) + comp[anion] * ANION_CHARGE[anion]
    )
    return abs(charge) < 1e-6 * sum(comp.values())


def ion_binary(ion: str, anion: str) -> str:
    """The charge-balanced binary of a working ion and an anion: ``Li3N``, ``Na2S``,
    ``Mg3N2``, ``AlCl3``.

    >>> [ion_binary(ion, "N") for ion in ("Li", "Mg", "Al")]
    ['Li3N', 'Mg3N2', 'AlN']
    """
    z, q = ion_charge(ion), -ANION_CHARGE[anion]
    g = math.gcd(z, q)

    def n(k: int) -> str:
        return "" if k == 1 else str(k)

    return f"{ion}{n(q // g)}{anion}{n(z // g)}"


def class_windows(engine: Engine, ion: str = DEFAULT_ION) -> pd.DataFrame:
    """Windows of the ion-M-X ternaries (M at highest common valence) and the ion's
    binaries (Li3N, LiCl, ...; Na3N, NaCl, ... for Na), by anion.

    Columns: class, label, formula, ion, reduction_limit_V, oxidation_limit_V (V vs the
    ion's metal), is_binary.
    """
    import pandas as pd

    ion = check_ion(ion)
    rows = []
    for anion, cls in ANION_CLASS.items():
        if anion not in engine.table.elements:
            continue
        seen = set()
        for t in ternary_targets(engine.table, ion, anion):
            comp = engine.table.row_composition(t.row)
            if not highest_valence_balanced(comp, anion, ion):
                continue
            try:
                w = compute_window(engine, t.formula, ion=ion)
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
                    "ion": ion,
                    "reduction_limit_V": w.reduction_limit_V,
                    "oxidation_limit_V": w.oxidation_limit_V,
                    "is_binary": False,
                }
            )
        binary = ion_binary(ion, anion)
        w = compute_window(engine, binary, ion=ion)
        rows.append(
            {
                "class": cls,
                "label": binary,
                "formula": binary,
                "ion": ion,
                "reduction_limit_V": w.reduction_limit_V,
                "oxidation_limit_V": w.oxidation_limit_V,
                "is_binary": True,
            }
        )
    return pd.DataFrame(rows)


def bar_windows(
    engine: Engine,
    items: list[tuple[str, str, str]] | None = None,
    passivation: Passivation | None = None,
) -> pd.DataFrame:
    """Windows of the review's bar-chart materials. Columns: label, formula, class, limits (V).

    With ``passivation``, also passivated_reduction_limit_V, passivated_oxidation_limit_V
    (V; NaN: nothing stops it) and passivation_reduction_stop, passivation_oxidation_stop.
    """
    import pandas as pd

    rows = []
    for label, formula, cls in items or WINDOW_BARS:
        if passivation is None:
            w = compute_window(engine, formula)
        else:
            w = compute_practical_window(engine, formula, passivation=passivation)
        row = {
            "label": label,
            "formula": formula,
            "class": cls,
            "reduction_limit_V": w.reduction_limit_V,
            "oxidation_limit_V": w.oxidation_limit_V,
            "placed_on_hull": w.placed_on_hull,
        }
        if passivation is not None:
            ox = w.passivated_oxidation_limit_V
            row.update(
                passivated_reduction_limit_V=w.passivated_reduction_limit_V,
                passivated_oxidation_limit_V=float("nan") if ox is None else ox,
                passivation_reduction_stop=w.passivation_reduction_stop,
                passivation_oxidation_stop=w.passivation_oxidation_stop,
            )
        rows.append(row)
    return pd.DataFrame(rows)
