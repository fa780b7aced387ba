"""The on-disk cache of EntryTables: keyed by content, checksummed, atomic, safe to share."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

import stability.entries.load as load_module
from stability import config
from stability.entries.cache import (
    FORMAT_VERSION,
    cache_path_for,
    cached_read,
    file_sha256,
    read_table,
    write_table,
)
from stability.entries.load import load_dataset
from stability.entries.readers import read_snapshot
from stability.entries.table import EntryTable
from stability.errors import DataError

ROWS_A = [("Li3N", -0.437), ("LiCl", -1.834), ("Li4NCl", -0.905)]
ROWS_B = [("Li3N", -0.211), ("LiCl", -1.5), ("Li2O", -2.07), ("NCl3", 0.12)]


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(config.CACHE_ENV, str(folder))
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    return folder


def write_csv(path: Path, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "formula,formation_energy_per_atom\n" + "".join(f"{f},{e}\n" for f, e in rows)
    path.write_text(text)
    return path


def npz_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.npz")) if folder.exists() else []


def assert_rows(table: EntryTable, rows) -> None:
    assert list(table.formula) == [f for f, _ in rows]
    np.testing.assert_array_equal(table.energy_per_atom, [e for _, e in rows])


@pytest.fixture
def counting_reader(monkeypatch) -> list[Path]:
    """Count the times load_dataset builds a table from its source instead of the cache."""
    calls: list[Path] = []

    def reader(path: Path) -> EntryTable:
        calls.append(path)
        return read_snapshot(path)

    monkeypatch.setattr(load_module, "read_snapshot", reader)
    return calls


def rewrite_npz(path: Path, *, meta_update=None, cols_update=None) -> None:
    """Rewrite a cache file with changed metadata or columns (keeping the stored digest)."""
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        cols = {k: npz[k] for k in npz.files if k != "meta"}
    meta.update(meta_update or {})
    cols.update(cols_update or {})
    with open(path, "wb") as fh:
        np.savez(fh, meta=np.array(json.dumps(meta)), **cols)


# ---------------------------------------------------------------- building and reusing


def test_first_load_writes_one_npz_and_second_reads_it(tmp_path, cache_dir, monkeypatch):
    src = write_csv(tmp_path / "snap.csv", ROWS_A)
    assert npz_files(cache_dir) == []
    first = load_dataset(src)
    assert_rows(first, ROWS_A)
    files = npz_files(cache_dir)
    assert len(files) == 1
    assert files[0] == cache_path_for(src, file_sha256(src))
    assert files[0].name.startswith("snap.csv.") and files[0].name.endswith(
        f".v{FORMAT_VERSION}.npz"
    )
    assert list(cache_dir.iterdir()) == files  # nothing else, no temporary files

    def refuse(path):
        raise AssertionError(f"source {path} re-read although a valid cache exists")

    monkeypatch.setattr(load_module, "read_snapshot", refuse)
    second = load_dataset(src)
    assert_rows(second, ROWS_A)
    assert second.meta["source_sha256"] == file_sha256(src)
    for key, col in first.columns().items():
        np.testing.assert_array_equal(col, second.columns()[key], err_msg=key)
    assert npz_files(cache_dir) == files
    # Without its cache the source must be read, which the patched reader refuses.
    files[0].unlink()
    with pytest.raises(AssertionError, match="re-read"):
        load_dataset(src)


def test_changed_source_gets_a_new_cache(tmp_path, cache_dir, counting_reader):
    src = write_csv(tmp_path / "snap.csv", ROWS_A)
    assert_rows(load_dataset(src), ROWS_A)
    old_cache = npz_files(cache_dir)
    write_csv(src, ROWS_B)  # same name, other content
    assert_rows(load_dataset(src), ROWS_B)
    new = [p for p in npz_files(cache_dir) if p not in old_cache]
    assert len(old_cache) == 1 and len(new) == 1
    assert new[0].name != old_cache[0].name
    assert len(counting_reader) == 2
    # Back to the first content: its cache is valid again and is used.
    write_csv(src, ROWS_A)
    assert_rows(load_dataset(src), ROWS_A)
    assert len(counting_reader) == 2


def test_same_name_in_two_folders_is_never_mixed_up(tmp_path, counting_reader):
    a = write_csv(tmp_path / "one" / "mp2019_ground_states.csv", ROWS_A)
    b = write_csv(tmp_path / "two" / "mp2019_ground_states.csv", ROWS_B)
    for _ in range(2):
        assert_rows(load_dataset(a), ROWS_A)
        assert_rows(load_dataset(b), ROWS_B)
        assert_rows(load_dataset(tmp_path / "one"), ROWS_A)
        assert_rows(load_dataset(tmp_path / "two"), ROWS_B)
    assert len(counting_reader) == 2


def test_foreign_cache_under_the_right_name_is_rebuilt(tmp_path, cache_dir, counting_reader):
    a = write_csv(tmp_path / "x" / "snap.csv", ROWS_A)
    b = write_csv(tmp_path / "y" / "snap.csv", ROWS_B)
    load_dataset(b)
    cache_b = cache_path_for(b, file_sha256(b))
    cache_a = cache_path_for(a, file_sha256(a))
    assert cache_a != cache_b
    cache_a.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cache_b, cache_a)  # a cache built from B sits where A's belongs
    with pytest.raises(DataError, match="other data"):
        read_table(cache_a, expect_source_sha256=file_sha256(a))
    assert_rows(load_dataset(a), ROWS_A)
    assert len(counting_reader) == 2
    assert read_table(cache_a, expect_source_sha256=file_sha256(a)).meta["source_sha256"] == (
        file_sha256(a)
    )


# ---------------------------------------------------------------- corruption


def _flip_middle(data: bytes, table: EntryTable) -> bytes:
    mid = len(data) // 2
    return data[: mid - 32] + bytes(b ^ 0xFF for b in data[mid - 32 : mid + 32]) + data[mid + 32 :]


def _flip_energy_byte(data: bytes, table: EntryTable) -> bytes:
    # np.savez stores arrays uncompressed: flip one byte inside the energies themselves.
    raw = np.ascontiguousarray(table.energy_per_atom).tobytes()
    at = data.index(raw) + 3
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _flip_directory_flag(data: bytes, table: EntryTable) -> bytes:
    # A damaged central directory entry (general-purpose flags) of the last member.
    at = data.rindex(b"PK\x01\x02") + 8
    return data[:at] + bytes([data[at] ^ 0x40]) + data[at + 1 :]


def _flip_compression_method(data: bytes, table: EntryTable) -> bytes:
    at = data.rindex(b"PK\x01\x02") + 10
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def _npy_instead(data: bytes, table: EntryTable) -> bytes:
    buf = io.BytesIO()
    np.save(buf, table.energy_per_atom)
    return buf.getvalue()


def _meta_not_object(data: bytes, table: EntryTable) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, meta=np.array("[1, 2]"), **table.columns())
    return buf.getvalue()


CORRUPTIONS = {
    "flip-middle": _flip_middle,
    "flip-energy-byte": _flip_energy_byte,
    "flip-directory-flag": _flip_directory_flag,
    "flip-compression-method": _flip_compression_method,
    "truncate-half": lambda data, t: data[: len(data) // 2],
    "truncate-tail": lambda data, t: data[:-10],
    "empty": lambda data, t: b"",
    "garbage": lambda data, t: bytes((i * 37 + 11) % 256 for i in range(len(data))),
    "text": lambda data, t: b"this is not a cache\n",
    "npy-not-npz": _npy_instead,
    "meta-not-object": _meta_not_object,
}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_corrupted_cache_is_detected_and_rebuilt(tmp_path, cache_dir, counting_reader, how):
    src = write_csv(tmp_path / "snap.csv", ROWS_A)
    table = load_dataset(src)
    [cache] = npz_files(cache_dir)
    good = cache.read_bytes()
    bad = CORRUPTIONS[how](good, table)
    assert bad != good
    cache.write_bytes(bad)
    with pytest.raises(DataError):
        read_table(cache)
    rebuilt = load_dataset(src)
    assert_rows(rebuilt, ROWS_A)
    assert len(counting_reader) == 2  # built again from the source, not served from the cache
    # The cache is whole again and is then used.
    assert npz_files(cache_dir) == [cache]
    assert cache.read_bytes() != bad
    assert_rows(read_table(cache, expect_source_sha256=file_sha256(src)), ROWS_A)
    assert_rows(load_dataset(src), ROWS_A)
    assert len(counting_reader) == 2
    assert not list(cache_dir.glob("*.tmp"))


def test_unwritable_cache_still_returns_the_table(tmp_path, cache_dir, monkeypatch):
    src = write_csv(tmp_path / "snap.csv", ROWS_A)

    def failing_savez(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", failing_savez)
    assert_rows(cached_read(src, read_snapshot), ROWS_A)
    assert list(cache_dir.iterdir()) == []


def test_cached_read_of_missing_source(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        cached_read(tmp_path / "gone.csv", read_snapshot)


# ---------------------------------------------------------------- read_table checks


@pytest.fixture
def written(tmp_path) -> tuple[Path, EntryTable]:
    table = read_snapshot(write_csv(tmp_path / "snap.csv", ROWS_A))
    path = tmp_path / "out" / "table.npz"
    write_table(path, table)
    return path, table


def test_write_then_read_round_trip(written):
    path, table = written
    back = read_table(path)
    for key, col in table.columns().items():
        np.testing.assert_array_equal(col, back.columns()[key], err_msg=key)
        assert col.dtype == back.columns()[key].dtype, key
    assert back.meta["format_version"] == FORMAT_VERSION
    assert "digest" not in back.meta
    assert back.meta["name"] == table.meta["name"]
    assert back.row_composition(2) == {"Li": 4.0, "N": 1.0, "Cl": 1.0}


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, 0, None, "1"])
def test_wrong_format_version_raises(written, version):
    path, _ = written
    rewrite_npz(path, meta_update={"format_version": version})
    with pytest.raises(DataError, match="format"):
        read_table(path)


def test_digest_mismatch_raises(written):
    path, table = written
    energies = table.energy_per_atom.copy()
    energies[1] += 0.001
    rewrite_npz(path, cols_update={"energy_per_atom": energies})
    with pytest.raises(DataError, match="checksum"):
        read_table(path)


def test_missing_digest_raises(written):
    path, _ = written
    rewrite_npz(path, meta_update={"digest": None})
    with pytest.raises(DataError, match="checksum"):
        read_table(path)


def test_source_hash_is_checked_when_asked(tmp_path):
    src = write_csv(tmp_path / "snap.csv", ROWS_A)
    cached_read(src, read_snapshot)
    cache = cache_path_for(src, file_sha256(src))
    assert_rows(read_table(cache, expect_source_sha256=file_sha256(src)), ROWS_A)
    with pytest.raises(DataError, match="other data"):
        read_table(cache, expect_source_sha256="0" * 64)


def test_missing_cache_file_raises_data_error(tmp_path):
    with pytest.raises(DataError):
        read_table(tmp_path / "nothing.npz")


# ---------------------------------------------------------------- atomic writes


def test_cache_files_have_ordinary_permissions(tmp_path):
    # As every other file the tool writes (README: 0666 less the umask), not mkstemp's 0600.
    table = read_snapshot(write_csv(tmp_path / "snap.csv", ROWS_A))
    old = os.umask(0o022)
    try:
        write_table(tmp_path / "t.npz", table)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "t.npz").stat().st_mode) == 0o644


def test_write_table_leaves_no_temporary_files(written):
    path, table = written
    write_table(path, table.take(np.array([0])))
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert len(read_table(path)) == 1


def test_write_table_replaces_the_target_atomically(written, tmp_path):
    path, table = written
    old_inode = path.stat().st_ino
    with open(path, "rb") as reader:  # a reader that opened the old file before the write
        smaller = table.take(np.array([2, 0]))
        write_table(path, smaller)
        old_bytes = reader.read()
    # The old file was replaced by a new one (rename), not rewritten in place.
    assert path.stat().st_ino != old_inode
    assert list(read_table(path).formula) == ["Li4NCl", "Li3N"]
    (tmp_path / "old.npz").write_bytes(old_bytes)
    assert list(read_table(tmp_path / "old.npz").formula) == [f for f, _ in ROWS_A]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_write_keeps_the_old_file(written, monkeypatch, error):
    path, table = written
    before = path.read_bytes()
    real_savez = np.savez

    def half_then_fail(fh, **arrays):
        real_savez(fh, **arrays)  # the whole payload goes to the temporary file ...
        fh.truncate(fh.tell() // 2)  # ... which then breaks before it is complete
        raise error

    monkeypatch.setattr(np, "savez", half_then_fail)
    with pytest.raises(type(error)):
        write_table(path, table.take(np.array([1])))
    assert path.read_bytes() == before
    assert_rows(read_table(path), ROWS_A)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert not list(path.parent.glob("*.tmp"))


def test_failed_first_write_leaves_nothing(tmp_path, monkeypatch):
    table = read_snapshot(write_csv(tmp_path / "snap.csv", ROWS_A))
    target = tmp_path / "new" / "t.npz"

    def fail(fh, **arrays):
        fh.write(b"PK partial")
        raise OSError("I/O error")

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(OSError):
        write_table(target, table)
    assert list(target.parent.iterdir()) == []


# ---------------------------------------------------------------- concurrent builders


def _load_in_child(src: str, start, results) -> None:
    """Worker: wait for the others, load the same snapshot through the cache, then re-read
    the cache file while the others may still be writing it (it must always be whole)."""
    try:
        start.wait(timeout=60)
        table = load_dataset(src)
        target = cache_path_for(Path(src), file_sha256(Path(src)))
        for _ in range(20):
            again = read_table(target, expect_source_sha256=file_sha256(Path(src)))
            assert again.energy_per_atom.tolist() == table.energy_per_atom.tolist()
        results.put(("ok", table.formula.tolist(), table.energy_per_atom.tolist()))
    except BaseException as exc:  # report, do not hang the parent
        results.put(("error", repr(exc), []))


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_concurrent_builders_get_correct_tables(tmp_path, cache_dir, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    rows = [(f"Li{i % 7 + 1}N{i % 5 + 1}Cl{i % 3 + 1}", -0.001 * i) for i in range(3000)]
    src = write_csv(tmp_path / "big.csv", rows)
    ctx = multiprocessing.get_context(method)
    workers = 4
    start = ctx.Barrier(workers)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_load_in_child, args=(str(src), start, results)) for _ in range(workers)
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in range(workers)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    expected_formulas = [f for f, _ in rows]
    expected_energies = [e for _, e in rows]
    for status, formulas, energies in got:
        assert status == "ok", formulas
        assert formulas == expected_formulas
        assert energies == expected_energies
    files = sorted(os.listdir(cache_dir))
    assert files == [cache_path_for(src, file_sha256(src)).name]
    assert_rows(read_table(cache_dir / files[0], expect_source_sha256=file_sha256(src)), rows)


def _candidate_table(k: int) -> EntryTable:
    """Worker k's table: a different size and content for each k."""
    n = 200 * (k + 1)
    comps = [{"Li": float(i % 4 + 1), "Cl": 1.0} for i in range(n)]
    energies = [-0.5 - 0.001 * i - k for i in range(n)]
    return EntryTable.from_records(comps, energies, {"name": f"worker{k}"})


def _write_and_read_in_child(path: str, k: int, start, results) -> None:
    """Worker: write its own table to the shared path again and again, reading in between."""
    errors: list[str] = []
    try:
        mine = _candidate_table(k)
        start.wait(timeout=60)
        for _ in range(25):
            write_table(Path(path), mine)
            got = read_table(Path(path))
            j = int(got.meta["name"].removeprefix("worker"))
            if got.energy_per_atom.tolist() != _candidate_table(j).energy_per_atom.tolist():
                errors.append(f"table of worker {j} read back with wrong values")
    except BaseException as exc:
        errors.append(repr(exc))
    results.put(errors)


def test_concurrent_writers_to_one_path_leave_a_whole_table(tmp_path):
    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    workers = 4
    target = tmp_path / "shared" / "table.npz"
    start = ctx.Barrier(workers)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_write_and_read_in_child, args=(str(target), k, start, results))
        for k in range(workers)
    ]
    for p in procs:
        p.start()
    errors = [e for _ in range(workers) for e in results.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
    assert errors == []
    final = read_table(target)
    k = int(final.meta["name"].removeprefix("worker"))
    assert final.energy_per_atom.tolist() == _candidate_table(k).energy_per_atom.tolist()
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.npz"]


# ---------------------------------------------------------------- volumes (format 3)


def _write_format_2(path: Path, table: EntryTable) -> None:
    """A table as format 2 wrote it: no volume_per_atom column (pulls made before volumes)."""
    import zipfile

    from stability.entries.cache import META, members_digest

    cols = {k: v for k, v in table.columns().items() if k != "volume_per_atom"}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez(fh, **cols)
    with zipfile.ZipFile(path, "a") as archive:
        meta = dict(table.meta, format_version=2, digest=members_digest(archive))
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.array(json.dumps(meta, sort_keys=True)))
        archive.writestr(META, buf.getvalue())


def _entry_dicts_with_structures() -> list[dict]:
    from pymatgen.core import Lattice, Structure
    from pymatgen.entries.computed_entries import ComputedStructureEntry

    def entry(species, a, energy, entry_id):
        coords = [[i / len(species), 0, 0] for i in range(len(species))]
        structure = Structure(Lattice.cubic(a), species, coords)
        return ComputedStructureEntry(structure, energy, entry_id=entry_id).as_dict()

    return [
        entry(["Li"], 3.0, -1.9, "mp-1"),
        entry(["N", "N"], 4.0, -16.6, "mp-2"),
        entry(["Li", "Li", "Li", "N"], 3.7, -17.0, "mp-3"),
    ]


def test_entries_with_structures_keep_their_volume_through_the_cache(tmp_path, cache_dir):
    path = tmp_path / "entries.json"
    path.write_text(json.dumps(_entry_dicts_with_structures()))
    first = load_dataset(path)
    np.testing.assert_allclose(first.volume_per_atom, [27.0, 32.0, 3.7**3 / 4], rtol=1e-12)
    assert first.has_volumes
    second = load_dataset(path)  # from the cache
    assert npz_files(cache_dir)
    np.testing.assert_array_equal(second.volume_per_atom, first.volume_per_atom)


def test_csv_snapshots_have_no_volumes(written):
    _, table = written
    assert np.isnan(table.volume_per_atom).all() and not table.has_volumes


def test_format_2_files_still_read_without_volumes(tmp_path):
    """A pull written before volumes were kept stays usable (it cannot be rebuilt from a
    file); its volumes are unknown."""
    path = tmp_path / "pulled.npz"
    path.write_text(json.dumps(_entry_dicts_with_structures()))
    table = load_dataset(path.rename(tmp_path / "e.json"))
    _write_format_2(path, table)
    back = read_table(path)
    assert np.isnan(back.volume_per_atom).all()
    np.testing.assert_array_equal(back.energy_per_atom, table.energy_per_atom)


def test_format_3_without_volumes_is_refused(tmp_path):
    path = tmp_path / "t.npz"
    path.write_text(json.dumps(_entry_dicts_with_structures()))
    table = load_dataset(path.rename(tmp_path / "e.json"))
    _write_format_2(path, table)
    rewrite_npz(path, meta_update={"format_version": FORMAT_VERSION})
    with pytest.raises(DataError, match="volume_per_atom"):
        read_table(path)
