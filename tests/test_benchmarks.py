"""Smoke test of the benchmark suite: ``benchmarks/run.py --quick`` prints its table."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .conftest import ROOT, SHARED_DATA, shared_file

JOBS = ("(a)", "(b)", "(c)", "(d)", "(e)")


@pytest.mark.slow
def test_quick_benchmark_prints_table():
    shared_file("mp2019_ground_states.csv.gz")
    shared_file("mp2019_all_polymorphs.csv.gz")
    env = {**os.environ, "STABILITY_DATA": str(SHARED_DATA), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.startswith("job "))
    assert "ratio (pmg/ours)" in lines[header]
    assert set(lines[header + 1]) <= {"-", " "}
    rows = {}
    for ln in lines[header + 2 :]:
        if not ln.strip():
            break
        rows[ln[:3]] = ln
    assert set(JOBS) <= set(rows), lines
    # The ratio column starts where its header does; (a)-(d) hold a number there.
    col = lines[header].index("ratio (pmg/ours)")
    for job in JOBS[:4]:
        ratio = re.match(r"(\d+(?:\.\d+)?)x", rows[job][col:])
        assert ratio and float(ratio[1]) > 0, rows[job]
    assert "products identical" in lines[header]
    assert "pymatgen" in proc.stdout and "python" in proc.stdout


def test_missing_data_is_a_clear_error(tmp_path):
    env = {**os.environ, "STABILITY_DATA": str(tmp_path / "nowhere")}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "not found" in proc.stderr and "STABILITY_DATA" in proc.stderr
