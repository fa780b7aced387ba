"""Resolve ``--data`` / ``STABILITY_DATA`` to one dataset and load it through the cache."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from stability import config
from stability.entries.cache import cached_read, read_table
from stability.entries.readers import read_snapshot, table_from_entries
from stability.entries.table import EntryTable, concat
from stability.errors import DataError

SNAPSHOT_SUFFIXES = (".csv", ".csv.gz", ".json", ".json.gz")
PULLED_PREFIX = config.PULLED_PREFIX


def scan_folder(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Split ``folder`` into snapshot files and the other things in it, each with a reason.

    A file counts as a snapshot when its name ends in a snapshot suffix and its first bytes
    read as a known format; a damaged snapshot still counts (loading it says what is wrong).
    Folders (such as ``properties/``), other file types and CSVs that are not entry tables
    are skipped. Pulled entries and caches (``*.npz``) and hidden files are neither.
    """
    from stability.entries.readers import sniff_format

    snapshots: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir():
            reason = (
                "property tables (band gaps), not entries"
                if p.name == "properties"
                else "a folder (snapshots are read from the top level only)"
            )
            skipped.append((p, reason))
        elif p.name.endswith((".npz", ".tmp")):
            continue  # pulled entries and caches: the tool's own files
        elif not p.name.endswith(SNAPSHOT_SUFFIXES):
            skipped.append((p, "not a snapshot file type (.csv, .json, gzipped or not)"))
        else:
            try:
                sniff_format(p)
            except DataError as exc:
                if "not a known snapshot format" not in str(exc):
                    snapshots.append(p)  # damaged: reported when it is loaded
                    continue
                skipped.append((p, "not an entry table (" + str(exc).split("(", 1)[-1]))
                continue
            snapshots.append(p)
    return snapshots, skipped


def snapshot_files(folder: Path) -> list[Path]:
    """Snapshot files in ``folder``, sorted by name (see :func:`scan_folder`)."""
    return scan_folder(folder)[0]


def dataset_name(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".json"):
        name = name.removesuffix(suffix)
    return name


def pick_snapshot(folder: Path, dataset: str | None) -> Path:
    """Choose one snapshot in ``folder``: by name, else the default, else the only one."""
    files = snapshot_files(folder)
    names = {dataset_name(p): p for p in files}
    if dataset:
        if dataset in names:
            return names[dataset]
        matches = [p for n, p in names.items() if n.startswith(dataset)]
        if len(matches) == 1:
            return matches[0]
        raise DataError(
            f"no dataset {dataset!r} in {folder}; available: {', '.join(names) or 'none'}"
        )
    if config.DEFAULT_DATASET in names:
        return names[config.DEFAULT_DATASET]
    if len(files) == 1:
        return files[0]
    raise DataError(
        f"{folder} holds several datasets; choose one with --dataset: {', '.join(names)}"
    )


def load_pulled(folder: Path) -> EntryTable:
    """Merge the chemical systems pulled from the MP API into one dataset (newest database)."""
    files = sorted(folder.glob(f"{PULLED_PREFIX}*.npz"))
    if not files:
        raise DataError(
            f"no data in {folder}: pass --data PATH (a snapshot file or folder), set "
            f"{config.DATA_ENV}, or fetch entries with 'stability data pull CHEMSYS'"
        )
    tables = [read_table(p) for p in files]
    newest = max(t.meta.get("database_version", "") for t in tables)
    tables = [t for t in tables if t.meta.get("database_version", "") == newest]
    # Never mix energy schemes in one hull: GGA/GGA+U unless only r2SCAN mixing was pulled.
    schemes = sorted({str(t.meta.get("thermo_type", "")) for t in tables})
    scheme = "GGA_GGA+U" if "GGA_GGA+U" in schemes else schemes[0]
    tables = [t for t in tables if str(t.meta.get("thermo_type", "")) == scheme]
    merged = concat(
        tables,
        {**tables[0].meta, "name": f"mp-api {newest} {scheme}".strip(), "source": str(folder)},
    )
    # The same material can arrive with several pulled systems: keep it once (ids known).
    ids = merged.material_id
    _, first = np.unique(ids, return_index=True)
    keep = np.union1d(first[ids[first] != ""], np.flatnonzero(ids == ""))
    return merged.take(np.sort(keep))


def load_dataset(
    data: str | Path | Iterable[Any] | None = None, dataset: str | None = None
) -> EntryTable:
    """Load the dataset at ``data`` (file or folder), else at ``STABILITY_DATA``, else the
    entries pulled from MP into the cache folder, else the embedded default
    (``config.data_source``; ``dataset`` picks a snapshot in a folder, by default
    ``config.DEFAULT_DATASET``); or make one of a list of pymatgen entries. A dataset of the
    embedded default keeps its snapshot's name (``mp2019_ground_states``); headers say where
    it came from (``EntryTable.display_name``: ``mp2019_ground_states, embedded default``).

    Parameters
    ----------
    data : str, path or list of pymatgen entries, optional
        A snapshot file or a folder of them; or pymatgen ``PDEntry``/``ComputedEntry``
        objects. None: ``STABILITY_DATA``, else the pulled entries, else the embedded default.
    dataset : str, optional
        Which snapshot of a folder (its name, or a unique prefix), or the name of a dataset
        made of entries.

    Returns
    -------
    EntryTable
        The entries, read through the cache (a second load is fast).

    Raises
    ------
    StabilityError
        (``DataError``) a missing, unreadable or ambiguous dataset.
    TypeError
        ``data`` is neither a path nor a list of entries.

    Examples
    --------
    >>> import stability
    >>> table = stability.load_dataset()
    >>> table.name.startswith("mp2019_ground_states"), table.energy_kind
    (True, 'formation')
    >>> engine = stability.make_engine(table)
    """
    if data is not None and not isinstance(data, str | os.PathLike):
        if not isinstance(data, Iterable):
            raise TypeError(
                f"load_dataset takes a path or a list of pymatgen entries, not {type(data).__name__}"
            )
        return table_from_entries(list(data), dataset or "entries")
    path, origin = config.data_source(data, dataset)
    if origin == config.FROM_PULLED:
        return load_pulled(path)
    if origin == config.FROM_EMBEDDED:
        return load_embedded(path, dataset)
    if not path.exists():
        raise DataError(f"data path {path} does not exist")
    if path.is_file():
        if dataset:
            raise DataError(
                f"--dataset {dataset} names a snapshot in a folder, but {path} is a file: "
                "drop --dataset or pass the folder"
            )
        return cached_read(path, read_snapshot)
    if snapshot_files(path):
        return cached_read(pick_snapshot(path, dataset), read_snapshot)
    return load_pulled(path)


def load_embedded(folder: Path, dataset: str | None) -> EntryTable:
    """A snapshot of the embedded default (``config.embedded_data_dir``); its ``origin``
    says so (``EntryTable.display_name``), its name is the snapshot's own."""
    if not folder.is_dir() or not snapshot_files(folder):
        raise DataError(
            f"no data: the embedded default snapshots are missing from {folder} (reinstall "
            f"stability); pass --data PATH (a snapshot file or folder), set {config.DATA_ENV}, "
            "or fetch entries with 'stability data pull CHEMSYS'"
        )
    table = cached_read(pick_snapshot(folder, dataset), read_snapshot)
    table.meta["origin"] = config.FROM_EMBEDDED
    return table


def load_datasets(paths: Sequence[str | Path], names: Sequence[str]) -> list[EntryTable]:
    """Two or more datasets to compare: ``--data A --data B`` (each with its own
    ``--dataset``, or one for all), or one folder (or the default) with several ``--dataset``."""
    if len(paths) > 1 and len(names) > 1 and len(names) != len(paths):
        raise DataError("give one --dataset per --data, or a single --dataset for all")
    if len(paths) > 1:
        picked = list(names) if len(names) > 1 else [names[0] if names else None] * len(paths)
        tables = [load_dataset(p, n) for p, n in zip(paths, picked, strict=True)]
    else:
        where = paths[0] if paths else None
        tables = [load_dataset(where, name) for name in names]
    if len(tables) < 2:
        raise DataError("compare needs two datasets: --data A --data B, or --dataset X --dataset Y")
    keys = [(t.name, t.meta.get("source_sha256")) for t in tables]
    if len({name for name, _ in keys}) < len(keys):
        raise DataError(
            f"the datasets to compare must differ and have distinct names: {[k[0] for k in keys]}"
        )
    return tables
