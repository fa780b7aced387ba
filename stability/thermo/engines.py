"""Pick an engine by name: ``fast`` (default) or ``pymatgen`` (the reference)."""

from __future__ import annotations

from importlib import import_module

from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.thermo.base import Engine

# Imported on demand: the reference engine pulls in all of pymatgen's phase_diagram module.
ENGINES = {
    "fast": ("stability.thermo.fast", "FastEngine"),
    "pymatgen": ("stability.thermo.reference", "PymatgenEngine"),
}


def make_engine(table: EntryTable, name: str = "fast") -> Engine:
    """Return a new engine of kind ``name`` over ``table``."""
    if name not in ENGINES:
        raise StabilityError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    module, cls = ENGINES[name]
    return getattr(import_module(module), cls)(table)
