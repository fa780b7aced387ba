"""Where data and caches live, and the numerical conventions shared by every layer."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Environment variable naming a snapshot file or a directory of snapshots.
DATA_ENV = "STABILITY_DATA"
#: Environment variable naming a Dask scheduler (``tcp://host:8786``) that batch commands use.
SCHEDULER_ENV = "STABILITY_SCHEDULER"
#: Aim of a cluster task's duration (s): long against the per-task overhead, short for balance.
TASK_TARGET_S = 1.0
#: Environment variable overriding the cache folder.
CACHE_ENV = "STABILITY_CACHE"
#: Dataset picked from a directory of snapshots when none is named (reproduces the review).
DEFAULT_DATASET = "mp2019_ground_states"

#: Zhu, He & Mo (2015): a composition off the hull is placed this far below it (eV/atom).
PLACEMENT_OFFSET_EV = 1e-6
#: Phases with a smaller molar amount than this are not reported as products.
AMOUNT_TOL = 1e-8
#: Energies closer than this (eV per formula unit) are treated as equal on the hull.
ENERGY_TOL = 1e-9


def _env_count(name: str, default: int | None) -> int | None:
    """A whole number from the environment; a value that is not one is ignored, with a
    one-line note (this runs at import: an exception here would be a traceback)."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        using = "the default" if default is None else default
        print(f"warning: {name}={text!r} is not a whole number; using {using}", file=sys.stderr)
        return default


#: Closed hulls of QHULL_MIN_ELEMENTS to WALK_MIN_ELEMENTS - 1 elements are built whole by
#: scipy's qhull; all others find their facets by simplex pivots along each query
#: (thermo/walk.py), with the same answers. By default that range is empty: pivoting is
#: faster at every size (qhull's cost explodes with dimension, and importing scipy.spatial
#: alone costs more than a small system's queries), so windows and screens never import scipy.
QHULL_MIN_ELEMENTS = _env_count("STABILITY_QHULL_MIN_ELEMENTS", 5)
WALK_MIN_ELEMENTS = _env_count("STABILITY_WALK_MIN_ELEMENTS", 5)
#: Grand-potential hulls (an element open) of GRAND_QHULL_MIN_ELEMENTS to
#: GRAND_WALK_MIN_ELEMENTS - 1 closed elements are built by qhull, the others pivot. Unset
#: (None), the range follows where the pivots run: none with the C pivots, which beat qhull
#: at every size even over a voltage scan (where qhull reuses the previous voltage's facets);
#: 3-5 closed elements with numpy pivots (``thermo.fast.HullPaths.configured``).
GRAND_QHULL_MIN_ELEMENTS = _env_count("STABILITY_GRAND_QHULL_MIN_ELEMENTS", None)
GRAND_WALK_MIN_ELEMENTS = _env_count("STABILITY_GRAND_WALK_MIN_ELEMENTS", None)
#: Where the walk's pivots run: "c" (``thermo/_pivots.c``, built at install where a C
#: compiler is found; numpy where it is not) or "numpy". Both give the same energies and
#: limits (among points exactly on a common plane the products may be another of the tied
#: decompositions, as between qhull runs).
PIVOTS = os.environ.get("STABILITY_PIVOTS", "c").strip().lower()
if PIVOTS not in ("c", "numpy"):
    print(f"warning: STABILITY_PIVOTS={PIVOTS!r} is not c or numpy; using c", file=sys.stderr)
    PIVOTS = "c"
#: Atomic fractions closer than this are the same composition.
COMPOSITION_TOL = 1e-8
#: Energies (eV/atom) and voltages (V) smaller than this are rounding noise, reported as 0.
ENERGY_NOISE = 1e-12
VOLTAGE_NOISE = 1e-9
#: Two limits closer than this (V) are the same limit.
SAME_LIMIT_V = 1e-6


def clean(value: float, noise: float = VOLTAGE_NOISE) -> float:
    """``value`` as reported: 0.0 below ``noise`` (rounding), and never -0.0."""
    return 0.0 if abs(value) < noise else float(value) + 0.0


def project_root() -> Path:
    """Return the folder holding the ``stability`` package (the repository root in a checkout)."""
    return Path(__file__).resolve().parent.parent


def in_source_checkout() -> bool:
    """True when running from a source tree (editable install or checkout), not site-packages."""
    root = project_root()
    return (root / "pyproject.toml").is_file() and root.name not in (
        "site-packages",
        "dist-packages",
    )


def cache_dir() -> Path:
    """Return the entries cache folder: ``STABILITY_CACHE``, else ``cached_entries/`` in a
    source checkout, else the per-user cache folder (``platformdirs``, e.g.
    ``~/.cache/stability/entries`` on Linux); never inside site-packages."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    if in_source_checkout():
        return project_root() / "cached_entries"
    import platformdirs

    return Path(platformdirs.user_cache_dir("stability", appauthor=False)) / "entries"


def embedded_data_dir() -> Path:
    """Return the folder of the embedded default data (``cached_entries/README.md``: two MP
    snapshots and ``properties/mp2019_band_gaps.csv.gz``): ``cached_entries/`` in a source
    checkout, ``stability/_bundled/`` in an installed wheel (pyproject.toml maps one onto the
    other). Read only: the converted caches of its files go to :func:`cache_dir`."""
    if in_source_checkout():
        return project_root() / "cached_entries"
    return Path(__file__).resolve().parent / "_bundled"


#: Name prefix of the entries (``*.npz``) and band gaps pulled from MP into the cache folder.
PULLED_PREFIX = "mp-api."
#: Where the data came from (:func:`data_source`); outputs name the embedded default.
FROM_OPTION = "--data"
FROM_ENV = DATA_ENV
FROM_PULLED = "pulled from MP"
FROM_EMBEDDED = "embedded default"


def has_pulled_entries(folder: Path) -> bool:
    """True when ``folder`` holds entries pulled from MP (``stability data pull``)."""
    return folder.is_dir() and any(folder.glob(f"{PULLED_PREFIX}*.npz"))


def data_source(
    option: str | os.PathLike[str] | None = None, dataset: str | None = None
) -> tuple[Path, str]:
    """Where data is read from, and which rule chose it (one of the ``FROM_*`` names): the
    ``--data`` option, then ``STABILITY_DATA``, then the entries pulled from MP into the
    cache folder (:func:`cache_dir`), then the embedded default (:func:`embedded_data_dir`).
    Pulled entries are one merged dataset (named ``mp-api <version> <scheme>``), so a
    ``dataset`` named otherwise skips them for the embedded snapshots."""
    if option:
        return Path(option).expanduser(), FROM_OPTION
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser(), FROM_ENV
    cache = cache_dir()
    pulled_name = not dataset or dataset.startswith(PULLED_PREFIX.rstrip("."))
    if pulled_name and has_pulled_entries(cache):
        return cache, FROM_PULLED
    return embedded_data_dir(), FROM_EMBEDDED


def data_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The data location :func:`data_source` resolves."""
    return data_source(option)[0]
