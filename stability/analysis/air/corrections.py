"""Experimental corrections for MP's hydroxide and carbonate energies.

MP's legacy (2019) energies make hydroxides and carbonates too stable (LiOH by about
0.46 eV per formula unit). Two constants fix them, fitted to pymatgen's experimental
formation enthalpies (``analysis/compatibility/exp_compounds.json.gz``, Kubaschewski and
NIST data): for each simple hydroxide M_x(OH)_y and simple carbonate M_x(CO3)_y there, the
difference between experiment and the dataset's lowest energy at that formula, per OH
(per H) and per CO3 (per C); the constant is their mean. It is added to every non-molecular
phase of the candidate set per H atom if it holds H and O, and per C atom if it holds C and
at least 3 O per C (hydroxides, hydrates, hydrogen carbonates and carbonates).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from stability.entries.table import EntryTable

GROUP_ELEMENTS = {"H", "C", "O"}


@dataclass(frozen=True)
class GroupCorrections:
    """eV added per OH (per H) and per CO3 (per C); ``n_*`` compounds fitted, ``std_*``
    the spread of their differences (eV per group)."""

    per_oh_eV: float
    per_co3_eV: float
    n_oh: int
    n_co3: int
    std_oh_eV: float
    std_co3_eV: float

    def correction_eV(self, comp: dict[str, float]) -> float:
        """The correction of one formula unit ``comp`` (element -> amount)."""
        out = 0.0
        if comp.get("H", 0) > 0 and comp.get("O", 0) > 0:
            out += self.per_oh_eV * comp["H"]
        if comp.get("C", 0) > 0 and comp.get("O", 0) >= 3 * comp["C"] - 1e-9:
            out += self.per_co3_eV * comp["C"]
        return out


def _experimental() -> list[dict]:
    import pymatgen.analysis.compatibility as compat

    path = Path(compat.__file__).resolve().parent / "exp_compounds.json.gz"
    with gzip.open(path, "rt") as fh:
        return json.load(fh)


def _lowest(table: EntryTable, reduced: str) -> tuple[float, float] | None:
    """(lowest formation energy per atom, atoms per reduced formula unit) of a formula."""
    from pymatgen.core import Composition

    comp = Composition(reduced)
    rows = table.rows_within([str(e) for e in comp.elements])
    best = None
    for i in rows:
        c = Composition(table.row_composition(int(i)))
        if c.reduced_formula == comp.reduced_formula:
            e = float(table.energy_per_atom[i])
            best = e if best is None else min(best, e)
    return None if best is None else (best, comp.num_atoms)


_FITS: dict[str, GroupCorrections] = {}


def _fit(table: EntryTable) -> GroupCorrections:
    from pymatgen.core import Composition

    oh, co3 = [], []
    for row in _experimental():
        comp = Composition(row["formula"])
        els = {str(e) for e in comp.elements}
        others = els - GROUP_ELEMENTS
        if len(others) != 1 or not others <= {str(e) for e in comp.elements if e.is_metal}:
            continue
        if els == others | {"H", "O"} and comp["H"] == comp["O"]:
            groups, bucket = comp["H"], oh
        elif els == others | {"C", "O"} and comp["O"] == 3 * comp["C"]:
            groups, bucket = comp["C"], co3
        else:
            continue
        found = _lowest(table, comp.reduced_formula)
        if found is None:
            continue
        e_atom, _ = found
        bucket.append((row["exp energy"] - e_atom * comp.num_atoms) / groups)
    return GroupCorrections(
        per_oh_eV=float(np.mean(oh)) if oh else 0.0,
        per_co3_eV=float(np.mean(co3)) if co3 else 0.0,
        n_oh=len(oh),
        n_co3=len(co3),
        std_oh_eV=float(np.std(oh)) if oh else 0.0,
        std_co3_eV=float(np.std(co3)) if co3 else 0.0,
    )


def fit_group_corrections(table: EntryTable) -> GroupCorrections:
    """The hydroxide and carbonate corrections for ``table`` (module docstring)."""
    if table.energy_kind != "formation":
        return GroupCorrections(0.0, 0.0, 0, 0, 0.0, 0.0)
    key = table.fingerprint
    if key not in _FITS:
        _FITS[key] = _fit(table)
    return _FITS[key]
