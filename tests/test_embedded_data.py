"""The embedded default data (cached_entries/, installed as stability/_bundled/): byte-equal
to ../shared/data, used from any folder when nothing else is configured, in a checkout and in
a ``pip install .``; and the order in which data sources win."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stability import config
from stability.cli import cli
from stability.entries.cache import write_table
from stability.entries.load import load_dataset
from stability.entries.properties import load_band_gaps
from stability.entries.readers import read_snapshot

from .conftest import shared_file
from .installs import pip_install_copy

#: The three files of the embedded default, by their path in ../shared/data (and in it).
EMBEDDED = (
    "mp2019_ground_states.csv.gz",
    "mp2022_hull.csv.gz",
    "properties/mp2019_band_gaps.csv.gz",
)
DEFAULT_NAME = "mp2019_ground_states"
#: How headers name it: the snapshot's name and where it came from.
DEFAULT_DISPLAY = "mp2019_ground_states, embedded default"


# ---------------------------------------------------------------- the bundled files


def test_bundled_files_are_byte_copies_of_shared_data():
    folder = config.embedded_data_dir()
    assert folder == config.project_root() / "cached_entries"  # a checkout: the one copy
    for name in EMBEDDED:
        shared = shared_file(name)
        assert (folder / name).read_bytes() == shared.read_bytes(), name
    # Nothing else of ../shared/data is there (the others must never be copied).
    data_files = {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file()
        and p.name.endswith((".csv.gz", ".json.gz", ".csv", ".json"))
        and not p.name.startswith(config.PULLED_PREFIX)
    }
    assert data_files == set(EMBEDDED)


# ---------------------------------------------------------------- as a user runs it


def user_env(cache: Path) -> dict[str, str]:
    """The environment of a fresh shell: no STABILITY_DATA, the cache in ``cache``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STABILITY_")}
    env.update(STABILITY_CACHE=str(cache), MPLBACKEND="Agg")
    return env


def run_user(command: list[str], cwd: Path, cache: Path, *args: str) -> str:
    res = subprocess.run(
        [*command, *args], cwd=cwd, env=user_env(cache), capture_output=True, text=True
    )
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def check_review_windows(command: list[str], cwd: Path, cache: Path) -> None:
    """Li3N 0-0.482 V and Li9N2Cl3 passivated to 0-1.669 V, each output naming the dataset."""
    [row] = json.loads(run_user(command, cwd, cache, "window", "Li3N", "--format", "json"))
    assert round(row["reduction_limit_V"], 3) == 0.0
    assert round(row["oxidation_limit_V"], 3) == 0.482
    assert row["dataset"] == DEFAULT_NAME
    text = run_user(command, cwd, cache, "window", "Li3N")
    assert text.splitlines()[0].startswith(f"dataset: {DEFAULT_DISPLAY}")
    text = run_user(command, cwd, cache, "window", "Li9N2Cl3", "--passivation")
    assert f"dataset: {DEFAULT_DISPLAY}" in text
    passivated = text.split("\npassivated")[1]
    assert "mp2019_band_gaps.csv.gz" in passivated.splitlines()[0]  # the embedded gaps
    [line] = [x for x in passivated.splitlines() if x.startswith("Li9N2Cl3")]
    assert line.split()[1:5] == ["0.000", "0.494", "0.000", "1.669"], line
    info = run_user(command, cwd, cache, "data", "info")
    assert f"default: {DEFAULT_NAME} (embedded default)" in info
    assert "mp2022_hull (embedded default)" in info
    # The converted cache went to the cache folder.
    assert list(cache.glob("mp2019_ground_states.csv.gz.*.npz"))


@pytest.mark.parametrize("cache_state", ["empty", "missing"])
def test_fresh_shell_anywhere_uses_the_embedded_default(tmp_path, cache_state):
    shared_file(EMBEDDED[0])  # fails clearly without ../shared/data
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    assert config.project_root() not in cwd.parents
    cache = tmp_path / "cache"
    if cache_state == "empty":
        cache.mkdir()
    script = Path(sys.executable).parent / "stability"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "stability"]
    check_review_windows(command, cwd, cache)


@pytest.mark.slow
def test_pip_installed_package_carries_the_embedded_default(tmp_path):
    """``pip install .`` (not editable) into a fresh venv (``tests/installs.py``): the wheel
    holds the three files, and the two windows come out with no data configured."""
    for name in EMBEDDED:
        shared_file(name)
    py, site = pip_install_copy(tmp_path)
    bundled = Path(site) / "stability" / "_bundled"
    for name in EMBEDDED:
        assert (bundled / name).read_bytes() == shared_file(name).read_bytes(), name
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    cache = tmp_path / "cache"
    cache.mkdir()
    where = run_user(
        [str(py), "-c", "import stability.config as c; print(c.embedded_data_dir())"], cwd, cache
    )
    assert where.strip() == str(bundled)
    check_review_windows([str(py.parent / "stability")], cwd, cache)
    assert not list(Path(site).rglob("*.npz"))  # caches never go inside site-packages


# ---------------------------------------------------------------- which source wins

LI_N = "formula,formation_energy_per_atom\nLi3N,{e}\nLiN3,-0.1\n"
GAPS = "formula,band_gap_eV\nLi3N,{gap}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """A small snapshot (with band gaps beside it) for each source: --data, STABILITY_DATA,
    entries pulled into the cache, and an embedded default of two datasets."""
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv(config.CACHE_ENV, str(cache))
    option = write(tmp_path / "option" / "option_data.csv", LI_N.format(e=-0.41))
    write(tmp_path / "option" / "properties" / "option_band_gaps.csv", GAPS.format(gap=1.0))
    env = write(tmp_path / "env" / "env_data.csv", LI_N.format(e=-0.42)).parent
    write(env / "properties" / "env_band_gaps.csv", GAPS.format(gap=2.0))
    pulled = read_snapshot(write(tmp_path / "p.csv", LI_N.format(e=-0.43)))
    pulled.meta.update(database_version="2025.09.25", thermo_type="GGA_GGA+U")
    cache.mkdir()
    write_table(cache / "mp-api.2025.09.25.Li-N.GGA_GGA+U.npz", pulled)
    write(cache / "properties" / "mp-api.2025.09.25.Li-N_band_gaps.csv", GAPS.format(gap=3.0))
    embedded = tmp_path / "embedded"
    write(embedded / "mp2019_ground_states.csv", LI_N.format(e=-0.44))
    write(embedded / "mp2022_hull.csv", LI_N.format(e=-0.45))
    gaps = embedded / "properties" / "mp2019_band_gaps.csv.gz"
    gaps.parent.mkdir()
    gaps.write_bytes(gzip.compress(GAPS.format(gap=4.0).encode()))
    monkeypatch.setattr(config, "embedded_data_dir", lambda: embedded)
    return {"option": option, "env": env, "cache": cache, "embedded": embedded}


def window_dataset(*args: str) -> str:
    res = CliRunner().invoke(cli, ["window", "Li3N", "--format", "json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)[0]["dataset"]


def test_data_option_beats_env_beats_pulled_beats_embedded(sources, monkeypatch):
    monkeypatch.setenv(config.DATA_ENV, str(sources["env"]))
    assert load_dataset(sources["option"]).name == "option_data"
    assert window_dataset("--data", str(sources["option"])) == "option_data"
    assert load_dataset().name == "env_data"
    assert window_dataset() == "env_data"
    assert load_band_gaps()["Li3N"] == 2.0

    monkeypatch.delenv(config.DATA_ENV)
    assert load_dataset().name == "mp-api 2025.09.25 GGA_GGA+U"
    assert window_dataset() == "mp-api 2025.09.25 GGA_GGA+U"
    assert load_band_gaps()["Li3N"] == 3.0
    # Pulled entries are one dataset: naming a dataset picks it from the embedded default.
    assert load_dataset(dataset="mp2022_hull").name == "mp2022_hull"
    assert load_dataset(dataset="mp2022_hull").display_name == "mp2022_hull, embedded default"

    for p in sources["cache"].glob("mp-api.*.npz"):
        p.unlink()
    assert load_dataset().name == DEFAULT_NAME
    assert load_dataset().display_name == DEFAULT_DISPLAY
    assert window_dataset() == DEFAULT_NAME
    assert window_dataset("--dataset", "mp2022_hull") == "mp2022_hull"
    assert load_band_gaps()["Li3N"] == 4.0
    from stability.entries.properties import resolve_gaps_path

    assert resolve_gaps_path() == sources["embedded"] / "properties/mp2019_band_gaps.csv.gz"
    res = CliRunner().invoke(cli, ["window", "Li3N", "--dataset", "nope"])
    assert res.exit_code == 1 and "available: mp2019_ground_states, mp2022_hull" in res.output
    assert "Traceback" not in res.output
    # Its converted caches go to the cache folder, never beside the embedded files.
    assert list(sources["cache"].glob("mp2019_ground_states.csv.*.npz"))
    assert not list(sources["embedded"].rglob("*.npz"))


def test_passivation_takes_the_band_gaps_of_the_source_that_won(sources, monkeypatch):
    def gaps_source(*args: str) -> str:
        res = CliRunner().invoke(cli, ["window", "Li3N", "--passivation", *args])
        assert res.exit_code == 0, res.output
        return res.output.split("; gaps ")[1].split(")")[0]

    monkeypatch.setenv(config.DATA_ENV, str(sources["env"]))
    assert gaps_source("--data", str(sources["option"])).endswith("option_band_gaps.csv")
    assert gaps_source().endswith("env_band_gaps.csv")
    monkeypatch.delenv(config.DATA_ENV)
    assert gaps_source() == str(sources["cache"] / "properties")
    for p in sources["cache"].glob("mp-api.*.npz"):
        p.unlink()
    assert gaps_source() == str(sources["embedded"] / "properties" / "mp2019_band_gaps.csv.gz")


def test_a_cached_table_names_the_file_read_now(tmp_path, monkeypatch):
    """The same bytes in two places share one cache file; each load names its own source
    (where its band gaps are looked up)."""
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    first = write(tmp_path / "a" / "x.csv", LI_N.format(e=-0.4))
    second = tmp_path / "b" / "x.csv"
    second.parent.mkdir()
    shutil.copy(first, second)
    assert load_dataset(first).meta["source"] == str(first)
    assert load_dataset(second).meta["source"] == str(second)
