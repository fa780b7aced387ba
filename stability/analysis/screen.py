"""Screens over many materials: resumable, parallel, one row per target, errors recorded.

Every finished row is appended to a journal (``OUT/screen.journal.jsonl``) at once, so an
interrupted run (Ctrl-C or kill) loses nothing; re-running into the same folder skips the
rows already there. The tables (``screen.csv``, ``screen.json``) are written atomically at the
end, in the set's order, so they do not depend on ``--jobs`` or on interruptions.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stability import config
from stability.analysis.chemistry import locate
from stability.analysis.interface import compute_interface
from stability.analysis.sets import Target, formula_elements
from stability.analysis.window import compute_window
from stability.errors import StabilityError
from stability.thermo.base import Engine

if TYPE_CHECKING:
    import pandas as pd

JOURNAL = "screen.journal.jsonl"
WINDOW_KEYS = (
    "reduced_formula",
    "placed_on_hull",
    "reduction_limit_V",
    "oxidation_limit_V",
    "window_width_V",
    "reduction_products",
    "oxidation_products",
)
UNCERTAINTY_KEYS = ("reduction_limit_std_V", "oxidation_limit_std_V")
# Identity columns first, then the window (WINDOW_KEYS[0] is reduced_formula), then error.
SCREEN_COLUMNS = [
    "material_id",
    "formula",
    WINDOW_KEYS[0],
    "class",
    "e_above_hull_eV_per_atom",
    *WINDOW_KEYS[1:],
    "error",
]


@dataclass(frozen=True)
class ScreenResult:
    """Rows of a screen, in the set's order; see ``to_dataframe`` for columns."""

    rows: list[dict]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per screened material.

        Columns: material_id (empty where unknown), formula (as in the set or the data),
        reduced_formula, class (catalogue class or anion class), e_above_hull_eV_per_atom
        (eV/atom; a dataset row's own energy, else the dataset's lowest entry of that
        composition; empty if absent), placed_on_hull, reduction_limit_V,
        oxidation_limit_V, window_width_V (V vs Li/Li+), reduction_products,
        oxidation_products (";"-joined reduced formulas), error (why a row has no window),
        then ``reaction_with_<label>_meV_per_atom`` for each ``interfaces_with`` partner
        (closed, most negative, meV/atom).
        """
        import pandas as pd

        extra = [k for k in (self.rows[0] if self.rows else {}) if k not in SCREEN_COLUMNS]
        return pd.DataFrame(self.rows, columns=SCREEN_COLUMNS + extra)


def screen_target(
    engine: Engine, target: Target, partners: list[tuple[str, str]], draws: int = 0
) -> dict[str, Any]:
    """Compute one row; errors of this material go into its ``error`` column.

    With ``draws`` > 0, the limits' standard deviations under the MP2020 correction
    uncertainties are added (``reduction_limit_std_V``, ``oxidation_limit_std_V``).
    """
    table = engine.table
    row: dict[str, Any] = dict.fromkeys(SCREEN_COLUMNS)
    row.update(formula=target.formula, material_id="", error="", **{"class": target.cls})
    try:
        if target.row >= 0:
            # Located once: compute_window below reuses it from the engine's memo.
            loc = locate(engine, target.formula, need=None)
            amounts = loc.amounts
            row["material_id"] = str(table.material_id[target.row])
            own = float(table.energy_per_atom[target.row])
            row["e_above_hull_eV_per_atom"] = max(0.0, own - loc.hull.hull_energy_per_atom)
            row["reduced_formula"] = loc.composition.reduced_formula
            if config.WORKING_ION not in amounts:
                raise StabilityError(f"no window: contains no {config.WORKING_ION}")
            if len(amounts) == 1:
                raise StabilityError(f"no window: {config.WORKING_ION} metal")
        w = compute_window(engine, target.formula)
        if draws:
            from stability.analysis.uncertainty import with_window_uncertainty

            w = with_window_uncertainty(w, engine, draws)
        keys = WINDOW_KEYS + (UNCERTAINTY_KEYS if draws else ())
        full = w.to_row()
        row.update({k: full[k] for k in keys})
        if target.row < 0:
            row["material_id"] = w.material_id or ""
            row["e_above_hull_eV_per_atom"] = w.e_above_hull_eV_per_atom
    except StabilityError as exc:
        row["error"] = str(exc)
    for label, formula in partners:
        key = f"reaction_with_{label}_meV_per_atom"
        try:
            row[key] = compute_interface(
                engine, target.formula, formula
            ).reaction_energy_meV_per_atom
        except StabilityError as exc:
            row[key] = None
            row["error"] = row["error"] or f"with {label}: {exc}"
    return row


def _chunks(targets: list[Target], engine: Engine, size: int = 64) -> list[list[Target]]:
    """Group targets by chemical system so each worker builds each hull once.

    Largest systems first: the costliest chunks start early, so no worker is left with a
    long one while the others idle at the end.
    """

    def system(t: Target) -> tuple[str, ...]:
        if t.row >= 0:
            return tuple(sorted(engine.table.row_composition(t.row)))
        return tuple(sorted(formula_elements(t.formula)))

    systems = {t.key: system(t) for t in targets}
    ordered = sorted(targets, key=lambda t: (-len(systems[t.key]), systems[t.key], t.key))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


_WORKER: dict[str, Any] = {}


def _init_worker(engine: Engine, partners: list[tuple[str, str]], draws: int = 0) -> None:
    _WORKER.update(engine=engine, partners=partners, draws=draws)


def _run_chunk(chunk: list[Target]) -> list[tuple[str, dict]]:
    engine, partners, draws = _WORKER["engine"], _WORKER["partners"], _WORKER["draws"]
    return [(t.key, screen_target(engine, t, partners, draws)) for t in chunk]


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
    progress: Callable[[int, int], Iterator] | None = None,
) -> ScreenResult:
    """Screen ``targets``; with ``out``, journal rows there and resume from it."""
    partners = partners or []
    journal = None
    if out is not None:
        path = Path(out) / JOURNAL
        if restart:
            path.unlink(missing_ok=True)
        journal = Journal(path, _finite(header or {}))
    done = dict(journal.done) if journal else {}
    todo = [t for t in targets if t.key not in done]
    chunks = _chunks(todo, engine)
    bar = progress(len(targets), len(done)) if progress else None
    try:
        if jobs > 1 and len(chunks) > 1:
            import multiprocessing as mp

            ctx = mp.get_context("fork")
            with ctx.Pool(
                jobs, initializer=_init_worker, initargs=(engine, partners, draws)
            ) as pool:
                for results in pool.imap_unordered(_run_chunk, chunks):
                    _record(results, done, journal, bar)
        else:
            _init_worker(engine, partners, draws)
            for chunk in chunks:
                _record(_run_chunk(chunk), done, journal, bar)
    finally:
        if journal:
            journal.close()
        if bar is not None:
            bar.close()
    return ScreenResult([done[t.key] for t in targets])


def _record(results: list[tuple[str, dict]], done: dict, journal: Journal | None, bar: Any) -> None:
    for key, row in results:
        row = _finite(row)
        if journal:
            journal.add(key, row)
        done[key] = row
    if bar is not None:
        bar.update(len(results))
