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
    "Window": "stability.analysis.window",
    "WindowTable": "stability.analysis.window",
    "compute_window": "stability.analysis.window",
    "compute_windows": "stability.analysis.window",
    "VoltageProfile": "stability.analysis.profile",
    "compute_profile": "stability.analysis.profile",
    "ScreenResult": "stability.analysis.screen",
    "run_screen": "stability.analysis.screen",
    "resolve_targets": "stability.analysis.sets",
    "resolve_set": "stability.analysis.sets",
    "filter_by_ehull": "stability.analysis.sets",
    "Material": "stability.analysis.names",
    "resolve_material": "stability.analysis.names",
    "Interface": "stability.analysis.interface",
    "compute_interface": "stability.analysis.interface",
    "scan_interface": "stability.analysis.interface",
    "interface_matrix": "stability.analysis.interface",
    "compute_practical_window": "stability.analysis.practical",
    "compute_decompositions": "stability.analysis.decomposition",
    "load_cell_spec": "stability.analysis.cell",
    "cell_energy": "stability.analysis.cell",
    "stack_stability": "stability.analysis.stack",
    "rank_interlayers": "stability.analysis.interlayer",
    "map_items": "stability.analysis.batch",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'stability' has no attribute {name!r}")
