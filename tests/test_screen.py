"""Screens: sets, per-row errors, determinism, and resuming after SIGINT and SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from click.testing import CliRunner

from stability.analysis.materials.catalogue import catalogue_class
from stability.analysis.materials.sets import resolve_targets
from stability.analysis.screens import screen as screen_mod
from stability.analysis.screens.screen import JOURNAL, run_screen
from stability.cli import cli
from stability.errors import StabilityError

from .conftest import shared_file

SCREEN_COLUMNS = {
    "material_id",
    "formula",
    "reduced_formula",
    "class",
    "e_above_hull_eV_per_atom",
    "placed_on_hull",
    "reduction_limit_V",
    "oxidation_limit_V",
    "window_width_V",
    "reduction_products",
    "oxidation_products",
    "error",
}


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_seed_screen_with_interfaces(data, tmp_path):
    res = run(
        "screen",
        "--set",
        "sulfides",
        "--data",
        data,
        "--out",
        str(tmp_path),
        "--interfaces-with",
        "nitride-sses",
    )
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(tmp_path / "screen.csv", keep_default_na=False)
    assert set(frame.columns) >= SCREEN_COLUMNS
    assert frame["formula"].tolist() == [
        "Li2S",
        "Li3PS4",
        "Li7P3S11",
        "Li6PS5Cl",
        "Li10GeP2S12",
        "Li4GeS4",
    ]
    assert (frame["class"] == "sulfide").all()
    assert "reaction_with_beta-Li3N_meV_per_atom" in frame.columns
    records = json.loads((tmp_path / "screen.json").read_text())
    assert len(records) == 6 and records[1]["reduction_limit_V"] == pytest.approx(1.72, abs=0.01)


def test_bad_rows_are_recorded_and_the_rest_finish(data, tmp_path):
    listing = tmp_path / "set.txt"
    listing.write_text("Li3N\nLiXx2\nNaCl\n\nLi3PS4\nLi(\n")
    res = run("screen", "--set", str(listing), "--data", data, "--out", str(tmp_path / "o"))
    # The table is written; the two bad rows are named on stderr and the status says so.
    assert res.exit_code == 3, res.output
    assert res.stderr.count("Error: ") == 2 and "2 rows failed" in res.stderr
    frame = pd.read_csv(tmp_path / "o" / "screen.csv", keep_default_na=False)
    assert frame["formula"].tolist() == ["Li3N", "LiXx2", "NaCl", "Li3PS4", "Li("]
    errors = dict(zip(frame["formula"], frame["error"], strict=True))
    assert errors["Li3N"] == "" and errors["Li3PS4"] == ""
    assert "unknown element" in errors["LiXx2"]
    assert errors["NaCl"].startswith("no window: NaCl contains no Li")
    assert "cannot parse" in errors["Li("]


def test_li_ternaries_sets(mp2019):
    targets = resolve_targets(mp2019, "li-ternaries:N")
    assert len(targets) > 20
    for t in targets:
        comp = mp2019.row_composition(t.row)
        assert set(comp) >= {"Li", "N"} and len(comp) == 3
        # The catalogue's class where it lists the compound (Li4NCl: a nitride halide), else
        # the compound's own most electronegative anion (LiNO3: an oxide).
        (third,) = set(comp) - {"Li", "N"}
        expected = {"F": "fluoride", "O": "oxide", "Cl": "chloride"}.get(third, "nitride")
        assert t.cls == (catalogue_class(comp) or expected), (t.formula, t.cls)
    classes = {t.cls for t in targets}
    assert "nitride" in classes and "oxide" in classes
    with pytest.raises(StabilityError, match="unknown anion"):
        resolve_targets(mp2019, "li-ternaries:Xx")


def test_results_do_not_depend_on_jobs(data, tmp_path):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        res = run(
            "screen", "--set", "li-ternaries:Cl", "--data", data, "--out", str(out), "--jobs", jobs
        )
        assert res.exit_code == 0, res.output
        outs.append(((out / "screen.csv").read_bytes(), (out / "screen.json").read_bytes()))
    assert outs[0] == outs[1]


def test_resume_skips_finished_rows(fast2019, tmp_path, monkeypatch):
    targets = resolve_targets(fast2019.table, "li-ternaries:Br")
    header = {"set": "li-ternaries:Br"}
    clean = run_screen(fast2019, targets, tmp_path / "clean", header=header).rows
    # A run that stopped after 5 rows: keep the journal header and 5 rows, plus a torn line.
    lines = (tmp_path / "clean" / JOURNAL).read_text().splitlines()
    (tmp_path / "part").mkdir()
    (tmp_path / "part" / JOURNAL).write_text("\n".join(lines[:6]) + '\n{"key": "row1", "ro')
    calls = []
    real = screen_mod.screen_target
    monkeypatch.setattr(
        screen_mod, "screen_target", lambda *a, **k: calls.append(a[1].key) or real(*a, **k)
    )
    resumed = run_screen(fast2019, targets, tmp_path / "part", header=header).rows
    assert len(calls) == len(targets) - 5
    assert json.dumps(resumed) == json.dumps(clean)


def test_journal_of_other_settings_is_refused(fast2019, tmp_path):
    targets = resolve_targets(fast2019.table, "halides")
    run_screen(fast2019, targets, tmp_path, header={"set": "halides"})
    with pytest.raises(StabilityError, match="other data or settings"):
        run_screen(fast2019, targets, tmp_path, header={"set": "sulfides"})
    assert (
        len(run_screen(fast2019, targets, tmp_path, header={"set": "x"}, restart=True).rows) == 10
    )


@pytest.mark.serial  # the signal must land mid-run: not beside other tests' load
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_screen_resumes_to_the_same_table(data, tmp_path, sig, jobs):
    env = {**os.environ, "STABILITY_DATA": data}
    cmd = [sys.executable, "-m", "stability", "screen", "--set", "li-ternaries:O", "--jobs", jobs]
    cmd.append("--out")
    reference = tmp_path / "reference"
    subprocess.run([*cmd, str(reference)], env=env, check=True, capture_output=True)
    out = tmp_path / "Killed"  # capitals: the message must name the journal as it is
    proc = subprocess.Popen(
        [*cmd, str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    journal = out / JOURNAL
    deadline = time.time() + 60
    while time.time() < deadline:
        if journal.exists() and journal.read_text().count("\n") > 50:
            break
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0, "the run finished before it could be interrupted"
    if sig == signal.SIGINT:
        # One line saying what is kept; no traceback from the parent or any worker.
        assert proc.returncode == 130
        lines = err.decode().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Interrupted: "), err
        assert "rows saved" in lines[0] and "resume" in lines[0]
        assert str(journal) in lines[0], err
    saved = journal.read_text().count("\n") - 1
    assert 50 <= saved < len(pd.read_csv(reference / "screen.csv"))
    assert not (out / "screen.csv").exists()
    subprocess.run([*cmd, str(out)], env=env, check=True, capture_output=True)
    assert (out / "screen.csv").read_bytes() == (reference / "screen.csv").read_bytes()
    assert (out / "screen.json").read_bytes() == (reference / "screen.json").read_bytes()


def test_resume_with_partners_and_a_torn_line(data, tmp_path):
    args = [
        "screen",
        "--set",
        "halides",
        "--interfaces-with",
        "nitride-sses",
        "--data",
        data,
        "--out",
        str(tmp_path),
    ]
    assert run(*args).exit_code == 0
    first = (tmp_path / "screen.csv").read_bytes()
    journal = tmp_path / JOURNAL
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(lines[:4]) + lines[4][:25])  # killed mid-write of row 4
    res = run(*args)
    assert res.exit_code == 0, res.output  # tuples in the header came back as lists: still equal
    assert (tmp_path / "screen.csv").read_bytes() == first
    stored = journal.read_text().splitlines()
    assert all(json.loads(line) for line in stored) and len(stored) == 1 + 10


@pytest.mark.parametrize("jobs", [1, 2])
def test_journal_grows_row_by_row(fast2019, tmp_path, jobs):
    """Watch the journal as the screen reports progress: after every finished row it holds
    exactly the rows finished so far (chunked journalling showed 0, 1, 65, 92)."""
    targets = resolve_targets(fast2019.table, "seed")
    journal = tmp_path / JOURNAL
    seen = []

    class Watch:
        def update(self, n):
            seen.append(journal.read_text().count("\n") - 1)

        def close(self):
            pass

    run_screen(
        fast2019,
        targets,
        tmp_path,
        jobs=jobs,
        partners=[("LiCoO2", "LiCoO2")],
        header={"set": "seed"},
        progress=lambda total, done: Watch(),
    )
    assert seen == list(range(1, len(targets) + 1))


def test_rows_without_li_never_decide_whether_they_are_vertices(fast2019, monkeypatch):
    # Whether a composition is a hull corner is computed only when read: a row without Li
    # needs its hull energy alone (most of the all-compound screen).
    from stability.thermo.engines import make_engine
    from stability.thermo.fast import FastSystem

    def refuse(*_):
        raise AssertionError("vertex test run for a row that has no window")

    monkeypatch.setattr(FastSystem, "_walk_vertex", refuse)
    monkeypatch.setattr(FastSystem, "_qhull_vertex", refuse)
    table = fast2019.table
    engine = make_engine(table, "fast")  # its own: the shared one may have located these
    by_size: dict[int, list] = {}
    for t in resolve_targets(table, "all"):
        comp = table.row_composition(t.row)
        if "Li" not in comp and len(by_size.setdefault(len(comp), [])) < 2:
            by_size[len(comp)].append(t)
    # Systems of 2-5 elements: pivoting (2, 3, 5) and qhull (4) hulls.
    targets = [t for n in (2, 3, 4, 5) for t in by_size[n]]
    assert len(targets) == 8
    rows = run_screen(engine, targets).rows
    assert all(r["error"].startswith(screen_mod.NO_WINDOW) for r in rows), rows
    assert all(r["e_above_hull_eV_per_atom"] is not None for r in rows)


def test_screen_limits_equal_compute_window(fast2019):
    # A plain screen row reads its limits off the profile without building a Window: the
    # columns must be exactly compute_window's, for dataset rows (every size of system,
    # pivoting and qhull hulls) and for typed compositions off the hull or between phases.
    from stability.analysis.materials.sets import Target
    from stability.analysis.windows.window import LIMIT_COLUMNS, compute_window

    table = fast2019.table
    targets = resolve_targets(table, "all-li")[::37]
    typed = ["Li2.9PO3.3N0.46", "Li0.5CoO2", "Li3N", "Li7La3Zr2O12", "Li6PS5Cl", "Li2S"]
    targets += [Target(f, f, f, -1, "") for f in typed]
    assert len({len(table.row_composition(t.row)) for t in targets if t.row >= 0}) >= 5
    rows = run_screen(fast2019, targets).rows
    for t, row in zip(targets, rows, strict=True):
        full = compute_window(fast2019, t.formula).to_row()
        assert {k: row[k] for k in LIMIT_COLUMNS} == {k: full[k] for k in LIMIT_COLUMNS}, t
        if t.row < 0:
            assert row["material_id"] == (full["material_id"] or "")
            assert row["e_above_hull_eV_per_atom"] == full["e_above_hull_eV_per_atom"]


def test_dataset_rows_never_search_for_their_lowest_entry(fast2019, monkeypatch):
    # A dataset row's id and energy above the hull are its own: the search of the system for
    # the lowest entry of its composition (a Window's fields) is not run for it.
    from stability.thermo import base
    from stability.thermo.engines import make_engine

    def refuse(*_):
        raise AssertionError("lowest-entry search run for a dataset row")

    monkeypatch.setattr(base, "_own_entry", refuse)
    table = fast2019.table
    engine = make_engine(table, "fast")  # its own: the shared one may have located these
    targets = resolve_targets(table, "all-li")[::500]
    rows = run_screen(engine, targets).rows
    assert all(r["error"] == "" and r["reduction_limit_V"] is not None for r in rows), rows


def test_a_dataset_row_is_its_own_composition_not_a_name():
    # A row written like an alias (LiPON: Li2PO2N when typed) is the row's own composition,
    # Li1P1O1N1, in every column: the window, the reactions with partners, the energy above
    # hull that --max-ehull filters on, and in sets handed to other commands.
    from stability.analysis.interfaces.interface import compute_interface
    from stability.analysis.materials.sets import resolve_set, target_e_above_hull
    from stability.entries.table import FORMATION, EntryTable
    from stability.formula import reduced_formula
    from stability.thermo.engines import make_engine

    comps = [
        {"Li": 3.0, "N": 1.0},
        {"Li": 3.0, "P": 1.0, "O": 4.0},
        {"Li": 1.0, "P": 1.0, "O": 1.0, "N": 1.0},
        {"Li": 2.0, "O": 1.0},
        {"P": 3.0, "N": 5.0},
    ]
    formulas = ["Li3N", "Li3PO4", "LiPON", "Li2O", "P3N5"]
    energies = [-0.4, -2.6, -1.5, -2.1, -0.5]
    table = EntryTable.from_records(
        comps, energies, {"name": "synthetic", "energy_kind": FORMATION}, formula=formulas
    )
    engine = make_engine(table, "fast")
    targets = resolve_targets(table, "all-li")
    rows = {r["label"]: r for r in run_screen(engine, targets, partners=[("P3N5", "P3N5")]).rows}
    assert set(rows) == {"Li3N", "Li3PO4", "LiPON", "Li2O"}
    row = rows["LiPON"]
    assert row["error"] == "" and row["formula"] == "Li1P1O1N1"
    assert row["reduced_formula"] == reduced_formula(comps[2]) == "LiPNO"
    assert row["reaction_with_P3N5_meV_per_atom"] == (
        compute_interface(engine, "Li1P1O1N1", "P3N5").reaction_energy_meV_per_atom
    )
    (target,) = [t for t in targets if t.label == "LiPON"]
    assert target_e_above_hull(engine, target) == row["e_above_hull_eV_per_atom"]
    assert ("LiPON", "Li1P1O1N1") in resolve_set("all-li", table)
