"""Make engines on one hull path: whole qhull hulls, or pivoting (thermo/walk.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from stability import config

#: (first, last + 1) element counts a path gives to qhull: all of them, or none.
_RANGES = {"qhull": (0, 99), "walk": (99, 0)}


@contextmanager
def hull_paths(path: str, pivots: str | None = None) -> Iterator[None]:
    """Engines made inside build every hull, closed or grand-potential, by ``path`` ("qhull"
    or "walk"), whatever its size; ``pivots`` ("c" or "numpy", default: as configured) is
    where pivoting hulls pivot."""
    names = (
        "QHULL_MIN_ELEMENTS",
        "WALK_MIN_ELEMENTS",
        "GRAND_QHULL_MIN_ELEMENTS",
        "GRAND_WALK_MIN_ELEMENTS",
    )
    saved = {name: getattr(config, name) for name in (*names, "PIVOTS")}
    try:
        for name, value in zip(names, _RANGES[path] * 2, strict=True):  # closed, then grand
            setattr(config, name, value)
        config.PIVOTS = pivots or config.PIVOTS
        yield
    finally:
        for name, value in saved.items():
            setattr(config, name, value)
