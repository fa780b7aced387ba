"""Cluster benchmark: throughput of a screen on a Dask cluster of 1 and 2 workers, the
per-task overhead, and a projection to 16, 64 and 256 workers.

    python benchmarks/cluster.py [--data FILE] [--set SET] [--partners SET] [--out DIR]

Starts a ``dask scheduler`` and ``dask worker`` processes (one thread each, no nanny) on
127.0.0.1 for each size, runs the same screen (``run_screen``, default ``li-ternaries:O``
reacted with ``cathodes``) locally on one process and on the cluster, checks the rows are
identical, and measures:

- throughput (rows/s) locally (1 process) and on 1 and 2 workers, with the time to connect
  and ship the dataset (``setup``) apart;
- the per-task overhead: 400 tasks that compute nothing, through the same task function the
  batches use, one worker, one at a time (round trip) and all at once (throughput);
- the dataset as shipped (compressed pickle, bytes).

The projection (printed and written to OUT/cluster.md) assumes what the measurements here
show and what this machine cannot: see ``project``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DASK = str(Path(sys.executable).parent / "dask")


@contextlib.contextmanager
def cluster(workers: int):
    """A scheduler and ``workers`` workers on 127.0.0.1; yields the scheduler address."""
    folder = Path(tempfile.mkdtemp(prefix="stability-bench-dask-"))
    procs = []

    def start(cmd: list[str], name: str) -> None:
        log = open(folder / f"{name}.log", "wb")  # noqa: SIM115 - lives with the process
        procs.append(
            subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )

    try:
        info = folder / "scheduler.json"
        start(
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(info),
            ],
            "scheduler",
        )
        deadline = time.time() + 60
        while not info.exists():
            if time.time() > deadline:
                raise RuntimeError("scheduler did not start")
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        for i in range(workers):
            start(
                [
                    DASK,
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--no-nanny",
                    "--local-directory",
                    str(folder / f"w{i}"),
                ],
                f"worker{i}",
            )
        from distributed import Client

        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def noop(item: int) -> int:
    return item


def task_overhead(address: str, n: int = 400) -> dict[str, float]:
    """Seconds per empty task: one at a time (latency) and n at once (throughput)."""
    from distributed import Client

    from stability.analysis.runtime.cluster import dumps, run_task

    payload = dumps((noop, [(0, 0)]), {})
    with Client(address, timeout=60, set_as_default=False) as client:
        client.submit(run_task, payload, True, pure=False).result()  # warm
        start = time.perf_counter()
        for _ in range(50):
            client.submit(run_task, payload, True, pure=False).result()
        latency = (time.perf_counter() - start) / 50
        start = time.perf_counter()
        futures = [client.submit(run_task, payload, True, pure=False) for _ in range(n)]
        client.gather(futures)
        per_task = (time.perf_counter() - start) / n
    return {"round_trip_s": latency, "pipelined_s": per_task}


def timed_screen(engine, targets, executor=None) -> tuple[float, float, list]:
    """(setup s, compute s, rows): setup is connect + ship until the first row arrives."""
    from stability.analysis.screens.screen import run_screen

    marks: list[float] = []

    class Bar:
        def update(self, n):
            if not marks:
                marks.append(time.perf_counter())

        def close(self):
            pass

    start = time.perf_counter()
    rows = run_screen(
        engine,
        targets,
        executor=executor,
        partners=PARTNERS,
        progress=lambda total, done: Bar(),
    ).rows
    end = time.perf_counter()
    first = marks[0] if marks else end
    return first - start, end - first, rows


PARTNERS: list = []


def project(t_item: float, per_worker: float, overhead: float, blob: int) -> str:
    """Markdown: projected rows/s of the same screen on W workers.

    Assumptions: each worker runs ``per_worker`` rows/s as measured here (per-task overhead
    included); the scheduler dispatches at most one task per measured ``overhead`` (s) and
    a task holds ``TASK_TARGET_S`` of rows, which caps the rows/s of the whole cluster; the
    dataset goes out of the scheduler to every worker at 100 MB/s (1 Gbit/s).
    """
    from stability import config

    rows_per_task = config.TASK_TARGET_S / t_item
    cap = rows_per_task / overhead
    lines = [
        "| workers | rows/s (projected) | vs. W local processes | 10^6 rows take "
        "| dataset broadcast |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for w in (1, 2, 16, 64, 256):
        rows_per_s = min(w * per_worker, cap)
        eff = rows_per_s / (w / t_item)
        broadcast = blob * w / 100e6
        lines.append(
            f"| {w} | {rows_per_s:,.0f} | {eff:.0%} | {1e6 / rows_per_s / 60:,.1f} min "
            f"| {broadcast:.1f} s |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path(os.environ.get("STABILITY_DATA", ROOT.parent / "shared" / "data"))
    p.add_argument("--data", type=Path, default=default / "mp2019_ground_states.csv.gz")
    p.add_argument("--set", default="li-ternaries:O")
    p.add_argument("--partners", default="cathodes", help="'' for windows only")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = p.parse_args(argv)

    import pickle
    import zlib

    from stability.analysis.materials.sets import resolve_set, resolve_targets
    from stability.entries.load import load_dataset
    from stability.thermo.engines import make_engine

    table = load_dataset(args.data)
    targets = resolve_targets(table, args.set)
    PARTNERS[:] = resolve_set(args.partners) if args.partners else []
    blob = len(zlib.compress(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL), 1))
    n = len(targets)
    print(
        f"screen {args.set} x {args.partners or 'nothing'}: {n} rows; dataset {blob / 1e6:.1f} MB"
    )

    _, local_s, reference = timed_screen(make_engine(table), targets)
    t_item = local_s / n
    results = {"local (1 process)": (0.0, local_s)}
    overhead: dict[str, float] = {}
    for workers in (1, 2):
        with cluster(workers) as address:
            if workers == 1:
                overhead = task_overhead(address)
            setup, compute, rows = timed_screen(make_engine(table), targets, address)
            if json.dumps(rows) != json.dumps(reference):
                raise SystemExit(f"rows on {workers} workers differ from the local run")
            results[f"cluster, {workers} worker{'s' * (workers > 1)}"] = (setup, compute)

    lines = [
        f"Screen `{args.set}` with `--interfaces-with {args.partners}`: {n} rows, "
        f"{t_item * 1000:.1f} ms per row locally; dataset shipped as {blob / 1e6:.1f} MB.",
        "",
        "| where | setup (connect, ship, first task) | compute | rows/s | identical |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, (setup, compute) in results.items():
        lines.append(f"| {name} | {setup:.1f} s | {compute:.1f} s | {n / compute:,.0f} | yes |")
    lines += [
        "",
        f"Per-task overhead (empty task, 1 worker): {overhead['round_trip_s'] * 1000:.1f} ms "
        f"round trip, {overhead['pipelined_s'] * 1000:.1f} ms per task when many are queued.",
        "",
    ]
    one = n / results["cluster, 1 worker"][1]
    two = n / results["cluster, 2 workers"][1]
    per_worker = max(one, two / 2)
    lines += [
        "Projection (rows of the same cost; each worker as fast as measured here, "
        f"{per_worker:,.0f} rows/s, overhead included; ~1 s tasks; the scheduler dispatching "
        f"one task per {overhead['pipelined_s'] * 1000:.1f} ms at most; the dataset sent to "
        "each worker at 100 MB/s):",
        "",
        project(t_item, per_worker, overhead["pipelined_s"], blob),
    ]
    report = "\n".join(lines)
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cluster.md").write_text(report + "\n")
    print(f"\nwrote {args.out / 'cluster.md'}")


if __name__ == "__main__":
    main()
