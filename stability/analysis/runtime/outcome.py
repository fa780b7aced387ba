"""What one item of a batch gives, and the errors of a run: shared by the local runner
(``batch``) and the Dask runner (``cluster``), so neither imports the other's types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from stability.errors import StabilityError

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """The result of one item: ``value``, or ``error`` (one line) when it failed."""

    index: int
    value: R | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class WorkerLost(StabilityError):
    """A worker process died (killed, out of memory) before finishing its items."""


class ClusterError(StabilityError):
    """The Dask scheduler could not be reached, or went away during a run."""


def _describe(exc: Exception) -> str:
    if isinstance(exc, StabilityError):
        return str(exc)
    return f"internal error ({type(exc).__name__}: {exc})"


def attempt(fn: Callable[[T], R], item: T, index: int, allow_errors: bool) -> Outcome[R]:
    try:
        return Outcome(index, fn(item))
    except Exception as exc:  # one bad item must not end the run; KeyboardInterrupt does
        if not allow_errors:
            raise
        return Outcome(index, None, _describe(exc))
