"""Electrochemical stability of solid-state electrolytes from Materials Project data.

The public API, imported on first use so that ``stability`` (and the CLI) start fast::

    from stability import load_dataset, make_engine, compute_window, compute_profile
"""

from __future__ import annotations

import importlib as _importlib

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
    "InterfaceScan": "stability.analysis.interfaces.interface",
    "InterfaceMatrix": "stability.analysis.interfaces.interface",
    "compute_practical_window": "stability.analysis.windows.practical",
    "Passivation": "stability.analysis.windows.practical",
    "load_band_gaps": "stability.entries.properties",
    "compute_decompositions": "stability.analysis.windows.decomposition",
    "DecompositionTable": "stability.analysis.windows.decomposition",
    "load_cell_spec": "stability.analysis.cells.cell",
    "CellSpec": "stability.analysis.cells.cell",
    "cell_energy": "stability.analysis.cells.cell",
    "CellEnergy": "stability.analysis.cells.cell",
    "stack_stability": "stability.analysis.cells.stack",
    "StackStability": "stability.analysis.cells.stack",
    "rank_interlayers": "stability.analysis.cells.interlayer",
    "InterlayerRanking": "stability.analysis.cells.interlayer",
    "map_items": "stability.analysis.runtime.batch",
    "flag_phases": "stability.analysis.materials.flags",
    "with_release_check": "stability.analysis.uncertainty.releases",
    "interface_release_check": "stability.analysis.uncertainty.releases",
    "compute_air": "stability.analysis.air.reaction",
    "AirConditions": "stability.analysis.air.reaction",
}
#: The public API: every name here has a docstring with an example (run by ``make test``).
__all__ = sorted(_API)

del annotations  # the ``from __future__`` import's name: not part of the API


def __getattr__(name: str) -> object:
    if name in _API:
        return getattr(_importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'stability' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
