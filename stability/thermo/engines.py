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
    """Return a new engine of kind ``name`` over ``table``.

    The engine builds (and caches) the phase diagram of each chemical system it is asked
    about; every calculation (:func:`stability.compute_window`, ...) takes one.

    Parameters
    ----------
    table : EntryTable
        From :func:`stability.load_dataset`.
    name : str, default "fast"
        ``fast`` (this package's hulls) or ``pymatgen`` (pymatgen's ``PhaseDiagram``, the
        reference: same answers, slower).

    Returns
    -------
    Engine
        With ``table`` and ``name`` attributes.

    Raises
    ------
    StabilityError
        An unknown engine name.
    TypeError
        ``table`` is not an EntryTable.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> engine.name
    'fast'
    >>> round(stability.compute_window(engine, "Li3N").oxidation_limit_V, 3)
    0.482
    """
    if name not in ENGINES:
        raise StabilityError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    module, cls = ENGINES[name]
    return getattr(import_module(module), cls)(table)
