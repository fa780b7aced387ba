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
    assert set(classes["class"]) == {
        "nitride",
        "fluoride",
        "chloride",
        "bromide",
        "iodide",
        "oxide",
        "sulfide",
    }
    assert classes["is_binary"].sum() == 7
    # Sodium's: Na-M-X ternaries and the Na binaries, V vs Na/Na+.
    na = pd.read_csv(tmp_path / "windows_by_class_Na.csv")
    assert set(na["ion"]) == {"Na"} and set(na["class"]) == set(classes["class"])
    assert sorted(na.loc[na["is_binary"], "formula"]) == sorted(
        ["Na3N", "NaF", "NaCl", "NaBr", "NaI", "Na2O", "Na2S"]
    )
    assert all("Na" in f for f in na["formula"]) and len(na) > 50
    # Moisture from a dry room to ambient air: every electrolyte of the bars at 5 conditions;
    # Li3N releases NH3 at each, LiCl reacts at none.
    dry = pd.read_csv(tmp_path / "dry_room.csv")
    assert len(dry) == 5 * dry["formula"].nunique() and dry["formula"].nunique() >= 15
    li3n_rows = dry[dry["formula"] == "Li3N"]
    assert (li3n_rows["toxic_released_gases"] == "NH3").all()
    assert (dry.loc[dry["formula"] == "LiCl", "reaction_energy_eV_per_reactant_gas"] == 0).all()


def test_large_matrices_render_at_bounded_resolution(tmp_path):
    from stability.plotting.export import MAX_PIXELS, raster_dpi, save_figure
    from stability.plotting.heatmap import plot_matrix

    rows = [
        {
            "reactant_a": f"A{i}",
            "reactant_b": f"B{j}",
            "reaction_energy_meV_per_atom": -float(i * j),
        }
        for i in range(62)
        for j in range(23)
    ]
    fig = plot_matrix(pd.DataFrame(rows), "62 x 23")
    w, h = fig.get_size_inches()
    assert w * h * raster_dpi(fig) ** 2 <= MAX_PIXELS * 1.001
    png = save_figure(fig, tmp_path / "m.png")
    assert png.stat().st_size > 100_000
