"""Save figures: raster resolution capped so a large matrix never needs a giant canvas."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

DPI = 200
MAX_PIXELS = 12e6  # a 62 x 23 heatmap at 200 dpi would be 30 MP and ~1 GB to render


def raster_dpi(fig: Figure) -> float:
    width, height = fig.get_size_inches()
    return min(DPI, (MAX_PIXELS / (width * height)) ** 0.5)


def save_figure(fig: Figure, path: Path, *, close: bool = True) -> Path:
    """Write ``fig`` to ``path`` (format from its suffix; vector formats keep full detail)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=raster_dpi(fig))
    if close:
        plt.close(fig)
    return path
