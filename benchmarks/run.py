"""Benchmarks: plain pymatgen against ``stability``, side by side, on the same entries.

    python benchmarks/run.py [--quick | --full] [--data FOLDER] [--sample N] [--seed S]
                             [--repeat N]

Prints one table: per job, the wall time of each side, the ratios (pymatgen / stability,
naive and competent), CPU time and peak memory of each side, and how well the answers agree. Every side of every job runs
in a child process of its own, so peak memory is that process tree's alone (ru_maxrss from
``os.wait4``, the per-child form of ``getrusage(RUSAGE_CHILDREN)``).

Two pymatgen baselines, both in ``benchmarks/plain_pymatgen.py`` (which imports nothing from
``stability``): "naive" and "competent". The competent one groups the compounds by chemical
system, builds one ``PhaseDiagram`` per system and reads placed windows off it
(``windows_of_system``). The naive one is what a researcher writes first with pandas
and pymatgen alone (PDEntry objects from the snapshot CSV, ``PhaseDiagram`` per material on
its chemical system, ``get_element_profile``; ``(GrandPotential)InterfacialReactivity`` per
pair and voltage). It imports nothing from ``stability``. "stability" is the library's public
calls on the fast engine (``load_dataset``, ``make_engine``, ``run_screen``,
``interface_matrix``) and its command line.

Jobs:
  (a) cold CLI ``stability window Li3N`` vs a plain-pymatgen script, as subprocesses
      (process start to exit, median of 3; the entries cache is built beforehand).
  (b) windows and products of every Li compound of mp2019_ground_states; ours with jobs=2,
      jobs=1 and jobs=2 with the pivots in numpy (``STABILITY_PIVOTS=numpy``) in turn,
      ``--repeat`` times each (default 3), the median run shown.
  (c) the same on mp2019_all_polymorphs (several entries per composition).
  (d) interface matrix nitride-sses x (cathodes + sulfides + halides), closed and Li open
      at 0-5 V in 0.1 V steps.
  (e) ``stability figures``, if the CLI has that command.
  (f), (g) cold CLI windows of a 9- and an 11-element composition; pymatgen gets
      ``--he-budget`` seconds (default 60) for each.
  (h) a screen of every compound of mp2019_ground_states (``run_screen`` over the set
      ``all``, jobs=2; median of ``--repeat`` runs): windows of the Li compounds, energies
      above the hull of the rest.
  (i) nitrides x (cathodes + sulfides + halides) with Li open: at 3 V in one process, and
      over 0-5 V in 0.1 V steps with jobs=2 (stability only; (d) has the pymatgen side).

By default naive pymatgen runs on a seeded random sample of compounds in (b) and (c), the
competent one on a seeded uniform sample of chemical systems (all their Li compounds), and
on a sample of the pairs in (d) if all of them would take more than 5 minutes; their times
are extrapolated linearly (per compound, per system, per pair); ``--full`` runs it on everything (about an hour on 2 cores: (b) ~11 min, (c) ~50 min).
``--quick`` is a smoke run of well under a minute on small samples.
Outside ``--quick`` a fixed pure-Python loop is timed at the start and the end, alone and two
at once, and printed as the machine's speed during the run (this shared host drifts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATASETS = ("mp2019_ground_states", "mp2019_all_polymorphs")
LEFT_DEFAULT = "nitride-sses"
RIGHT_SETS = ("cathodes", "sulfides", "halides")
SCAN = [round(i * 0.1, 10) for i in range(51)]  # 0-5 V in 0.1 V steps
QUICK_SCAN = [0.0, 2.5, 5.0]
HIGH_ENTROPY = (
    "Li1Mg0.1Al0.1Si0.2P0.1S0.4O0.5N0.2Cl0.3",  # 9 elements
    "Li0.5Na0.5Mg0.1Al0.1Si0.2P0.1S0.4Cl0.3Br0.2O0.5N0.2",  # 11 elements
)
PMG_BUDGET_S = 300.0  # (d): sample the pairs if pymatgen on all of them would take longer
MIN_PAIRS = 10  # (d): at least this many pairs before extrapolating
MV = 1e-3


# --------------------------------------------------------------------------- child side


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _maxrss_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def child_windows_pymatgen(spec: dict) -> dict:
    """Windows of (a sample of) the Li compounds of a snapshot, by plain pymatgen."""
    sys.path.insert(0, str(HERE))
    import plain_pymatgen as pp

    t0, c0 = time.perf_counter(), _cpu_seconds()
    snap = pp.Snapshot(spec["csv"])
    rows = snap.li_compounds()
    t_load, c_load = time.perf_counter() - t0, _cpu_seconds() - c0
    n_all = len(rows)
    if spec["sample"] and spec["sample"] < n_all:
        rows = sorted(random.Random(spec["seed"]).sample(rows, spec["sample"]))
    t1 = time.perf_counter()
    out, errors = [], {}
    for i in rows:
        f = snap.formulas[i]
        try:
            out.append({"row": i, "formula": f, **pp.window(snap.entries(snap.elsets[i]), f)})
        except Exception as exc:  # recorded, not fatal: the table reports the count
            errors[f"row {i} {f}"] = f"{type(exc).__name__}: {exc}"
    t_loop = time.perf_counter() - t1
    c_loop = _cpu_seconds() - c0 - c_load
    # Untimed: the zero-offset limit of the placed compositions (as tests/oracle.py): the
    # limits are linear in the offset, so 2 * w(d/2) - w(d) is the d -> 0 value.
    for w in out:
        f = w["formula"]
        w["zero_offset"] = {k: w[k] for k in ("reduction_limit_V", "oxidation_limit_V")}
        if w["placed_on_hull"]:
            els = frozenset(re.findall(r"[A-Z][a-z]?", f))
            half = pp.window(snap.entries(els), f, pp.OFFSET / 2)
            for k in ("reduction_limit_V", "oxidation_limit_V"):
                w["zero_offset"][k] = 2 * half[k] - w[k]
    return {
        "n_all": n_all,
        "n": len(rows),
        "t_load": t_load,
        "t_loop": t_loop,
        "c_load": c_load,
        "c_loop": c_loop,
        "sample": [snap.formulas[i] for i in rows],
        "results": out,
        "errors": errors,
    }


def child_windows_competent(spec: dict) -> dict:
    """Windows of the Li compounds by competent pymatgen: one PhaseDiagram per system.

    Systems (not compounds) are sampled uniformly, so the time per system extrapolates
    without bias to all systems; every Li compound of a sampled system is computed.
    """
    sys.path.insert(0, str(HERE))
    import plain_pymatgen as pp

    t0, c0 = time.perf_counter(), _cpu_seconds()
    snap = pp.Snapshot(spec["csv"])
    by_system: dict[frozenset, list[str]] = {}
    for i in snap.li_compounds():
        by_system.setdefault(snap.elsets[i], []).append(snap.formulas[i])
    # Rows indexed by element set once (what a competent user does instead of a scan each).
    rows_of: dict[frozenset, list[int]] = {}
    for i, s in enumerate(snap.elsets):
        rows_of.setdefault(s, []).append(i)
    t_load, c_load = time.perf_counter() - t0, _cpu_seconds() - c0
    systems = sorted(by_system, key=sorted)
    n_systems_all = len(systems)
    n_all = sum(len(v) for v in by_system.values())
    if spec["sample_systems"] and spec["sample_systems"] < n_systems_all:
        systems = random.Random(spec["seed"]).sample(systems, spec["sample_systems"])
    t1 = time.perf_counter()
    out, errors = {}, {}
    for s in systems:
        entries = [pp.PDEntry(pp.Composition(el), 0.0, name=el) for el in sorted(s)]
        for sub, rows in rows_of.items():
            if sub <= s:
                for i in rows:
                    comp = pp.Composition(snap.formulas[i])
                    entries.append(pp.PDEntry(comp, snap.energies[i] * comp.num_atoms))
        try:
            out.update(pp.windows_of_system(entries, by_system[s]))
        except Exception as exc:  # recorded, not fatal
            errors["-".join(sorted(s))] = f"{type(exc).__name__}: {exc}"
    return {
        "n_all": n_all,
        "n": sum(len(by_system[s]) for s in systems),
        "n_systems_all": n_systems_all,
        "n_systems": len(systems),
        "t_load": t_load,
        "t_loop": time.perf_counter() - t1,
        "c_load": c_load,
        "c_loop": _cpu_seconds() - c0 - c_load,
        "results": out,
        "errors": errors,
    }


def child_windows_stability(spec: dict) -> dict:
    """Windows of the Li compounds of a dataset by ``stability`` (fast engine, run_screen)."""
    from stability import load_dataset, make_engine, resolve_targets, run_screen

    t0, c0 = time.perf_counter(), _cpu_seconds()
    table = load_dataset(spec["data"], spec["dataset"])
    engine = make_engine(table, "fast")
    targets = resolve_targets(table, "all-li")
    n_all = len(targets)
    if spec.get("formulas") is not None:
        wanted = set(spec["formulas"])
        targets = [t for t in targets if t.formula in wanted]
    own0 = resource.getrusage(resource.RUSAGE_SELF)
    result = run_screen(engine, targets, jobs=spec["jobs"])
    wall = time.perf_counter() - t0
    cpu = _cpu_seconds() - c0
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    # The main process's CPU during the screen is its serial part when workers run.
    cpu_main = own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime
    cpu_load = own0.ru_utime + own0.ru_stime - c0
    out, errors = {}, {}
    for r in result.rows:
        if r["error"]:
            errors[r["formula"]] = r["error"]
            continue
        out[r["formula"]] = {
            "reduction_limit_V": r["reduction_limit_V"],
            "oxidation_limit_V": r["oxidation_limit_V"],
            "reduction_products": sorted(p for p in r["reduction_products"].split(";") if p),
            "oxidation_products": sorted(p for p in r["oxidation_products"].split(";") if p),
            "placed_on_hull": bool(r["placed_on_hull"]),
        }
    return {
        "n_all": n_all,
        "n": len(targets),
        "wall": wall,
        "cpu": cpu,
        "cpu_main": cpu_main,
        "cpu_load": cpu_load,
        "results": out,
        "errors": errors,
    }


def child_interfaces_pymatgen(spec: dict) -> dict:
    """Most negative reaction of each pair at each voltage, by plain pymatgen."""
    sys.path.insert(0, str(HERE))
    import plain_pymatgen as pp
    from pymatgen.core import Composition

    voltages = [None, *spec["voltages"]]
    pairs = spec["pairs"]
    t0, c0 = time.perf_counter(), _cpu_seconds()
    snap = pp.Snapshot(spec["csv"])
    t_load, c_load = time.perf_counter() - t0, _cpu_seconds() - c0
    t1 = time.perf_counter()
    out, errors, done = [], {}, 0
    for a, b in pairs:
        els = frozenset(str(e) for e in (Composition(a) + Composition(b)).elements)
        try:
            for r in pp.interfaces(snap.entries(els), a, b, voltages):
                out.append({"a": a, "b": b, **r})
        except Exception as exc:
            errors[f"{a}|{b}"] = f"{type(exc).__name__}: {exc}"
        done += 1
        elapsed = time.perf_counter() - t1
        if (
            spec["budget"] is not None
            and done >= spec["min_pairs"]
            and done < len(pairs)
            and elapsed / done * len(pairs) > spec["budget"]
        ):
            break
    return {
        "n_all": len(pairs),
        "n": done,
        "t_load": t_load,
        "t_loop": time.perf_counter() - t1,
        "c_load": c_load,
        "c_loop": _cpu_seconds() - c0 - c_load,
        "results": out,
        "errors": errors,
    }


def child_interfaces_stability(spec: dict) -> dict:
    """The interface matrix at every voltage by ``stability`` (fast engine)."""
    from stability import interface_matrix, load_dataset, make_engine
    from stability.analysis.materials.sets import resolve_set

    t0, c0 = time.perf_counter(), _cpu_seconds()
    engine = make_engine(load_dataset(spec["data"], spec["dataset"]), "fast")
    left = resolve_set(spec["left"])
    right = [item for name in spec["right"] for item in resolve_set(name)]
    rows = []
    for v in [None, *spec["voltages"]]:
        rows += interface_matrix(engine, left, right, v).rows
    wall = time.perf_counter() - t0
    cpu = _cpu_seconds() - c0
    out, errors = [], {}
    for r in rows:
        key = f"{r['formula_a']}|{r['formula_b']}"
        if r["error"]:
            errors[f"{key}@{r['voltage_V']}"] = r["error"]
            continue
        out.append(
            {
                "a": r["formula_a"],
                "b": r["formula_b"],
                "voltage_V": r["voltage_V"],
                "mixing_ratio": r["mixing_ratio"],
                "energy_meV": r.get(
                    "reaction_energy_meV_per_atom", r.get("reaction_energy_meV_per_non_ion_atom")
                ),
                "products": sorted(p for p in r["products"].split(";") if p and p != "Li"),
            }
        )
    return {"n": len(left) * len(right), "wall": wall, "cpu": cpu, "results": out, "errors": errors}


def child_screen_all(spec: dict) -> dict:
    """(h): ``run_screen`` over every compound of a dataset (set ``all``)."""
    from stability import load_dataset, make_engine, resolve_targets, run_screen

    t0, c0 = time.perf_counter(), _cpu_seconds()
    table = load_dataset(spec["data"], spec["dataset"])
    engine = make_engine(table, "fast")
    targets = resolve_targets(table, "all")
    result = run_screen(engine, targets, jobs=spec["jobs"])
    wall = time.perf_counter() - t0
    cpu = _cpu_seconds() - c0
    windows = sum(r["reduction_limit_V"] is not None for r in result.rows)
    no_window = sum(r["error"].startswith("no window") for r in result.rows)
    failed = sum(bool(r["error"]) and not r["error"].startswith("no window") for r in result.rows)
    # Every row, every column: repeated runs compare their answers through this digest
    # (row by row: one JSON text of all rows would raise the peak memory measured).
    digest = hashlib.sha256()
    for r in result.rows:
        digest.update(json.dumps(r, sort_keys=True, default=str).encode())
    return {
        "n": len(targets),
        "wall": wall,
        "cpu": cpu,
        "windows": windows,
        "no_window": no_window,
        "failed": failed,
        "rows_sha256": digest.hexdigest(),
        "systems": len({tuple(sorted(table.row_composition(t.row))) for t in targets}),
    }


def child_nitride_matrix(spec: dict) -> dict:
    """(i): nitrides x (cathodes + sulfides + halides) with Li open, at 3 V and over 0-5 V."""
    from stability import load_dataset, make_engine
    from stability.analysis.interfaces.interface import iter_interface_rows
    from stability.analysis.materials.sets import resolve_set

    engine = make_engine(load_dataset(spec["data"], spec["dataset"]), "fast")
    left = resolve_set("nitrides")
    right = [item for name in RIGHT_SETS for item in resolve_set(name)]
    out = {"n_left": len(left), "n_right": len(right)}
    for key, voltages, jobs in (("3V", [3.0], 1), ("scan", SCAN, 2)):
        t0, c0 = time.perf_counter(), _cpu_seconds()
        rows = list(iter_interface_rows(engine, left, right, voltages, jobs=jobs))
        out[key] = {
            "wall": time.perf_counter() - t0,
            "cpu": _cpu_seconds() - c0,
            "rows": len(rows),
            "errors": sum(bool(r["error"]) for r in rows),
            "jobs": jobs,
        }
    return out


def child_screen_ions(spec: dict) -> dict:
    """(j): ``run_screen`` of set all-li with Li open and of all-na with Na open, in one
    process on one table (loading not timed): the time per row of each."""
    from stability import load_dataset, make_engine, resolve_targets, run_screen

    table = load_dataset(spec["data"], spec["dataset"])
    out = {}
    for name, ion in (("all-li", "Li"), ("all-na", "Na")):
        engine = make_engine(table, "fast")  # a fresh engine each: no hull built by the other
        targets = resolve_targets(table, name)[:: spec["step"]]
        t0 = time.perf_counter()
        result = run_screen(engine, targets, jobs=1, ion=ion)
        wall = time.perf_counter() - t0
        windows = sum(r["reduction_limit_V"] is not None for r in result.rows)
        out[ion] = {"set": name, "n": len(targets), "wall": wall, "windows": windows}
    return out


CHILDREN = {
    "screen:ions": child_screen_ions,
    "interfaces:nitrides": child_nitride_matrix,
    "screen:all": child_screen_all,
    "windows:pymatgen": child_windows_pymatgen,
    "windows:stability": child_windows_stability,
    "windows:competent": child_windows_competent,
    "interfaces:pymatgen": child_interfaces_pymatgen,
    "interfaces:stability": child_interfaces_stability,
}


def child_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    import warnings

    warnings.simplefilter("ignore")  # pymatgen's chatter is not part of the measurement
    # Import both sides' libraries before the clock starts: import time is not measured.
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pymatgen.analysis.interface_reactions  # noqa: F401
    import pymatgen.analysis.phase_diagram  # noqa: F401

    if spec["kind"].endswith(":stability"):
        import stability.analysis.interfaces.interface
        import stability.analysis.screens.screen
        import stability.entries.load
        import stability.thermo.engines  # noqa: F401
    result = CHILDREN[spec["kind"]](spec)
    result["maxrss_self_mib"], result["maxrss_children_mib"] = _maxrss_mib()
    Path(spec["out"]).write_text(json.dumps(result))
    return 0


# -------------------------------------------------------------------------- parent side


class Measured:
    """A finished child process: wall time, exit code, peak RSS and CPU of its process tree."""

    def __init__(self, wall: float, code: int, rusage: resource.struct_rusage, log: str) -> None:
        self.wall = wall
        self.code = code
        self.maxrss_mib = rusage.ru_maxrss / 1024  # KiB on Linux
        self.cpu = rusage.ru_utime + rusage.ru_stime
        self.log = log


def measure(cmd: list[str], env: dict, *, timeout: float | None = None, cwd=None) -> Measured:
    """Run ``cmd``; return its wall time and, from wait4, the rusage of its process tree.

    ``os.wait4`` gives this one child's rusage (ru_maxrss is the largest resident set of the
    child or any descendant it waited for), so each measurement is independent of the others.
    """
    with tempfile.TemporaryFile("w+") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        timer = None
        if timeout:
            timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
            timer.start()
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        return Measured(wall, proc.returncode, rusage, log.read())


def run_child(spec: dict, env: dict, workdir: Path) -> tuple[dict, Measured]:
    """Run one benchmark side in a fresh interpreter; return its result and measurement."""
    name = spec["kind"].replace(":", "-") + f"-{len(list(workdir.iterdir()))}"
    spec = {**spec, "out": str(workdir / f"{name}.out.json")}
    spec_path = workdir / f"{name}.spec.json"
    spec_path.write_text(json.dumps(spec))
    m = measure([sys.executable, str(Path(__file__).resolve()), "--child", str(spec_path)], env)
    if m.code != 0:
        sys.exit(f"error: benchmark child {spec['kind']} failed (exit {m.code}):\n{m.log[-3000:]}")
    return json.loads(Path(spec["out"]).read_text()), m


def stability_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "stability"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "stability"]


# ----------------------------------------------------------------------------- formatting


def fmt_time(s: float) -> str:
    if s < 10:
        return f"{s:.2f} s"
    if s < 120:
        return f"{s:.1f} s"
    return f"{s / 60:.1f} min"


def fmt_mib(m: float) -> str:
    return f"{m:,.0f} MiB"


def fmt_ratio(pmg: float, ours: float) -> str:
    return f"{pmg / ours:.1f}x"


def render(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


#: A fixed pure-Python loop: its time says how fast this (shared) machine is during a run.
PROBE = "s = 0\nfor i in range(20_000_000):\n    s += i"


def speed_probe() -> tuple[float, float]:
    """Seconds the PROBE loop takes in one process alone, and in each of two at once (the
    slower): the 2 cores here slow each other down, and the host's speed drifts."""

    def run(n: int) -> float:
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", PROBE]) for _ in range(n)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - t0

    return run(1), run(2)


def machine() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    def ver(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, "
        f"RAM {ram}, {platform.system()} {platform.release()}; load average at start {load}",
        f"date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"python {platform.python_version()}, pymatgen {ver('pymatgen')}, numpy {ver('numpy')}, "
        f"pandas {ver('pandas')}, stability {ver('stability')}",
    ]


# ---------------------------------------------------------------------------------- jobs


def job_cli(args, env: dict, data: Path) -> tuple[list[str], list[str]]:
    """(a): ``stability window Li3N`` vs the plain-pymatgen script, process start to exit."""
    ours = [*stability_cmd(), "window", "Li3N"]
    plain = [
        sys.executable,
        str(HERE / "plain_pymatgen.py"),
        str(data / f"{DATASETS[0]}.csv.gz"),
        "Li3N",
    ]
    # Warm up: builds the entries cache (both datasets) and the OS file cache of both sides.
    for cmd in (ours, [*ours, "--dataset", DATASETS[1]], plain):
        m = measure(cmd, env)
        if m.code != 0:
            sys.exit(f"error: {' '.join(cmd)} failed (exit {m.code}):\n{m.log[-3000:]}")
    runs = 1 if args.quick else 3
    mo, mp_ = [], []
    for _ in range(runs):  # interleaved, so background load hits both alike
        mo.append(measure(ours, env))
        mp_.append(measure(plain, env))
    for m in mo + mp_:
        if m.code != 0:
            sys.exit(f"error: job (a) run failed (exit {m.code}):\n{m.log[-3000:]}")
    t_ours = statistics.median(m.wall for m in mo)
    t_pmg = statistics.median(m.wall for m in mp_)
    # Agreement, untimed: our JSON output against the script's printed limits (6 decimals).
    js = measure([*ours, "--format", "json"], env)
    ours_w = json.loads(js.log[js.log.index("[") :])[0]
    got = re.search(
        r"([-\d.]+) - ([-\d.]+) V.*reduction: (.*); oxidation: (.*)$", mp_[0].log.strip()
    )
    if got is None:
        sys.exit(f"error: unexpected output of the plain-pymatgen script: {mp_[0].log!r}")
    red, ox = float(got[1]), float(got[2])
    prods = (
        [] if got[3] == "-" else got[3].split(", "),
        [] if got[4] == "-" else got[4].split(", "),
    )
    diff = max(abs(red - ours_w["reduction_limit_V"]), abs(ox - ours_w["oxidation_limit_V"]))
    same = (sorted(ours_w["reduction_products"]), sorted(ours_w["oxidation_products"])) == prods
    label = "median of 3" if runs == 3 else "1 run"
    bare = [sys.executable, "-c", "import numpy, click"]
    t_bare = statistics.median(measure(bare, env).wall for _ in range(runs))
    row = [
        "(a) cold CLI `stability window Li3N`",
        f"1 ({label})",
        fmt_time(t_pmg),
        "= naive (one system)",
        fmt_time(t_ours),
        fmt_ratio(t_pmg, t_ours),
        fmt_ratio(t_pmg, t_ours),
        f"{statistics.median(m.cpu for m in mp_):.2f} / - / "
        f"{statistics.median(m.cpu for m in mo):.2f} s",
        f"{fmt_mib(max(m.maxrss_mib for m in mp_))} / - / {fmt_mib(max(m.maxrss_mib for m in mo))}",
        f"{diff / MV:.3f} mV",
        "yes" if same else "no",
    ]
    notes = [
        f"(a) process start to exit; ours `{' '.join(['stability', *ours[1:]])}` with the "
        f"entries cache built; pymatgen `python benchmarks/plain_pymatgen.py CSV Li3N` (pandas "
        f"read of the whole CSV, PhaseDiagram of Li-N). Li3N: {ours_w['reduction_limit_V']:.4f}"
        f"-{ours_w['oxidation_limit_V']:.4f} V (ours) vs {red:.4f}-{ox:.4f} V (pymatgen). "
        f"A bare `python -c 'import numpy, click'` takes {fmt_time(t_bare)} here "
        f"(ours is {t_ours / t_bare:.1f}x that)."
    ]
    return row, notes


def compare_windows(pmg: dict, ours: dict) -> dict:
    """Max |difference| of the limits (zero-offset and raw 1e-6) and product agreement."""
    d0 = draw = 0.0
    same = placed_diff = compared = 0
    missing = []
    for p in pmg["results"]:
        f = p["formula"]
        o = ours["results"].get(f)
        if o is None or o["oxidation_limit_V"] is None:
            missing.append(f)
            continue
        compared += 1
        for k in ("reduction_limit_V", "oxidation_limit_V"):
            d0 = max(d0, abs(o[k] - p["zero_offset"][k]))
            draw = max(draw, abs(o[k] - p[k]))
        same += (o["reduction_products"], o["oxidation_products"]) == (
            p["reduction_products"],
            p["oxidation_products"],
        )
        placed_diff += o["placed_on_hull"] != p["placed_on_hull"]
    return {
        "d0": d0,
        "draw": draw,
        "same": same,
        "n": compared,
        "missing": missing,
        "placed_diff": placed_diff,
    }


def compare_competent(comp: dict, ours: dict) -> dict:
    """Competent pymatgen (exact zero-offset limits) against ours: limits and products."""
    d = 0.0
    same = compared = 0
    missing = []
    for f, p in comp["results"].items():
        o = ours["results"].get(f)
        if o is None or o["oxidation_limit_V"] is None:
            missing.append(f)
            continue
        compared += 1
        for k in ("reduction_limit_V", "oxidation_limit_V"):
            d = max(d, abs(o[k] - p[k]))
        same += (o["reduction_products"], o["oxidation_products"]) == (
            p["reduction_products"],
            p["oxidation_products"],
        ) and o["placed_on_hull"] == p["placed_on_hull"]
    return {"d": d, "same": same, "n": compared, "missing": missing}


def amdahl(speedup: float, workers: int) -> float:
    """Parallel fraction p of a run that is ``speedup`` times faster on ``workers``."""
    return (1 - 1 / speedup) / (1 - 1 / workers)


def job_windows(args, env, data: Path, workdir: Path, dataset: str, tag: str):
    """(b)/(c): windows of all Li compounds of ``dataset``, naive and competent pymatgen."""
    sample = None if args.full else (args.quick_sample if args.quick else args.sample)
    csv = str(data / f"{dataset}.csv.gz")
    pmg, mp_ = run_child(
        {"kind": "windows:pymatgen", "csv": csv, "sample": sample, "seed": args.seed},
        env,
        workdir,
    )
    n_sys = None if args.full else (args.quick_sample if args.quick else args.sample_systems)
    cmp_, mc = run_child(
        {"kind": "windows:competent", "csv": csv, "sample_systems": n_sys, "seed": args.seed},
        env,
        workdir,
    )
    spec = {
        "kind": "windows:stability",
        "data": str(data),
        "dataset": dataset,
        "jobs": 2,
        "formulas": sorted(set(pmg["sample"]) | set(cmp_["results"])) if args.quick else None,
    }
    one = None
    if tag == "(b)" and (not args.quick or args.parallel):  # speed-up, parallel fraction
        # jobs=2 and jobs=1 alternate, args.repeat times each: this machine's speed drifts
        # by tens of percent within minutes, so single runs compare moments, not code.
        # A third run per round pivots in numpy (STABILITY_PIVOTS): the C pivots' share.
        numpy_env = {**env, "STABILITY_PIVOTS": "numpy"}
        triples = [
            (
                run_child(spec, env, workdir),
                run_child({**spec, "jobs": 1}, env, workdir),
                run_child(spec, numpy_env, workdir),
            )
            for _ in range(args.repeat)
        ]
        pairs = [t[:2] for t in triples]
        ours, mo = _median_run([p[0] for p in pairs])
        one, _ = _median_run([p[1] for p in pairs])
        in_numpy, _ = _median_run([t[2] for t in triples])
        walls2 = sorted(p[0][0]["wall"] for p in pairs)
        walls1 = sorted(p[1][0]["wall"] for p in pairs)
        same = all(
            (p[i][0]["results"], p[i][0]["errors"]) == (ours["results"], ours["errors"])
            for p in pairs
            for i in (0, 1)
        )
    else:
        ours, mo = run_child(spec, env, workdir)
    n_all, n = pmg["n_all"], pmg["n"]
    scale = ours["n"] / n
    t_pmg = pmg["t_load"] + pmg["t_loop"] * scale
    cpu_pmg = pmg["c_load"] + pmg["c_loop"] * scale
    pmg_cell = fmt_time(t_pmg) + ("" if n == ours["n"] else f" ({n}-sample, extrapolated)")
    if args.quick:
        # Quick: ours ran on the union of both samples; scale each baseline to that.
        t_cmp = cmp_["t_load"] + cmp_["t_loop"] * ours["n"] / max(1, cmp_["n"])
        cpu_cmp = cmp_["c_load"] + cmp_["c_loop"] * ours["n"] / max(1, cmp_["n"])
    else:
        sys_scale = cmp_["n_systems_all"] / cmp_["n_systems"]
        t_cmp = cmp_["t_load"] + cmp_["t_loop"] * sys_scale
        cpu_cmp = cmp_["c_load"] + cmp_["c_loop"] * sys_scale
    cmp_cell = fmt_time(t_cmp)
    if cmp_["n_systems"] < cmp_["n_systems_all"]:
        cmp_cell += f" ({cmp_['n_systems']}-system sample, extrapolated)"
    c = compare_windows(pmg, ours)
    cc = compare_competent(cmp_, ours)
    ok = c["same"] == c["n"] and not c["missing"] and cc["same"] == cc["n"] and not cc["missing"]
    size = f"{ours['n']:,}" + (" (quick sample)" if args.quick else "")
    row = [
        f"{tag} windows+products, all Li compounds, {dataset}",
        size,
        pmg_cell,
        cmp_cell,
        fmt_time(ours["wall"]),
        fmt_ratio(t_pmg, ours["wall"]),
        fmt_ratio(t_cmp, ours["wall"]),
        f"{cpu_pmg:.0f} / {cpu_cmp:.0f} / {ours['cpu']:.1f} s",
        f"{fmt_mib(mp_.maxrss_mib)} / {fmt_mib(mc.maxrss_mib)} / {fmt_mib(mo.maxrss_mib)}",
        f"{max(c['d0'], cc['d']) / MV:.3f} mV",
        f"{'yes' if ok else 'no'} ({c['same'] + cc['same']}/{c['n'] + cc['n']})",
    ]
    notes = [
        f"{tag} {n_all:,} Li compounds (pandas rows with Li and another element) = "
        f"{ours['n_all']:,} targets of resolve_targets(table, 'all-li'); naive compared on "
        f"{c['n']} rows: limits vs its zero-offset value max {c['d0'] / MV:.3f} mV (vs its raw "
        f"1e-6 eV/atom placement: {c['draw'] / MV:.1f} mV); placed flag differs on "
        f"{c['placed_diff']}; competent compared on {cc['n']} rows ({cmp_['n_systems']} of "
        f"{cmp_['n_systems_all']} systems): max {cc['d'] / MV:.3f} mV; errors naive "
        f"{len(pmg['errors'])}, competent {len(cmp_['errors'])}, ours {len(ours['errors'])}"
        + (f"; missing on our side: {', '.join(c['missing'][:5])}" if c["missing"] else "")
        + ".",
        f"{tag} naive pymatgen: load {pmg['t_load']:.2f} s + {pmg['t_loop'] / n * 1000:.0f} ms "
        f"per compound (a PhaseDiagram per compound, a second one to place it). Competent: load "
        f"{cmp_['t_load']:.2f} s + {cmp_['t_loop'] / max(1, cmp_['n_systems']) * 1000:.0f} ms "
        f"per system (one PhaseDiagram per chemical system, placed windows read off it). "
        f"stability: {ours['wall'] / ours['n'] * 1000:.2f} ms per compound (load included) in "
        f"{'3 processes (jobs=2)' if ours['n'] > 64 else '1 process'}; peak RSS main "
        f"{ours['maxrss_self_mib']:.0f} MiB"
        + (f", largest worker {ours['maxrss_children_mib']:.0f} MiB." if ours["n"] > 64 else "."),
    ]
    if one is not None:
        notes.append(
            f"{tag} repeated: jobs=2 and jobs=1 alternately, {args.repeat} runs each; the table shows "
            f"the median run. jobs=2 {' / '.join(fmt_time(w) for w in walls2)}, jobs=1 "
            f"{' / '.join(fmt_time(w) for w in walls1)}; answers of every run "
            f"{'identical' if same else 'NOT identical'}."
        )
        d_np, same_np = 0.0, 0
        for f, o in ours["results"].items():
            q = in_numpy["results"].get(f, {})
            for key in ("reduction_limit_V", "oxidation_limit_V"):
                if o[key] is not None and q.get(key) is not None:
                    d_np = max(d_np, abs(o[key] - q[key]))
            same_np += all(
                o[key] == q.get(key)
                for key in ("reduction_products", "oxidation_products", "placed_on_hull")
            )
        notes.append(
            f"{tag} pivots: in C (the default) {fmt_time(ours['wall'])}, in numpy "
            f"(STABILITY_PIVOTS=numpy, the path of an install without a C compiler) "
            f"{fmt_time(in_numpy['wall'])} (runs "
            f"{' / '.join(fmt_time(w) for w in sorted(t[2][0]['wall'] for t in triples))}; "
            f"CPU {ours['cpu']:.1f} / {in_numpy['cpu']:.1f} s): "
            f"{in_numpy['wall'] / ours['wall']:.2f}x by wall, "
            f"{in_numpy['cpu'] / ours['cpu']:.2f}x by CPU; limits differ by at most "
            f"{d_np / MV:.1e} mV, products and placement the same in {same_np:,}/"
            f"{len(ours['results']):,} rows."
        )
        speedup = one["wall"] / ours["wall"]
        p_wall = amdahl(speedup, 2) if speedup > 1 else 0.0
        # By CPU, which other users of the machine do not distort: the serial part is the
        # snapshot load and the main process's own work while the workers run.
        serial = ours["cpu_load"] + ours["cpu_main"]
        p_cpu = 1 - serial / ours["cpu"]
        at16 = 1 / ((1 - p_cpu) + p_cpu / 16)
        notes.append(
            f"{tag} parallel: jobs=1 {fmt_time(one['wall'])} (CPU {one['cpu']:.1f} s), jobs=2 "
            f"{fmt_time(ours['wall'])} (CPU {ours['cpu']:.1f} s): {speedup:.2f}x by wall time "
            f"(Amdahl parallel fraction {p_wall:.2f}; the cores are shared with other work, "
            f"so this is a lower bound). By CPU: serial {serial:.2f} s (load "
            f"{ours['cpu_load']:.2f} s + main process {ours['cpu_main']:.2f} s) of "
            f"{ours['cpu']:.1f} s, parallel fraction {p_cpu:.3f}: at most "
            f"{1 / ((1 - p_cpu) + p_cpu / 2):.2f}x on 2 workers, {at16:.1f}x on 16."
        )
    return row, notes


def ours_only_row(label: str, size: str, wall: str, cpu: str, rss_mib: float) -> list[str]:
    """A table row of a job with no pymatgen side: n/a where the baselines would be."""
    cpu_cell, rss_cell = f"- / - / {cpu} s", f"- / - / {fmt_mib(rss_mib)}"
    return [label, size, "n/a", "n/a", wall, "n/a", "n/a", cpu_cell, rss_cell, "", ""]


def job_screen_all(args, env, data: Path, workdir: Path) -> tuple[list[str], list[str]]:
    """(h): every compound of mp2019_ground_states (stability only: no baseline screens all)."""
    if args.quick:
        return ["(h) screen of every compound", "skipped (--quick)", *[""] * 9], []
    spec = {"kind": "screen:all", "data": str(data), "dataset": DATASETS[0], "jobs": 2}
    runs = [run_child(spec, env, workdir) for _ in range(args.repeat)]
    ours, mo = _median_run(runs)
    walls = sorted(r[0]["wall"] for r in runs)
    row = ours_only_row(
        f"(h) screen of every compound (set all), {DATASETS[0]}",
        f"{ours['n']:,}",
        fmt_time(ours["wall"]),
        f"{ours['cpu']:.1f}",
        mo.maxrss_mib,
    )
    notes = [
        f"(h) {ours['n']:,} compounds in {ours['systems']:,} chemical systems, jobs=2: "
        f"{ours['windows']:,} windows, {ours['no_window']:,} rows without Li (energy above hull "
        f"only), {ours['failed']} failed; load included. Median of {len(runs)} runs: "
        f"{' / '.join(fmt_time(w) for w in walls)}; rows (every column) of every run "
        f"{'identical' if len({r[0]['rows_sha256'] for r in runs}) == 1 else 'NOT identical'}."
    ]
    return row, notes


def job_screen_ions(args, env, data: Path, workdir: Path) -> tuple[list[str], list[str]]:
    """(j): time per row of the all-na screen (Na open) against the all-Li one, one run."""
    step = 10 if args.quick else 1
    spec = {"kind": "screen:ions", "data": str(data), "dataset": DATASETS[0], "step": step}
    ours, mo = run_child(spec, env, workdir)
    li, na = ours["Li"], ours["Na"]
    per_li, per_na = 1e3 * li["wall"] / li["n"], 1e3 * na["wall"] / na["n"]
    row = ours_only_row(
        "(j) screen all-na --ion Na vs all-li",
        f"{na['n']:,} / {li['n']:,}",
        f"{fmt_time(na['wall'])} / {fmt_time(li['wall'])}",
        "-",
        mo.maxrss_mib,
    )
    notes = [
        f"(j) {DATASETS[0]}, jobs=1, loading excluded: all-na with Na open {per_na:.3f} ms per "
        f"row ({na['windows']:,} windows of {na['n']:,} rows), all-li with Li open "
        f"{per_li:.3f} ms per row ({li['windows']:,} of {li['n']:,}): Na/Li "
        f"{per_na / per_li:.2f}x per row (target: within 1.5x)"
        + (", every 10th row (--quick)." if step > 1 else ".")
    ]
    return row, notes


def _own_rss_mib() -> float:
    """This runner's peak resident set (MiB): the most a child forked from it starts with."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_run(runs: list[tuple[dict, Measured]]) -> tuple[dict, Measured]:
    """The run of median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run[0]["wall"])[(len(runs) - 1) // 2]


def job_nitride_matrix(args, env, data: Path, workdir: Path) -> tuple[list[str], list[str]]:
    """(i): the nitride matrix of issue 14 (library calls, stability only; (d) compares)."""
    if args.quick:
        return ["(i) nitride matrix", "skipped (--quick)", *[""] * 9], []
    ours, mo = run_child(
        {"kind": "interfaces:nitrides", "data": str(data), "dataset": DATASETS[0]}, env, workdir
    )
    a, s = ours["3V"], ours["scan"]
    size = f"{ours['n_left']} x {ours['n_right']}"
    row = ours_only_row(
        "(i) nitrides x (cathodes, sulfides, halides), Li open: 3 V / 0-5 V in 0.1 V steps",
        size,
        f"{fmt_time(a['wall'])} / {fmt_time(s['wall'])}",
        f"{a['cpu']:.1f} / {s['cpu']:.1f}",
        mo.maxrss_mib,
    )
    notes = [
        f"(i) {size} pairs: at 3 V in 1 process {a['rows']:,} rows ({a['errors']} with an "
        f"error); the scan, 51 voltages, jobs={s['jobs']}: {s['rows']:,} rows ({s['errors']} "
        "with an error); library calls (iter_interface_rows), load excluded, no files written."
    ]
    return row, notes


def job_high_entropy(args, env, label: str, formula: str) -> tuple[list[str], list[str]]:
    """(f)/(g): one high-entropy composition on the command line, pymatgen with a budget."""
    ours = [*stability_cmd(), "window", formula, "--format", "json"]
    m = measure(ours, env, timeout=600)
    if m.code != 0:
        sys.exit(f"error: {' '.join(ours)} failed (exit {m.code}):\n{m.log[-3000:]}")
    # The log holds stdout and stderr: read the JSON list, not the notes after it.
    w = json.JSONDecoder().raw_decode(m.log[m.log.index("[") :])[0][0]
    k = len(re.findall(r"[A-Z][a-z]?", formula))
    if args.quick:
        pmg_cell, ratio, rss = "skipped (--quick)", "n/a", "n/a"
    else:
        plain = [sys.executable, str(HERE / "plain_pymatgen.py"), args.csv0, formula]
        mp_ = measure(plain, env, timeout=args.he_budget)
        if mp_.code == 0:
            pmg_cell, ratio = fmt_time(mp_.wall), fmt_ratio(mp_.wall, m.wall)
        else:
            pmg_cell, ratio = (
                f"> {args.he_budget:.0f} s (stopped)",
                f"> {args.he_budget / m.wall:.0f}x",
            )
        rss = fmt_mib(mp_.maxrss_mib)
    row = [
        f"{label} cold CLI window, {k}-element composition",
        "1",
        pmg_cell,
        "n/a",
        fmt_time(m.wall),
        ratio,
        "n/a",
        f"- / - / {m.cpu:.1f} s",
        f"{rss} / - / {fmt_mib(m.maxrss_mib)}",
        "",
        "",
    ]
    notes = [
        f"{label} `stability window {formula}`: {w['reduction_limit_V']:.3f}-"
        f"{w['oxidation_limit_V']:.3f} V, process start to exit (no hull of the {k}-element "
        f"system is built: facets are found by simplex pivots, thermo/walk.py)"
        + (
            "."
            if args.quick
            else f"; pymatgen `plain_pymatgen.py` (PhaseDiagram of the system) given "
            f"{args.he_budget:.0f} s."
        )
    ]
    return row, notes


def job_interfaces(args, env, data: Path, workdir: Path):
    """(d): the interface matrix, closed and over a 0-5 V scan."""
    from stability.analysis.materials.sets import resolve_set  # formulas only: no engine code

    left = resolve_set(args.left)
    right = [item for name in RIGHT_SETS for item in resolve_set(name)]
    pairs = [(a, b) for _, a in left for _, b in right]
    voltages = QUICK_SCAN if args.quick else SCAN
    order = pairs[:]
    random.Random(args.seed).shuffle(order)
    if args.quick:
        order, budget = order[:2], None
    else:
        budget = None if args.full else PMG_BUDGET_S
    pmg, mp_ = run_child(
        {
            "kind": "interfaces:pymatgen",
            "csv": str(data / f"{DATASETS[0]}.csv.gz"),
            "pairs": order,
            "voltages": voltages,
            "budget": budget,
            "min_pairs": MIN_PAIRS,
        },
        env,
        workdir,
    )
    ours, mo = run_child(
        {
            "kind": "interfaces:stability",
            "data": str(data),
            "dataset": DATASETS[0],
            "left": args.left,
            "right": list(RIGHT_SETS),
            "voltages": voltages,
        },
        env,
        workdir,
    )
    n = pmg["n"]
    scale = len(pairs) / n
    t_pmg = pmg["t_load"] + pmg["t_loop"] * scale
    ours_by = {(r["a"], r["b"], r["voltage_V"]): r for r in ours["results"]}
    dmax, same, with_rxn, compared, missing = 0.0, 0, 0, 0, 0
    for p in pmg["results"]:
        o = ours_by.get((p["a"], p["b"], p["voltage_V"]))
        if o is None:
            missing += 1
            continue
        compared += 1
        dmax = max(dmax, abs(o["energy_meV"] - p["energy_meV"]))
        if p["energy_meV"] < -1.0:  # where there is a reaction, is it the same one?
            with_rxn += 1
            same += o["products"] == p["products"]
    ok = same == with_rxn and not missing
    n_v = len(voltages) + 1
    pmg_cell = fmt_time(t_pmg)
    if n < len(pairs):
        pmg_cell += f" ({n}-of-{len(pairs)}-pair sample, extrapolated)"
    scan = "0-5 V in 0.1 V steps" if voltages == SCAN else f"{len(voltages)} voltages"
    cpu_pmg = pmg["c_load"] + pmg["c_loop"] * scale
    row = [
        f"(d) interfaces {args.left} x {'+'.join(RIGHT_SETS)}, closed + {scan}",
        f"{len(pairs)} pairs x {n_v} = {len(pairs) * n_v:,}",
        pmg_cell,
        "n/a",
        fmt_time(ours["wall"]),
        fmt_ratio(t_pmg, ours["wall"]),
        "n/a",
        f"{cpu_pmg:.0f} / - / {ours['cpu']:.1f} s",
        f"{fmt_mib(mp_.maxrss_mib)} / - / {fmt_mib(mo.maxrss_mib)}",
        f"{dmax:.3f} meV/atom",
        f"{'yes' if ok else 'no'} ({same}/{with_rxn})",
    ]
    notes = [
        f"(d) compared {compared:,} reactions ({n} pairs x {n_v}): most negative reaction "
        f"energy (meV/atom of mixture; per non-Li atom with Li open), products compared where "
        f"it is below -1 meV/atom ({with_rxn}); missing on our side {missing}; errors: pymatgen "
        f"{len(pmg['errors'])} pairs, ours {len(ours['errors'])} reactions. pymatgen: one "
        f"PhaseDiagram per pair, one GrandPotentialPhaseDiagram per pair and voltage, "
        f"{pmg['t_loop'] / n:.2f} s per pair; CPU {pmg['c_load'] + pmg['c_loop'] * scale:.0f} s"
        f"{' (extrapolated)' if scale != 1 else ''}. stability: interface_matrix per voltage, "
        f"1 process, CPU {ours['cpu']:.1f} s.",
    ]
    return row, notes


def job_figures(args, env) -> tuple[list[str], list[str]]:
    """(e): ``stability figures``, only if the command exists."""
    import click

    from stability.cli import cli

    label = "(e) stability figures"
    # Commands are loaded on first use: ask the group, not its registry.
    cmd = cli.get_command(click.Context(cli), "figures") if isinstance(cli, click.Group) else None
    blank = ["", "n/a", "", "", "n/a", "n/a", "", "", "", ""]
    if cmd is None:
        return [label, "n/a (no figures command yet)", *blank[1:]], []
    if args.quick:
        return [label, "skipped (--quick)", *blank[1:]], []
    with tempfile.TemporaryDirectory(prefix="bench-figures-") as tmp:
        argv = [*stability_cmd(), "figures"]
        if any(p.name == "out" for p in cmd.params):
            argv += ["--out", tmp]
        m = measure(argv, env, timeout=3600, cwd=tmp)
    if m.code != 0:
        tail = m.log.strip().splitlines()[-1:] or [""]
        return [label, f"failed (exit {m.code}): {tail[0][:60]}", *blank[1:]], []
    row = [
        label,
        "1 run",
        "n/a (no pymatgen equivalent)",
        "n/a",
        fmt_time(m.wall),
        "n/a",
        "n/a",
        f"- / - / {m.cpu:.1f} s",
        f"- / - / {fmt_mib(m.maxrss_mib)}",
        "",
        "",
    ]
    shown = " ".join(["stability", *argv[1:-1], "TMPDIR" if "--out" in argv else argv[-1]])
    return row, [f"(e) `{shown}` (mp2019_ground_states), process start to exit, once."]


# ---------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    default_data = os.environ.get("STABILITY_DATA") or str(ROOT.parent / "shared" / "data")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smoke run on small samples (<1 min)")
    mode.add_argument("--full", action="store_true", help="pymatgen on everything (slow)")
    p.add_argument(
        "--data",
        default=default_data,
        help="folder of MP snapshots (default: $STABILITY_DATA, else ../shared/data)",
    )
    p.add_argument(
        "--sample", type=int, default=400, help="pymatgen sample size in (b) and (c) (default 400)"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the samples (default 0)")
    p.add_argument(
        "--left",
        default=LEFT_DEFAULT,
        help=f"left set of the interface matrix (default {LEFT_DEFAULT}; e.g. nitrides)",
    )
    p.add_argument(
        "--sample-systems",
        type=int,
        default=250,
        help="competent pymatgen's sample of chemical systems in (b) and (c) (default 250)",
    )
    p.add_argument(
        "--he-budget",
        type=float,
        default=60.0,
        help="seconds pymatgen gets for each high-entropy composition in (f), (g) (default 60)",
    )
    p.add_argument(
        "--only",
        default="abcdefghij",
        help="which jobs to run, e.g. --only d (default abcdefghij)",
    )
    p.add_argument("--parallel", action="store_true", help="with --quick: also (b) on one worker")
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs of ours in (b) (each with jobs=2 and jobs=1, alternating) and (h); the table "
        "shows the median (default 3, 1 with --quick)",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.quick_sample = 8
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    return args


def check_data(path: Path) -> None:
    if not path.is_dir():
        sys.exit(
            f"error: snapshot folder {path} not found: pass --data FOLDER, set STABILITY_DATA, "
            "or clone shared/ beside this repository (../shared/data)"
        )
    missing = [f"{d}.csv.gz" for d in DATASETS if not (path / f"{d}.csv.gz").is_file()]
    if missing:
        sys.exit(
            f"error: {path} lacks {', '.join(missing)}: the benchmarks need both MP 2019 "
            "snapshots (see ../shared/data/README.md)"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args.child)
    data = Path(args.data).expanduser().resolve()
    check_data(data)
    args.csv0 = str(data / f"{DATASETS[0]}.csv.gz")
    env = {**os.environ, "STABILITY_DATA": str(data), "MPLBACKEND": "Agg"}
    # As installed: bytecode cached (with PYTHONDONTWRITEBYTECODE every start recompiles).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "stability")], check=False)
    header_lines = machine()
    start = time.perf_counter()
    probe_start = None if args.quick else speed_probe()  # ~10 s: not in a smoke run
    rows, notes = [], []
    workdir = Path(tempfile.mkdtemp(prefix="stability-bench-"))
    try:
        steps = {
            "a": lambda: job_cli(args, env, data),
            "b": lambda: job_windows(args, env, data, workdir, DATASETS[0], "(b)"),
            "c": lambda: job_windows(args, env, data, workdir, DATASETS[1], "(c)"),
            "d": lambda: job_interfaces(args, env, data, workdir),
            "e": lambda: job_figures(args, env),
            "f": lambda: job_high_entropy(args, env, "(f)", HIGH_ENTROPY[0]),
            "g": lambda: job_high_entropy(args, env, "(g)", HIGH_ENTROPY[1]),
            "h": lambda: job_screen_all(args, env, data, workdir),
            "i": lambda: job_nitride_matrix(args, env, data, workdir),
            "j": lambda: job_screen_ions(args, env, data, workdir),
        }
        # A child's ru_maxrss includes this process's resident set when it forks the child, and
        # this process grows as results accumulate: the small cold-start jobs run first.
        done: dict[str, tuple[list[str], list[str]]] = {}
        for key in sorted(steps, key=lambda k: (k not in "afg", k)):
            if key not in args.only:
                continue
            done[key] = steps[key]()
            elapsed = fmt_time(time.perf_counter() - start)
            print(f"[{elapsed}] done: {done[key][0][0]}", file=sys.stderr, flush=True)
        for key in sorted(done):
            rows.append(done[key][0])
            notes += done[key][1]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    headers = [
        "job",
        "size",
        "plain pymatgen",
        "competent pymatgen",
        "stability",
        "ratio (pmg/ours)",
        "ratio (competent/ours)",
        "CPU naive / competent / ours",
        "peak RSS naive / competent / ours",
        "max |diff|",
        "products identical",
    ]
    mode = "--quick" if args.quick else "--full" if args.full else "default"
    print(f"stability vs plain pymatgen ({mode} run; data {data})")
    print(render(headers, rows))
    print()
    print(
        "Wall time: (a) process start to exit; (b)-(d) in-process, from reading the snapshot "
        "to the last answer, imports excluded. Extrapolated pymatgen time = its load time + "
        "its per-item time x all items (items: compounds for naive, systems for competent)."
    )
    print(
        "stability: fast engine; (b)/(c) run_screen(jobs=2) over resolve_targets(table, "
        "'all-li'); pymatgen runs in 1 process throughout (CPU column: its CPU time, "
        "extrapolated like its wall time; ours summed over the worker processes)."
    )
    print(
        "Peak RSS: ru_maxrss from os.wait4 on each side's own child process (the per-child "
        "form of getrusage(RUSAGE_CHILDREN)): the largest resident set of any process of "
        "that side, not a sum over the jobs=2 workers (forks sharing pages with the main one). "
        "Pymatgen's is that of its sample run. It includes the resident set of this runner "
        f"when it forks the child (here {_own_rss_mib():.0f} MiB at the end), so the small "
        "cold-start jobs (a), (f), (g) run first."
    )
    print(
        "Agreement: windows against pymatgen extrapolated to zero placement offset (as "
        "tests/oracle.py), products = the phases just beyond both limits, Li metal left out."
    )
    for n in notes:
        print(n)
    for line in header_lines:
        print(line)
    if probe_start is not None:
        probe_end = speed_probe()
        print(
            "machine speed: a 20M-step Python loop took "
            f"{probe_start[0]:.2f} s alone and {probe_start[1]:.2f} s as one of two at once at "
            f"the start, {probe_end[0]:.2f} s and {probe_end[1]:.2f} s at the end"
        )
    print(f"total benchmark time: {fmt_time(time.perf_counter() - start)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
