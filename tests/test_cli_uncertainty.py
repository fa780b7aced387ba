"""Uncertainty, limit explanations and dataset comparison from the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from stability.cli import cli

from .conftest import shared_file


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def mp2022() -> str:
    return str(shared_file("mp2022_hull.csv.gz"))


@pytest.fixture(scope="module")
def mp2019() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


def test_window_json_has_uncertainty_keys(mp2022):
    res = run("window", "Li3N", "Li7La3Zr2O12", "--data", mp2022, "--format", "json")
    assert res.exit_code == 0, res.output
    li3n, llzo = json.loads(res.output)
    for row in (li3n, llzo):
        assert {
            "reduction_limit_std_V",
            "oxidation_limit_std_V",
            "reduction_limit_ci95_V",
            "oxidation_limit_ci95_V",
        } <= set(row)
        lo, hi = row["oxidation_limit_ci95_V"]
        assert lo <= row["oxidation_limit_V"] <= hi
    assert 0.001 < li3n["oxidation_limit_std_V"] < 0.01
    assert llzo["oxidation_limit_std_V"] > li3n["oxidation_limit_std_V"]  # peroxide correction
    off = json.loads(
        run("window", "Li3N", "--data", mp2022, "--format", "json", "--no-uncertainty").output
    )
    assert off[0]["oxidation_limit_std_V"] is None


def test_uncertainty_on_legacy_data_says_why(mp2019):
    quiet = json.loads(run("window", "Li3N", "--data", mp2019, "--format", "json").output)
    assert quiet[0]["oxidation_limit_std_V"] is None  # off by default: no uncertainties there
    res = run("window", "Li3N", "--data", mp2019, "--uncertainty")
    assert res.exit_code != 0 and "no correction uncertainties" in res.output
    res = run("screen", "--set", "halides", "--data", mp2019, "--uncertainty", "--out", "unused")
    assert res.exit_code != 0 and "no correction uncertainties" in res.output


def test_interface_reaction_energy_std(mp2022):
    res = run("interface", "Li3N", "LiCoO2", "--data", mp2022, "--format", "json")
    body = json.loads(res.output)
    assert body["reaction_energy_std_meV_per_atom"] > 0
    lo, hi = body["reaction_energy_ci95_meV_per_atom"]
    assert lo <= body["reaction_energy_meV_per_atom"] <= hi


def test_explain_names_the_deciding_phases(mp2019):
    res = run("window", "Li2PO2N", "--data", mp2019, "--explain", "--format", "json")
    row = json.loads(res.output)[0]
    ox = row["oxidation_sensitivity"]
    assert ox["reaction"].startswith("Li2PNO2 -> ")
    assert ox["decisive_phase"] in ox["products"] and 0 < ox["margin_meV_per_atom"] < 50
    text = run("window", "Li2PO2N", "--data", mp2019, "--explain").output
    assert "decides by" in text and "oxidation limit" in text


def test_compare_two_datasets(mp2019, mp2022, tmp_path):
    res = run(
        "compare",
        "Li3N",
        "LiBr",
        "Li3PS4",
        "--data",
        mp2019,
        "--data",
        mp2022,
        "--out",
        str(tmp_path),
        "--format",
        "csv",
    )
    assert res.exit_code == 0, res.output
    long = pd.read_csv(tmp_path / "compare.csv")
    diff = long[long["dataset"] == "mp2022_hull"].set_index("label")
    # MP2020's Br anion correction (absent from the legacy scheme) moves LiBr's oxidation up by
    # about its value, -0.534 eV per Br atom.
    assert diff.loc["LiBr", "oxidation_shift_V"] == pytest.approx(0.534, abs=0.03)
    assert "+N2" in diff.loc["Li3N", "oxidation_products_changed"]
    assert not (tmp_path / "differences.csv").exists()
    assert set(long["dataset"]) == {"mp2019_ground_states", "mp2022_hull"}
    assert long.loc[long["dataset"] == "mp2019_ground_states", "oxidation_limit_std_V"].isna().all()
    assert (tmp_path / "compare.png").stat().st_size > 20_000
    assert run("compare", "Li3N", "--data", mp2019).exit_code != 0


def test_compare_pairs_data_with_datasets(mp2019, mp2022):
    shared = str(shared_file("mp2019_ground_states.csv.gz").parent)
    res = run(
        "compare",
        "Li3N",
        "--data",
        shared,
        "--data",
        shared,
        "--dataset",
        "mp2019_ground_states",
        "--dataset",
        "mp2022_hull",
        "--format",
        "csv",
    )
    assert res.exit_code == 0, res.output
    assert "oxidation_shift_V" in res.output.splitlines()[0].split(",")
    same = run("compare", "Li3N", "--data", mp2019, "--data", mp2019)
    assert same.exit_code != 0 and "must differ" in same.output
