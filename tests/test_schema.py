"""One vocabulary: every key any command writes is in ``stability.io.schema``, once, and
every row names its dataset (issue 24, item 4)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from stability.cli import cli
from stability.io import schema

from .conftest import ROOT, shared_file


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


@pytest.fixture(scope="module")
def mp2022() -> str:
    return str(shared_file("mp2022_hull.csv.gz"))


@pytest.fixture(scope="module")
def co_ni() -> str:
    return str(shared_file("mp2020_entries_Li-Co-Ni-O.json.gz"))


def _walk(value, keys: set[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            keys.add(k)
            _walk(v, keys)
    elif isinstance(value, list):
        for v in value:
            _walk(v, keys)


def _pairs(value):
    """Every (key, value) of a JSON payload, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from _pairs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _pairs(v)


def _rows(value) -> list[dict]:
    """The flat records of an output: a list of objects, or an object's list of objects."""
    if isinstance(value, list):
        return [r for r in value if isinstance(r, dict)]
    if isinstance(value, dict) and isinstance(value.get("candidates"), list):
        return value["candidates"]
    return []


def _check(where: str, keys: set[str]) -> None:
    assert not schema.unknown(keys), f"{where}: keys not in the schema: {schema.unknown(keys)}"
    retired = {k for k in keys if k in schema.RETIRED or "[" in k}
    assert not retired, f"{where}: retired or per-dataset keys {retired}"


def _command_outputs(data: str, mp2022: str, co_ni: str):
    """(where, format, stdout) of every command that prints JSON or CSV, on small inputs."""
    cell = ROOT / "examples" / "cells" / "LGPS_pouch.toml"
    calls = {
        "window": ["window", "Li3N", "LLZO", "Xx2", "--data", data, "--explain"],
        "window-practical": ["window", "Li3N", "--data", data, "--tolerance", "0.02",
                             "--passivation"],
        "window-uncertainty": ["window", "LiCoO2", "--data", mp2022, "--draws", "20"],
        "profile": ["profile", "Li3N", "--data", data, "--mark-phases"],
        "decomposition": ["decomposition", "LLZO", "Li3N", "--voltage", "0", "--voltage", "5",
                          "--data", data],
        "interface": ["interface", "Li3N", "LiCoO2", "--data", data],
        "interface-open": ["interface", "Li3N", "LiCoO2", "--voltage", "3", "--data", data],
        "interface-scan": ["interface", "Li3N", "LiCoO2", "--scan", "0:1:0.5", "--data", data],
        "interface-uncertainty": ["interface", "LiCoO2", "Li3PO4", "--data", mp2022,
                                  "--draws", "20"],
        "compare": ["compare", "LiCoO2", "Li3N", "--data", mp2022, "--data", co_ni,
                    "--draws", "20"],
        "interlayer": ["interlayer", "Li3N", "LiCoO2", "--candidates", "nitrides", "--data",
                       data],
        "air": ["air", "Li2O", "LiCl", "Xx2", "--humidity", "25", "--data", data],
        "air-dry-room": ["air", "Li3N", "LiCl", "--dry-room-map", "--data", data],
    }  # fmt: skip
    for where, args in calls.items():
        for fmt in ("json", "csv"):
            res = run(*args, "--format", fmt)
            assert res.exit_code in (0, 3), (where, fmt, res.output)
            yield where, fmt, res.stdout
    res = run("cell", cell, "--data", data, "--format", "json", "--sweep", "np-ratio=1:3:1")
    assert res.exit_code == 0, res.output
    yield "cell", "json", res.stdout


def test_every_key_every_command_prints_is_in_the_schema(data, mp2022, co_ni):
    for where, fmt, out in _command_outputs(data, mp2022, co_ni):
        if fmt == "json":
            payload = json.loads(out)
            keys: set[str] = set()
            _walk(payload, keys)
            _check(f"{where} --format json", keys)
            # one shape per key: products are lists of formulas in every JSON (";"-joined in CSV)
            for k, v in _pairs(payload):
                if k.endswith("products") and v is not None:
                    assert isinstance(v, list), f"{where} --format json: {k} = {v!r} is no list"
                if k in ("error", "material_id"):
                    assert v != "", f"{where} --format json: {k} is '' (none is null)"
            for row in _rows(payload):
                assert row.get("dataset"), f"{where} --format json: a row without dataset: {row}"
            if isinstance(payload, dict):
                assert payload.get("dataset"), f"{where} --format json: no dataset"
        else:
            table = list(csv.DictReader(io.StringIO(out)))
            _check(f"{where} --format csv", set(table[0]))
            assert all(r["dataset"] for r in table), f"{where} --format csv: rows without dataset"


def _file_keys(folder: Path) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(path, keep_default_na=False)
        keys[path.name] = set(frame.columns)
    for path in sorted(folder.glob("*.json")):
        found: set[str] = set()
        _walk(json.loads(path.read_text()), found)
        keys[path.name] = found
    return keys


def test_every_column_every_command_writes_is_in_the_schema(data, mp2022, tmp_path):
    runs = {
        "screen": ["screen", "--set", "nitride-sses", "--interfaces-with", "coatings"],
        "interfaces": ["interfaces", "--left", "nitride-sses", "--right", "coatings"],
        "interfaces-scan": ["interfaces", "--left", "nitride-sses", "--right", "coatings",
                            "--scan", "0:1:1"],
        "figures": ["figures"],
    }  # fmt: skip
    for where, args in runs.items():
        out = tmp_path / where
        res = run(*args, "--data", data, "--out", out)
        assert res.exit_code in (0, 3), (where, res.output)
        for name, keys in _file_keys(out).items():
            _check(f"{where}: {name}", keys)
    out = tmp_path / "compare"
    res = run("compare", "Li3N", "LiCoO2", "--data", data, "--data", mp2022, "--out", out)
    assert res.exit_code == 0, res.output
    for name, keys in _file_keys(out).items():
        _check(f"compare: {name}", keys)
    # Every row computed on a dataset names it.
    for table in ("screen/screen.csv", "interfaces/interfaces.csv", "compare/compare.csv",
                  "figures/window_bars.csv", "figures/windows_by_class.csv",
                  "figures/interface_matrix.csv", "figures/profile_Li3N.csv",
                  "figures/cell_stack_LGPS.csv"):  # fmt: skip
        frame = pd.read_csv(tmp_path / table, keep_default_na=False)
        assert (frame["dataset"] != "").all(), table


def test_table_headers_are_schema_keys():
    from stability.commands import air, compare, interlayer, practical
    from stability.io import render

    for heads in (
        render.WINDOW_HEADERS,
        render.STD_HEADERS,
        render.PROFILE_HEADERS,
        render.KINK_HEADERS,
        render.SCAN_HEADERS,
        practical.DECOMPOSITION_HEADERS,
        practical.PASSIVATION_HEADERS,
        compare.TABLE_HEADERS,
        interlayer.HEADERS,
        air.TABLE_HEADERS,
        air.MAP_HEADERS,
    ):
        assert not schema.unknown(heads), schema.unknown(heads)


def test_dataframe_columns_are_schema_keys():
    from stability.analysis.air.dryroom import MAP_KEYS
    from stability.analysis.air.reaction import AirReaction
    from stability.analysis.cells.interlayer import COLUMNS as INTERLAYER
    from stability.analysis.interfaces.interface import matrix_columns
    from stability.analysis.screens.compare import COLUMNS as COMPARE
    from stability.analysis.screens.screen import SCREEN_COLUMNS
    from stability.analysis.windows.decomposition import DECOMPOSITION_COLUMNS
    from stability.analysis.windows.window import (
        PASSIVATION_FIELDS,
        TOLERANCE_FIELDS,
        WINDOW_COLUMNS,
    )

    for cols in (
        INTERLAYER,
        matrix_columns(False),
        matrix_columns(True),
        COMPARE,
        SCREEN_COLUMNS,
        DECOMPOSITION_COLUMNS,
        WINDOW_COLUMNS,
        PASSIVATION_FIELDS,
        TOLERANCE_FIELDS,
        AirReaction.KEYS,
        MAP_KEYS,
    ):
        assert not schema.unknown(cols), schema.unknown(cols)


def test_one_quantity_one_key():
    meanings = [k.meaning for k in schema.KEYS.values()]
    assert len(meanings) == len(set(meanings)), "two keys share a meaning"
    assert not set(schema.RETIRED) & set(schema.KEYS)
    for k in schema.KEYS.values():
        assert k.commands and k.meaning, k.name
        # Units in the key's name where it has one.
        suffix = {"V vs Li/Li+": "_V", "meV/atom": "_meV_per_atom", "eV/atom": "_eV_per_atom",
                  "meV per non-Li atom": "_meV_per_non_ion_atom"}.get(k.unit)  # fmt: skip
        if suffix and k.name not in {"limit_V"}:
            assert k.name.endswith(suffix), k.name
    with pytest.raises(KeyError, match="reduction_V"):
        schema.check_keys(["label", "reduction_V[mp2022_hull]"])


def test_reference_page_is_the_rendering():
    page = ROOT / "docs" / "reference" / "keys.md"
    assert page.read_text(encoding="utf-8") == schema.markdown(), (
        "docs/reference/keys.md is stale: write stability.io.schema.markdown() to it"
    )


# Each renamed or reshaped output, on its own (these failed before the schema).


def test_compare_writes_long_rows_and_no_nan(mp2022, co_ni):
    args = ["compare", "LiCoO2", "Li3N", "--data", mp2022, "--data", co_ni]
    table = run(*args)
    assert table.exit_code == 3
    assert "nan" not in table.stdout.lower()
    rows = json.loads(run(*args, "--format", "json").stdout)
    assert [(r["label"], r["dataset"]) for r in rows] == [
        ("LiCoO2", "mp2022_hull"),
        ("LiCoO2", "mp2020_entries_Li-Co-Ni-O"),
        ("Li3N", "mp2022_hull"),
        ("Li3N", "mp2020_entries_Li-Co-Ni-O"),
    ]
    lco = rows[1]
    assert lco["formula"] == "LiCoO2" and lco["reference_dataset"] == "mp2022_hull"
    assert lco["reduction_limit_V"] == pytest.approx(1.834, abs=1e-3)
    assert lco["reduction_shift_V"] == pytest.approx(
        lco["reduction_limit_V"] - rows[0]["reduction_limit_V"]
    )
    assert rows[0]["reduction_shift_V"] is None  # the reference itself
    assert "reduction_limit_std_V" in lco
    li3n = rows[3]  # N is not in the Li-Co-Ni-O system: an error, no products, no change
    assert "no entries with N" in li3n["error"]
    assert li3n["oxidation_limit_V"] is None and li3n["oxidation_products_changed"] is None
    csv_out = run(*args, "--format", "csv").stdout
    assert "nan" not in csv_out.lower()
    assert next(csv.reader(io.StringIO(csv_out)))[:4] == ["label", "formula", "class", "dataset"]


def test_compare_rows_name_the_composition_of_a_name(data, mp2022):
    """A name (LGPS) keeps its label; formula and class are those window gives it."""
    res = run("compare", "LGPS", "--data", data, "--data", mp2022, "--format", "json")
    rows = json.loads(res.stdout)
    assert [(r["label"], r["formula"], r["class"]) for r in rows] == [
        ("LGPS", "Li10GeP2S12", "sulfide")
    ] * 2
    [window] = json.loads(run("window", "LGPS", "--data", data, "--format", "json").stdout)
    assert (window["formula"], window["class"]) == ("Li10GeP2S12", "sulfide")


def test_decomposition_names_label_formula_and_dataset(data):
    res = run("decomposition", "LLZO", "--voltage", "0", "--data", data, "--format", "json")
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert row["label"] == "LLZO" and row["formula"] == "Li7La3Zr2O12"
    assert row["dataset"] == "mp2019_ground_states"
    frame = pd.read_csv(io.StringIO(run("decomposition", "LLZO", "--voltage", "0", "--data",
                                        data, "--format", "csv").stdout))  # fmt: skip
    assert frame.loc[0, ["label", "formula", "dataset"]].tolist() == [
        "LLZO",
        "Li7La3Zr2O12",
        "mp2019_ground_states",
    ]
    assert "LLZO" in run("decomposition", "LLZO", "--voltage", "0", "--data", data).stdout


def test_window_json_has_the_class_its_csv_has(data):
    js = json.loads(run("window", "Li3N", "LLZO", "--data", data, "--format", "json").stdout)
    table = pd.read_csv(io.StringIO(run("window", "Li3N", "LLZO", "--data", data, "--format",
                                        "csv").stdout))  # fmt: skip
    assert [r["class"] for r in js] == table["class"].tolist() == ["nitride", "oxide"]


def test_interface_csv_names_reactants_voltage_and_dataset(data):
    for extra in ([], ["--voltage", "3"]):
        out = run("interface", "beta-Li3N", "LiCoO2", "--data", data, *extra, "--format", "csv")
        frame = pd.read_csv(io.StringIO(out.stdout))
        assert set(frame["reactant_a"]) == {"beta-Li3N"} and set(frame["formula_a"]) == {"Li3N"}
        assert set(frame["reactant_b"]) == {"LiCoO2"}
        assert set(frame["dataset"]) == {"mp2019_ground_states"}
        assert "voltage_V" in frame
        if extra:
            assert set(frame["voltage_V"]) == {3.0}


def test_interfaces_matrix_uses_the_interface_vocabulary(data, tmp_path):
    res = run("interfaces", "--left", "nitride-sses", "--right", "coatings", "--data", data,
              "--out", tmp_path)  # fmt: skip
    assert res.exit_code in (0, 3), res.output
    frame = pd.read_csv(tmp_path / "interfaces.csv", keep_default_na=False)
    assert list(frame.columns[:4]) == ["reactant_a", "formula_a", "reactant_b", "formula_b"]
    assert set(frame["dataset"]) == {"mp2019_ground_states"}
