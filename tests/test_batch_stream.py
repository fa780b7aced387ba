"""Streaming batches: interface rows in order whatever the processes, tables written as they
come (CSV as the whole-frame writer writes it, Parquet), and tasks that pickle small."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from stability.analysis.interfaces.interface import iter_interface_rows, pair_rows, scan_interface
from stability.cli import cli
from stability.io import tables
from stability.io.formats import to_csv

from .conftest import shared_file

LEFT = [("beta-Li3N", "Li3N"), ("LiPON", "Li2PO2N")]
RIGHT = [("LiCoO2", "LiCoO2"), ("Li3PS4", "Li3PS4"), ("bad", "LiXx2")]


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


def test_rows_come_in_matrix_order_whatever_the_jobs(fast2019):
    voltages = [0.0, 2.5, 4.0]
    one = list(iter_interface_rows(fast2019, LEFT, RIGHT, voltages, jobs=1))
    two = list(iter_interface_rows(fast2019, LEFT, RIGHT, voltages, jobs=2))
    assert one == two
    order = [(r["reactant_a"], r["reactant_b"], r["voltage_V"]) for r in one]
    assert order == [(a, b, v) for a, _ in LEFT for b, _ in RIGHT for v in voltages]
    bad = [r for r in one if r["reactant_b"] == "bad"]
    assert len(bad) == 6 and all("unknown element" in r["error"] for r in bad)
    # Each row is the scan of its pair at that voltage.
    scan = scan_interface(fast2019, "Li3N", "LiCoO2", voltages).to_dataframe()
    key = "total_reaction_energy_meV_per_non_ion_atom"
    assert [r[key] for r in one[:3]] == scan[key].tolist()


def test_row_writer_writes_what_to_csv_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "BATCH_ROWS", 3)  # several chunks, some all-empty columns
    rows = [
        {"name": "a", "x": 1.0, "y": None, "note": ""},
        {"name": "b", "x": float("nan"), "y": None, "note": "why"},
        {"name": "c", "x": -0.5, "y": None, "note": ""},
        {"name": "d", "x": 2.0, "y": 3.25, "note": ""},
        {"name": "e", "x": 1e-9, "y": None, "note": "x;y"},
    ]
    cols = ["name", "x", "y", "note"]
    writer = tables.RowWriter(tmp_path / "t", cols, {"name", "note"}, ["csv", "parquet"])
    for row in rows:
        writer.add(row)
    paths = writer.close()
    assert [p.name for p in paths] == ["t.csv", "t.parquet"]
    expected = to_csv(pd.DataFrame(rows, columns=cols))
    assert (tmp_path / "t.csv").read_text() == expected
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back["name"].tolist() == list("abcde") and back["note"].tolist()[1] == "why"
    assert back["x"].dtype == np.float64 and math.isnan(back["x"][1]) and back["y"][3] == 3.25
    # No temporary files left.
    assert set(tmp_path.iterdir()) == {tmp_path / "t.csv", tmp_path / "t.parquet"}


def test_interfaces_scan_jobs_and_formats(data, tmp_path, monkeypatch):
    from stability.commands import interface as command

    sets = tmp_path / "left.txt", tmp_path / "right.txt"
    sets[0].write_text("Li3N\nLi2PO2N\n")
    sets[1].write_text("LiCoO2\nLi3PS4\n")
    args = ["interfaces", "--left", str(sets[0]), "--right", str(sets[1]), "--data", data]
    args += ["--scan", "0:4:1"]
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        res = CliRunner().invoke(
            cli, [*args, "--jobs", jobs, "--table-format", "both", "--out", str(out)]
        )
        assert res.exit_code == 0, res.output
        assert "4 pairs x 5 voltages (0 rows failed)" in res.output
        assert not (out / "interfaces.png").exists()  # scans have no heatmap
        runs[jobs] = [(out / n).read_bytes() for n in ("interfaces.csv", "interfaces.parquet")]
    assert runs["1"] == runs["2"]
    frame = pd.read_csv(tmp_path / "j1" / "interfaces.csv", keep_default_na=False)
    assert len(frame) == 20 and frame["voltage_V"].tolist()[:5] == [0, 1, 2, 3, 4]
    # Beyond the CSV limit, auto writes Parquet only.
    monkeypatch.setattr(command, "CSV_MAX_ROWS", 10)
    res = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "big")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "big").iterdir()) == ["interfaces.parquet"]
    big = pd.read_parquet(tmp_path / "big" / "interfaces.parquet")
    assert len(big) == 20 and big["formula_a"].tolist()[0] == "Li3N"


def test_tasks_carry_engines_by_reference(fast2019):
    from stability.analysis.runtime.cluster import dumps

    for fn in (partial(pair_rows, fast2019, [None]), lambda item: (fast2019, item)):
        seen: dict = {}
        payload = dumps((fn, [(0, ("a", "Li3N", "b", "LiF"))]), seen)
        assert list(seen) == [fast2019.table.fingerprint]
        assert len(payload) < 20_000  # the dataset itself is megabytes
