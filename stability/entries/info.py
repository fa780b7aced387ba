"""Describe the datasets at a location: names, sizes, energies, provenance."""

from __future__ import annotations

from pathlib import Path

from stability import config
from stability.entries.load import (
    PULLED_PREFIX,
    dataset_name,
    load_dataset,
    pick_snapshot,
    scan_folder,
)
from stability.errors import DataError

PROVENANCE = {
    "mp2019": "MP c. 2019-04 (Bartel et al. 2020 benchmark data / matbench mp_e_form)",
    "mp2022": "MP 2022+ hull phases (Merchant et al. 2023 summary), MP2020 corrections",
    "mp2020_entries": "MP API 2025 entries, MP2020 corrections",
}


def describe(data: Path | None = None) -> str:
    """One line per dataset found at ``data`` (a snapshot file or a folder; by default where
    ``config.data_source`` looks), then one line per thing in the folder that was skipped,
    with the reason, and last the dataset a command uses when none is named, and where from."""
    path, origin = config.data_source(data)
    if not path.exists():
        if origin == config.FROM_EMBEDDED:
            raise DataError(
                f"the embedded default data is missing from {path}: reinstall stability"
            )
        raise DataError(f"data path {path} does not exist")
    embedded = origin == config.FROM_EMBEDDED or (
        path.is_dir() and path.resolve() == config.embedded_data_dir().resolve()
    )
    files, skipped = ([path], []) if path.is_file() else scan_folder(path)
    if embedded:  # its README and band gaps are part of it, not clutter
        skipped = []

    def label(f: Path) -> str:
        return dataset_name(f) + (f" ({config.FROM_EMBEDDED})" if embedded else "")

    def default() -> str:  # what a command reads when no --dataset is given, and from where
        where = {config.FROM_OPTION: "--data ", config.FROM_ENV: f"${config.DATA_ENV}="}
        where = f"{where.get(origin, 'in ')}{path}"
        if path.is_file():
            return f"{label(path)} ({where})"
        if origin == config.FROM_PULLED or not files:
            if not config.has_pulled_entries(path):
                return f"none ({where})"
            return f"the entries pulled from MP, newest database version ({where})"
        try:
            return f"{label(pick_snapshot(path, None))} ({where})"
        except DataError:
            return f"none: choose one with --dataset ({where})"

    width = max([32, *(len(label(f)) for f in files)])
    lines = []
    for f in files:
        try:
            table = load_dataset(f)
        except DataError as exc:  # one bad file does not hide the others
            lines.append(f"{label(f):{width}s} error: {exc}")
            continue
        origin_text = next(
            (v for k, v in PROVENANCE.items() if dataset_name(f).startswith(k)), "user data"
        )
        lines.append(
            f"{label(f):{width}s} {len(table):7d} entries  {len(table.element_set()):3d} elements  "
            f"{table.energy_kind:9s}  ids:{'yes' if table.has_ids else 'no ':3s}  "
            f"{f.stat().st_size / 1e6:6.1f} MB  {origin_text}"
        )
    if path.is_dir():
        pulled = sorted(path.glob(f"{PULLED_PREFIX}*.npz"))
        for p in pulled:
            lines.append(f"{p.name:{width}s} (pulled from the MP API)")
    if not lines:
        lines.append(f"no datasets in {path}")
    for p, reason in skipped:
        name = p.name + ("/" if p.is_dir() else "")
        lines.append(f"skipped {name}: {reason}")
    lines.append(f"default: {default()}")
    return "\n".join(lines)
