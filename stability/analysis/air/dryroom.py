"""The dry-room map: which materials react with moisture, and release a toxic gas, from a
dry room (dew points -60, -40, -20 C) to ambient air (25 and 50 % RH)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stability.analysis.air.gases import h2o_pressure_pa
from stability.analysis.air.reaction import Conditions, compute_air

if TYPE_CHECKING:
    import pandas as pd

    from stability.entries.table import EntryTable

#: (condition, H2O pressure in Pa): dew points (C) and relative humidities at 25 C.
DRY_ROOM_CONDITIONS = (
    ("dew point -60 C", h2o_pressure_pa(dew_point=-60)),
    ("dew point -40 C", h2o_pressure_pa(dew_point=-40)),
    ("dew point -20 C", h2o_pressure_pa(dew_point=-20)),
    ("25 % RH", h2o_pressure_pa(25)),
    ("50 % RH", h2o_pressure_pa(50)),
)


@dataclass(frozen=True)
class DryRoomMap:
    """The H2O row of every material at every condition, the materials that failed, and
    the flagged phases left out."""

    rows: list[dict]
    errors: dict[str, str]
    left_out: list[str]

    def to_dataframe(self) -> pd.DataFrame:
        """Columns: formula, condition, partial_pressure_Pa (H2O, Pa),
        reaction_energy_eV_per_reactant_gas (eV per H2O; 0: no reaction), products,
        toxic_released_gases (';'-joined), release_limit_ppm (ppm of 1 bar: the released
        gases' pressure above which none is released; empty if none is), temperature_K (K),
        dataset."""
        import pandas as pd

        rows = [
            {**r, "products": ";".join(r["products"]),
             "toxic_released_gases": ";".join(r["toxic_released_gases"])}
            for r in self.rows
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=list(MAP_KEYS))


MAP_KEYS = (
    "formula", "condition", "partial_pressure_Pa", "reaction_energy_eV_per_reactant_gas",
    "products", "toxic_released_gases", "release_limit_ppm", "temperature_K", "dataset",
)  # fmt: skip


def dry_room_map(
    table: EntryTable, formulas: Sequence[str], cond: Conditions | None = None, **kwargs
) -> DryRoomMap:
    """Each material with H2O in excess at each of ``DRY_ROOM_CONDITIONS`` (the rest of
    ``cond`` as given; ``kwargs`` go to :func:`compute_air`)."""
    cond = cond or Conditions()
    rows, errors, left = [], {}, set()
    for name, pressure in DRY_ROOM_CONDITIONS:
        result = compute_air(
            table, formulas, replace(cond, h2o_Pa=pressure), gases=["H2O"], air=False, **kwargs
        )
        errors.update(result.errors)
        left.update(result.left_out)
        for r in result.results:
            d = r.to_dict()
            rows.append(
                {
                    "formula": d["formula"],
                    "condition": name,
                    "partial_pressure_Pa": d["partial_pressure_Pa"],
                    "reaction_energy_eV_per_reactant_gas": d["reaction_energy_eV_per_reactant_gas"],
                    "products": d["products"],
                    "toxic_released_gases": d["toxic_released_gases"],
                    "release_limit_ppm": d["release_limit_ppm"],
                    "temperature_K": d["temperature_K"],
                    "dataset": d["dataset"],
                }
            )
    return DryRoomMap(rows, errors, sorted(left))
