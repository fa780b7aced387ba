"""Flags on products a chemist may not believe: likely dataset artefacts, worth a second look.

A product (a phase named in a result) is flagged with a reason when

- ``charge``: no assignment of common oxidation states (pymatgen's common and ICSD oxidation
  states of each element, one per element; mixed valence only for d- and f-block and
  post-transition metals, as in Co3O4 or In7Cl9) balances it, and it holds an anion-forming
  element (H, N, O, S, Se, Te, F, Cl, Br, I). This catches molecular and polyanion phases such as
  IN4, CS14 (a C-S molecular crystal), LiS4 (Li2S8) and LiN3 (azide); metals, alloys and
  Zintl phases (LiP, Li3P7) are not tested;
- ``release``: the same calculation on the other bundled MP release (``mp2019_ground_states``
  against ``mp2022_hull`` and back) does not form it (``releases.with_release_check``: Li3N
  oxidises to LiN3 on mp2019, to N2 on mp2022). That a flagged phase is not on the other
  release's hull is added to its reasons as supporting evidence; alone it flags nothing (it
  would flag real phases such as Li4Ti5O12, which mp2022's hull lacks);
- ``theoretical``: the Materials Project marks it theoretical (no ICSD record), where the
  entries came from MP with that flag (``stability data pull``).

Evidence against a flag: the elements, a short list of well-known products that are never
flagged (``WELL_KNOWN``) and presence in pymatgen's experimental formation-enthalpy set
(``pymatgen/analysis/compatibility/exp_compounds.json.gz``, 2,135 compounds).

Flags are computed for the few products of a result, after its hull work, cached per
reduced formula and dataset: they never slow the hull walk.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from stability import config
from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.files import pymatgen_data
from stability.formula import composition_amounts, reduced_formula

#: Products that are never flagged, whatever the evidence (metals and the elements neither).
WELL_KNOWN = frozenset(
    {"Li2S", "Li3P", "LiCl", "LiF", "Li3N", "Li2O", "Li3PO4", "LiBr", "LiI", "N2", "O2", "S"}
)
#: Elements that form anions: a phase holding one is tested for a charge balance.
ANION_FORMERS = frozenset({"H", "N", "O", "S", "Se", "Te", "F", "Cl", "Br", "I"})
#: The two bundled MP releases, each the other's reference.
RELEASES = ("mp2019_ground_states", "mp2022_hull")
#: Reasons, in the order a flag lists them (their keys in the manual's counts).
REASON_KEYS = ("charge", "release", "theoretical")


#: Post-transition metals, which take mixed valence as d- and f-block elements do.
POST_TRANSITION = frozenset({"Al", "Ga", "In", "Tl", "Ge", "Sn", "Pb", "Sb", "Bi"})


@cache
def _elements() -> dict[str, tuple[int, tuple[int, ...]]]:
    """{symbol: (Z, common and ICSD oxidation states)} from pymatgen's periodic table."""
    with gzip.open(pymatgen_data("core", "periodic_table.json.gz"), "rt") as fh:
        table = json.load(fh)
    out = {}
    for el, d in table.items():
        states = {*d.get("Common oxidation states", ()), *d.get("ICSD oxidation states", ())}
        out[el] = (int(d.get("Atomic no", 0)), tuple(sorted(int(s) for s in states)))
    return out


def _mixed_valence(symbol: str) -> bool:
    z = _elements()[symbol][0]
    block = 21 <= z <= 30 or 39 <= z <= 48 or 57 <= z <= 80 or 89 <= z <= 112
    return block or symbol in POST_TRANSITION


def _states(symbol: str) -> tuple[int, ...]:
    return _elements()[symbol][1] or (0,)


@cache
def _totals(symbol: str, n: int) -> frozenset[int]:
    """The charges ``n`` atoms of ``symbol`` can carry: n times one common state, or (d- and
    f-block and post-transition metals) any sum of n of them or 0 (metal-rich phases)."""
    states = _states(symbol)
    if not _mixed_valence(symbol) or n > 200:
        return frozenset(n * s for s in states)
    states = (0, *states)  # metal-rich phases (Ti2N, Zr3O, Sc7Cl10): some atoms metallic
    sums = {0}
    for _ in range(n):
        sums = {a + s for a in sums for s in states}
    return frozenset(sums)


@lru_cache(maxsize=8192)
def charge_balanced(formula: str) -> bool:
    """Whether common oxidation states balance ``formula`` (one state per element; mixed
    valence for d- and f-block elements); True where no anion-forming element is present
    (metals, alloys, Zintl phases are not tested).

    Examples
    --------
    >>> charge_balanced("Li3PS4"), charge_balanced("Co3O4"), charge_balanced("IN4")
    (True, True, False)
    """
    amounts = composition_amounts(formula)
    if len(amounts) < 2 or not ANION_FORMERS & set(amounts):
        return True
    if any(abs(a - round(a)) > 1e-6 for a in amounts.values()):
        return True  # a non-stoichiometric composition (a glass): not a phase to test
    options = [sorted(_totals(el, int(round(a)))) for el, a in amounts.items()]
    reachable = {0}
    for totals in options:  # subset sums: small sets, a few elements
        reachable = {r + t for r in reachable for t in totals}
    return 0 in reachable


@cache
def _experimental_records() -> dict[frozenset[str], tuple[str, ...]]:
    """Formulas of pymatgen's experimental formation-enthalpy set (2,135 compounds;
    ``pymatgen/analysis/compatibility/exp_compounds.json.gz``) by element set, read on first
    use; each is parsed only when a flagged phase of its elements asks."""
    try:
        path = pymatgen_data("analysis", "compatibility", "exp_compounds.json.gz")
        with gzip.open(path, "rt") as fh:
            records = json.load(fh)
    except (OSError, StabilityError):  # an unusual pymatgen install: no evidence either way
        return {}
    by_elements: dict[frozenset[str], list[str]] = {}
    for r in records:
        key = frozenset(re.findall(r"[A-Z][a-z]?", r["formula"]))
        by_elements.setdefault(key, []).append(r["formula"])
    return {k: tuple(v) for k, v in by_elements.items()}


def experimental(formula: str) -> bool:
    """Whether pymatgen's experimental formation-enthalpy set holds ``formula`` (any formula
    unit)."""
    amounts = composition_amounts(formula)
    same = _experimental_records().get(frozenset(amounts), ())
    target = reduced_formula(amounts)
    return any(reduced_formula(composition_amounts(f)) == target for f in same)


def exempt(formula: str) -> bool:
    """Never flagged: an element, a well-known product, or a compound with an experimental
    formation enthalpy in pymatgen's set."""
    amounts = composition_amounts(formula)
    return len(amounts) < 2 or formula in WELL_KNOWN or experimental(formula)


def _bundled_sha256() -> dict[str, str]:
    return _sha256_in(config.embedded_data_dir())


@cache
def _sha256_in(folder: Path) -> dict[str, str]:
    """sha256 of each bundled release snapshot in ``folder``: a copy under another name is
    still it. Kept per folder, so a changed embedded folder is never answered from another."""
    from stability.entries.cache import file_sha256

    out = {}
    for name in RELEASES:
        path = folder / f"{name}.csv.gz"
        if path.exists():
            out[file_sha256(path)] = name
    return out


def release_of(table: EntryTable) -> str | None:
    """Which bundled MP release ``table`` is (``mp2019_ground_states`` or ``mp2022_hull``), by
    its name or, under another name, by its content; None for any other dataset."""
    name = table.name.split(" (")[0]
    if name in RELEASES:
        return name
    sha = table.meta.get("source_sha256")
    if sha:
        return _bundled_sha256().get(str(sha))
    return None


def other_release_name(table: EntryTable) -> str | None:
    release = release_of(table)
    if release is None:
        return None
    return RELEASES[1 - RELEASES.index(release)]


_OTHER: dict[tuple[Path, str], EntryTable | None] = {}


def other_release(table: EntryTable) -> EntryTable | None:
    """The other bundled release's table (from the embedded default), loaded once; None when
    ``table`` is not a bundled release or the other one is missing."""
    name = other_release_name(table)
    if name is None:
        return None
    key = (config.embedded_data_dir(), name)
    if key not in _OTHER:
        from stability.entries.load import load_embedded

        try:
            other = load_embedded(key[0], name)
            other.meta.update(name=name)
        except StabilityError:
            other = None
        _OTHER[key] = other
    return _OTHER[key]


def on_hull(table: EntryTable, formula: str) -> bool | None:
    """Whether ``table`` holds ``formula`` on its hull, as the dataset reports it (a hull-only
    dataset: every row; else a reported distance of at most 1 meV/atom); None when the
    dataset lacks one of its elements or reports no distances."""
    amounts = composition_amounts(formula)
    if any(el not in table.element_index for el in amounts):
        return None
    rows = table.rows_with(amounts)
    if release_of(table) == "mp2022_hull":
        return bool(rows.size)
    if rows.size == 0:
        return False
    distance = table.reported_hull_distance[rows]
    if np.isnan(distance).all():
        return None
    return bool(np.nanmin(distance) <= 1e-3)


def _theoretical(table: EntryTable, formula: str) -> bool:
    """Whether MP marks the dataset's entries of ``formula`` theoretical (pulled entries that
    carry the flag); False where unknown."""
    marks = table.meta.get("theoretical_ids")
    if not marks:
        return False
    rows = table.rows_with(composition_amounts(formula))
    ids = {str(i) for i in table.material_id[rows]}
    return bool(ids) and ids <= set(marks)


#: Per dataset (by id, the table kept alive with its answers): {formula: reasons}.
_CACHE: dict[int, tuple[EntryTable, dict[str, list[str]]]] = {}


def phase_reasons(table: EntryTable, formula: str) -> list[str]:
    """Why the product ``formula`` (a reduced formula) of a result on ``table`` is worth a
    second look: one sentence per reason (empty: not flagged). Cached per dataset."""
    if id(table) not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[id(table)] = (table, {})
    known = _CACHE[id(table)][1]
    found = known.get(formula)
    if found is not None:
        return found
    reasons: list[str] = []
    if len(composition_amounts(formula)) > 1 and formula not in WELL_KNOWN:
        if _theoretical(table, formula):
            reasons.append("theoretical: MP lists no experimental (ICSD) record")
        if not charge_balanced(formula):
            reasons.append(
                "charge: no charge-balanced common oxidation states "
                "(a molecular or polyanion phase?)"
            )
        other = other_release(table) if reasons else None
        if other is not None and on_hull(other, formula) is False:
            reasons.append(f"release: not on the hull of {other.name}")
        if reasons and experimental(formula):
            reasons = []  # measured: evidence against every flag
    known[formula] = reasons
    return reasons


def flag_phases(table: EntryTable, formulas: Iterable[str]) -> list[dict[str, str]]:
    """``[{formula, reason}]`` of the flagged phases among ``formulas`` (each once, in order).

    Parameters
    ----------
    table : EntryTable
        The dataset the phases come from (its release decides the ``release`` reason).
    formulas : iterable of str
        Reduced formulas of products, e.g. a window's ``oxidation_products``.

    Returns
    -------
    list of dict
        ``{"formula": ..., "reason": ...}`` per flagged phase; reasons start with
        ``charge:``, ``release:`` or ``theoretical:`` (several joined by "; ").

    Examples
    --------
    >>> import stability
    >>> table = stability.load_dataset()
    >>> [f["formula"] for f in flag_phases(table, ["Li2S", "IN4", "LiCl", "IN4"])]
    ['IN4']
    """
    out = []
    for f in dict.fromkeys(formulas):
        reasons = phase_reasons(table, f)
        if reasons:
            out.append({"formula": f, "reason": "; ".join(reasons)})
    return out


def merge_flags(*lists: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Flags of several parts of a result, one per formula (reasons joined, each once)."""
    merged: dict[str, list[str]] = {}
    for flags in lists:
        for f in flags:
            reasons = merged.setdefault(f["formula"], [])
            for r in f["reason"].split("; "):
                if r not in reasons:
                    reasons.append(r)
    return [{"formula": f, "reason": "; ".join(r)} for f, r in merged.items()]


def flags_text(flags: list[dict[str, str]]) -> str:
    """``IN4 (charge: ...); LiN3 (release: ...)``: the flags as one CSV cell."""
    return "; ".join(f"{f['formula']} ({f['reason'].replace('; ', ', ')})" for f in flags)


def reason_keys(reason: str) -> list[str]:
    """The reason keys (``REASON_KEYS``) in a flag's reason."""
    return [k for k in REASON_KEYS if f"{k}:" in reason]


def flag_predicate(table: EntryTable) -> Callable[[str], str | None]:
    """``formula -> reason or None``: what ``--exclude-flagged`` leaves out of ``table``."""

    def flagged(formula: str) -> str | None:
        reasons = phase_reasons(table, formula)
        return "; ".join(reasons) or None

    return flagged
