"""Time ``stability interlayer`` over every Li compound of mp2019_ground_states.

    python benchmarks/interlayer.py [--data FOLDER]

Each case runs the CLI in a child process; prints wall time, CPU time (user + system of the
child) and the candidate counts. Not part of ``run.py`` (no plain-pymatgen side to compare).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    (
        "beta-Li3N | Li3InCl6, default (faces at the window edges), E_hull <= 0.025",
        ["beta-Li3N", "Li3InCl6"],
    ),
    ("beta-Li3N | LGPS, default", ["beta-Li3N", "LGPS"]),
    (
        "beta-Li3N | Li3InCl6, every Li compound (--max-ehull 1000)",
        ["beta-Li3N", "Li3InCl6", "--max-ehull", "1000"],
    ),
    ("Li | Li3InCl6 --scan 0:2.6:0.2", ["Li", "Li3InCl6", "--scan", "0:2.6:0.2"]),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", default=os.environ.get("STABILITY_DATA", str(ROOT.parent / "shared" / "data"))
    )
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("stability"))
    print(f"{'case':75s} {'wall s':>7s} {'cpu s':>7s}  counts")
    for name, argv in CASES:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(
            [exe, "interlayer", *argv, "--data", args.data, "--format", "json", "--top", "3"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        counts = json.loads(out)["counts"] if out.strip().startswith("{") else out.strip()[-200:]
        print(f"{name:75s} {wall:7.1f} {cpu:7.1f}  {counts}")


if __name__ == "__main__":
    main()
