"""The one batch primitive: map a function over many items, tolerating bad ones.

Screens, interface matrices and comparisons all run through ``map_items``: in this process
(``jobs=1``), in a pool of forked worker processes, or on a Dask cluster (``executor``, see
``stability.analysis.runtime.cluster``). Every way each item's outcome is yielded as soon as it
reaches this process (forked workers send theirs in batches, at least every ``FLUSH_S``), so
a caller can journal it at once; a bad item becomes an ``Outcome`` with an ``error`` and the
rest go on.
"""

from __future__ import annotations

import queue as queue_module
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, Union

from stability.analysis.runtime.outcome import Outcome, WorkerLost, attempt
from stability.errors import StabilityError

if TYPE_CHECKING:
    from distributed import Client

#: Where a batch runs: None (this machine, ``jobs`` processes), the address of a Dask
#: scheduler (``tcp://host:8786``) or a ``distributed.Client`` (e.g. of a ``SLURMCluster``).
Executor = Union[None, str, "Client"]

T = TypeVar("T")
R = TypeVar("R")

#: Seconds between checks on the workers while waiting for results.
POLL_S = 0.2


def map_items(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int = 1,
    allow_errors: bool = True,
    groups: Sequence[Sequence[int]] | None = None,
    executor: Executor = None,
) -> Iterator[Outcome[R]]:
    """Yield one Outcome per item of ``items``, each as soon as it is computed.

    ``groups`` lists item indices to run together, in order, in one process (e.g. the items
    of one chemical system, so its hull is built once), the first groups first; by default
    each item is its own group. With ``allow_errors`` an exception of an item is its
    Outcome's ``error``; otherwise it is raised. With ``jobs`` > 1 the groups run in forked
    worker processes, which ignore Ctrl-C: the caller's KeyboardInterrupt stops them at once.
    With an ``executor`` (scheduler address or Client) they run on that Dask cluster
    instead: ``fn`` and the items must then pickle (cloudpickle; closures do), engines they
    refer to travel as references and their datasets once per worker.

    Parameters
    ----------
    fn : callable
        ``fn(item) -> result``, for one item.
    items : sequence
        The items (indexable, with a length).
    jobs : int, default 1
        Worker processes; 1 runs in this process.
    allow_errors : bool, default True
        Turn an item's exception into its Outcome's ``error``; False raises it.
    groups : sequence of sequences of int, optional
        Item indices to run together, in order, in one process.
    executor : str or distributed.Client, optional
        A Dask scheduler address or Client to run on instead.

    Returns
    -------
    iterator of Outcome
        One per item, as each finishes (not necessarily in order): ``index``, ``value``,
        ``error`` (None when it succeeded) and ``ok``.

    Examples
    --------
    >>> import stability
    >>> outcomes = stability.map_items(lambda x: 10 / x, [1, 2, 0])
    >>> [(o.index, o.value, o.error) for o in sorted(outcomes, key=lambda o: o.index)]
    [(0, 10.0, None), (1, 5.0, None), (2, None, 'internal error (ZeroDivisionError: division by zero)')]
    """
    if executor is not None:
        from stability.analysis.runtime.cluster import map_on_cluster

        if len(items):
            yield from map_on_cluster(fn, items, executor, allow_errors=allow_errors, groups=groups)
        return
    if groups is None:
        groups = [[i] for i in range(len(items))]
    if jobs <= 1 or len(groups) <= 1:
        for group in groups:
            for i in group:
                yield attempt(fn, items[i], i, allow_errors)
        return
    yield from _map_forked(fn, items, jobs, allow_errors, groups)


_STATE: dict[str, Any] = {}


def _init_worker(fn: Callable, items: Sequence, allow_errors: bool, results: Any) -> None:
    # Ctrl-C reaches the whole process group: only the parent acts on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _STATE.update(
        fn=fn, items=items, allow_errors=allow_errors, sender=_Sender(results, allow_errors)
    )


def _die_with_parent() -> None:
    """A parent killed outright (SIGKILL) must not leave workers computing for nobody."""
    import os
    import threading
    import time

    parent = os.getppid()
    try:  # Linux: the kernel kills us when the parent dies
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:  # elsewhere: notice the re-parenting
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


#: Seconds a worker holds finished outcomes before sending them on together: one message per
#: outcome made the parent's receiving a tenth of a fast screen's work.
FLUSH_S = 0.05


class _Sender:
    """Sends a worker's finished outcomes to the parent in batches, at least every FLUSH_S
    (from a thread: an outcome is not held back while the next item computes)."""

    def __init__(self, results: Any, allow_errors: bool = True) -> None:
        import threading

        self.results = results
        self.allow_errors = allow_errors
        self.held: list[Outcome] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._every, daemon=True).start()

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.held.append(outcome)

    def flush(self) -> None:
        with self.lock:
            if self.held:
                for message in _packed(self.held, self.allow_errors):
                    self.results.put(message)
                self.held = []

    def _every(self) -> None:
        import time

        while True:
            time.sleep(FLUSH_S)
            self.flush()


def _packed(outcomes: list[Outcome], allow_errors: bool) -> list[bytes | Exception]:
    """The messages that carry ``outcomes`` to the parent, pickled here.

    A queue pickles in a feeder thread of its own, which drops an object it cannot pickle
    with a printed traceback: the parent would then wait for those outcomes forever. A result
    that cannot be pickled becomes its item's error (or, without allow_errors, an error the
    parent raises after the outcomes before it).
    """
    import pickle

    try:
        return [pickle.dumps(outcomes, pickle.HIGHEST_PROTOCOL)]
    except Exception:  # any pickling failure: find the item below
        pass
    sendable: list[Outcome] = []
    for outcome in outcomes:
        try:
            pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
            sendable.append(outcome)
        except Exception as exc:
            error = (
                f"internal error (the result of item {outcome.index} cannot be sent to the "
                f"main process: {type(exc).__name__}: {exc})"
            )
            if not allow_errors:
                return [pickle.dumps(sendable, pickle.HIGHEST_PROTOCOL), StabilityError(error)]
            sendable.append(Outcome(outcome.index, None, error))
    return [pickle.dumps(sendable, pickle.HIGHEST_PROTOCOL)]


def _run_group(group: Sequence[int]) -> int:
    fn, items, sender = _STATE["fn"], _STATE["items"], _STATE["sender"]
    try:
        for i in group:
            sender.add(attempt(fn, items[i], i, _STATE["allow_errors"]))
    except Exception as exc:  # allow_errors off: hand the error to the parent
        sender.flush()  # the outcomes before it first: they are saved
        sender.results.put(exc)
        raise
    finally:
        sender.flush()
    return len(group)


#: Consecutive groups are merged so that a pool holds at most this many batches per process
#: (a matrix of a million pairs must not become a million pool futures), of at most
#: MAX_BATCH_GROUPS groups each (results that wait for an earlier batch stay few).
MAX_BATCHES_PER_JOB = 64
MAX_BATCH_GROUPS = 256


def _merge(groups: Sequence[Sequence[int]], most: int) -> Sequence[Sequence[int]]:
    if len(groups) <= most:
        return groups
    per = -(-len(groups) // most)
    return [[i for g in groups[k : k + per] for i in g] for k in range(0, len(groups), per)]


def _map_forked(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    allow_errors: bool,
    groups: Sequence[Sequence[int]],
) -> Iterator[Outcome[R]]:
    import multiprocessing as mp
    import pickle
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("fork")  # workers inherit fn and items: nothing large is pickled
    results = ctx.Queue()
    total = sum(len(g) for g in groups)
    groups = _merge(groups, max(MAX_BATCHES_PER_JOB * jobs, -(-len(groups) // MAX_BATCH_GROUPS)))
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(groups)),
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(fn, items, allow_errors, results),
    )
    finished = False
    try:
        futures = [pool.submit(_run_group, list(g)) for g in groups]
        received = 0
        while received < total:
            try:
                got = results.get(timeout=POLL_S)
            except queue_module.Empty:
                for fut in futures:
                    if fut.done() and fut.exception() is not None:
                        exc = fut.exception()
                        if isinstance(exc, BrokenProcessPool):
                            raise WorkerLost(
                                f"a worker process died after {received} of {total} items "
                                "(killed or out of memory?)"
                            ) from None
                        raise exc from None
                continue
            if isinstance(got, Exception):
                raise got
            got = pickle.loads(got)  # pickled by the worker (_packed)
            received += len(got)
            yield from got
        finished = True
    finally:
        if not finished:
            # Interrupted or failed: stop the workers now rather than after their groups.
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        pool.shutdown(wait=finished, cancel_futures=True)
        results.close()
