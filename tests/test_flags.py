"""Products a chemist believes (issue 25): flags on likely artefacts, leaving phases out of
every hull, and the other bundled release beside a result."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

import stability
from stability.analysis.materials import flags as F
from stability.cli import cli
from stability.entries.table import FORMATION, EntryTable
from stability.thermo.engines import make_engine

from .conftest import shared_file

WELL_KNOWN = ["Li2S", "Li3P", "LiCl", "LiF", "Li3N", "Li2O", "Li3PO4", "N2", "O2", "S", "Li", "In"]


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


@pytest.fixture(scope="module")
def table(data):
    return stability.load_dataset(data)


def test_charge_balance_catches_molecular_and_polyanion_phases():
    for f in ("IN4", "CS14", "LiS4", "LiN3", "P2S7"):
        assert not F.charge_balanced(f), f
    # mixed valence of d-block and post-transition metals, Zintl phases, alloys: balanced
    for f in ("Li3PS4", "Co3O4", "Fe3O4", "In7Cl9", "Li3P7", "LiIn", "Li2PNO2", "LiNO3"):
        assert F.charge_balanced(f), f


def test_well_known_products_are_never_flagged(table):
    assert F.flag_phases(table, WELL_KNOWN) == []
    other = stability.load_dataset(shared_file("mp2022_hull.csv.gz"))
    assert F.flag_phases(other, WELL_KNOWN) == []


def test_experimental_set_is_evidence_against_a_flag(table):
    # the peroxide Li2O2 and superoxide KO2 fail the charge balance but have measured
    # formation enthalpies; LiO2 has none
    assert not F.charge_balanced("Li2O2") and not F.charge_balanced("KO2")
    assert F.flag_phases(table, ["Li2O2", "KO2"]) == []
    assert [f["formula"] for f in F.flag_phases(table, ["LiO2"])] == ["LiO2"]


def test_release_is_named_by_content_not_by_file_name(tmp_path, data):
    copy = tmp_path / "my_snapshot.csv.gz"
    shutil.copy(data, copy)
    renamed = stability.load_dataset(copy)
    assert renamed.name == "my_snapshot"
    assert F.release_of(renamed) == "mp2019_ground_states"
    reasons = F.phase_reasons(renamed, "LiN3")
    assert any("release: not on the hull of mp2022_hull" in r for r in reasons)


def test_window_rows_carry_flags_without_well_known_products(table):
    engine = make_engine(table)
    for f in ("Li3PS4", "Li3N", "Li2PO2N", "Li3InCl6"):
        w = stability.compute_window(engine, f)
        assert isinstance(w.flagged_products, list)
        assert not {x["formula"] for x in w.flagged_products} & set(WELL_KNOWN), f
        assert "flagged_products" in w.to_dataframe().columns
    w = stability.compute_window(engine, "Li3N")
    assert [x["formula"] for x in w.flagged_products] == ["LiN3"]


def test_window_li3n_names_mp2022_and_its_answer(data):
    res = run("window", "Li3N", "--data", data, "--format", "json")
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    (flag,) = row["flagged_products"]
    assert flag["formula"] == "LiN3"
    assert "mp2022_hull" in flag["reason"] and "0.606 V into N2" in flag["reason"]
    assert row["other_release"] == "mp2022_hull"
    assert row["release_note"].startswith("mp2022_hull: oxidation limit 0.606 V into N2")
    text = run("window", "Li3N", "--data", data).stdout
    assert "LiN3*" in text and "* LiN3: charge:" in text and "release: mp2022_hull" in text


def test_interface_flags_in4_and_exclude_removes_it(data):
    args = ["interface", "Li7N2I", "Li6PS5Cl", "--voltage", "2", "--data", data]
    res = run(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    flags = json.loads(res.stdout)["flagged_products"]
    assert [f["formula"] for f in flags] == ["IN4"] and flags[0]["reason"].startswith("charge:")
    res = run(*args, "--format", "json", "--exclude", "IN4")
    assert res.exit_code == 0, res.output
    assert "IN4" not in res.stdout
    assert "left out of the hulls (mp2019_ground_states): IN4 (--exclude)" in res.stderr


def test_interface_with_co2_flags_cs14(data):
    res = run("interface", "Li6PS5Cl", "CO2", "--data", data, "--format", "json")
    payload = json.loads(res.stdout)
    assert "CS14" in [f["formula"] for f in payload["flagged_products"]]
    assert payload["release_note"].startswith("mp2022_hull:")


def test_exclude_flagged_recomputes_without_them(data):
    res = run("window", "Li3N", "--data", data, "--exclude-flagged", "--format", "json")
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert row["oxidation_products"] == ["N2"] and row["flagged_products"] == []
    assert row["oxidation_limit_V"] == pytest.approx(0.6142, abs=1e-3)
    assert "LiN3 (flagged: charge, release)" in res.stderr


@pytest.mark.parametrize(
    "bad, message",
    [("Li", "an element cannot be left out"), ("Li7N", "has no phase Li7N"), ("Xq2", "")],
)
def test_exclude_bad_input_is_one_line(data, bad, message):
    res = run("window", "Li3N", "--data", data, "--exclude", bad)
    assert res.exit_code == 1
    assert "Traceback" not in res.output and res.output.startswith("Error:")
    assert message in res.output


def _table(rows: list[tuple[dict[str, float], float, float]]) -> EntryTable:
    return EntryTable.from_records(
        [c for c, _, _ in rows],
        [e for _, e, _ in rows],
        {"name": "toy", "energy_kind": FORMATION},
        reported_hull_distance=[d for _, _, d in rows],
    )


def test_leaving_out_a_phase_drops_stale_hints():
    """B sits 20 meV/atom above the A-X tie line when A is there: reported above the hull.
    With A left out B is on the hull, and a stale hint must not hide it."""
    rows = [
        ({"Li": 1, "N": 1}, -1.0, 0.0),  # A: LiN
        ({"Li": 2, "N": 1}, -0.65, 0.02),  # B: Li2N, above the Li-LiN line by 20 meV/atom
        ({"Li": 1, "N": 2}, -0.5, 0.1),  # far above
    ]
    toy = _table(rows)
    engine = make_engine(toy, exclude=["LiN"])
    data = engine.select(["Li", "N"])
    assert "LiN" not in {str(f) for f in data.formula}
    # B's and the others' hints are gone: their hull distance was computed with A present
    assert np.isnan(data.hull_distance[data.rows >= 0]).all()
    point = engine.locate({"Li": 2, "N": 1})
    assert point.hull.is_vertex  # B is on the hull without A
    assert stability.compute_window(make_engine(toy), "Li2N").placed_on_hull


def test_exclude_in_python_and_left_out_record(table):
    engine = make_engine(table, exclude=["LiN3"])
    w = stability.compute_window(engine, "Li3N")
    assert w.oxidation_products == ["N2"]
    assert engine.left_out == {"LiN3": "--exclude"}


def test_decomposition_and_profile_rows_carry_flags(table):
    """Every result that lists phases flags them: decomposition rows and profile steps too."""
    engine = make_engine(table)
    [at5] = stability.compute_decompositions(engine, ["Li3PS4"], [5.0]).results
    assert [f["formula"] for f in at5.flagged_products] == ["P2S7"]
    row = stability.compute_decompositions(engine, ["Li3PS4"], [5.0]).to_dataframe().iloc[0]
    assert row["flagged_products"].startswith("P2S7 (charge:")
    profile = stability.compute_profile(engine, "Li3N")
    flagged = [r["flagged_products"] for r in profile.rows()]
    assert flagged[0] == "" and flagged[1].startswith("LiN3 (") and flagged[2] == ""
    assert [f["formula"] for f in profile.to_dict()["steps"][1]["flagged_products"]] == ["LiN3"]


def test_cell_faces_and_layers_carry_flags(data):
    """A cell's faces flag their products (beta-Li3N | Li3InCl6 forms LiN3), marked * in the
    table with a footnote; its layers carry their windows' flags."""
    from pathlib import Path

    spec = Path(__file__).resolve().parents[1] / "examples" / "cells" / "Li3InCl6_pouch.toml"
    res = run("cell", str(spec), "--data", data, "--format", "json")
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    [face] = [i for i in payload["interfaces"] if i["right"] == "Li3InCl6"]
    assert "LiN3" in face["products"]
    assert "LiN3" in [f["formula"] for f in face["flagged_products"]]
    layers = [x["stability"] for x in payload["layers"] if x.get("stability")]
    assert any("LiN3" in [f["formula"] for f in x["flagged_products"]] for x in layers)
    table = run("cell", str(spec), "--data", data).stdout
    assert "LiN3*" in table and "\n* LiN3: " in table


def test_compare_leaves_phases_out_too(data):
    """compare takes --exclude like every command that builds hulls."""
    mp2022 = str(shared_file("mp2022_hull.csv.gz"))
    args = ["compare", "Li3N", "--data", data, "--data", mp2022, "--format", "json"]
    before, after = (json.loads(run(*args, *extra).stdout) for extra in ([], ["--exclude", "LiN3"]))
    assert before[0]["oxidation_products"] == ["LiN3"]
    assert "LiN3" not in after[0]["oxidation_products"]
    assert after[0]["oxidation_limit_V"] > before[0]["oxidation_limit_V"] + 0.1


def test_interlayer_candidates_carry_flags(table):
    """An interlayer candidate flags the products of its reactions (Li6UO6 against
    beta-Li3N forms LiN3), in JSON rows and as text in the table."""
    engine = make_engine(table)
    ranking = stability.rank_interlayers(
        engine, "Li3N", "Li3InCl6", [("Li6UO6", "Li6UO6"), ("LiF", "LiF")]
    )
    rows = {r["formula"]: r for r in ranking.to_dict()["candidates"]}
    assert "LiN3" in [f["formula"] for f in rows["Li6UO6"]["flagged_products"]]
    assert rows["LiF"]["flagged_products"] == []
    frame = ranking.to_dataframe().set_index("formula")
    assert frame.loc["Li6UO6", "flagged_products"].startswith("LiN3 (")
