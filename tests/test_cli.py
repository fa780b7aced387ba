"""The command line: output formats, figures, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from stability.cli import cli

from .conftest import shared_file

WINDOW_KEYS = {
    "formula",
    "reduced_formula",
    "reduction_limit_V",
    "oxidation_limit_V",
    "reduction_products",
    "oxidation_products",
    "e_above_hull_eV_per_atom",
    "placed_on_hull",
    "dataset",
}


def run(*args: str):
    return CliRunner().invoke(cli, [*args])


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


def test_window_json(data):
    res = run("window", "Li3N", "Li9N2Cl3", "--data", data, "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["formula"] for r in rows] == ["Li3N", "Li9N2Cl3"]
    assert set(rows[0]) >= WINDOW_KEYS
    li3n, lnc = rows
    assert li3n["reduction_limit_V"] == 0.0 and li3n["oxidation_limit_V"] == pytest.approx(
        0.48, abs=0.02
    )
    assert li3n["oxidation_products"] == ["LiN3"] and li3n["reduction_products"] == []
    assert li3n["placed_on_hull"] is False and li3n["e_above_hull_eV_per_atom"] == 0.0
    # Absent from the dataset: placed on the hull, no energy above hull.
    assert lnc["placed_on_hull"] is True and lnc["e_above_hull_eV_per_atom"] is None
    assert lnc["dataset"] == "mp2019_ground_states"


def test_window_table_says_what_was_placed(data):
    res = run("window", "Li9N2Cl3", "--data", data)
    assert res.exit_code == 0
    assert "reduction (V)" in res.output and "placed" in res.output.splitlines()[-1]


def test_window_csv_and_env_var(data, monkeypatch):
    monkeypatch.setenv("STABILITY_DATA", data)
    res = run("window", "Li3PS4", "--format", "csv")
    assert res.exit_code == 0, res.output
    header, row = res.output.strip().splitlines()
    assert header.startswith(
        "label,formula,class,reduced_formula,ion,reduction_limit_V,oxidation_limit_V"
    )
    assert row.startswith("Li3PS4,Li3PS4,sulfide,Li3PS4,Li,1.72")


def test_engines_agree_on_cli(data):
    fast = json.loads(run("window", "Li6PS5Cl", "--data", data, "--format", "json").output)[0]
    ref = json.loads(
        run("window", "Li6PS5Cl", "--data", data, "--format", "json", "--engine", "pymatgen").output
    )[0]
    assert fast["engine"] == "fast" and ref["engine"] == "pymatgen"
    for key in ("reduction_limit_V", "oxidation_limit_V"):
        assert fast[key] == pytest.approx(ref[key], abs=1e-3)
    assert fast["oxidation_products"] == ref["oxidation_products"]


def test_profile_json_and_plot(data, tmp_path):
    png = tmp_path / "p.png"
    res = run("profile", "Li9N2Cl3", "--data", data, "--format", "json", "--plot", str(png))
    assert res.exit_code == 0, res.output
    body = json.loads(res.output[: res.output.rindex("}") + 1])
    steps = body["steps"]
    assert steps[0]["voltage_low_V"] == 0.0 and steps[0]["is_pristine"]
    volts = [s["voltage_low_V"] for s in steps]
    assert volts == sorted(volts)
    li = [s["ion_per_formula_unit"] for s in steps]
    assert li == sorted(li, reverse=True)  # Li is released as the voltage rises
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


BAD = [
    (["window", "Xx2O"], "unknown element"),
    (["window", ""], "empty formula"),
    (["window", "Li0N"], "zero amount"),
    (["window", "Li-2N"], "cannot parse"),
    (["window", "Li3N)"], "cannot parse"),
    (["window", "NaCl"], "contains no Li"),
    (["window", "Li"], "Li metal"),
    (["window", "LiOg"], "Og"),
    (["profile", "Xx"], "Xx"),
    (["window", "Li3N", "--engine", "nope"], "nope"),
    (["screen", "--set", "nope"], "unknown set"),
    (["profile", "Li3N", "--plot", "p.txt"], "cannot write a figure to p.txt"),
    (["interface", "Li3N", "LiCoO2", "--plot", "x.docx"], "cannot write a figure"),
    (["window", "Li3N", "--dataset", "mp2022_hull"], "is a file"),
    (["window", "Li3N", "--explain", "--engine", "pymatgen"], "fast engine only"),
    (["air", "Xx2O"], "unknown element"),
    (["air", "Li2O", "--humidity", "-5"], "--humidity must be"),
    (["air", "Li2O", "--humidity", "25", "--dew-point", "-50"], "give one of"),
    (["air", "Li2O", "--temperature", "2500"], "--temperature must be"),
    (["air", "Li2O", "--released-ppm", "0"], "--released-ppm must be"),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_bad_input_is_one_line(data, args, message):
    res = run(*args, "--data", data)
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert message in res.output
    lines = [line for line in res.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "empty"),
        (b"\x1f\x8b\x08\x00garbage", "corrupt"),
        (b"a,b\n1,2\n", "not a known snapshot format"),
        (b"[1, 2]", "not a list of entry"),
    ],
)
def test_bad_data_files(tmp_path, content, message):
    path = tmp_path / "snap.csv.gz"
    if content is not None:
        path.write_bytes(content)
    res = run("window", "Li3N", "--data", str(path))
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert message in res.output, res.output


def test_profile_reactions_balance_for_the_formula_as_written(data):
    res = run("profile", "Li6N2", "--data", data, "--format", "json")
    steps = json.loads(res.output)["steps"]
    assert steps[0]["reaction"] == "Li6N2 -> 2 Li3N"
    assert steps[-1]["reaction"] == "Li6N2 -> 1 N2 + 6 Li"


def test_output_into_a_closed_pipe_is_quiet(data):
    import subprocess
    import sys

    cmd = (
        f"{sys.executable} -m stability interface Li3N LiCoO2 --scan 0:5:0.01 --data {data}"
        " | head -n 1"
    )
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("Li3N | LiCoO2")
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_many_inputs_some_bad(data):
    """Good inputs are computed, each bad one reported on its own line, status 3."""
    res = run("window", "Li3N", "Co3O4", "Li3PS4", "Xx2", "--data", data)
    assert res.exit_code == 3, res.output
    out = res.stdout
    assert "Li3N " in out and "Li3PS4 " in out and "Traceback" not in res.output
    errors = [line for line in res.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 2
    assert errors[0].startswith("Error: Co3O4 contains no Li") and "Xx2" in errors[1]
    rows = json.loads(run("window", "Li3N", "Co3O4", "--data", data, "--format", "json").stdout)
    assert [r["label"] for r in rows] == ["Li3N", "Co3O4"]
    assert rows[0]["error"] is None and rows[0]["oxidation_limit_V"] > 0.4
    assert set(rows[1]) == {"label", "ion", "dataset", "temperature_K", "error"}
    assert rows[1]["temperature_K"] is None
    assert "contains no Li" in rows[1]["error"] and rows[1]["ion"] == "Li"


def test_all_inputs_bad_still_reports_each(data):
    res = run("window", "NaCl", "KBr", "--data", data, "--format", "csv")
    assert res.exit_code == 1  # nothing computed: status 1, as for any bad input
    assert (
        res.stdout.splitlines()[0].startswith("label,formula,class,")
        and len(res.stdout.splitlines()) == 3
    )
    assert res.stderr.count("Error: ") == 2


def test_names_work_wherever_a_formula_does(data):
    """Catalogue names resolve in every command and the output shows name and formula."""
    res = run("window", "LGPS", "LiPON", "--data", data, "--format", "json")
    assert res.exit_code == 0, res.output
    lgps, lipon = json.loads(res.stdout)
    assert (lgps["label"], lgps["formula"]) == ("LGPS", "Li10GeP2S12")
    assert (lipon["label"], lipon["formula"]) == ("LiPON", "Li2PO2N")  # never Li:P:O:N 1:1:1:1
    assert lipon["reduction_limit_V"] == pytest.approx(0.68, abs=0.02)
    table = run("window", "LGPS", "--data", data).stdout
    assert "material" in table and "LGPS" in table and "Li10GeP2S12" in table
    body = json.loads(
        run("interface", "beta-Li3N", "LCO", "--data", data, "--format", "json").stdout
    )
    assert (body["reactant_a"], body["formula_a"]) == ("beta-Li3N", "Li3N")
    assert body["formula_b"] == "LiCoO2"
    assert "Li6PS5Cl" in run("profile", "argyrodite", "--data", data).stdout


def test_decomposition_of_many_inputs_some_bad(data):
    res = run("decomposition", "Li3N", "Co3O4", "--voltage", "1", "--data", data, "--format", "csv")
    assert res.exit_code == 3, res.output
    assert res.stdout.splitlines()[1].startswith("Li3N,Li3N,Li,1.0")
    assert res.stderr.startswith("Error: Co3O4 contains no Li")


def test_bad_hull_path_setting_is_a_one_line_warning():
    # The settings are read at import, before the command line can report an error.
    import os
    import subprocess
    import sys

    env = {**os.environ, "STABILITY_QHULL_MIN_ELEMENTS": "four"}
    code = "from stability import config; print(config.QHULL_MIN_ELEMENTS)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "5"
    assert proc.stderr.strip().splitlines() == [
        "warning: STABILITY_QHULL_MIN_ELEMENTS='four' is not a whole number; using 5"
    ]
