"""Fast on-disk cache of EntryTables (and of band-gap tables): keyed by content hash,
checksummed, written atomically.

Integrity costs no extra pass over the data: every array is a zip member whose CRC-32
``zipfile`` checks as it reads it, and the metadata (written last) holds a digest of the
members' names, sizes and CRCs, so a file rewritten with other arrays fails too.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from stability import config
from stability.entries.table import EntryTable
from stability.errors import DataError
from stability.files import atomic_write

#: Bump when the cached layout or reader semantics change: old caches of snapshots are then
#: ignored (their file names carry the version). 3: the ``volume_per_atom`` column.
FORMAT_VERSION = 3
#: Older formats still read: pulled entries cannot be rebuilt from a file, so a pull of
#: format 2 (no volumes: its solids keep 0 K energies under --temperature) stays usable.
READABLE_VERSIONS = (2, FORMAT_VERSION)
META = "meta.npy"

log = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def members_digest(archive: zipfile.ZipFile) -> str:
    """Checksum of an archive's array members (name, size, CRC-32), from its directory alone."""
    h = hashlib.sha256()
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.filename != META:
            h.update(f"{info.filename}:{info.file_size}:{info.CRC:08x};".encode())
    return h.hexdigest()


def write_table(path: Path, table: EntryTable) -> None:
    """Write ``table`` to ``path`` atomically (``stability.files.atomic_write``, synced)."""
    cols = table.columns()

    def write(fh: BinaryIO) -> None:
        np.savez(fh, **cols)
        with zipfile.ZipFile(fh, "a") as archive:
            meta = dict(table.meta, format_version=FORMAT_VERSION, digest=members_digest(archive))
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.array(json.dumps(meta, sort_keys=True)))
            archive.writestr(META, buf.getvalue())

    atomic_write(path, write, sync=True)


#: What reading a damaged or foreign cache file can raise.
_UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    EOFError,
    zipfile.BadZipFile,
    json.JSONDecodeError,
    RuntimeError,  # a damaged zip directory (bad flags, "compression method not supported")
    TypeError,  # a bare .npy file instead of an .npz archive
    UnicodeDecodeError,
)


def _open_checked(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """A cache file's metadata and arrays, its members' checksum verified; a one-line
    DataError when it cannot be read or fails the check."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            # Reading each member checks its CRC-32 (zipfile raises BadZipFile otherwise).
            arrays = {k: npz[k] for k in npz.files if k != "meta"}
            digest = members_digest(npz.zip)
    except _UNREADABLE as exc:
        raise DataError(f"cache file {path} is unreadable: {exc}") from None
    if not isinstance(meta, dict):
        raise DataError(f"cache file {path} is unreadable: its metadata is not a JSON object")
    if digest != meta.pop("digest", None):
        raise DataError(f"cache file {path} fails its checksum")
    return meta, arrays


def read_table(path: Path, expect_source_sha256: str | None = None) -> EntryTable:
    """Read a cached table, verifying format version, source hash and checksum."""
    meta, cols = _open_checked(path)
    if meta.get("format_version") not in READABLE_VERSIONS:
        raise DataError(
            f"cache file {path} has format {meta.get('format_version')}, not {FORMAT_VERSION}"
        )
    if meta["format_version"] == FORMAT_VERSION and "volume_per_atom" not in cols:
        raise DataError(f"cache file {path} lacks its volume_per_atom column")
    if expect_source_sha256 and meta.get("source_sha256") != expect_source_sha256:
        raise DataError(f"cache file {path} was built from other data")
    return EntryTable.from_columns(cols, meta)


def cache_path_for(source: Path, sha256: str) -> Path:
    return config.cache_dir() / f"{source.name}.{sha256[:16]}.v{FORMAT_VERSION}.npz"


def cached_read(source: Path, reader: Callable[[Path], EntryTable]) -> EntryTable:
    """Return the table of ``source``, from the cache when a valid one exists, else build it."""
    try:
        sha = file_sha256(source)
    except OSError as exc:
        raise DataError(f"cannot read data file {source}: {exc.strerror or exc}") from None
    target = cache_path_for(source, sha)
    if target.exists():
        try:
            table = read_table(target, expect_source_sha256=sha)
            # The same bytes may sit elsewhere (../shared/data and the embedded copy share
            # a cache file): the source is the file read now, where its band gaps are.
            table.meta.update(source=str(source))
            return table
        except DataError as exc:
            # A bad cache is rebuilt from the source, never served.
            log.warning("%s; rebuilding it", exc)
    table = reader(source)
    table.meta.update(source_sha256=sha)
    try:
        write_table(target, table)
    except OSError as exc:
        log.warning("could not write cache %s (%s); continuing without it", target, exc)
    return table


#: Bump when the cached band-gap layout changes: old files are then ignored.
GAPS_FORMAT_VERSION = 1
#: Subfolder of the cache folder that holds converted band-gap tables (not the root, where
#: ``mp-api.*.npz`` files are pulled entries; and not named ``*_band_gaps.csv*``, the
#: tables themselves).
GAPS_DIR = "properties"


def gaps_cache_path_for(source: Path, sha256: str) -> Path:
    stem = source.name.split(".csv")[0]
    return config.cache_dir() / GAPS_DIR / f"{stem}.{sha256[:16]}.gaps-v{GAPS_FORMAT_VERSION}.npz"


def _write_gaps(path: Path, gaps: dict[str, float | None], sha: str) -> None:
    """Formulas as one newline-joined UTF-8 text (a fraction of a unicode array's size),
    gaps as float64 with NaN for unknown; checksummed as entry tables are."""
    text = "\n".join(gaps).encode()
    values = np.array([np.nan if g is None else g for g in gaps.values()], dtype=float)

    def write(fh: BinaryIO) -> None:
        np.savez(fh, formulas=np.frombuffer(text, dtype=np.uint8), gaps=values)
        with zipfile.ZipFile(fh, "a") as archive:
            meta = {
                "format_version": GAPS_FORMAT_VERSION,
                "source_sha256": sha,
                "rows": len(gaps),
                "digest": members_digest(archive),
            }
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.array(json.dumps(meta, sort_keys=True)))
            archive.writestr(META, buf.getvalue())

    atomic_write(path, write, sync=True)


def _read_gaps(path: Path, sha: str) -> dict[str, float | None]:
    meta, arrays = _open_checked(path)
    if meta.get("format_version") != GAPS_FORMAT_VERSION:
        raise DataError(f"cache file {path} has another format")
    if meta.get("source_sha256") != sha:
        raise DataError(f"cache file {path} was built from other data")
    try:
        text = arrays["formulas"].tobytes().decode()
        values = arrays["gaps"]
    except (KeyError, UnicodeDecodeError) as exc:
        raise DataError(f"cache file {path} is unreadable: {exc}") from None
    formulas = text.split("\n") if text else []
    if len(formulas) != len(values) or len(formulas) != meta.get("rows"):
        raise DataError(f"cache file {path} fails its checksum")
    gaps = values.tolist()
    return dict(zip(formulas, [None if g != g else g for g in gaps], strict=True))


def cached_gaps(
    source: Path, reader: Callable[[Path], dict[str, float | None]]
) -> dict[str, float | None]:
    """The band gaps of the table ``source``, from the cache when a valid one exists, else
    read by ``reader`` and cached (keyed by the table's content hash, as entry tables)."""
    try:
        sha = file_sha256(source)
    except OSError as exc:
        raise DataError(f"cannot read band gaps from {source}: {exc.strerror or exc}") from None
    target = gaps_cache_path_for(source, sha)
    if target.exists():
        try:
            return _read_gaps(target, sha)
        except DataError as exc:
            log.warning("%s; rebuilding it", exc)  # a bad cache is rebuilt, never served
    gaps = reader(source)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_gaps(target, gaps, sha)
    except OSError as exc:
        log.warning("could not write cache %s (%s); continuing without it", target, exc)
    return gaps
