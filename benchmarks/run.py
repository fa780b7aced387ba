"""Benchmarks: plain pymatgen against ``stability``, side by side, on the same entries.

    python benchmarks/run.py [--quick | --full] [--data FOLDER] [--sample N] [--seed S]

Prints one table: per job, the wall time of each side, the ratio (pymatgen / stability),
the peak memory of each side, and how well the answers agree. Every side of every job runs
in a child process of its own, so peak memory is that process tree's alone (ru_maxrss from
``os.wait4``, the per-child form of ``getrusage(RUSAGE_CHILDREN)``).

"Plain pymatgen" is ``benchmarks/plain_pymatgen.py``: what a researcher writes with pandas
and pymatgen alone (PDEntry objects from the snapshot CSV, ``PhaseDiagram`` per material on
its chemical system, ``get_element_profile``; ``(GrandPotential)InterfacialReactivity`` per
pair and voltage). It imports nothing from ``stability``. "stability" is the library's public
calls on the fast engine (``load_dataset``, ``make_engine``, ``run_screen``,
``interface_matrix``) and its command line.

Jobs:
  (a) cold CLI ``stability window Li3N`` vs a plain-pymatgen script, as subprocesses
      (process start to exit, median of 3; the entries cache is built beforehand).
  (b) windows and products of every Li compound of mp2019_ground_states.
  (c) the same on mp2019_all_polymorphs (several entries per composition).
  (d) interface matrix nitride-sses x (cathodes + sulfides + halides), closed and Li open
      at 0-5 V in 0.1 V steps.
  (e) ``stability figures``, if the CLI has that command.

By default pymatgen runs on a seeded random sample in (b) and (c) (and on a sample of the
pairs in (d) if all of them would take more than 5 minutes) and its time is extrapolated
linearly; ``--full`` runs it on everything (about an hour on 2 cores: (b) ~11 min, (c) ~50 min).
``--quick`` is a smoke run of well under a minute on small samples.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
    result = run_screen(engine, targets, jobs=spec["jobs"])
    wall = time.perf_counter() - t0
    cpu = _cpu_seconds() - c0
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
    from stability.analysis.sets import resolve_set

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
        key = f"{r['a_formula']}|{r['b_formula']}"
        if r["error"]:
            errors[f"{key}@{r['voltage_V']}"] = r["error"]
            continue
        out.append(
            {
                "a": r["a_formula"],
                "b": r["b_formula"],
                "voltage_V": r["voltage_V"],
                "mixing_ratio": r["mixing_ratio"],
                "energy_meV": r.get("reaction_energy_meV_per_atom", r.get("reaction_energy_meV_per_non_li_atom")),
                "products": sorted(p for p in r["products"].split(";") if p and p != "Li"),
            }
        )
    return {"n": len(left) * len(right), "wall": wall, "cpu": cpu, "results": out, "errors": errors}


CHILDREN = {
    "windows:pymatgen": child_windows_pymatgen,
    "windows:stability": child_windows_stability,
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
        import stability.analysis.interface
        import stability.analysis.screen
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
    row = [
        "(a) cold CLI `stability window Li3N`",
        f"1 ({label})",
        fmt_time(t_pmg),
        fmt_time(t_ours),
        fmt_ratio(t_pmg, t_ours),
        fmt_mib(max(m.maxrss_mib for m in mp_)),
        fmt_mib(max(m.maxrss_mib for m in mo)),
        f"{diff / MV:.3f} mV",
        "yes" if same else "no",
    ]
    notes = [
        f"(a) process start to exit; ours `{' '.join(['stability', *ours[1:]])}` with the "
        f"entries cache built; pymatgen `python benchmarks/plain_pymatgen.py CSV Li3N` (pandas "
        f"read of the whole CSV, PhaseDiagram of Li-N). Li3N: {ours_w['reduction_limit_V']:.4f}"
        f"-{ours_w['oxidation_limit_V']:.4f} V (ours) vs {red:.4f}-{ox:.4f} V (pymatgen)."
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


def job_windows(args, env, data: Path, workdir: Path, dataset: str, tag: str):
    """(b)/(c): windows of all Li compounds of ``dataset``."""
    sample = None if args.full else (args.quick_sample if args.quick else args.sample)
    pmg, mp_ = run_child(
        {
            "kind": "windows:pymatgen",
            "csv": str(data / f"{dataset}.csv.gz"),
            "sample": sample,
            "seed": args.seed,
        },
        env,
        workdir,
    )
    ours, mo = run_child(
        {
            "kind": "windows:stability",
            "data": str(data),
            "dataset": dataset,
            "jobs": 2,
            "formulas": pmg["sample"] if args.quick else None,
        },
        env,
        workdir,
    )
    n_all, n = pmg["n_all"], pmg["n"]
    scale = ours["n"] / n
    t_pmg = pmg["t_load"] + pmg["t_loop"] * scale
    cpu_pmg = pmg["c_load"] + pmg["c_loop"] * scale
    if n == ours["n"]:
        pmg_cell = fmt_time(t_pmg)
    else:
        pmg_cell = f"{fmt_time(t_pmg)} ({n}-sample, extrapolated)"
    c = compare_windows(pmg, ours)
    ok = c["same"] == c["n"] and not c["missing"]
    size = f"{ours['n']:,}" + (" (quick sample)" if args.quick else "")
    row = [
        f"{tag} windows+products, all Li compounds, {dataset}",
        size,
        pmg_cell,
        fmt_time(ours["wall"]),
        fmt_ratio(t_pmg, ours["wall"]),
        fmt_mib(mp_.maxrss_mib),
        fmt_mib(mo.maxrss_mib),
        f"{c['d0'] / MV:.3f} mV",
        f"{'yes' if ok else 'no'} ({c['same']}/{c['n']})",
    ]
    notes = [
        f"{tag} {n_all:,} Li compounds (pandas rows with Li and another element) = "
        f"{ours['n_all']:,} targets of resolve_targets(table, 'all-li'); compared on the "
        f"{c['n']} pymatgen rows: limits vs pymatgen's zero-offset value max {c['d0'] / MV:.3f} mV "
        f"(vs its raw 1e-6 eV/atom placement: {c['draw'] / MV:.1f} mV); placed flag differs on "
        f"{c['placed_diff']}; pymatgen errors {len(pmg['errors'])}, ours {len(ours['errors'])}"
        + (f"; missing on our side: {', '.join(c['missing'][:5])}" if c["missing"] else "")
        + ".",
        f"{tag} pymatgen: load {pmg['t_load']:.2f} s + {pmg['t_loop'] / n * 1000:.0f} ms per "
        f"compound; CPU {cpu_pmg:.0f} s{' (extrapolated)' if scale != 1 else ''}. stability: "
        f"{ours['wall'] / ours['n'] * 1000:.2f} ms per compound (load included), CPU {ours['cpu']:.1f} s in "
        f"{'3 processes (jobs=2)' if ours['n'] > 64 else '1 process'}; peak RSS main "
        f"{ours['maxrss_self_mib']:.0f} MiB"
        + (f", largest worker {ours['maxrss_children_mib']:.0f} MiB." if ours["n"] > 64 else "."),
    ]
    return row, notes


def job_interfaces(args, env, data: Path, workdir: Path):
    """(d): the interface matrix, closed and over a 0-5 V scan."""
    from stability.analysis.sets import resolve_set  # formulas only: no engine code

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
    row = [
        f"(d) interfaces {args.left} x {'+'.join(RIGHT_SETS)}, closed + {scan}",
        f"{len(pairs)} pairs x {n_v} = {len(pairs) * n_v:,}",
        pmg_cell,
        fmt_time(ours["wall"]),
        fmt_ratio(t_pmg, ours["wall"]),
        fmt_mib(mp_.maxrss_mib),
        fmt_mib(mo.maxrss_mib),
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
    cmd = cli.commands.get("figures") if isinstance(cli, click.Group) else None
    blank = ["", "n/a", "", "", "n/a", "", "", ""]
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
        fmt_time(m.wall),
        "n/a",
        "n/a",
        fmt_mib(m.maxrss_mib),
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
        "--only", default="abcde", help="which jobs to run, e.g. --only d (default abcde)"
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.quick_sample = 8
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
    env = {**os.environ, "STABILITY_DATA": str(data), "MPLBACKEND": "Agg"}
    header_lines = machine()
    start = time.perf_counter()
    rows, notes = [], []
    workdir = Path(tempfile.mkdtemp(prefix="stability-bench-"))
    try:
        steps = {
            "a": lambda: job_cli(args, env, data),
            "b": lambda: job_windows(args, env, data, workdir, DATASETS[0], "(b)"),
            "c": lambda: job_windows(args, env, data, workdir, DATASETS[1], "(c)"),
            "d": lambda: job_interfaces(args, env, data, workdir),
            "e": lambda: job_figures(args, env),
        }
        for key, step in steps.items():
            if key not in args.only:
                continue
            row, more = step()
            rows.append(row)
            notes += more
            elapsed = fmt_time(time.perf_counter() - start)
            print(f"[{elapsed}] done: {row[0]}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    headers = [
        "job",
        "size",
        "plain pymatgen",
        "stability",
        "ratio (pmg/ours)",
        "peak RSS pymatgen",
        "peak RSS stability",
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
        "its per-item time x all items."
    )
    print(
        "stability: fast engine; (b)/(c) run_screen(jobs=2) over resolve_targets(table, "
        "'all-li'); plain pymatgen runs in 1 process throughout (see CPU times below)."
    )
    print(
        "Peak RSS: ru_maxrss from os.wait4 on each side's own child process (the per-child "
        "form of getrusage(RUSAGE_CHILDREN)): the largest resident set of any process of "
        "that side, not a sum over the jobs=2 workers (forks sharing pages with the main one). "
        "Pymatgen's is that of its sample run."
    )
    print(
        "Agreement: windows against pymatgen extrapolated to zero placement offset (as "
        "tests/oracle.py), products = the phases just beyond both limits, Li metal left out."
    )
    for n in notes:
        print(n)
    for line in header_lines:
        print(line)
    print(f"total benchmark time: {fmt_time(time.perf_counter() - start)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
