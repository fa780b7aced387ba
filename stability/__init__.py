"""Electrochemical stability of solid-state electrolytes from Materials Project data.

The public API, imported on first use so that ``stability`` (and the CLI) start fast::

    from stability import load_dataset, make_engine, compute_window, compute_profile
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "load_dataset": "stability.entries.load",
    "EntryTable": "stability.entries.table",
    "StabilityError": "stability.errors",
    "make_engine": "stability.thermo.engines",
    "Window": "stability.analysis.windows.window",
    "WindowTable": "stability.analysis.windows.window",
    "compute_window": "stability.analysis.windows.window",
    "compute_windows": "stability.analysis.windows.window",
    "VoltageProfile": "stability.analysis.windows.profile",
    "compute_profile": "stability.analysis.windows.profile",
    "ScreenResult": "stability.analysis.screens.screen",
    "run_screen": "stability.analysis.screens.screen",
    "resolve_targets": "stability.analysis.materials.sets",
    "resolve_set": "stability.analysis.materials.sets",
    "filter_by_ehull": "stability.analysis.materials.sets",
    "Material": "stability.analysis.materials.names",
    "resolve_material": "stability.analysis.materials.names",
    "Interface": "stability.analysis.interfaces.interface",
    "compute_interface": "stability.analysis.interfaces.interface",
    "scan_interface": "stability.analysis.interfaces.interface",
    "interface_matrix": "stability.analysis.interfaces.interface",
    "compute_practical_window": "stability.analysis.windows.practical",
    "compute_decompositions": "stability.analysis.windows.decomposition",
    "load_cell_spec": "stability.analysis.cells.cell",
    "cell_energy": "stability.analysis.cells.cell",
    "stack_stability": "stability.analysis.cells.stack",
    "rank_interlayers": "stability.analysis.cells.interlayer",
    "map_items": "stability.analysis.runtime.batch",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'stability' has no attribute {name!r}")
