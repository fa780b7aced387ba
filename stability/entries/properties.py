"""Electronic band gaps by reduced formula (passivation, ``window --passivation``).

Three CSV layouts are read (plain or gzipped, ``#`` lines skipped):

- the MP band-gap table in ``properties/`` beside the snapshots
  (``mp2019_band_gaps.csv.gz``): ``formula, band_gap_eV, gap_min_lowE_eV, ...``. Where
  ``band_gap_eV`` is empty (the ground state could not be told apart from other low-energy
  polymorphs) the smallest gap of those polymorphs, ``gap_min_lowE_eV``, is used: the
  conservative choice for asking "is it an insulator?";
- band gaps pulled by ``stability data pull`` (``<cache>/properties/mp-api.<db version>.
  <chemsys>_band_gaps.csv``): ``material_id, formula, band_gap_eV,
  energy_above_hull_eV_per_atom``, one row per MP material; a formula's gap is that of its
  lowest-energy polymorph (least ``energy_above_hull``; the smaller gap on a tie);
- a plain ``formula,band_gap_eV`` table (``--gaps FILE``). If a formula appears twice, the
  smaller gap is kept.

Keys are pymatgen reduced formulas (``Composition(f).reduced_formula``); ``None`` means the
gap is unknown (an empty cell).
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

from stability.entries.readers import open_text
from stability.errors import DataError
from stability.formula import composition_amounts, reduced_formula

#: Folder beside the snapshots (and in the entries cache) that holds property tables.
PROPERTIES_DIR = "properties"
GAP_SUFFIX = "_band_gaps"
#: Name prefix of the tables written by ``stability data pull``.
PULLED_PREFIX = "mp-api."
#: The band gaps of the embedded default, in ``config.embedded_data_dir()``.
EMBEDDED_GAPS = f"{PROPERTIES_DIR}/mp2019{GAP_SUFFIX}.csv.gz"
#: Column that marks a pulled table (one row per material, not per formula).
E_HULL_COLUMN = "energy_above_hull_eV_per_atom"


def _gap(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"band gap {text!r} is not a finite non-negative number")
    return value


def band_gap_files(path: str | Path) -> list[Path]:
    """The band-gap tables at ``path``: the file itself, or the ``*_band_gaps.csv[.gz]``
    tables in the folder and in its ``properties/`` subfolder, offline tables first, then
    pulled ones by name (so older database versions come before newer ones)."""
    path = Path(path).expanduser()
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"band-gap file {path} does not exist")
    found = {
        p
        for folder in (path, path / PROPERTIES_DIR)
        if folder.is_dir()
        for p in folder.glob(f"*{GAP_SUFFIX}.csv*")
        if p.is_file()
    }
    return sorted(found, key=lambda p: (p.name.startswith(PULLED_PREFIX), p.name))


def load_band_gaps(path: str | Path | None = None) -> dict[str, float | None]:
    """Band gaps (eV, GGA(+U)) keyed by reduced formula; ``None`` where unknown.

    ``path`` is a band-gap table (any layout of the module docstring) or a folder holding
    ``*_band_gaps.csv[.gz]`` tables directly or in its ``properties/`` subfolder (the
    entries cache after ``stability data pull``, or ``../shared/data``). With several tables,
    pulled tables override offline ones and newer database versions older ones, formula by
    formula. Without ``path``, those of the default data (:func:`resolve_gaps_path`). Each
    table is parsed once per content and kept in the cache folder (``config.cache_dir()``,
    keyed by the table's SHA-256, as entry tables are).

    Raises ``DataError`` with one line when the path is missing, holds no table, or a table
    is not a gap table.

    Parameters
    ----------
    path : str or path, optional
        A band-gap table or a folder of them; None: those of the default data (all of MP's
        gaps: parsed once, a few seconds, then read from the cache folder in milliseconds).

    Returns
    -------
    dict of str to float or None
        Band gap (eV) by reduced formula; None where the table gives none. Pass it to
        :class:`stability.Passivation`.

    Raises
    ------
    StabilityError
        (``DataError``) no table at ``path``, or a table that is not a gap table.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import stability
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "gaps.csv"
    >>> _ = path.write_text('''formula,band_gap_eV
    ... LiN3,1.5
    ... Li3N,
    ... ''')
    >>> stability.load_band_gaps(path)
    {'LiN3': 1.5, 'Li3N': None}
    """
    if path is None:
        path = resolve_gaps_path()
    files = band_gap_files(path)
    if not files:
        raise DataError(
            f"no band-gap table (*{GAP_SUFFIX}.csv[.gz]) in {path} or its {PROPERTIES_DIR}/: "
            "pull a system with 'stability data pull' or pass a table"
        )
    from stability.entries.cache import cached_gaps

    gaps: dict[str, float | None] = {}
    for f in files:
        # Parsed once per table content (87k rows take seconds), then read from the
        # content-hashed cache in milliseconds, as entry tables are.
        gaps.update(cached_gaps(f, _read_table))
    return gaps


def _read_table(path: Path) -> dict[str, float | None]:
    gaps: dict[str, float | None] = {}
    rank: dict[str, float] = {}  # pulled tables: energy above hull of the kept row
    try:
        with open_text(path) as fh, warnings.catch_warnings():
            # Noble-gas formulas make pymatgen warn about electronegativities: not our concern.
            warnings.simplefilter("ignore", UserWarning)
            reader = csv.DictReader(line for line in fh if not line.startswith("#"))
            fields = set(reader.fieldnames or ())
            if not {"formula", "band_gap_eV"} <= fields:
                raise DataError(
                    f"{path} is not a band-gap table: it needs columns formula,band_gap_eV"
                )
            fallback = "gap_min_lowE_eV" if "gap_min_lowE_eV" in fields else None
            pulled = E_HULL_COLUMN in fields
            for n, row in enumerate(reader, start=2):
                try:
                    key = reduced_formula(composition_amounts(row["formula"]))
                    gap = _gap(row["band_gap_eV"])
                    if gap is None and fallback:
                        gap = _gap(row[fallback])
                    e_hull = row.get(E_HULL_COLUMN) or ""
                    height = float(e_hull) if e_hull.strip() else math.inf
                except (ValueError, TypeError, KeyError) as exc:
                    raise DataError(f"{path} line {n}: {exc}") from None
                if pulled:  # the lowest-energy polymorph; the smaller gap on a tie
                    if key in rank and height > rank[key]:
                        continue
                    if key in rank and height == rank[key]:
                        gap = _smaller(gap, gaps[key])
                    rank[key] = height
                elif key in gaps:
                    gap = _smaller(gap, gaps[key])
                gaps[key] = gap
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read band gaps from {path}: {exc}") from None
    if not gaps:
        raise DataError(f"{path} holds no band gaps")
    return gaps


def _smaller(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def embedded_gaps_path() -> Path:
    """The band-gap table of the embedded default data."""
    from stability import config

    return config.embedded_data_dir() / EMBEDDED_GAPS


def resolve_gaps_path(data: str | Path | None = None, dataset: str | None = None) -> Path:
    """The band gaps of the data ``config.data_source`` picks (``--data``, else
    ``STABILITY_DATA``, else entries pulled into the cache folder, else the embedded
    default): those beside it (:func:`default_gaps_path`); the embedded default's own."""
    from stability import config

    path, origin = config.data_source(data, dataset)
    if origin == config.FROM_EMBEDDED:
        return embedded_gaps_path()
    if origin == config.FROM_PULLED:
        return default_gaps_path(path, PULLED_PREFIX)
    return default_gaps_path(path, dataset or config.DEFAULT_DATASET)


def default_gaps_path(source: str | Path, dataset: str = "") -> Path:
    """The band gaps in ``properties/`` beside a snapshot file or folder ``source``.

    With several tables there, the one whose name starts like the dataset's (``mp2019_...``)
    is chosen; for a dataset pulled from MP (named ``mp-api ...``), the ``properties/``
    folder itself when it holds pulled tables (``load_band_gaps`` merges them over any
    others); else the first table by name not pulled from MP, or the folder if all are. A
    pulled dataset with no band gaps beside it takes those of the embedded default. Raises
    ``DataError`` naming ``--gaps`` when there is none.
    """
    source = Path(source)
    folder = (source if source.is_dir() else source.parent) / PROPERTIES_DIR
    found = sorted(folder.glob(f"*{GAP_SUFFIX}.csv*")) if folder.is_dir() else []
    pulled = [p for p in found if p.name.startswith(PULLED_PREFIX)]
    pulled_dataset = dataset.startswith(PULLED_PREFIX.rstrip("."))
    if pulled and (pulled_dataset or len(pulled) == len(found)):
        return folder
    found = [p for p in found if p not in pulled]
    if len(found) > 1:
        prefix = dataset.split("_", 1)[0]
        found = [p for p in found if prefix and p.name.startswith(prefix + "_")] or found
    if not found and pulled_dataset and embedded_gaps_path().is_file():
        return embedded_gaps_path()
    if not found:
        raise DataError(
            f"no band gaps found in {folder} (a *{GAP_SUFFIX}.csv.gz table): pass --gaps FILE "
            "(columns formula,band_gap_eV)"
        )
    return found[0]
