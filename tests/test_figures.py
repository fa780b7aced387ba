"""`stability figures` writes the review's five figures (PNG and PDF) with their tables."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from stability.cli import cli
from stability.plotting.figures import FIGURES

from .conftest import shared_file


def test_figures_regenerate(tmp_path):
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    res = CliRunner().invoke(cli, ["figures", "--data", data, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for name in FIGURES:
        png, pdf = tmp_path / f"{name}.png", tmp_path / f"{name}.pdf"
        assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 20_000, name
        assert pdf.read_bytes()[:4] == b"%PDF", name
        assert (tmp_path / f"{name}.csv").exists()
    bars = pd.read_csv(tmp_path / "window_bars.csv")
    li3n = bars.set_index("formula").loc["Li3N"]
    assert li3n["reduction_limit_V"] == 0.0 and abs(li3n["oxidation_limit_V"] - 0.48) < 0.02
    classes = pd.read_csv(tmp_path / "windows_by_class.csv")
    assert set(classes["class"]) == {"nitride", "fluoride", "chloride", "bromide", "iodide", "oxide", "sulfide"}
    assert classes["is_binary"].sum() == 7
