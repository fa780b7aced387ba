"""On MP2020 entry files, every entry's energy above hull equals the value MP stored with it."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from stability.cli import cli

from .conftest import shared_file


@pytest.mark.parametrize(
    "name", ["mp2020_entries_Li-Co-Ni-O.json.gz", "mp2020_entries_Li-Fe-P-O.json.gz"]
)
@pytest.mark.parametrize("engine", ["fast", pytest.param("pymatgen", marks=pytest.mark.slow)])
def test_screen_all_reproduces_mp_e_above_hull(tmp_path, name, engine):
    path = shared_file(name)
    result = CliRunner().invoke(
        cli,
        ["screen", "--set", "all", "--data", str(path), "--out", str(tmp_path), "--engine", engine],
    )
    assert result.exit_code == 0, result.output
    got = pd.read_csv(tmp_path / "screen.csv", keep_default_na=False)
    with gzip.open(path) as fh:
        stored = json.load(fh)
    assert len(got) == len(stored)
    expected = pd.Series([e["e_above_hull"] for e in stored])
    assert got["material_id"].tolist() == [e["data"]["material_id"] for e in stored]
    diff = (pd.to_numeric(got["e_above_hull_eV_per_atom"]) - expected).abs()
    assert diff.max() < 1e-6
    # Li-bearing entries got windows; Li-free ones say why they have none.
    windowed = [("Li" in e["composition"]) and len(e["composition"]) > 1 for e in stored]
    limits = pd.to_numeric(got["reduction_limit_V"])
    assert (limits[windowed] >= 0).all() and limits[[not w for w in windowed]].isna().all()
    assert (got.loc[windowed, "error"] == "").all()
    assert got.loc[[not w for w in windowed], "error"].str.startswith("no window").all()
