"""Windows of the same materials on several datasets: shifts, and which phases changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stability.analysis.materials.catalogue import material_class
from stability.analysis.runtime.batch import Executor
from stability.analysis.uncertainty.mp2020 import DRAWS, has_uncertainties, with_window_uncertainty
from stability.analysis.windows.window import LIMIT_COLUMNS, STD_COLUMNS, compute_window
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
        reduction_limit_V, oxidation_limit_V, reduction_limit_std_V, oxidation_limit_std_V
        (V; NaN where the data has no uncertainties), reduction_products, oxidation_products
        (";"-joined), error."""
        import pandas as pd

        return pd.DataFrame(self.rows)

    def failures(self) -> dict[str, str]:
        """{"label [dataset]": error} of the windows that failed."""
        return {f"{r['label']} [{r['dataset']}]": r["error"] for r in self.rows if r.get("error")}

    def differences(self) -> pd.DataFrame:
        """Wide table, one row per material: each dataset's limits, the shift from the first
        dataset to each other (V), the products that changed, and error (per dataset, if any)."""
        import pandas as pd

        long = self.to_dataframe()
        first = self.datasets[0]
        out = []
        for label, group in long.groupby("label", sort=False):
            by = {r["dataset"]: r for r in group.to_dict("records")}
            row = {"label": label, "formula": group["formula"].iloc[0]}
            for ds in self.datasets:
                row[f"reduction_V[{ds}]"] = by[ds].get("reduction_limit_V")
                row[f"oxidation_V[{ds}]"] = by[ds].get("oxidation_limit_V")
            for ds in self.datasets[1:]:
                a, b = by[first], by[ds]
                for lim in ("reduction", "oxidation"):
                    va, vb = a.get(f"{lim}_limit_V"), b.get(f"{lim}_limit_V")
                    row[f"{lim}_shift_V[{ds}]"] = (
                        (vb - va) if va is not None and vb is not None else None
                    )
                    pa = set(str(a.get(f"{lim}_products") or "").split(";")) - {""}
                    pb = set(str(b.get(f"{lim}_products") or "").split(";")) - {""}
                    row[f"{lim}_products_changed[{ds}]"] = (
                        ""
                        if pa == pb
                        else f"-{','.join(sorted(pa - pb))} +{','.join(sorted(pb - pa))}"
                    )
            row["error"] = "; ".join(
                f"{ds}: {by[ds]['error']}" for ds in self.datasets if by[ds].get("error")
            )
            out.append(row)
        return pd.DataFrame(out)


def compare_windows(
    engines: list[Engine],
    items: list[tuple[str, str]],
    *,
    uncertainty: bool = True,
    draws: int = DRAWS,
    jobs: int = 1,
    executor: Executor = None,
) -> Comparison:
    """Windows of ``items`` [(label, formula)] on every engine's dataset; a failure is
    recorded in its row's ``error``. ``executor``: see ``map_items``."""
    from stability.analysis.runtime.batch import map_items

    work = [(label, formula, engine) for label, formula in items for engine in engines]

    def one(item: tuple[str, str, Engine]) -> dict:
        _, formula, engine = item
        w = compute_window(engine, formula)
        if uncertainty and has_uncertainties(engine.table):
            w = with_window_uncertainty(w, engine, draws)
        full = w.to_row()
        return {k: full[k] for k in LIMIT_COLUMNS + STD_COLUMNS}

    rows: list[dict] = [{} for _ in work]
    for out in map_items(one, work, jobs=jobs, executor=executor):
        label, formula, engine = work[out.index]
        rows[out.index] = {
            "label": label,
            "formula": formula,
            "class": material_class(formula),
            "dataset": engine.table.name,
            **(out.value or {}),
            "error": out.error or "",
        }
    return Comparison(rows, [e.table.name for e in engines])
