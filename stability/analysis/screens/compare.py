"""Windows of the same materials on several datasets: shifts, and which phases changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stability.analysis.materials.catalogue import material_class
from stability.analysis.materials.names import resolve_material
from stability.analysis.runtime.batch import Executor
from stability.analysis.uncertainty.mp2020 import DRAWS, has_uncertainties, with_window_uncertainty
from stability.analysis.windows.window import (
    LIMIT_COLUMNS,
    STD_COLUMNS,
    compute_window,
    window_class,
)
from stability.errors import StabilityError
from stability.ions import DEFAULT_ION, check_ion
from stability.thermo.base import Engine

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Comparison:
    """Per material and dataset: limits, their spread where the data has one, products."""

    rows: list[dict]
    datasets: list[str]

    def to_dataframe(self) -> pd.DataFrame:
        """Long table, one row per (material, dataset): label, formula, class, dataset,
        reduced_formula, ion (the working ion), placed_on_hull, reduction_limit_V,
        oxidation_limit_V, window_width_V (V vs the ion's metal), reduction_products,
        oxidation_products (";"-joined), flagged_products,
        reduction_limit_std_V, oxidation_limit_std_V (V; NaN where the data has no
        uncertainties), reference_dataset (the first dataset), reduction_shift_V,
        oxidation_shift_V (V, this dataset minus the reference; NaN on the reference and where
        either failed), reduction_products_changed, oxidation_products_changed (products lost
        "-" and gained "+" against the reference; "" unchanged, None on the reference and
        where either failed),
        error (empty when computed)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=COLUMNS)

    def failures(self) -> dict[str, str]:
        """{"label [dataset]": error} of the windows that failed."""
        return {f"{r['label']} [{r['dataset']}]": r["error"] for r in self.rows if r.get("error")}


#: Columns of a comparison row, in order (``Comparison.to_dataframe``).
COLUMNS = [
    "label",
    "formula",
    "class",
    "dataset",
    *LIMIT_COLUMNS,
    *STD_COLUMNS,
    "reference_dataset",
    "reduction_shift_V",
    "oxidation_shift_V",
    "reduction_products_changed",
    "oxidation_products_changed",
    "error",
]


def _change(a: str | None, b: str | None) -> str:
    """Products lost (-) and gained (+) from ``a`` to ``b`` (";"-joined); "" when the same."""
    pa, pb = set((a or "").split(";")) - {""}, set((b or "").split(";")) - {""}
    return "" if pa == pb else f"-{','.join(sorted(pa - pb))} +{','.join(sorted(pb - pa))}"


def with_differences(rows: list[dict], reference: str) -> list[dict]:
    """Add each row's shift and changed products against the same material's row on the
    ``reference`` dataset; None where either row failed (a material absent from a dataset's
    chemical system has no window there: its ``error`` says which elements are missing)."""
    ref = {r["label"]: r for r in rows if r["dataset"] == reference}
    out = []
    for r in rows:
        a = ref.get(r["label"])
        both = (
            r["dataset"] != reference
            and a is not None
            and not a.get("error")
            and not r.get("error")
        )
        row = {**r, "reference_dataset": reference}
        for lim in ("reduction", "oxidation"):
            row[f"{lim}_shift_V"] = r[f"{lim}_limit_V"] - a[f"{lim}_limit_V"] if both else None
            row[f"{lim}_products_changed"] = (
                _change(a[f"{lim}_products"], r[f"{lim}_products"]) if both else None
            )
        out.append({k: row.get(k) for k in COLUMNS})
    return out


def _composition(name: str) -> str:
    """The formula a name stands for (a failed row keeps the name when it resolves to none)."""
    try:
        return resolve_material(name).formula
    except StabilityError:
        return name


def compare_windows(
    engines: list[Engine],
    items: list[tuple[str, str]],
    *,
    uncertainty: bool = True,
    draws: int = DRAWS,
    jobs: int = 1,
    executor: Executor = None,
    ion: str = DEFAULT_ION,
) -> Comparison:
    """Windows (of working ion ``ion``) of ``items`` [(label, formula)] on every engine's
    dataset; a failure is recorded in its row's ``error``. ``executor``: see ``map_items``."""
    ion = check_ion(ion)
    from stability.analysis.runtime.batch import map_items

    work = [(label, formula, engine) for label, formula in items for engine in engines]

    def one(item: tuple[str, str, Engine]) -> dict:
        _, formula, engine = item
        w = compute_window(engine, formula, ion=ion)
        if uncertainty and has_uncertainties(engine.table):
            w = with_window_uncertainty(w, engine, draws)
        full = w.to_row()
        # the composition and class a name (LGPS, beta-Li3N) stands for, as window gives them
        return {
            "formula": w.formula,
            "class": window_class(w),
            **{k: full[k] for k in LIMIT_COLUMNS + STD_COLUMNS},
        }

    rows: list[dict] = [{} for _ in work]
    for out in map_items(one, work, jobs=jobs, executor=executor):
        label, formula, engine = work[out.index]
        rows[out.index] = {
            "label": label,
            "formula": _composition(formula),
            "class": material_class(formula),
            "dataset": engine.table.name,
            "ion": ion,
            **(out.value or {}),
            "error": out.error or "",
        }
    names = [e.table.name for e in engines]
    return Comparison(with_differences(rows, names[0]), names)
