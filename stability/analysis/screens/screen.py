"""Screens over many materials: resumable, parallel, one row per target, errors recorded.

Every finished row is appended to a journal (``OUT/screen.journal.jsonl``) as soon as it
reaches this process (local workers send rows at least every 50 ms), so an interrupted run
(Ctrl-C or kill) loses at most those last moments; re-running into the same folder skips the
rows already there. The tables (``screen.csv``, ``screen.json``) are written atomically at the
end, in the set's order, so they do not depend on ``--jobs`` or on interruptions.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stability.analysis.interfaces.interface import reaction_energy
from stability.analysis.materials.chemistry import (
    NotApplicableError,
    locate,
    read_material,
    require_ion,
)
from stability.analysis.materials.names import Material
from stability.analysis.materials.sets import Target, formula_elements
from stability.analysis.runtime.batch import Executor
from stability.analysis.windows.practical import Passivation, compute_practical_window
from stability.analysis.windows.window import (
    LIMIT_COLUMNS,
    PASSIVATION_FIELDS,
    STD_COLUMNS,
    TOLERANCE_FIELDS,
    compute_window,
    limit_row,
)
from stability.errors import Interrupted, StabilityError
from stability.formula import normalize_formula
from stability.ions import DEFAULT_ION, check_ion
from stability.thermo.base import Engine

if TYPE_CHECKING:
    import pandas as pd

    from stability.entries.table import EntryTable

JOURNAL = "screen.journal.jsonl"
#: Prefix of the error of a row whose window is undefined (no working ion, the ion's metal):
#: not a failure.
NO_WINDOW = "no window: "
# Identity columns first, then the window (LIMIT_COLUMNS[0] is reduced_formula), then error.
SCREEN_COLUMNS = [
    "material_id",
    "formula",
    "label",
    LIMIT_COLUMNS[0],
    "class",
    "e_above_hull_eV_per_atom",
    *LIMIT_COLUMNS[1:],
    "error",
]


@dataclass(frozen=True)
class ScreenResult:
    """Rows of a screen, in the set's order; see ``to_dataframe`` for columns.

    Made by :func:`run_screen`.

    Attributes
    ----------
    rows : list of dict
        One per target, in the set's order: the rows of ``to_dataframe``.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> result = stability.run_screen(engine, stability.resolve_targets(None, "nitride-sses"))
    >>> [(r["label"], round(r["oxidation_limit_V"], 3)) for r in result.rows]
    [('beta-Li3N', 0.482), ('Li9N2Cl3', 0.494), ('LiPON', 2.638), ('Li7N2I', 0.5)]
    """

    rows: list[dict]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per screened material (the table ``stability screen`` writes).

        Returns
        -------
        pandas.DataFrame
            Columns: material_id (empty where unknown), formula (as in the set or the data, or
        an alias's composition), label (as in the set: catalogue label, alias, what the file
        says), reduced_formula, class (catalogue class or anion class), e_above_hull_eV_per_atom
        (eV/atom; a dataset row's own energy, else the dataset's lowest entry of that
        composition; empty if absent), ion (the working ion), placed_on_hull,
        reduction_limit_V, oxidation_limit_V, window_width_V (V vs the ion's metal),
        reduction_products,
        oxidation_products (";"-joined reduced formulas), flagged_products
        (``formula (reason)``), error (why a row has no window),
        then, with a tolerance, ion_tolerance_per_atom (ion per atom) and
        strict_reduction_limit_V, strict_oxidation_limit_V (the limits above are then the
        tolerant ones); with passivation, passivated_reduction_limit_V,
        passivated_oxidation_limit_V (V; empty: nothing stops it), passivated_*_products
        (";"-joined) and passivation_*_stop (why each side stops); then
        ``reaction_with_<label>_meV_per_atom`` for each ``interfaces_with`` partner
        (closed, most negative, meV/atom). With uncertainties, reduction_limit_std_V and
        oxidation_limit_std_V (V).

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> targets = stability.resolve_targets(None, "nitride-sses")
        >>> frame = stability.run_screen(engine, targets).to_dataframe()
        >>> frame[["label", "formula", "reduction_limit_V", "oxidation_limit_V"]].round(3)
               label   formula  reduction_limit_V  oxidation_limit_V
        0  beta-Li3N      Li3N              0.000              0.482
        1   Li9N2Cl3  Li9N2Cl3              0.000              0.494
        2      LiPON   Li2PO2N              0.677              2.638
        3     Li7N2I    Li7N2I              0.000              0.500
        """
        import pandas as pd

        keys = dict.fromkeys(k for row in self.rows for k in row)
        extra = [k for k in keys if k not in SCREEN_COLUMNS]
        return pd.DataFrame(self.rows, columns=SCREEN_COLUMNS + extra)


def screen_target(
    engine: Engine,
    target: Target,
    partners: list[tuple[str, str | Material]],
    draws: int = 0,
    *,
    tolerance: float | None = None,
    passivation: Passivation | None = None,
    ion: str = DEFAULT_ION,
) -> dict[str, Any]:
    """Compute one row of the ``ion`` windows; errors of this material go into its ``error``
    column.

    With ``draws`` > 0, the limits' standard deviations under the MP2020 correction
    uncertainties are added (``reduction_limit_std_V``, ``oxidation_limit_std_V``). With
    ``tolerance`` (ion per atom) the limits are the tolerant ones and the strict ones are added;
    with ``passivation`` the passivated window is added (``stability.analysis.windows.practical``).
    """
    table = engine.table
    extra = list(TOLERANCE_FIELDS if tolerance is not None else ()) + list(
        PASSIVATION_FIELDS[:6] if passivation is not None else ()
    )
    row: dict[str, Any] = dict.fromkeys(SCREEN_COLUMNS + extra)
    row.update(
        formula=target.formula,
        label=target.label,
        material_id="",
        ion=ion,
        error="",
        **{"class": target.cls},
    )
    if target.error:  # the name did not resolve: nothing to compute
        row["error"] = target.error
        return row
    try:
        # Located once: compute_window below finds it in the engine's cache.
        loc = locate(engine, _material(target), need=None)
        row["reduced_formula"] = loc.reduced_formula
        if target.row >= 0:
            row["material_id"] = str(table.material_id[target.row])
            own = float(table.energy_per_atom[target.row])
            row["e_above_hull_eV_per_atom"] = max(0.0, own - loc.hull.hull_energy_per_atom)
        else:
            row["material_id"] = loc.material_id or ""
            row["e_above_hull_eV_per_atom"] = loc.e_above_hull_eV_per_atom
        require_ion(loc.material, ion)
        if tolerance is None and passivation is None and not draws:
            # What compute_window(...).to_row() gives of LIMIT_COLUMNS, without the Window.
            row.update(limit_row(loc, loc.system.ion_window_steps(loc.amounts, ion), table, ion))
        else:
            if tolerance is None and passivation is None:
                w = compute_window(engine, loc.material, ion=ion)
            else:
                w = compute_practical_window(
                    engine, loc.material, tolerance=tolerance, passivation=passivation, ion=ion
                )
            if draws:
                from stability.analysis.uncertainty.mp2020 import with_window_uncertainty

                w = with_window_uncertainty(w, engine, draws)
            full = w.to_row()
            row.update({k: full[k] for k in LIMIT_COLUMNS + (STD_COLUMNS if draws else []) + extra})
    except NotApplicableError as exc:
        row["error"] = NO_WINDOW + str(exc)
    except StabilityError as exc:
        row["error"] = str(exc)
    reactant = _reactant(target.formula, table) if partners else target.formula
    for label, formula in partners:
        key = f"reaction_with_{label}_meV_per_atom"
        try:
            row[key] = reaction_energy(engine, reactant, formula, None)
        except StabilityError as exc:
            row[key] = None
            row["error"] = row["error"] or f"with {label}: {exc}"
    return row


def _reactant(formula: str | Material, table: EntryTable) -> str | Material:
    """``formula`` read once for all the columns that react it (a screen row reacts its
    target with every partner); as given where it does not read, so that each column
    reports the error as it would have."""
    try:
        return read_material(formula, table)
    except StabilityError:
        return formula


def _material(target: Target) -> Material | str:
    """What a target computes. A dataset row's formula is its composition (the sets spell one
    that reads as a name with its 1s), so it skips the name lookup; the rest are resolved."""
    if target.row >= 0:
        return Material(target.formula, normalize_formula(target.formula))
    return target.formula


def system_groups(
    targets: list[Target], engine: Engine, partners: list[tuple[str, str]] | None = None
) -> list[list[int]]:
    """Indices of ``targets`` grouped by chemical system, largest systems first, so each
    process builds each hull once and the longest work starts early.

    With ``partners``, the systems that differ only in the partners' elements are one group
    (largest first, each system's targets together): a target's system joined with a
    partner's is then the same for all of them, so each process builds each combined
    system's hull once (the all-Li screen with the cathodes: 14,226 hulls instead of 21,126).
    """

    table = engine.table
    names: dict[tuple[int, ...], tuple[str, ...]] = {}  # a row's elements, as written

    def system(t: Target) -> tuple[str, ...]:
        if t.row < 0:
            return tuple(sorted(formula_elements(t.formula)))
        key = table.row_elements(t.row)
        found = names.get(key)
        if found is None:
            found = names[key] = tuple(sorted(table.elements[j] for j in key))
        return found

    by_system: dict[tuple[str, ...], list[int]] = {}
    for i, t in enumerate(targets):
        by_system.setdefault(system(t), []).append(i)
    order = sorted(by_system, key=lambda k: (-len(k), -len(by_system[k]), k))
    if not partners:
        return [by_system[k] for k in order]
    shared: set[str] = set()
    for _, formula in partners:
        shared |= formula_elements(formula)
    merged: dict[tuple[str, ...], list[int]] = {}
    for k in order:  # largest systems first within each group too
        rest = tuple(el for el in k if el not in shared)
        merged.setdefault(rest, []).extend(by_system[k])
    return sorted(merged.values(), key=lambda g: -len(g))


class Journal:
    """Append-only record of finished rows, tolerant of a torn last line."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.done: dict[str, dict] = {}
        # Compare as stored: JSON turns tuples into lists.
        header = json.loads(json.dumps(header))
        if path.exists():
            text = path.read_text()
            if text and not text.endswith("\n"):
                # A kill mid-write left a partial line: cut it, or the next row would join it.
                text = text[: text.rfind("\n") + 1]
                path.write_text(text)
            lines = text.splitlines()
            try:
                found = json.loads(lines[0])["header"] if lines else None
            except (ValueError, KeyError, TypeError):
                found = None
            if found != header:
                raise StabilityError(
                    f"{path.parent} holds a screen of other data or settings; "
                    "use another --out or --restart"
                )
            for line in lines[1:]:
                try:
                    item = json.loads(line)
                    self.done[item["key"]] = item["row"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a kill: that row is recomputed
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"header": header}) + "\n")
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held for the run

    def add(self, key: str, row: dict) -> None:
        self._fh.write(json.dumps({"key": key, "row": _finite(row)}) + "\n")
        self._fh.flush()
        self.done[key] = row

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()


def _finite(row: dict) -> dict:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()
    }


def run_screen(
    engine: Engine,
    targets: list[Target],
    out: Path | None = None,
    *,
    jobs: int = 1,
    partners: list[tuple[str, str]] | None = None,
    header: dict[str, Any] | None = None,
    restart: bool = False,
    draws: int = 0,
    progress: Callable[[int, int], Any] | None = None,
    tolerance: float | None = None,
    passivation: Passivation | None = None,
    executor: Executor = None,
    ion: str = DEFAULT_ION,
) -> ScreenResult:
    """Screen ``targets``; with ``out``, journal each row there as it arrives and resume.

    ``executor`` (a Dask scheduler address or Client) runs the rows on that cluster instead
    of ``jobs`` local processes; the table is the same either way. Ctrl-C raises
    ``Interrupted`` after saving every finished row; the same call then resumes, here or on
    any cluster. A lost scheduler or worker pool raises its error, the finished rows saved.
    ``tolerance`` and ``passivation`` add the practical windows (see ``screen_target``); put
    their settings in ``header`` so a resumed run cannot mix rows computed without them.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    targets : list of Target
        What to screen, from :func:`stability.resolve_targets` (optionally
        :func:`stability.filter_by_ehull`).
    out : path, optional
        Folder for the journal (``screen.journal.jsonl``) that makes the run resumable.
    jobs : int, default 1
        Local worker processes.
    partners : list of (str, str), optional
        ``(label, formula)`` of materials to react each target with (closed): a
        ``reaction_with_<label>_meV_per_atom`` column each.
    header : dict, optional
        Settings recorded in the journal; a resumed run must have the same.
    restart : bool, default False
        Discard the journal at ``out`` and start again.
    draws : int, default 0
        Monte Carlo draws of the MP2020 correction uncertainties (adds the ``*_std_V``
        columns); 0: none.
    progress : callable, optional
        ``progress(total, done)`` returning a bar with ``update(n)`` and ``close()``.
    tolerance : float, optional
        Ion-exchange tolerance (ion per atom), as in :func:`stability.compute_practical_window`.
    passivation : Passivation, optional
        Adds the passivated windows.
    executor : str or distributed.Client, optional
        Run on this Dask cluster instead of local processes.
    ion : str, default "Li"
        The working ion of every row's window (Li, Na, K, Mg, Ca, Zn or Al); put it in
        ``header`` too. Rows without it have no window (their ``error`` says so).

    Returns
    -------
    ScreenResult
        One row per target, in the targets' order; a row that failed carries its ``error``.

    Raises
    ------
    Interrupted
        Ctrl-C: the finished rows are saved in the journal.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> targets = stability.resolve_targets(None, "nitride-sses")
    >>> result = stability.run_screen(engine, targets, partners=[("LCO", "LiCoO2")])
    >>> [(r["label"], round(r["reaction_with_LCO_meV_per_atom"], 1)) for r in result.rows]
    [('beta-Li3N', -449.9), ('Li9N2Cl3', -323.3), ('LiPON', -201.7), ('Li7N2I', -393.4)]
    """
    from stability.analysis.runtime.batch import map_items
    from stability.analysis.runtime.outcome import ClusterError, WorkerLost

    partners = partners or []
    ion = check_ion(ion)
    journal = None
    if out is not None:
        path = Path(out) / JOURNAL
        if restart:
            path.unlink(missing_ok=True)
        journal = Journal(path, _finite(header or {}))
    done = dict(journal.done) if journal else {}
    todo = [t for t in targets if t.key not in done]
    bar = progress(len(targets), len(targets) - len(todo)) if progress else None

    # Each partner read once here, not in every row.
    reactants = [(label, _reactant(formula, engine.table)) for label, formula in partners]

    def one(target: Target) -> dict:
        # Made finite here, in the worker: the parent's share of a fast screen is the serial part.
        return _finite(
            screen_target(
                engine,
                target,
                reactants,
                draws,
                tolerance=tolerance,
                passivation=passivation,
                ion=ion,
            )
        )

    try:
        groups = system_groups(todo, engine, partners)
        for outcome in map_items(one, todo, jobs=jobs, groups=groups, executor=executor):
            target = todo[outcome.index]
            row = outcome.value if outcome.ok else _finite(_failed_row(target, outcome.error, ion))
            if journal:
                journal.add(target.key, row)
            done[target.key] = row
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        where = f" in {journal.path}" if journal else ""
        raise Interrupted(
            f"interrupted: {len(done)} of {len(targets)} rows saved{where}; "
            "run the same command again to resume"
        ) from None
    except (ClusterError, WorkerLost) as exc:
        where = f" in {journal.path}" if journal else ""
        raise type(exc)(
            f"{exc}; {len(done)} of {len(targets)} rows saved{where}: run again to resume"
        ) from None
    finally:
        if journal:
            journal.close()
        if bar is not None:
            bar.close()
    return ScreenResult([done[t.key] for t in targets])


def _failed_row(target: Target, error: str | None, ion: str = DEFAULT_ION) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(SCREEN_COLUMNS)
    row.update(
        formula=target.formula,
        material_id="",
        ion=ion,
        error=error or "",
        **{"class": target.cls},
    )
    return row


def screen_failures(frame: pd.DataFrame) -> dict[str, str]:
    """{formula: error} of rows that failed, leaving out rows that simply have no window."""
    bad = frame[(frame["error"] != "") & ~frame["error"].str.startswith(NO_WINDOW)]
    return dict(zip(bad["formula"], bad["error"], strict=True))
