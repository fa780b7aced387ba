"""User-facing errors: each carries a one-line message the CLI prints without a traceback."""

from __future__ import annotations


class StabilityError(Exception):
    """Base class for errors caused by input, data or environment, not by a bug."""


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
