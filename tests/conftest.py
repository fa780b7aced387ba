"""Shared fixtures: the snapshots in ../shared/data (read at run time) and engines over them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("STABILITY_DATA") or ROOT.parent / "shared" / "data")
REFERENCES = SHARED_DATA.parent / "references" / "published_windows.csv"


def pytest_configure(config: pytest.Config) -> None:
    # Tests build their own cache, so a stale or foreign cached_entries/ cannot affect them.
    os.environ.setdefault("STABILITY_CACHE", tempfile.mkdtemp(prefix="stability-test-cache-"))


def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.fail(
            f"snapshot {path} not found: these tests read the MP snapshots from ../shared/data "
            "(clone shared/ beside the repository or set STABILITY_DATA)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def mp2019():
    from stability.entries.load import load_dataset

    return load_dataset(shared_file("mp2019_ground_states.csv.gz"))


@pytest.fixture(scope="session")
def fast2019(mp2019):
    from stability.thermo.engines import make_engine

    return make_engine(mp2019, "fast")
