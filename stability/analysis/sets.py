"""What a screen runs over: catalogue sets, dataset-derived sets, or a file of formulas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stability.analysis.catalogue import CATALOGUE, material_class, resolve_set
from stability.entries.table import EntryTable
from stability.errors import StabilityError

ANIONS = {
    "N": "nitride",
    "F": "fluoride",
    "Cl": "chloride",
    "Br": "bromide",
    "I": "iodide",
    "O": "oxide",
    "S": "sulfide",
    "Se": "selenide",
    "P": "phosphide",
    "C": "carbide",
}
# Most electronegative first: a compound is named after its most electronegative anion.
_ANION_ORDER = ["F", "O", "Cl", "N", "Br", "I", "S", "Se", "C", "P"]
DATASET_SETS = ("all", "all-li", "li-ternaries:X")


@dataclass(frozen=True)
class Target:
    """One row of a screen: a stable key, what to call it, and where it comes from."""

    key: str
    label: str
    formula: str
    row: int  # dataset row, or -1 for a formula not taken from the dataset
    cls: str


def anion_class(elements: set[str]) -> str:
    for el in _ANION_ORDER:
        if el in elements:
            return ANIONS[el]
    return "other"


def classify(formula: str, elements: set[str]) -> str:
    return material_class(formula) or anion_class(elements)


def dataset_targets(table: EntryTable, name: str) -> list[Target]:
    """Targets of ``all``, ``all-li`` or ``li-ternaries:X`` over the rows of ``table``."""
    counts = np.diff(table.indptr)
    lookup = {el: k for k, el in enumerate(table.elements)}
    li = lookup.get("Li", -1)
    row_of = np.repeat(np.arange(len(table)), counts)
    has_li = np.zeros(len(table), dtype=bool)
    has_li[row_of[table.indices == li]] = True
    if name == "all":
        rows = np.arange(len(table))
    elif name == "all-li":
        rows = np.flatnonzero(has_li & (counts > 1))
    elif name.startswith("li-ternaries:"):
        anion = name.split(":", 1)[1]
        if anion not in ANIONS or anion not in lookup:
            raise StabilityError(
                f"unknown anion {anion!r} in {name!r}; use one of N, F, Cl, Br, I, O, S"
            )
        has_x = np.zeros(len(table), dtype=bool)
        has_x[row_of[table.indices == lookup[anion]]] = True
        rows = np.flatnonzero(has_li & has_x & (counts == 3))
    else:
        raise StabilityError(f"unknown dataset set {name!r}")
    out = []
    for i in rows:
        comp = table.row_composition(int(i))
        formula = str(table.formula[i])
        cls = classify(formula, set(comp))  # LiNO3 in li-ternaries:N is an oxide
        out.append(Target(f"row{i}", formula, formula, int(i), cls))
    return out


def resolve_targets(table: EntryTable, name: str) -> list[Target]:
    """Targets of any named set (catalogue or dataset-derived) or file of formulas."""
    if name in ("all", "all-li") or name.startswith("li-ternaries:"):
        return dataset_targets(table, name)
    items = resolve_set(name)
    seen: dict[str, int] = {}
    out = []
    for label, formula in items:
        # A formula listed twice is screened twice, under distinct keys.
        n = seen[formula] = seen.get(formula, -1) + 1
        key = f"{formula}#{n}" if n else formula
        out.append(Target(key, label, formula, -1, classify(formula, formula_elements(formula))))
    return out


def formula_elements(formula: str) -> set[str]:
    """Element symbols written in a formula (no parsing, no validation: for grouping)."""
    import re

    return set(re.findall(r"[A-Z][a-z]?", formula))


__all__ = ["CATALOGUE", "DATASET_SETS", "Target", "classify", "resolve_targets"]
