"""A window from the command line (and from the library) imports no heavy dependency.

Cold start is dominated by imports (pandas, scipy, matplotlib and pymatgen cost 0.2-0.4 s
each, a whole window about 0.1 s), so these guard which modules a window loads. Not timed.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import shared_file

HEAVY = ("pandas", "scipy", "matplotlib", "pymatgen", "monty", "tabulate", "pyarrow")


@pytest.fixture(scope="module", autouse=True)
def built_cache(mp2019):
    """The entries cache (STABILITY_CACHE, shared with the subprocesses) is built: reading
    the snapshot itself uses pandas and pymatgen, a cold start then does not."""
    return mp2019


def _imported(args: list[str]) -> set[str]:
    """Top-level packages a ``python -X importtime`` run of ``args`` imported."""
    env = dict(os.environ, STABILITY_DATA=str(shared_file("mp2019_ground_states.csv.gz").parent))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".")[0])
    assert "stability" in names and "numpy" in names  # the parse saw the imports
    return names


@pytest.mark.parametrize(
    "args",
    [
        ["window", "Li3N"],
        ["window", "Li3N", "--tolerance", "0.1"],
        ["window", "Li3N", "--passivation"],
        ["profile", "Li3N"],
    ],
)
def test_cli_window_imports_no_heavy_module(args):
    heavy = _imported(["-m", "stability", *args]) & set(HEAVY)
    assert not heavy, f"stability {' '.join(args)} imported {sorted(heavy)}"


def test_cli_windows_of_larger_systems_import_no_heavy_module():
    # Closed hulls pivot at every size (config.QHULL_MIN_ELEMENTS): no scipy for windows of
    # 4 (LGPS: Li-Ge-P-S), 5 (LLZO doped with Ta) or 9 elements either.
    args = ["window", "LGPS", "Li6.4La3Zr1.4Ta0.6O12", "Li1Mg0.1Al0.1Si0.2P0.1S0.4O0.5N0.2Cl0.3"]
    heavy = _imported(["-m", "stability", *args, "--format", "json"])
    assert not heavy & set(HEAVY), f"stability {' '.join(args)} imported {sorted(heavy)}"


def test_interfaces_with_li_open_import_no_scipy(monkeypatch):
    # With the C pivots grand-potential hulls pivot at every size too (config.GRAND_*):
    # an interface at 3 V (Li-Ge-P-S-N: 4 closed elements) and closed needs no qhull.
    monkeypatch.delenv("STABILITY_PIVOTS", raising=False)  # (numpy pivots use qhull there)
    code = (
        "import stability, sys\n"
        "engine = stability.make_engine(stability.load_dataset(), 'fast')\n"
        "for v in (3.0, None):\n"
        "    stability.compute_interface(engine, 'Li3N', 'Li10GeP2S12', v)\n"
        "assert 'scipy' not in sys.modules\n"
    )
    assert "scipy" not in _imported(["-c", code])


def test_library_window_imports_no_heavy_module():
    code = (
        "import stability\n"
        "table = stability.load_dataset()\n"
        "w = stability.compute_window(stability.make_engine(table, 'fast'), 'Li3N')\n"
        "assert w.reduced_formula == 'Li3N', w\n"
    )
    heavy = _imported(["-c", code]) & set(HEAVY)
    assert not heavy, f"compute_window imported {sorted(heavy)}"


def test_heavy_modules_still_load_where_used():
    # The import diet must not hide a missing import: a CSV of windows needs pandas.
    names = _imported(["-m", "stability", "window", "Li3N", "--format", "csv"])
    assert "pandas" in names


def test_dataset_screen_imports_no_pymatgen(tmp_path):
    # A screen of dataset rows reads formulas and element sets without pymatgen (0.2 s of
    # serial start-up); pandas writes its table.
    out = tmp_path / "screen"
    names = _imported(["-m", "stability", "screen", "--set", "li-ternaries:N", "--out", str(out)])
    assert "pymatgen" not in names and "pandas" in names
    assert (out / "screen.csv").exists()
