"""User-facing errors: each carries a one-line message the CLI prints without a traceback."""

from __future__ import annotations


class StabilityError(Exception):
    """Base class for errors caused by input, data or environment, not by a bug.

    Its message is one line, fit to show a user as is (the CLI prints it without a
    traceback). Subclasses say what went wrong: ``FormulaError``, ``DataError``,
    ``MissingDataError``, ``NetworkError``, ``Interrupted``.

    Parameters
    ----------
    message : str
        What went wrong and, where it helps, what to do.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> try:
    ...     stability.compute_window(engine, "Li3Xx")
    ... except stability.StabilityError as exc:
    ...     print(type(exc).__name__)
    FormulaError
    """


class FormulaError(StabilityError):
    """A formula could not be parsed or is not a valid composition."""


class DataError(StabilityError):
    """A data file or cache is missing, empty, corrupt or of the wrong shape."""


class MissingDataError(StabilityError):
    """The dataset has no entries for an element or system the calculation needs."""


class NetworkError(StabilityError):
    """The Materials Project could not be reached or refused the request."""


class Interrupted(StabilityError):
    """A run stopped by Ctrl-C; what had finished is saved (the message says where)."""
