"""Save figures: raster resolution capped so a large matrix never needs a giant canvas."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from stability.errors import StabilityError
from stability.files import atomic_write

DPI = 200
MAX_PIXELS = 12e6  # a 62 x 23 heatmap at 200 dpi would be 30 MP and ~1 GB to render


def raster_dpi(fig: Figure) -> float:
    width, height = fig.get_size_inches()
    return min(DPI, (MAX_PIXELS / (width * height)) ** 0.5)


def figure_format(path: Path) -> str:
    """The image format of ``path`` from its suffix; StabilityError if matplotlib can't write it."""
    from matplotlib.backend_bases import FigureCanvasBase

    supported = FigureCanvasBase.get_supported_filetypes()
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in supported:
        raise StabilityError(
            f"cannot write a figure to {path}: use one of "
            + ", ".join(f".{s}" for s in sorted(supported))
        )
    return fmt


def save_figure(fig: Figure, path: Path, *, close: bool = True) -> Path:
    """Write ``fig`` to ``path`` atomically (format from its suffix; vector formats keep
    full detail; rasters capped at MAX_PIXELS)."""
    fmt = figure_format(path)
    atomic_write(Path(path), lambda fh: fig.savefig(fh, format=fmt, dpi=raster_dpi(fig)))
    if close:
        plt.close(fig)
    return Path(path)
