"""Batches on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1 (random free ports, one thread each), started and torn down by these tests.

The tables must be byte-identical to local runs, whatever happens to workers or scheduler.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from stability.analysis.screens.screen import JOURNAL
from stability.cli import cli

from .conftest import shared_file

DASK = str(Path(sys.executable).parent / "dask")
START_TIMEOUT_S = 60
# serial: its interrupts race against the run; in parallel with other tests the screen can
# finish before the signal lands (make test runs these after the parallel part, alone).
pytestmark = [pytest.mark.slow, pytest.mark.serial]


class Cluster:
    """A scheduler and workers as subprocesses of this test, each in its own session."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}
        scheduler_file = folder / "scheduler.json"
        self._start(
            "scheduler",
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
        )
        deadline = time.time() + START_TIMEOUT_S
        while not scheduler_file.exists():
            if time.time() > deadline or self.procs["scheduler"].poll() is not None:
                raise RuntimeError("the scheduler did not start:\n" + self.log("scheduler"))
            time.sleep(0.1)
        self.address = json.loads(scheduler_file.read_text())["address"]
        for i in range(workers):
            # No nanny: SIGKILL to a worker's pid really ends that worker.
            self._start(
                f"worker{i}",
                [
                    DASK,
                    "worker",
                    self.address,
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--no-nanny",
                    "--name",
                    f"w{i}",
                    "--local-directory",
                    str(folder / f"w{i}"),
                ],
            )
        self.wait_for_workers(workers)

    def _start(self, name: str, cmd: list[str]) -> None:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder, start_new_session=True
        )

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=START_TIMEOUT_S, set_as_default=False) as client:
            client.wait_for_workers(n, timeout=START_TIMEOUT_S)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, sig)
        self.procs[name].wait(timeout=30)

    def close(self) -> None:
        for name, proc in reversed(self.procs.items()):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(name)


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int = 2) -> Iterator[Cluster]:
    cluster = None
    try:
        cluster = Cluster(folder, workers)
        yield cluster
    finally:
        if cluster is not None:
            cluster.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    with dask_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def outputs(folder: Path, *names: str) -> list[bytes]:
    return [(folder / name).read_bytes() for name in names]


def test_screen_on_the_cluster_is_the_local_table(cluster, data, tmp_path):
    args = ["screen", "--set", "li-ternaries:Cl", "--data", data, "--out"]
    assert run(*args, str(tmp_path / "local")).exit_code == 0
    res = run(*args, str(tmp_path / "cluster"), "--scheduler", cluster.address)
    assert res.exit_code == 0, res.output
    files = ("screen.csv", "screen.json")
    assert outputs(tmp_path / "cluster", *files) == outputs(tmp_path / "local", *files)
    # One journal line per row, each once.
    lines = (tmp_path / "cluster" / JOURNAL).read_text().splitlines()[1:]
    keys = [json.loads(line)["key"] for line in lines]
    assert len(keys) == len(set(keys)) == len(json.loads(outputs(tmp_path / "local", files[1])[0]))


def test_interfaces_on_the_cluster_are_the_local_tables(cluster, data, tmp_path):
    # The scheduler also comes from the environment.
    env_runner = CliRunner(env={"STABILITY_SCHEDULER": cluster.address})
    for extra in (["--voltage", "3"], ["--scan", "0:5:0.5", "--table-format", "both"]):
        args = ["interfaces", "--left", "nitride-sses", "--right", "cathodes", "--data", data]
        args += extra
        local = run(*args, "--out", str(tmp_path / "local"), "--jobs", "2")
        assert local.exit_code == 0, local.output
        res = env_runner.invoke(cli, [*args, "--out", str(tmp_path / "cluster")])
        assert res.exit_code == 0, res.output
        names = ["interfaces.csv"] + (["interfaces.parquet"] if "--scan" in extra else [])
        assert outputs(tmp_path / "cluster", *names) == outputs(tmp_path / "local", *names)
    import pandas as pd

    scan = pd.read_parquet(tmp_path / "cluster" / "interfaces.parquet")
    assert len(scan) == 4 * 7 * 11 and sorted(set(scan["voltage_V"])) == [
        i * 0.5 for i in range(11)
    ]
    assert (scan["total_reaction_energy_meV_per_non_ion_atom"] <= 1e-9).all()


def test_compare_on_the_cluster(cluster, tmp_path):
    folder = str(shared_file("mp2019_ground_states.csv.gz").parent)
    args = ["compare", "--set", "seed", "--data", folder, "--dataset", "mp2019_ground_states"]
    args += ["--dataset", "mp2022_hull", "--no-uncertainty", "--format", "csv"]
    local = run(*args)
    remote = run(*args, "--scheduler", cluster.address)
    assert local.exit_code == remote.exit_code and remote.stdout == local.stdout


def test_interlayer_on_the_cluster(cluster, data):
    args = ["interlayer", "beta-Li3N", "LiCoO2", "--candidates", "li-ternaries:F", "--data", data]
    args += ["--format", "csv", "--top", "50"]
    local = run(*args)
    remote = run(*args, "--scheduler", cluster.address)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout and remote.stdout.count("\n") > 5


def screen_command(data: str, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "stability",
        "screen",
        "--set",
        "li-ternaries:O",
        "--interfaces-with",
        "cathodes",
        "--data",
        data,
        "--out",
        str(out),
        *extra,
    ]


@pytest.fixture(scope="module")
def reference(data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    subprocess.run(screen_command(data, out, "--jobs", "2"), check=True, capture_output=True)
    return out


def wait_for_rows(journal: Path, rows: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text().count("\n") > rows:
            return
        time.sleep(0.05)
    raise AssertionError(f"{journal} did not reach {rows} rows")


def test_a_worker_killed_mid_run(data, reference, tmp_path):
    with dask_cluster(tmp_path / "dask") as c:
        out = tmp_path / "run"
        proc = subprocess.Popen(
            screen_command(data, out, "--scheduler", c.address),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        wait_for_rows(out / JOURNAL, 100, proc)
        c.kill("worker0")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    files = ("screen.csv", "screen.json")
    assert outputs(out, *files) == outputs(reference, *files)
    lines = (out / JOURNAL).read_text().splitlines()[1:]
    keys = [json.loads(line)["key"] for line in lines]
    assert len(keys) == len(set(keys)) == 827  # no row lost, none twice


def test_scheduler_lost_mid_run_then_resumed_locally(data, reference, tmp_path):
    out = tmp_path / "run"
    with dask_cluster(tmp_path / "dask") as c:
        proc = subprocess.Popen(
            screen_command(data, out, "--scheduler", c.address),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        wait_for_rows(out / JOURNAL, 100, proc)
        c.kill("scheduler")
        _, err = proc.communicate(timeout=120)
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, err.decode()
    assert lines[0].startswith("Error: lost the Dask scheduler at " + c.address), lines[0]
    assert "rows saved in" in lines[0] and "resume" in lines[0]
    saved = (out / JOURNAL).read_text().count("\n") - 1
    assert 100 <= saved < 827
    assert not (out / "screen.csv").exists()
    # Resumed here, without the cluster: the same table.
    subprocess.run(screen_command(data, out, "--jobs", "2"), check=True, capture_output=True)
    files = ("screen.csv", "screen.json")
    assert outputs(out, *files) == outputs(reference, *files)


def test_interrupted_on_the_cluster(cluster, data, tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen(
        screen_command(data, out, "--scheduler", cluster.address),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for_rows(out / JOURNAL, 50, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 130 and len(lines) == 1, err.decode()
    assert lines[0].startswith("Interrupted: ") and "rows saved" in lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{port}", "127.0.0.1"])
def test_an_unreachable_scheduler_is_one_line(data, tmp_path, address):
    address = address.format(port=free_port())
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    started = time.time()
    proc = subprocess.run(
        screen_command(data, tmp_path, "--scheduler", address),
        capture_output=True,
        env=env,
        timeout=60,
    )
    lines = proc.stderr.decode().strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr.decode()
    assert lines[0].startswith(f"Error: cannot reach the Dask scheduler at {address}: ")
    assert time.time() - started < 30
