"""Experimental corrections for MP's hydroxide, carbonate and oxyanion energies.

MP's energies over-bind groups whose oxygen sits on hydrogen or on a non-metal: the oxide
correction that MP adds per O atom was fitted to metal oxides, and it makes hydroxides,
carbonates, nitrates, sulfates and perchlorates too stable (LiOH by about 0.46 eV per
formula unit, LiClO4 by 2.8 eV on ``mp2019_ground_states``). Constants fitted to pymatgen's
experimental formation enthalpies (``analysis/compatibility/exp_compounds.json.gz``,
Kubaschewski and NIST data) correct them: for each simple salt of one metal there
(M_x(OH)_y, M_x(CO3)_y, and M-X-O salts with X = N, S, Cl in a positive oxidation state:
nitrites and nitrates, sulfites and sulfates, chlorates and perchlorates), experiment
minus the dataset's lowest energy at that formula, per group (OH: per H; CO3: per C; X-O:
per O atom on X); each constant is the mean over its salts.

Every non-molecular candidate then takes, per formula unit:

- the OH constant per H atom if it holds H and O (hydroxides, hydrates, hydrogen salts);
- the CO3 constant per C atom if it holds at least 3 O per C;
- for X = N, S, Cl oxidised (more O than its other elements' highest common oxidation
  states can balance: 2 n_O > sum n_M ox_M, so O must sit on X), the X constant per O atom
  on X, taken as min(n_O, k n_X) with k = 3 (N) or 4 (S, Cl). InOCl (2 < 3) keeps its
  energy; LiClO4 (8 > 1) takes 4 O on Cl.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from stability.files import pymatgen_data
from stability.formula import composition_amounts, num_atoms

if TYPE_CHECKING:
    from stability.entries.table import EntryTable

GROUP_ELEMENTS = {"H", "C", "O"}
#: Oxyanion formers corrected per O atom on them, with the most O one of them holds.
OXYANION_O_MAX = {"N": 3, "S": 4, "Cl": 4}
#: Salts needed to fit a constant; with fewer, the group is left uncorrected.
MIN_SALTS = 2


@dataclass(frozen=True)
class GroupCorrections:
    """eV added per OH (per H), per CO3 (per C) and per O atom on an oxyanion former
    (``per_o_on_eV``: N, S, Cl); ``n_*`` salts fitted, ``std_*`` the spread of their
    differences (eV per group)."""

    per_oh_eV: float
    per_co3_eV: float
    n_oh: int
    n_co3: int
    std_oh_eV: float
    std_co3_eV: float
    per_o_on_eV: dict[str, float] = field(default_factory=dict)
    n_o_on: dict[str, int] = field(default_factory=dict)
    std_o_on_eV: dict[str, float] = field(default_factory=dict)

    def correction_eV(self, comp: dict[str, float]) -> float:
        """The correction of one formula unit ``comp`` (element -> amount)."""
        out = 0.0
        if comp.get("H", 0) > 0 and comp.get("O", 0) > 0:
            out += self.per_oh_eV * comp["H"]
        if comp.get("C", 0) > 0 and comp.get("O", 0) >= 3 * comp["C"] - 1e-9:
            out += self.per_co3_eV * comp["C"]
        for x, n_o in oxygen_on(comp).items():
            out += self.per_o_on_eV.get(x, 0.0) * n_o
        return out


@cache
def _highest_state(symbol: str) -> int:
    from pymatgen.core import Element

    states = Element(symbol).common_oxidation_states or Element(symbol).oxidation_states
    return max([s for s in states if s > 0], default=0)


def oxygen_on(comp: dict[str, float]) -> dict[str, float]:
    """O atoms sitting on each oxidised oxyanion former of ``comp`` (module docstring).

    >>> oxygen_on({"Li": 1, "Cl": 1, "O": 4}), oxygen_on({"In": 1, "O": 1, "Cl": 1})
    ({'Cl': 4.0}, {})
    """
    n_o = comp.get("O", 0.0)
    formers = [x for x in OXYANION_O_MAX if comp.get(x, 0) > 0]
    if n_o <= 0 or not formers:
        return {}
    capacity = sum(a * _highest_state(e) for e, a in comp.items() if e != "O" and e not in formers)
    if 2 * n_o <= capacity + 1e-9:
        return {}
    out: dict[str, float] = {}
    left = float(n_o)
    for x in formers:  # several formers in one phase: O shared out in a fixed order
        on = min(left, OXYANION_O_MAX[x] * comp[x])
        if on > 0:
            out[x] = float(on)
            left -= on
    return out


@cache
def _experimental() -> tuple[dict, ...]:
    # found without importing pymatgen.analysis.compatibility, which costs seconds
    with gzip.open(pymatgen_data("analysis", "compatibility", "exp_compounds.json.gz"), "rt") as fh:
        return tuple(json.load(fh))


def _lowest(table: EntryTable, amounts: dict[str, float]) -> float | None:
    """The lowest formation energy per atom of the dataset's phases at ``amounts``' formula."""
    rows = table.rows_with(amounts)
    return float(table.energy_per_atom[rows].min()) if rows.size else None


_FITS: dict[str, GroupCorrections] = {}


def _group_of(comp_dict: dict[str, float], metals: set[str]) -> tuple[str, float] | None:
    """(group, groups per formula unit) of a simple salt of one metal, or None."""
    els = set(comp_dict)
    others = els - GROUP_ELEMENTS - set(OXYANION_O_MAX)
    if len(others) != 1 or not others <= metals:
        return None
    if els == others | {"H", "O"} and comp_dict["H"] == comp_dict["O"]:
        return "OH", comp_dict["H"]
    if els == others | {"C", "O"} and comp_dict["O"] == 3 * comp_dict["C"]:
        return "CO3", comp_dict["C"]
    for x in OXYANION_O_MAX:
        if els == others | {x, "O"}:
            on = oxygen_on(comp_dict).get(x, 0.0)
            # every O on X: basic salts (extra oxide O) are not simple salts
            return (x, on) if on > 0 and on == comp_dict["O"] else None
    return None


@cache
def _is_metal(symbol: str) -> bool:
    from pymatgen.core import Element

    return bool(Element(symbol).is_metal)


def _fit(table: EntryTable) -> GroupCorrections:
    diffs: dict[str, list[float]] = {}
    for row in _experimental():
        amounts = composition_amounts(row["formula"])
        if not set(amounts) <= set(table.elements):
            continue
        found_group = _group_of(amounts, {e for e in amounts if _is_metal(e)})
        if found_group is None:
            continue
        group, groups = found_group
        e_atom = _lowest(table, amounts)
        if e_atom is None:
            continue
        diffs.setdefault(group, []).append(
            (row["exp energy"] - e_atom * num_atoms(amounts)) / groups
        )

    def stat(group: str) -> tuple[float, int, float]:
        d = diffs.get(group, [])
        if len(d) < MIN_SALTS:
            return 0.0, len(d), 0.0
        return float(np.mean(d)), len(d), float(np.std(d))

    oh, co3 = stat("OH"), stat("CO3")
    fits = {x: stat(x) for x in OXYANION_O_MAX}
    return GroupCorrections(
        per_oh_eV=oh[0],
        per_co3_eV=co3[0],
        n_oh=oh[1],
        n_co3=co3[1],
        std_oh_eV=oh[2],
        std_co3_eV=co3[2],
        per_o_on_eV={x: f[0] for x, f in fits.items()},
        n_o_on={x: f[1] for x, f in fits.items()},
        std_o_on_eV={x: f[2] for x, f in fits.items()},
    )


def fit_group_corrections(table: EntryTable) -> GroupCorrections:
    """The hydroxide, carbonate and oxyanion corrections for ``table`` (module docstring)."""
    if table.energy_kind != "formation":
        return GroupCorrections(0.0, 0.0, 0, 0, 0.0, 0.0)
    key = table.fingerprint
    if key not in _FITS:
        _FITS[key] = _fit(table)
    return _FITS[key]
