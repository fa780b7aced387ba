"""Issue 28's goals, as ratios within one run, with the answers checked against the old paths.

    python benchmarks/goals.py [--data FOLDER] [--repeat N] [--quick]

Every timed side is the command line in a fresh process (process start to exit), the sides
of a goal interleaved ``--repeat`` times (default 3; medians shown), so background load on
this shared 2-core host hits both alike. Ratios, not absolute times, are the goals:

- (p1) cold ``window Li9N2Cl3 --tolerance 0.05`` and ``--passivation`` / cold strict window
  (goal <= 2x; the band gaps come from the cache, built by a warm-up run);
- (p2) ``screen --set all-li --jobs 2`` with ``--tolerance 0.05`` and with ``--passivation``
  / the plain one (goal <= 2x);
- (l) ``interlayer Li3N Li3InCl6 --top 5`` over every Li compound / cold ``window Li3N``
  (goal <= 10x);
- (s) ``screen --set all-li --interfaces-with cathodes --jobs 2`` / the plain screen (goal
  <= 3x).

Answers are checked in this process against the code paths the fast ones replace, computed
here from scratch: band gaps parsed from the CSV (``properties._read_table``) against those
the cache serves, and the passivated window of the command against one computed with the
parsed gaps; the whole interlayer ranking against the search that computes every
candidate's window (``compute_window``), and the command's top 5 against it; every
``reaction_with_*`` cell of the interface screen on every 4th chemical system (``--quick``:
every 40th) against ``compute_interface`` (energies within 1e-9 meV/atom), and its window
columns against the plain screen's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENERGY_TOL_MEV = 1e-9


def stability_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "stability"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "stability"]


def run(cmd: list[str], env: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, proc.stdout


def interleaved(cmds: dict[str, list[str]], env: dict, repeat: int) -> dict[str, float]:
    """Median wall time of each command, run in turn ``repeat`` times."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for key, cmd in cmds.items():
            times[key].append(run(cmd, env)[0])
    return {k: statistics.median(v) for k, v in times.items()}


# ------------------------------------------------------------------ the old paths (answers)


def check_gaps_and_passivated_window(out_json: str) -> str:
    """Cached gaps == parsed gaps; the command's passivated window == one from parsed gaps."""
    from stability import Passivation, compute_practical_window, load_dataset, make_engine
    from stability.entries import properties
    from stability.entries.properties import band_gap_files, resolve_gaps_path

    path = resolve_gaps_path()
    parsed: dict = {}
    for f in band_gap_files(path):
        parsed.update(properties._read_table(f))
    cached = properties.load_band_gaps(path)
    same_gaps = cached == parsed and list(cached) == list(parsed)
    engine = make_engine(load_dataset())
    window = compute_practical_window(engine, "Li9N2Cl3", passivation=Passivation(parsed))
    got = json.loads(out_json)
    got = got[0] if isinstance(got, list) else got
    keys = [k for k in got if k.startswith("passivat")]
    same_window = all(got[k] == getattr(window, k) for k in keys) and len(keys) >= 6
    return (
        f"gaps {len(parsed):,} equal: {'yes' if same_gaps else 'NO'}; "
        f"passivated window equal: {'yes' if same_window else 'NO'}"
    )


def check_interlayer(cli_json: str) -> str:
    """The ranking against the search that computes every candidate's window."""
    sys.path.insert(0, str(ROOT))
    from stability import load_dataset, make_engine, resolve_targets
    from stability.analysis.cells import interlayer
    from tests.test_speed_paths import _every_window

    table = load_dataset()
    cands = [(t.key, t.formula) for t in resolve_targets(table, "all-li")]
    fast = interlayer.rank_interlayers(make_engine(table), "Li3N", "Li3InCl6", cands).to_dict()
    original = interlayer.candidate_window
    interlayer.candidate_window = _every_window
    try:
        t0 = time.perf_counter()
        slow = interlayer.rank_interlayers(make_engine(table), "Li3N", "Li3InCl6", cands)
        t_slow = time.perf_counter() - t0
    finally:
        interlayer.candidate_window = original
    slow = slow.to_dict()
    cli = json.loads(cli_json)
    top = [c["formula"] for c in cli["candidates"]]
    same_cli = (
        top == [c["formula"] for c in slow["candidates"][:5]] and cli["counts"] == (slow["counts"])
    )
    return (
        f"{len(slow['candidates']):,} ranked rows equal: {'yes' if fast == slow else 'NO'}; "
        f"command's top 5 and counts equal: {'yes' if same_cli else 'NO'} "
        f"(old path in-process {t_slow:.1f} s)"
    )


def check_interface_screen(rows_with: list[dict], rows_plain: list[dict], step: int) -> str:
    """Every reaction_with_* cell of every ``step``-th system against compute_interface."""
    from stability import load_dataset, make_engine, resolve_set, resolve_targets
    from stability.analysis.interfaces.interface import compute_interface
    from stability.analysis.screens.screen import system_groups
    from stability.errors import StabilityError

    table = load_dataset()
    engine = make_engine(table)
    targets = resolve_targets(table, "all-li")
    partners = resolve_set("cathodes", table)
    by_key = {r["label"]: r for r in rows_with}
    plain = {r["label"]: r for r in rows_plain}
    worst, n, bad = 0.0, 0, 0
    same_windows = all(
        {k: v for k, v in by_key[key].items() if not k.startswith("reaction_with_")}
        == {**plain[key], "error": by_key[key]["error"]}
        for key in plain
    )
    for group in system_groups(targets, engine)[::step]:
        for i in group:
            t = targets[i]
            row = by_key[t.label]
            for label, formula in partners:
                got = row[f"reaction_with_{label}_meV_per_atom"]
                try:
                    want = compute_interface(engine, t.formula, formula)
                except StabilityError:
                    bad += got is not None
                    continue
                n += 1
                if got is None or not math.isfinite(got):
                    bad += 1
                    continue
                worst = max(worst, abs(got - want.reaction_energy_meV_per_atom))
    ok = bad == 0 and worst <= ENERGY_TOL_MEV and same_windows
    return (
        f"{n:,} interfaces (every {step}th system) within 1e-9 meV/atom: "
        f"{'yes' if ok else 'NO'} (largest {worst:.1e} meV/atom); window columns equal: "
        f"{'yes' if same_windows else 'NO'}"
    )


# ---------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.environ.get("STABILITY_DATA"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="1 run each, every 40th system")
    args = p.parse_args(argv)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if args.data:
        env["STABILITY_DATA"] = args.data
        os.environ["STABILITY_DATA"] = args.data
    repeat = 1 if args.quick else args.repeat
    st = stability_cmd()
    work = Path(tempfile.mkdtemp(prefix="stability-goals-"))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"issue 28 goals: {repeat} interleaved run(s) each, medians; load average {load}")

    # Warm-up: entry and band-gap caches built, files in the OS cache.
    for cmd in (["window", "Li3N"], ["window", "Li9N2Cl3", "--passivation"]):
        run([*st, *cmd], env)

    rows = []
    w = ["window", "Li9N2Cl3"]
    t = interleaved(
        {
            "strict": [*st, *w],
            "tolerance": [*st, *w, "--tolerance", "0.05"],
            "passivation": [*st, *w, "--passivation"],
        },
        env,
        repeat,
    )
    _, out = run([*st, *w, "--passivation", "--format", "json"], env)
    answers = check_gaps_and_passivated_window(out)
    for key in ("tolerance", "passivation"):
        rows.append(
            (
                f"(p1) cold `window Li9N2Cl3 --{key}` / strict",
                f"{t[key]:.2f} / {t['strict']:.2f} s",
                t[key] / t["strict"],
                2.0,
                answers if key == "passivation" else "strict limits untouched (tests)",
            )
        )

    screen = ["screen", "--set", "all-li", "--jobs", "2", "--restart"]
    cmds = {
        "plain": [*st, *screen, "--out", str(work / "plain")],
        "tolerance": [*st, *screen, "--tolerance", "0.05", "--out", str(work / "tol")],
        "passivation": [*st, *screen, "--passivation", "--out", str(work / "pass")],
        "interfaces": [
            *st,
            *screen,
            "--interfaces-with",
            "cathodes",
            "--out",
            str(work / "iface"),
        ],
    }
    t = interleaved(cmds, env, repeat)
    for key in ("tolerance", "passivation"):
        rows.append(
            (
                f"(p2) `screen --set all-li --{key}` / plain screen (jobs 2)",
                f"{t[key]:.2f} / {t['plain']:.2f} s",
                t[key] / t["plain"],
                2.0,
                "",
            )
        )
    plain_rows = json.loads((work / "plain" / "screen.json").read_text())
    iface_rows = json.loads((work / "iface" / "screen.json").read_text())
    t_iface, t_plain = t["interfaces"], t["plain"]

    il = interleaved(
        {
            "window": [*st, "window", "Li3N"],
            "interlayer": [*st, "interlayer", "Li3N", "Li3InCl6", "--top", "5"],
        },
        env,
        repeat,
    )
    _, il_json = run([*st, "interlayer", "Li3N", "Li3InCl6", "--top", "5", "--format", "json"], env)
    rows.append(
        (
            "(l) `interlayer Li3N Li3InCl6 --top 5` (8,656 candidates) / cold `window Li3N`",
            f"{il['interlayer']:.2f} / {il['window']:.2f} s",
            il["interlayer"] / il["window"],
            10.0,
            check_interlayer(il_json),
        )
    )
    rows.append(
        (
            "(s) `screen --set all-li --interfaces-with cathodes` / plain screen (jobs 2)",
            f"{t_iface:.2f} / {t_plain:.2f} s",
            t_iface / t_plain,
            3.0,
            check_interface_screen(iface_rows, plain_rows, 40 if args.quick else 4),
        )
    )

    # New work keeps pace: air over the catalogue against its screen, and Na rows against Li.
    seed = ["--set", "seed"]
    ta = interleaved(
        {
            "air": [*st, "air", *seed, "--format", "csv"],
            "screen": [*st, "screen", *seed, "--restart", "--out", str(work / "seed")],
        },
        env,
        repeat,
    )
    rows.append(
        (
            "(a) `air --set seed` / `screen --set seed` (catalogue)",
            f"{ta['air']:.2f} / {ta['screen']:.2f} s",
            ta["air"] / ta["screen"],
            2.0,
            "air answers: tests/test_air.py (pymatgen oracle)",
        )
    )
    na = ["screen", "--set", "all-na", "--ion", "Na", "--jobs", "2", "--restart"]
    tn = interleaved({"na": [*st, *na, "--out", str(work / "na")]}, env, repeat)
    na_rows = len(json.loads((work / "na" / "screen.json").read_text()))
    per_na, per_li = tn["na"] / na_rows, t_plain / len(plain_rows)
    rows.append(
        (
            f"(n) all-Na screen ({na_rows:,} rows) per row / all-Li ({len(plain_rows):,}) per row",
            f"{1e3 * per_na:.3f} / {1e3 * per_li:.3f} ms",
            per_na / per_li,
            1.5,
            "Na windows: tests/test_oracle_ions.py (pymatgen oracle)",
        )
    )

    print()
    head = ("goal", "times", "ratio", "target", "met", "answers")
    table = [
        (
            name,
            times,
            "-" if ratio is None else f"{ratio:.2f}x",
            f"<= {target:g}x",
            "-" if ratio is None else ("yes" if ratio <= target else "no"),
            note,
        )
        for name, times, ratio, target, note in rows
    ]
    widths = [max(len(str(r[i])) for r in [head, *table]) for i in range(len(head) - 1)]
    for r in [head, (*("-" * w for w in widths), "-------"), *table]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
