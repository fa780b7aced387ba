"""Band-gap tables (load_band_gaps), data folders holding non-snapshots, the cache location."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from stability import config
from stability.cli import cli
from stability.entries.load import load_dataset, pick_snapshot, scan_folder
from stability.entries.properties import band_gap_files, default_gaps_path, load_band_gaps
from stability.errors import DataError
from tests.conftest import shared_file

PULLED_HEADER = "material_id,formula,band_gap_eV,energy_above_hull_eV_per_atom\n"


def write_pulled(path, rows, version="2025.09.25"):
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# " + json.dumps({"database_version": version}) + "\n" + PULLED_HEADER
    text += "".join(",".join("" if v is None else str(v) for v in r) + "\n" for r in rows)
    path.write_text(text)
    return path


# ---------------------------------------------------------------- load_band_gaps


def test_offline_mp2019_table():
    gaps = load_band_gaps(shared_file("properties/mp2019_band_gaps.csv.gz"))
    assert len(gaps) == 87085
    # Values as the data README states them.
    assert gaps["Li3N"] == pytest.approx(0.984)
    assert gaps["LiCl"] == pytest.approx(5.93, abs=0.005)
    assert gaps["Li2S"] == pytest.approx(3.39, abs=0.005)
    assert gaps["Li15Ge4"] == 0.0
    # Ground state not known: the smallest gap of the low-energy polymorphs.
    assert gaps["LiF"] == pytest.approx(7.4778) and gaps["Li3PS4"] == pytest.approx(2.3921)


def test_data_folder_finds_its_properties_subfolder():
    folder = shared_file("properties").parent
    assert [p.name for p in band_gap_files(folder)] == ["mp2019_band_gaps.csv.gz"]
    assert default_gaps_path(folder, "mp2019_ground_states") == folder / "properties" / (
        "mp2019_band_gaps.csv.gz"
    )
    assert load_band_gaps(folder)["Li3N"] == pytest.approx(0.984)


def test_pulled_table_keeps_the_ground_state_polymorph(tmp_path):
    path = write_pulled(
        tmp_path / "properties" / "mp-api.2025.09.25.Li-N_band_gaps.csv",
        [
            ("mp-2341", "Li3N", 1.21, 0.016),
            ("mp-2251", "Li3N", 0.98, 0.0),
            ("mp-135", "Li", 0.0, 0.0),
            ("mp-1", "LiN3", None, 0.0),
            ("mp-2", "N2", 5.6, None),
            ("mp-3", "LiCl", 6.0, 0.0),
            ("mp-4", "LiCl", 5.5, 0.0),  # a tie on the hull: the smaller gap
        ],
    )
    gaps = load_band_gaps(path)
    assert gaps == {"Li3N": 0.98, "Li": 0.0, "LiN3": None, "N2": 5.6, "LiCl": 5.5}
    assert load_band_gaps(tmp_path) == gaps  # the cache folder: properties/ inside
    # Several pulled systems: the passivation default reads them all.
    write_pulled(tmp_path / "properties" / "mp-api.2025.09.25.Cl-Li_band_gaps.csv", [])
    assert default_gaps_path(tmp_path, "mp-api 2025.09.25 GGA_GGA+U") == tmp_path / "properties"


def test_pulled_tables_override_offline_and_older(tmp_path):
    with gzip.open(tmp_path / "mp2019_band_gaps.csv.gz", "wt") as fh:
        fh.write("formula,material_id,band_gap_eV\nLi3N,mp-2251,0.9\nLiCl,mp-22905,6.0\n")
    write_pulled(tmp_path / "mp-api.2024.11.14.Li-N_band_gaps.csv", [("mp-2251", "Li3N", 1.0, 0)])
    write_pulled(tmp_path / "mp-api.2025.09.25.Li-N_band_gaps.csv", [("mp-2251", "Li3N", 1.1, 0)])
    assert load_band_gaps(tmp_path) == {"Li3N": 1.1, "LiCl": 6.0}


def test_band_gap_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_band_gaps(tmp_path / "nope")
    with pytest.raises(DataError, match="no band-gap table"):
        load_band_gaps(tmp_path)
    bad = tmp_path / "x_band_gaps.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="formula,band_gap_eV"):
        load_band_gaps(bad)
    with pytest.raises(DataError, match="formula,band_gap_eV"):
        load_band_gaps(tmp_path)


# ---------------------------------------------------------------- band-gap cache


def test_band_gaps_are_parsed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    """The 87k-row table is parsed on the first call only; later calls (a new process each,
    in practice) read the content-hashed cache, with every gap equal, unknown ones too."""
    import stability.entries.properties as props

    monkeypatch.setenv("STABILITY_CACHE", str(tmp_path / "cache"))
    table = shared_file("properties/mp2019_band_gaps.csv.gz")
    parsed = props._read_table(table)
    first = load_band_gaps(table)
    cached = list((tmp_path / "cache" / "properties").glob("*.npz"))
    assert len(cached) == 1 and not band_gap_files(tmp_path / "cache")  # not taken for a table

    def no_parse(path):
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(props, "_read_table", no_parse)
    again = load_band_gaps(table)
    assert again == first == parsed
    assert list(again) == list(parsed)
    assert sum(g is None for g in again.values()) == sum(g is None for g in parsed.values()) > 0


def test_band_gap_cache_follows_the_content_and_survives_damage(tmp_path, monkeypatch):
    monkeypatch.setenv("STABILITY_CACHE", str(tmp_path / "cache"))
    table = tmp_path / "gaps.csv"
    table.write_text("formula,band_gap_eV\nLiN3,1.5\nLi3N,\n")
    assert load_band_gaps(table) == {"LiN3": 1.5, "Li3N": None}
    assert load_band_gaps(table) == {"LiN3": 1.5, "Li3N": None}
    table.write_text("formula,band_gap_eV\nLiN3,2.5\n")  # new content: parsed anew
    assert load_band_gaps(table) == {"LiN3": 2.5}
    for cache in (tmp_path / "cache" / "properties").glob("*.npz"):
        cache.write_bytes(cache.read_bytes()[:100])  # torn: rebuilt from the table, not served
    assert load_band_gaps(table) == {"LiN3": 2.5}
    # A bad table still fails with its line, cached or not.
    table.write_text("formula,band_gap_eV\nLiN3,-1\n")
    with pytest.raises(DataError, match="line 2"):
        load_band_gaps(table)


# ---------------------------------------------------------------- data folders


def _snapshot(path):
    path.write_text("formula,formation_energy_per_atom\nLi3N,-0.4\nLiCl,-1.8\n")
    return path


@pytest.fixture
def messy_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    _snapshot(folder / "mine.csv")
    (folder / "stray.csv").write_text("a,b\n1,2\n")
    (folder / "notes.txt").write_text("notes\n")
    (folder / "properties").mkdir()
    write_pulled(folder / "properties" / "mp-api.x_band_gaps.csv", [("mp-1", "Li", 0.0, 0.0)])
    (folder / "other").mkdir()
    (folder / ".hidden.csv").write_text("x\n")
    return folder


def test_non_snapshots_are_skipped_with_reasons(messy_folder):
    snapshots, skipped = scan_folder(messy_folder)
    assert [p.name for p in snapshots] == ["mine.csv"]
    reasons = {p.name: r for p, r in skipped}
    assert set(reasons) == {"stray.csv", "notes.txt", "properties", "other"}
    assert "not an entry table" in reasons["stray.csv"]
    assert "band gaps" in reasons["properties"]
    # The one snapshot loads by default and by name.
    assert pick_snapshot(messy_folder, None).name == "mine.csv"
    assert len(load_dataset(messy_folder)) == 2


def test_data_info_lists_what_it_skipped(messy_folder, tmp_path, monkeypatch):
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    (messy_folder / "broken.csv.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    res = CliRunner().invoke(cli, ["data", "info", "--data", str(messy_folder)])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("broken") and "error:" in lines[0] and "corrupt" in lines[0]
    assert lines[1].startswith("mine") and "2 entries" in lines[1]
    assert "skipped stray.csv: not an entry table" in res.output
    assert "skipped properties/: property tables (band gaps), not entries" in res.output
    assert "skipped notes.txt: not a snapshot file type" in res.output
    assert "hidden" not in res.output


# ---------------------------------------------------------------- cache location


def test_cache_folder_in_a_checkout_and_by_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(config.CACHE_ENV, raising=False)
    assert config.in_source_checkout()
    assert config.cache_dir() == config.project_root() / "cached_entries"
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "c"))
    assert config.cache_dir() == tmp_path / "c"


def test_installed_package_caches_per_user(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv(config.CACHE_ENV, raising=False)
    site = tmp_path / "site-packages"
    (site / "stability").mkdir(parents=True)
    monkeypatch.setattr(config, "project_root", lambda: site)
    assert not config.in_source_checkout()
    expected = platformdirs.user_cache_dir("stability", appauthor=False)
    assert str(config.cache_dir()) == f"{expected}/entries"
    assert site not in config.cache_dir().parents
