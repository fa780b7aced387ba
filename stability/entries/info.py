"""Describe the datasets at a location: names, sizes, energies, provenance."""

from __future__ import annotations

from pathlib import Path

from stability.entries.load import PULLED_PREFIX, dataset_name, scan_folder
from stability.errors import DataError

PROVENANCE = {
    "mp2019": "MP c. 2019-04 (Bartel et al. 2020 benchmark data / matbench mp_e_form)",
    "mp2022": "MP 2022+ hull phases (Merchant et al. 2023 summary), MP2020 corrections",
    "mp2020_entries": "MP API 2025 entries, MP2020 corrections",
}


def describe(path: Path) -> str:
    """One line per dataset found at ``path`` (a snapshot file or a folder), then one line per
    thing in the folder that was skipped, with the reason."""
    from stability.entries.load import load_dataset

    if not path.exists():
        raise DataError(f"data path {path} does not exist")
    files, skipped = ([path], []) if path.is_file() else scan_folder(path)
    lines = []
    for f in files:
        try:
            table = load_dataset(f)
        except DataError as exc:  # one bad file does not hide the others
            lines.append(f"{dataset_name(f):32s} error: {exc}")
            continue
        origin = next(
            (v for k, v in PROVENANCE.items() if dataset_name(f).startswith(k)), "user data"
        )
        lines.append(
            f"{dataset_name(f):32s} {len(table):7d} entries  {len(table.element_set()):3d} elements  "
            f"{table.energy_kind:9s}  ids:{'yes' if table.has_ids else 'no ':3s}  "
            f"{f.stat().st_size / 1e6:6.1f} MB  {origin}"
        )
    if path.is_dir():
        pulled = sorted(path.glob(f"{PULLED_PREFIX}*.npz"))
        for p in pulled:
            lines.append(f"{p.name:32s} (pulled from the MP API)")
    if not lines:
        lines.append(f"no datasets in {path}")
    for p, reason in skipped:
        name = p.name + ("/" if p.is_dir() else "")
        lines.append(f"skipped {name}: {reason}")
    return "\n".join(lines)
