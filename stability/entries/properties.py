"""Read per-formula material properties (band gaps) cached beside the entries.

Two table layouts are read:

- band gaps pulled by ``stability data pull`` (``<cache>/properties/mp-api.*.band_gaps.csv``):
  a ``#`` provenance line, then ``material_id,formula_pretty,band_gap_eV,
  energy_above_hull_eV_per_atom``, one row per MP material (several polymorphs per formula);
- the offline snapshot ``properties/mp2019_band_gaps.csv.gz`` (see the data README):
  ``formula,material_id,band_gap_eV,gap_min_lowE_eV,gap_max_lowE_eV,...``, one row per formula,
  ``band_gap_eV`` empty where the ground state could not be told apart.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from stability.entries.readers import open_text
from stability.errors import DataError

PROPERTIES_DIR = "properties"
BAND_GAP_PATTERNS = ("*band_gaps*.csv", "*band_gaps*.csv.gz")


def band_gap_files(path: str | Path) -> list[Path]:
    """Band-gap tables at ``path``: the file itself, or those in the folder (or its
    ``properties/`` subfolder), offline snapshots first, then pulled tables by name."""
    path = Path(path).expanduser()
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"band-gap path {path} does not exist")
    folders = [path, path / PROPERTIES_DIR]
    files = {p for f in folders if f.is_dir() for pat in BAND_GAP_PATTERNS for p in f.glob(pat)}
    # Pulled tables (mp-api.<version>...) come last, so they override the offline snapshot,
    # and newer database versions override older ones (the names sort by version).
    return sorted(files, key=lambda p: (p.name.startswith("mp-api."), p.name))


def load_band_gaps(path: str | Path) -> dict[str, float | None]:
    """Band gap (eV, PBE/PBE+U as MP computes it) of each reduced formula at ``path``.

    ``path`` is a band-gap table (pulled ``mp-api.*.band_gaps.csv`` or the offline
    ``mp2019_band_gaps.csv.gz``) or a folder holding such tables directly or in its
    ``properties/`` subfolder (e.g. the entries cache, or ``../shared/data``).

    Returns ``{reduced_formula: gap_eV}``. Keys are the formulas as MP writes them, which are
    pymatgen reduced formulas (``Li3N``, ``LiCl``, ``N2``): look a composition up with
    ``Composition(f).reduced_formula``. A value is
    ``None`` where the table has no single gap for the formula (the offline table leaves
    633 formulas, e.g. LiF and Li3PS4, open because their ground-state polymorph is not
    known). For pulled tables the gap of the formula's lowest-energy polymorph (least
    ``energy_above_hull``) is given. Metals are ``0.0``. When several tables are read,
    pulled tables override the offline one, and later database versions earlier ones.

    Raises DataError when ``path`` holds no band-gap table or a table lacks the columns.
    """
    files = band_gap_files(path)
    if not files:
        raise DataError(
            f"no band-gap table at {path}: pull a system with 'stability data pull' or "
            "point at properties/mp2019_band_gaps.csv.gz"
        )
    gaps: dict[str, float | None] = {}
    for f in files:
        gaps.update(_read_one(f))
    return gaps


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_one(path: Path) -> dict[str, float | None]:
    try:
        with open_text(path) as fh:
            lines = (line for line in fh if not line.startswith("#"))
            reader = csv.DictReader(lines)
            header = reader.fieldnames or []
            if "band_gap_eV" not in header or not ({"formula", "formula_pretty"} & set(header)):
                raise DataError(
                    f"band-gap table {path} lacks a formula/formula_pretty or band_gap_eV column"
                )
            rows = list(reader)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"band-gap table {path} is unreadable: {exc}") from None
    out: dict[str, float | None] = {}
    if "formula" in header:  # offline table: one row per formula
        for row in rows:
            if row.get("formula"):
                out[row["formula"].strip()] = _number(row.get("band_gap_eV"))
        return out
    best: dict[str, float] = {}
    for row in rows:  # pulled table: keep the lowest-energy polymorph of each formula
        if not row.get("formula_pretty"):
            continue
        formula = row["formula_pretty"].strip()
        e_hull = _number(row.get("energy_above_hull_eV_per_atom"))
        rank = math.inf if e_hull is None else e_hull
        if formula not in best or rank < best[formula]:
            best[formula] = rank
            out[formula] = _number(row.get("band_gap_eV"))
    return out
