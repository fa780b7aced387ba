"""Read the snapshot formats into EntryTables (no caching here; see cache.py)."""

from __future__ import annotations

import gzip
import io
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from stability.entries.table import FORMATION, TOTAL, EntryTable
from stability.errors import DataError

_SIMPLE = re.compile(r"^(?:[A-Z][a-z]?\d*\.?\d*)+$")
_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")

FORMATION_CSV = "formation-csv"
CORRECTED_CSV = "corrected-csv"
ENTRIES_JSON = "entries-json"


def open_text(path: Path) -> io.TextIOBase:
    """Open a plain or gzipped text file (gzip is detected from its magic bytes)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8")
    return open(path, encoding="utf-8")


def parse_simple_formula(formula: str) -> dict[str, float]:
    """Parse a formula like ``Li3N`` or ``Li2.92N0.97`` fast; fall back to pymatgen otherwise."""
    if _SIMPLE.match(formula):
        comp: dict[str, float] = {}
        for el, amt in _TOKEN.findall(formula):
            comp[el] = comp.get(el, 0.0) + (float(amt) if amt else 1.0)
        return comp
    from pymatgen.core import Composition

    return {str(el): float(a) for el, a in Composition(formula).items()}


def sniff_format(path: Path) -> str:
    """Name the format of a snapshot file from its first bytes."""
    try:
        with open_text(path) as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        raise DataError(f"data file {path} does not exist") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        # gzip.BadGzipFile and a cut-off stream are OSError/EOFError too.
        raise DataError(f"data file {path} is truncated or corrupt: {exc}") from None
    stripped = head.lstrip()
    if not stripped:
        raise DataError(f"data file {path} is empty")
    if stripped[0] in "[{":
        return ENTRIES_JSON
    header = stripped.splitlines()[0].split(",")
    if "formation_energy_per_atom" in header:
        return FORMATION_CSV
    if "energy_per_atom" in header:
        return CORRECTED_CSV
    raise DataError(
        f"data file {path} is not a known snapshot format (CSV header {header[:4]}...; "
        "expected formation_energy_per_atom or energy_per_atom columns, or a JSON entry list)"
    )


def _check_elements(table: EntryTable, path: Path) -> None:
    """Refuse data naming elements that do not exist (a table would silently carry them)."""
    from pymatgen.core import Element

    bad = sorted(el for el in table.elements if not Element.is_valid_symbol(el) or el in ("D", "T"))
    if bad:
        raise DataError(f"data file {path} names unknown elements: {', '.join(bad[:5])}")


def read_snapshot(path: Path) -> EntryTable:
    """Read any supported snapshot file into an EntryTable."""
    fmt = sniff_format(path)
    try:
        table = read_entries_json(path) if fmt == ENTRIES_JSON else read_csv(path, fmt)
        _check_elements(table, path)
        return table
    except DataError:
        raise
    except (
        OSError,
        EOFError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        json.JSONDecodeError,
    ) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"data file {path} is truncated or corrupt: {reason[:160]}") from None


def _meta(path: Path, fmt: str, energy_kind: str) -> dict[str, Any]:
    name = path.name
    for suffix in (".gz", ".csv", ".json"):
        name = name.removesuffix(suffix)
    return {"name": name, "source": str(path), "format": fmt, "energy_kind": energy_kind}


def read_csv(path: Path, fmt: str) -> EntryTable:
    import pandas as pd

    with open_text(path) as fh:
        df = pd.read_csv(fh)
    if df.empty:
        raise DataError(f"data file {path} has a header but no rows")
    needed = (
        ["formula", "formation_energy_per_atom"]
        if fmt == FORMATION_CSV
        else ["formula", "energy_per_atom"]
    )
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise DataError(f"data file {path} lacks columns {missing}")
    energy_col = needed[1]
    df = df.dropna(subset=needed)
    if df.empty:
        raise DataError(f"data file {path} has no row with both formula and {energy_col}")
    energies = pd.to_numeric(df[energy_col], errors="coerce")
    if not np.isfinite(energies).all():
        raise DataError(f"data file {path} has non-numeric values in {energy_col}")
    comps = [parse_simple_formula(str(f)) for f in df["formula"]]

    def col(name: str) -> np.ndarray | None:
        return pd.to_numeric(df[name], errors="coerce").to_numpy() if name in df else None

    kind = FORMATION if fmt == FORMATION_CSV else TOTAL
    return EntryTable.from_records(
        comps,
        energies.to_numpy(),
        _meta(path, fmt, kind),
        formula=df["formula"].astype(str).tolist(),
        material_id=df["material_id"].astype(str).tolist() if "material_id" in df else None,
        uncorrected_energy_per_atom=col("uncorrected_energy_per_atom"),
        correction_per_atom=col("correction_per_atom"),
        correction_uncertainty_per_atom=col("correction_uncertainty_per_atom"),
        reported_hull_distance=col("decomposition_energy_per_atom"),
    )


def entry_record(d: dict[str, Any]) -> dict[str, Any]:
    """Flatten one pymatgen entry dict (ComputedEntry, ComputedStructureEntry, PDEntry)."""
    comp = {str(k): float(v) for k, v in d["composition"].items()}
    natoms = sum(comp.values())
    if natoms <= 0:
        raise ValueError(f"entry {d.get('entry_id')} has no atoms")
    uncorrected = float(d["energy"])
    adjustments = d.get("energy_adjustments") or []
    correction, variance = 0.0, 0.0
    if adjustments:
        for adj in adjustments:
            n = float(adj.get("n_atoms", 1.0))
            if "adj_per_atom" in adj:
                value = float(adj["adj_per_atom"]) * n
                uncertainty = _float_or_nan(adj.get("uncertainty_per_atom")) * n
            elif "adj_per_deg" in adj:  # TemperatureEnergyAdjustment
                value = float(adj["adj_per_deg"]) * float(adj.get("temp", 0.0)) * n
                uncertainty = (
                    _float_or_nan(adj.get("uncertainty_per_deg")) * float(adj.get("temp", 0.0)) * n
                )
            else:
                value = float(adj.get("value", 0.0))
                uncertainty = _float_or_nan(adj.get("uncertainty"))
            correction += value
            # As pymatgen: unknown (NaN) uncertainties and those of zero adjustments are skipped.
            if value and not math.isnan(uncertainty):
                variance += uncertainty**2
    else:
        correction = float(d.get("correction") or 0.0)
    data = d.get("data") or {}
    entry_id = str(d.get("entry_id") or "")
    material_id = str(data.get("material_id") or entry_id.split("-GGA")[0].split("-r2SCAN")[0])
    e_hull = d.get("e_above_hull", data.get("e_above_hull"))
    return {
        "composition": comp,
        "energy_per_atom": (uncorrected + correction) / natoms,
        "uncorrected_energy_per_atom": uncorrected / natoms,
        "correction_per_atom": correction / natoms,
        # As the installed pymatgen: no uncertainty information at all is NaN, not 0.
        "correction_uncertainty_per_atom": math.sqrt(variance) / natoms if variance else math.nan,
        "material_id": material_id,
        "reported_hull_distance": float("nan") if e_hull is None else float(e_hull),
        "volume_per_atom": structure_volume_per_atom(d.get("structure")),
    }


def structure_volume_per_atom(structure: Any) -> float:
    """Volume per site (Å^3/atom) of a pymatgen ``Structure`` dict, as pymatgen computes it
    (``lattice.volume / len(structure)``); NaN when there is no structure."""
    if not isinstance(structure, dict):
        return math.nan
    sites = structure.get("sites") or []
    matrix = (structure.get("lattice") or {}).get("matrix")
    if not sites or matrix is None:
        return math.nan
    m = np.asarray(matrix, dtype=float)
    if m.shape != (3, 3):
        return math.nan
    volume = float(abs(np.dot(np.cross(m[0], m[1]), m[2])))  # pymatgen's Lattice.volume
    return volume / len(sites) if volume > 0 else math.nan


def _float_or_nan(value: Any) -> float:
    return math.nan if value is None else float(value)


def table_from_entry_dicts(dicts: list[dict[str, Any]], meta: dict[str, Any]) -> EntryTable:
    records = [entry_record(d) for d in dicts]
    return EntryTable.from_records(
        [r["composition"] for r in records],
        [r["energy_per_atom"] for r in records],
        meta,
        material_id=[r["material_id"] for r in records],
        uncorrected_energy_per_atom=[r["uncorrected_energy_per_atom"] for r in records],
        correction_per_atom=[r["correction_per_atom"] for r in records],
        correction_uncertainty_per_atom=[r["correction_uncertainty_per_atom"] for r in records],
        reported_hull_distance=[r["reported_hull_distance"] for r in records],
        volume_per_atom=[r["volume_per_atom"] for r in records],
    )


def read_entries_json(path: Path) -> EntryTable:
    with open_text(path) as fh:
        payload = json.load(fh)
    dicts = payload.get("entries") if isinstance(payload, dict) else payload
    if not isinstance(dicts, list) or not all(isinstance(d, dict) for d in dicts):
        raise DataError(f"data file {path} is JSON but not a list of entry objects")
    if not dicts:
        raise DataError(f"data file {path} holds no entries")
    return table_from_entry_dicts(dicts, _meta(path, ENTRIES_JSON, TOTAL))


def table_from_entries(entries: Iterable[Any], name: str = "entries") -> EntryTable:
    """A dataset from pymatgen entries (``PDEntry``, ``ComputedEntry``, ...), as in memory.

    Energies are the entries' corrected total energies; MP2020 adjustments keep their
    uncertainties; ``ComputedStructureEntry`` objects give their volume per atom.
    Raises TypeError for anything that is not a pymatgen entry.
    """
    import hashlib

    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.entries.computed_entries import ComputedEntry

    dicts = []
    for e in entries:
        if not isinstance(e, PDEntry | ComputedEntry):
            raise TypeError(
                f"load_dataset takes a path or a list of pymatgen entries, not {type(e).__name__}"
            )
        d: dict[str, Any] = {
            "composition": {str(el): float(a) for el, a in e.composition.items()},
            "entry_id": str(getattr(e, "entry_id", None) or getattr(e, "name", "") or ""),
            "data": {},
        }
        if isinstance(e, ComputedEntry):
            d["energy"] = e.uncorrected_energy
            d["energy_adjustments"] = [a.as_dict() for a in e.energy_adjustments]
        else:
            d["energy"] = e.energy
        structure = getattr(e, "structure", None)
        if structure is not None:
            d["structure"] = {
                "lattice": {"matrix": np.asarray(structure.lattice.matrix).tolist()},
                "sites": [{} for _ in range(len(structure))],
            }
        dicts.append(d)
    if not dicts:
        raise DataError("no entries given")
    digest = hashlib.sha256(json.dumps(dicts, sort_keys=True).encode()).hexdigest()
    meta = {"name": name, "source": "in memory", "format": ENTRIES_JSON, "energy_kind": TOTAL}
    return table_from_entry_dicts(dicts, {**meta, "source_sha256": digest})
