"""Pick an engine by name: ``fast`` (default) or ``pymatgen`` (the reference)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module

from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.thermo.base import Engine
from stability.thermo.leave_out import LeaveOut

# Imported on demand: the reference engine pulls in all of pymatgen's phase_diagram module.
ENGINES = {
    "fast": ("stability.thermo.fast", "FastEngine"),
    "pymatgen": ("stability.thermo.reference", "PymatgenEngine"),
}


def make_engine(
    table: EntryTable,
    name: str = "fast",
    *,
    exclude: Iterable[str] = (),
    leave_out_flagged: Callable[[str], str | None] | None = None,
) -> Engine:
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
    exclude : iterable of str, optional
        Formulas of phases (every polymorph) to leave out of every hull, as if the dataset
        did not hold them (``--exclude``). Each must be a compound of the dataset.
    leave_out_flagged : callable, optional
        ``formula -> reason or None``: also leave out every hull phase it gives a reason
        for, until none is left (``--exclude-flagged`` passes
        ``stability.analysis.materials.flags.flag_predicate(table)``).

    Returns
    -------
    Engine
        With ``table`` and ``name`` attributes.

    Raises
    ------
    StabilityError
        An unknown engine name, or a formula to exclude that is no compound of the dataset.
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
    >>> without = stability.make_engine(stability.load_dataset(), exclude=["LiN3"])
    >>> w = stability.compute_window(without, "Li3N")
    >>> round(w.oxidation_limit_V, 3), w.oxidation_products
    (0.614, ['N2'])
    """
    if name not in ENGINES:
        raise StabilityError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    module, cls = ENGINES[name]
    if not isinstance(table, EntryTable):
        return getattr(import_module(module), cls)(table)  # the engine says what is wrong
    leave_out = LeaveOut.of(table, exclude, leave_out_flagged)
    return getattr(import_module(module), cls)(table, leave_out)
