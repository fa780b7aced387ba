"""Screens: windows and hull energies for many entries or formulas, one row each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pymatgen.core import Composition

from stability import config
from stability.analysis.window import compute_window
from stability.errors import StabilityError
from stability.thermo.base import Engine

SCREEN_COLUMNS = [
    "material_id",
    "formula",
    "reduced_formula",
    "e_above_hull_eV_per_atom",
    "placed_on_hull",
    "reduction_limit_V",
    "oxidation_limit_V",
    "window_width_V",
    "reduction_products",
    "oxidation_products",
    "error",
]


@dataclass(frozen=True)
class ScreenResult:
    """Rows of a screen; see ``to_dataframe`` for columns."""

    rows: list[dict]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per screened entry.

        Columns: material_id (empty where the data has no ids), formula (as in the data),
        reduced_formula, e_above_hull_eV_per_atom (eV/atom, this entry's own energy),
        placed_on_hull, reduction_limit_V, oxidation_limit_V, window_width_V (V vs Li/Li+;
        empty for entries without Li), reduction_products, oxidation_products (";"-joined),
        error (why a row has no result; empty otherwise).
        """
        return pd.DataFrame(self.rows, columns=SCREEN_COLUMNS)


def screen_rows(engine: Engine, rows: np.ndarray | None = None) -> ScreenResult:
    """Screen dataset rows: each entry's own energy above hull, and its window if it has Li."""
    table = engine.table
    rows = np.arange(len(table)) if rows is None else rows
    out = []
    for i in rows:
        amounts = table.row_composition(int(i))
        formula = str(table.formula[i])
        row: dict = {
            "material_id": str(table.material_id[i]),
            "formula": formula,
            "reduced_formula": Composition(amounts).reduced_formula,
            "error": "",
        }
        try:
            point = engine.system(set(amounts)).hull_point(amounts)
            row["e_above_hull_eV_per_atom"] = max(
                0.0, float(table.energy_per_atom[i] - point.hull_energy_per_atom)
            )
            if config.WORKING_ION not in amounts:
                row["error"] = f"no window: contains no {config.WORKING_ION}"
            elif len(amounts) == 1:
                row["error"] = f"no window: {config.WORKING_ION} metal"
            else:
                w = compute_window(engine, formula)
                row.update(
                    reduced_formula=w.reduced_formula,
                    placed_on_hull=w.placed_on_hull,
                    reduction_limit_V=w.reduction_limit_V,
                    oxidation_limit_V=w.oxidation_limit_V,
                    window_width_V=w.window_width_V,
                    reduction_products=";".join(w.reduction_products),
                    oxidation_products=";".join(w.oxidation_products),
                )
        except StabilityError as exc:
            row["error"] = str(exc)
        out.append(row)
    return ScreenResult(out)
