"""Electronic band gaps by reduced formula, for passivation (``window --passivation``).

Two CSV layouts are read (plain or gzipped):

- the MP band-gap table in ``properties/`` beside the snapshots
  (``mp2019_band_gaps.csv.gz``): ``formula, band_gap_eV, gap_min_lowE_eV, ...``. Where
  ``band_gap_eV`` is empty (the ground state could not be told apart from other low-energy
  polymorphs) the smallest gap of those polymorphs, ``gap_min_lowE_eV``, is used: the
  conservative choice for asking "is it an insulator?";
- a plain ``formula,band_gap_eV`` table (``--gaps FILE``, or gaps pulled from MP).

Keys are pymatgen reduced formulas (``Composition(f).reduced_formula``); ``None`` means the
gap is unknown (an empty cell). If a formula appears twice, the smaller gap is kept.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

from pymatgen.core import Composition

from stability.entries.readers import open_text
from stability.errors import DataError

#: Folder beside the snapshots that holds property tables.
PROPERTIES_DIR = "properties"
GAP_SUFFIX = "_band_gaps"


def _gap(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"band gap {text!r} is not a finite non-negative number")
    return value


def load_band_gaps(path: str | Path) -> dict[str, float | None]:
    """Band gaps (eV, GGA(+U)) keyed by reduced formula; ``None`` where unknown.

    Raises ``DataError`` with one line when the file is missing or not a gap table.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"band-gap file {path} does not exist")
    gaps: dict[str, float | None] = {}
    try:
        with open_text(path) as fh, warnings.catch_warnings():
            # Noble-gas formulas make pymatgen warn about electronegativities: not our concern.
            warnings.simplefilter("ignore", UserWarning)
            reader = csv.DictReader(fh)
            fields = set(reader.fieldnames or ())
            if not {"formula", "band_gap_eV"} <= fields:
                raise DataError(
                    f"{path} is not a band-gap table: it needs columns formula,band_gap_eV"
                )
            fallback = "gap_min_lowE_eV" if "gap_min_lowE_eV" in fields else None
            for n, row in enumerate(reader, start=2):
                try:
                    key = Composition(row["formula"]).reduced_formula
                    gap = _gap(row["band_gap_eV"])
                    if gap is None and fallback:
                        gap = _gap(row[fallback])
                except (ValueError, TypeError, KeyError) as exc:
                    raise DataError(f"{path} line {n}: {exc}") from None
                if key in gaps and gaps[key] is not None and gap is not None:
                    gap = min(gap, gaps[key])  # type: ignore[type-var]
                elif key in gaps and gap is None:
                    gap = gaps[key]
                gaps[key] = gap
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read band gaps from {path}: {exc}") from None
    if not gaps:
        raise DataError(f"{path} holds no band gaps")
    return gaps


def default_gaps_path(source: str | Path, dataset: str = "") -> Path:
    """The band-gap table in ``properties/`` beside a snapshot file or folder ``source``.

    With several tables there, the one whose name starts like the dataset's (``mp2019_...``)
    is chosen. Raises ``DataError`` naming ``--gaps`` when there is none.
    """
    source = Path(source)
    folder = (source if source.is_dir() else source.parent) / PROPERTIES_DIR
    found = sorted(folder.glob(f"*{GAP_SUFFIX}.csv*")) if folder.is_dir() else []
    if len(found) > 1:
        prefix = dataset.split("_", 1)[0]
        matching = [p for p in found if prefix and p.name.startswith(prefix + "_")]
        found = matching or found
    if not found:
        raise DataError(
            f"no band gaps found in {folder} (a *{GAP_SUFFIX}.csv.gz table): pass --gaps FILE "
            "(columns formula,band_gap_eV)"
        )
    return found[0]
