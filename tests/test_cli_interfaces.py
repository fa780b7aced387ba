"""The interface commands: JSON shape, scans, matrices and their errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from stability.cli import cli

from .conftest import shared_file

KEYS = {
    "reactant_a",
    "reactant_b",
    "voltage_V",
    "mixing_ratio",
    "reaction_energy_meV_per_atom",
    "products",
    "reaction",
    "kinks",
    "reactant_energies",
}


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_interface_json_closed_and_open(data):
    closed = json.loads(
        run("interface", "Li3N", "LiCoO2", "--data", data, "--format", "json").output
    )
    assert set(closed) >= KEYS
    assert closed["voltage_V"] is None and closed["reactant_energies"] == "hull"
    assert closed["reaction_energy_meV_per_atom"] < -100
    assert {"mixing_ratio", "reaction_energy_meV_per_atom", "products"} <= set(closed["kinks"][0])
    assert (
        min(k["reaction_energy_meV_per_atom"] for k in closed["kinks"])
        == closed["reaction_energy_meV_per_atom"]
    )
    opened = json.loads(
        run(
            "interface", "Li3N", "LiCoO2", "--voltage", "3", "--data", data, "--format", "json"
        ).output
    )
    assert opened["voltage_V"] == 3.0
    # With Li open every energy says it is per non-Li atom; no key keeps the closed name.
    assert "reaction_energy_meV_per_atom" not in opened
    assert opened["reaction_energy_meV_per_non_ion_atom"] != pytest.approx(
        closed["reaction_energy_meV_per_atom"]
    )
    assert opened["decomposition_a_meV_per_non_ion_atom"] < 0  # Li3N is oxidised at 3 V alone
    # The total adds each side's own decomposition: never above the mutual energy.
    assert (
        opened["total_reaction_energy_meV_per_non_ion_atom"]
        <= opened["reaction_energy_meV_per_non_ion_atom"]
    )
    assert {
        "reaction_energy_meV_per_non_ion_atom",
        "total_reaction_energy_meV_per_non_ion_atom",
    } <= set(opened["kinks"][0])


def test_own_energy_option_changes_metastable_reactant(data):
    hull = json.loads(
        run("interface", "Li6PS5Cl", "Li3N", "--data", data, "--format", "json").output
    )
    own = json.loads(
        run(
            "interface", "Li6PS5Cl", "Li3N", "--data", data, "--format", "json", "--own-energy"
        ).output
    )
    assert own["reactant_energies"] == "own"
    # Li6PS5Cl is above the hull in mp2019: its own energy makes the reaction more negative.
    assert own["reaction_energy_meV_per_atom"] < hull["reaction_energy_meV_per_atom"] - 1


def test_scan_csv_and_plot(data, tmp_path):
    png = tmp_path / "scan.png"
    res = run(
        "interface",
        "Li3N",
        "LiCoO2",
        "--scan",
        "0:5:0.5",
        "--data",
        data,
        "--format",
        "csv",
        "--plot",
        str(png),
    )
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if ln and not ln.startswith("wrote")]
    frame = pd.DataFrame([ln.split(",") for ln in lines[1:]], columns=lines[0].split(","))
    assert frame["voltage_V"].astype(float).tolist() == pytest.approx([0.5 * i for i in range(11)])
    assert (frame["reaction_energy_meV_per_non_ion_atom"].astype(float) <= 1e-9).all()
    assert "reaction_energy_meV_per_atom" not in frame.columns
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_matrix_writes_csv_and_heatmap(data, tmp_path):
    res = run(
        "interfaces",
        "--left",
        "nitride-sses",
        "--right",
        "cathodes",
        "--voltage",
        "3",
        "--data",
        data,
        "--out",
        str(tmp_path),
    )
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(tmp_path / "interfaces.csv", keep_default_na=False)
    assert len(frame) == 4 * 7
    assert set(frame["reactant_a"]) == {"beta-Li3N", "Li9N2Cl3", "LiPON", "Li7N2I"}
    assert (frame["error"] == "").all()
    assert (tmp_path / "interfaces.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["interface", "Li3N", "LiCoO2", "--scan", "5:0:1"], "bad scan"),
        (["interface", "Li3N", "LiCoO2", "--scan", "a:b"], "bad scan"),
        (["interface", "Li3N", "LiCoO2", "--voltage", "99"], "outside the range"),
        (["interface", "Li3N", "LiCoO2", "--voltage", "1", "--scan", "0:1:1"], "not both"),
        (["interface", "NaCl", "KBr", "--voltage", "1"], "has no Li"),
        (["interface", "Li3N", "Qq"], "unknown element"),
        (["interfaces", "--left", "nope", "--right", "cathodes"], "unknown set"),
        (["interfaces", "--left", "missing.txt", "--right", "cathodes"], "does not exist"),
    ],
)
def test_interface_errors(data, args, message):
    res = run(*args, "--data", data)
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert message in res.output, res.output


def test_matrix_of_combined_sets(data, tmp_path):
    res = run(
        "interfaces",
        "--left",
        "nitride-sses",
        "--right",
        "cathodes,sulfides,halides",
        "--voltage",
        "0",
        "--data",
        data,
        "--out",
        str(tmp_path),
    )
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(tmp_path / "interfaces.csv", keep_default_na=False)
    assert len(frame) == 4 * (7 + 6 + 10) and (frame["error"] == "").all()
    # Even against Li metal, Li3N and LiCl react: they form the nitride chloride Li4NCl.
    li3n_licl = frame[(frame["formula_a"] == "Li3N") & (frame["formula_b"] == "LiCl")].iloc[0]
    assert li3n_licl["reaction_energy_meV_per_non_ion_atom"] < -5
    assert li3n_licl["products"] == "Li4NCl"


def test_matrix_records_a_failing_pair(data, tmp_path):
    left = tmp_path / "left.txt"
    left.write_text("Li3N\nLiXx\n# a comment\n")
    res = run(
        "interfaces",
        "--left",
        str(left),
        "--right",
        "catholytes",
        "--data",
        data,
        "--out",
        str(tmp_path),
    )
    # The good pairs are written; the bad ones are reported and the status says so.
    assert res.exit_code == 3, res.output
    assert "Error: LiXx | Li3InCl6: " in res.output and "Traceback" not in res.output
    frame = pd.read_csv(tmp_path / "interfaces.csv", keep_default_na=False)
    bad = frame[frame["formula_a"] == "LiXx"]
    assert len(bad) == 5 and bad["error"].str.contains("unknown element").all()
    assert (frame.loc[frame["formula_a"] == "Li3N", "error"] == "").all()


def test_scan_never_passes_stop():
    from stability.analysis.interfaces.interface import parse_scan

    assert parse_scan("0:5:0.3")[-1] == pytest.approx(4.8)
    assert parse_scan("0:10:0.6")[-1] <= 10
    assert parse_scan("0:5:0.1")[-1] == pytest.approx(5.0) and len(parse_scan("0:5:0.1")) == 51


def test_matrix_where_every_pair_fails_is_one_line(data, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("LiXx\n")
    for args in (["--left", "nitride-sses", "--voltage", "20"], ["--left", str(bad)]):
        res = run(
            "interfaces", *args, "--right", "cathodes", "--data", data, "--out", str(tmp_path)
        )
        assert res.exit_code != 0 and "Traceback" not in res.output and "internal" not in res.output
