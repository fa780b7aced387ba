"""What a command runs over: catalogue sets, dataset-derived sets, or a file of names.

One path for every command (``resolve_targets``; ``resolve_set`` gives (label, formula)
pairs): a set name is any of

- a catalogue set (``seed``, ``nitrides``, ``sulfides``, ``halides``, ``nitride-sses``, ...);
- a dataset set over the rows of the data: ``all``, ``all-li`` (every Li compound but Li),
  ``all-na``, ``all-k``, ``all-mg``, ``all-ca``, ``all-zn``, ``all-al`` (the same for every
  working ion of ``stability.ions``), ``li-ternaries:X`` (Li-M-X, X one of
  ``LI_TERNARY_ANIONS``);
- a file with one material per line (``#`` comments), each read by
  ``stability.analysis.materials.names.resolve_material`` (formulas, catalogue labels, aliases, ids);
- several of these joined by commas (``li-ternaries:N,cathodes``).

Classes come from ``stability.analysis.materials.classes`` (one vocabulary).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stability import config
from stability.analysis.materials.catalogue import (
    CATALOGUE,
    SEED_SECTIONS,
    catalogue_class,
    catalogue_element_sets,
    material_class,
    set_names,
)
from stability.analysis.materials.classes import ANION_CLASSES, anion_class
from stability.analysis.materials.names import formula_spelling
from stability.entries.table import EntryTable
from stability.errors import MissingDataError, StabilityError
from stability.ions import IONS

if TYPE_CHECKING:
    from stability.thermo.base import Engine

#: Anions X of ``li-ternaries:X``: exactly these are accepted, and the error lists them.
LI_TERNARY_ANIONS: tuple[str, ...] = tuple(ANION_CLASSES)
#: ``all-<ion>``: every compound of a working ion (``all-li``, ``all-na``, ...) -> the ion.
ION_SETS: dict[str, str] = {f"all-{ion.lower()}": ion for ion in IONS}
DATASET_SET_NAMES = ("all", *ION_SETS, "li-ternaries:X")


@dataclass(frozen=True)
class Target:
    """One row of a screen: a stable key, what to call it, and where it comes from.

    ``error`` is set when the name could not be resolved (a bad line of a set file): the row
    is kept, so the rest still runs, and carries that error.
    """

    key: str
    label: str
    formula: str
    row: int  # dataset row, or -1 for a formula not taken from the dataset
    cls: str
    error: str = ""


def classify(formula: str, elements: set[str] | dict[str, float]) -> str:
    """The class of a material (see ``stability.analysis.materials.classes``).

    ``elements`` may be the composition {element: amount}; then catalogue materials are
    found however their formula is written (a dataset's ``Li9N2Cl3`` is a nitride).
    """
    cls = catalogue_class(elements) if isinstance(elements, dict) else material_class(formula)
    return cls or anion_class(elements)


def is_dataset_set(name: str) -> bool:
    return name == "all" or name in ION_SETS or name.startswith("li-ternaries")


def dataset_targets(table: EntryTable, name: str) -> list[Target]:
    """Targets of ``all``, ``all-<ion>`` or ``li-ternaries:X`` over the rows of ``table``."""
    counts = np.diff(table.indptr)
    lookup = {el: k for k, el in enumerate(table.elements)}
    row_of = np.repeat(np.arange(len(table)), counts)

    def having(element: str) -> np.ndarray:
        has = np.zeros(len(table), dtype=bool)
        has[row_of[table.indices == lookup.get(element, -1)]] = True
        return has

    if name == "all":
        rows = np.arange(len(table))
    elif name in ION_SETS:
        rows = np.flatnonzero(having(ION_SETS[name]) & (counts > 1))
    elif name.startswith("li-ternaries"):
        anion = name.partition(":")[2]
        if anion not in LI_TERNARY_ANIONS:
            raise StabilityError(
                f"unknown anion {anion!r} in {name!r}; use li-ternaries:X with X one of "
                + ", ".join(LI_TERNARY_ANIONS)
            )
        return ternary_targets(table, "Li", anion)
    else:
        raise StabilityError(f"unknown dataset set {name!r}; use {', '.join(DATASET_SET_NAMES)}")
    return _row_targets(table, rows)


def ternary_targets(table: EntryTable, ion: str, anion: str) -> list[Target]:
    """Targets of every ``ion``-M-``anion`` ternary row of ``table`` (``li-ternaries:X`` for
    Li; the windows-by-class figure of another working ion)."""
    counts = np.diff(table.indptr)
    lookup = {el: k for k, el in enumerate(table.elements)}
    if anion not in lookup:
        raise MissingDataError(f"dataset {table.name} has no entries with {anion}")
    row_of = np.repeat(np.arange(len(table)), counts)
    has_ion = np.zeros(len(table), dtype=bool)
    has_ion[row_of[table.indices == lookup.get(ion, -1)]] = True
    has_x = np.zeros(len(table), dtype=bool)
    has_x[row_of[table.indices == lookup[anion]]] = True
    return _row_targets(table, np.flatnonzero(has_ion & has_x & (counts == 3)))


def _row_targets(table: EntryTable, rows: np.ndarray) -> list[Target]:
    """Targets of the dataset rows ``rows``, classed."""
    # A row's class is its anion class unless the catalogue lists its composition: only rows
    # with a catalogue material's element set need their composition compared.
    listed = catalogue_element_sets()
    by_set: dict[tuple[int, ...], str] = {}
    formulas = table.formula.tolist()
    out = []
    for i in rows.tolist():
        key = table.row_elements(i)
        cls = by_set.get(key)
        if cls is None:
            elements = {table.elements[j] for j in key}
            cls = "" if frozenset(elements) in listed else anion_class(elements)
            by_set[key] = cls
        if not cls:
            cls = classify(formulas[i], table.row_composition(i))
        # A row is its own composition: a formula that reads as a name is spelled with its 1s.
        out.append(Target(f"row{i}", formulas[i], formula_spelling(formulas[i]), i, cls))
    return out


def resolve_targets(table: EntryTable | None, name: str) -> list[Target]:
    """Targets of any set name (see the module docstring), in the order given.

    ``table`` is needed for dataset sets and for material ids in files; None otherwise.
    Keys are unique: a material listed twice is run twice (``Li3N``, ``Li3N#1``).

    Parameters
    ----------
    table : EntryTable or None
        The dataset (``engine.table``), for dataset sets and material ids.
    name : str
        A catalogue set (``seed``, ``nitride-sses``, ...), a dataset set (``all``,
        ``all-li``, ``all-na`` and the other ``all-<ion>``, ``li-ternaries:X``), a file with one material per line, or several of
        these joined by commas.

    Returns
    -------
    list of Target
        One per member, in order: ``key``, ``label``, ``formula``, dataset ``row`` (-1:
        not from the dataset), class ``cls`` and ``error`` (a line that did not resolve).

    Raises
    ------
    StabilityError
        An unknown set name, or a dataset set without ``table``.

    Examples
    --------
    >>> import stability
    >>> [(t.label, t.formula, t.cls) for t in stability.resolve_targets(None, "nitride-sses")]
    [('beta-Li3N', 'Li3N', 'nitride'), ('Li9N2Cl3', 'Li9N2Cl3', 'nitride'), ('LiPON', 'Li2PO2N', 'nitride'), ('Li7N2I', 'Li7N2I', 'nitride')]
    >>> table = stability.load_dataset()
    >>> len(stability.resolve_targets(table, "li-ternaries:N"))
    120
    """
    out: list[Target] = []
    for part in [p.strip() for p in name.split(",") if p.strip()] or [name]:
        out += _targets_of(table, part)
    seen: dict[str, int] = {}
    unique = []
    for t in out:
        n = seen[t.key] = seen.get(t.key, -1) + 1
        unique.append(
            t if n == 0 else Target(f"{t.key}#{n}", t.label, t.formula, t.row, t.cls, t.error)
        )
    return unique


def resolve_set(name: str, table: EntryTable | None = None) -> list[tuple[str, str]]:
    """(label, formula) of every member of a set name, e.g. for an interface matrix's sides.

    A member that could not be resolved keeps its text as formula, so the calculation that
    uses it reports the error for that member alone.

    Parameters
    ----------
    name : str
        A set name, as :func:`resolve_targets` takes.
    table : EntryTable, optional
        The dataset, for dataset sets and material ids.

    Returns
    -------
    list of (str, str)
        ``(label, formula)`` of every member, in order.

    Examples
    --------
    >>> import stability
    >>> stability.resolve_set("nitride-sses")
    [('beta-Li3N', 'Li3N'), ('Li9N2Cl3', 'Li9N2Cl3'), ('LiPON', 'Li2PO2N'), ('Li7N2I', 'Li7N2I')]
    """
    return [(t.label, t.formula) for t in resolve_targets(table, name)]


def _targets_of(table: EntryTable | None, name: str) -> list[Target]:
    if is_dataset_set(name):
        if table is None:
            raise StabilityError(f"set {name!r} lists a dataset's rows: it needs one dataset here")
        return dataset_targets(table, name)
    if name == "seed":
        items = [item for sec in SEED_SECTIONS for item in CATALOGUE[sec]]
        return [_target(label, formula) for label, formula in items]
    if name in CATALOGUE:
        return [_target(label, formula) for label, formula in CATALOGUE[name]]
    path = Path(name)
    if path.suffix or "/" in name or path.is_file():
        return _file_targets(path, table)
    material = _material(name, table)
    if material is not None:  # one material, as in --left Li3N,LLZO
        return [_target(material.label, material.formula)]
    close = difflib.get_close_matches(name, [*set_names(), "all", *ION_SETS, "li-ternaries:N"], 1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise StabilityError(
        f"unknown set {name!r}{hint}; available: {', '.join(set_names())}, "
        f"{', '.join(DATASET_SET_NAMES)}, or a file"
    )


def _material(text: str, table: EntryTable | None):
    """The material ``text`` names (formula, catalogue label, alias, id), or None."""
    from stability.analysis.materials.names import resolve_material

    try:
        return resolve_material(text, table)
    except StabilityError:
        return None


def _target(label: str, formula: str, error: str = "") -> Target:
    cls = material_class(formula) or anion_class(formula_elements(formula))
    return Target(formula, label, formula, -1, "" if error else cls, error)


def _file_targets(path: Path, table: EntryTable | None) -> list[Target]:
    from stability.analysis.materials.names import resolve_material

    if not path.is_file():
        raise StabilityError(f"set file {path} does not exist")
    lines = [ln.split("#", 1)[0].strip() for ln in path.read_text().splitlines()]
    names = [ln for ln in lines if ln]
    if not names:
        raise StabilityError(f"set file {path} lists no formulas")
    out = []
    for text in names:
        try:
            m = resolve_material(text, table)
        except StabilityError as exc:
            out.append(_target(text, text, str(exc)))
            continue
        out.append(_target(m.label, m.formula))
    return out


def formula_elements(formula: str) -> set[str]:
    """Element symbols written in a formula (no parsing, no validation: for grouping)."""
    import re

    return set(re.findall(r"[A-Z][a-z]?", formula))


def target_e_above_hull(engine: Engine, target: Target) -> float | None:
    """Energy above the hull (eV/atom) of a target, as the screen's column reports it.

    A dataset row: its own energy above the hull of its system. A formula: the dataset's
    lowest entry of that composition, or None when the dataset has none.
    """
    from stability.analysis.materials.chemistry import locate

    loc = locate(engine, target.formula, need=None)
    if target.row >= 0:
        own = float(engine.table.energy_per_atom[target.row])
        return max(0.0, own - loc.hull.hull_energy_per_atom)
    return loc.e_above_hull_eV_per_atom


def filter_by_ehull(targets: list[Target], engine: Engine, max_ehull: float) -> list[Target]:
    """The targets at most ``max_ehull`` eV/atom above the hull, in their order.

    Kept as well: targets with no energy of their own (a composition the dataset lacks, e.g. a
    glass placed on the hull) and targets whose energy cannot be computed (they report their
    error when run). Each chemical system's hull is built once (targets are visited grouped by
    system; the engine caches hulls).

    Parameters
    ----------
    targets : list of Target
        From :func:`resolve_targets`.
    engine : Engine
        From :func:`stability.make_engine`, over the dataset the targets came from.
    max_ehull : float
        Largest energy above the hull kept (eV/atom, >= 0).

    Returns
    -------
    list of Target
        The targets kept, in their order.

    Raises
    ------
    StabilityError
        ``max_ehull`` is negative.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> targets = stability.resolve_targets(engine.table, "li-ternaries:N")
    >>> len(stability.filter_by_ehull(targets, engine, 0.0))
    65
    """
    if max_ehull < 0:
        raise StabilityError(f"--max-ehull must be >= 0 eV/atom, not {max_ehull:g}")
    order = sorted(range(len(targets)), key=lambda k: sorted(formula_elements(targets[k].formula)))
    keep = [True] * len(targets)
    for k in order:
        t = targets[k]
        if t.error:
            continue
        try:
            e = target_e_above_hull(engine, t)
        except StabilityError:
            continue
        keep[k] = e is None or e <= max_ehull + config.ENERGY_TOL
    return [t for t, kept in zip(targets, keep, strict=True) if kept]


__all__ = [
    "CATALOGUE",
    "Target",
    "classify",
    "filter_by_ehull",
    "resolve_set",
    "resolve_targets",
    "target_e_above_hull",
]
