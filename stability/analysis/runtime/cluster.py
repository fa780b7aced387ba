"""Batches on a Dask cluster (``dask.distributed``): the data travels with the work.

``map_items`` comes here when given a scheduler address or a ``distributed.Client``. Each
task is a pickled ``(fn, [(index, item), ...])`` (cloudpickle): any ``Engine`` (or
``EntryTable``) that ``fn`` or an item refers to is replaced by a reference to its dataset's
fingerprint, and the dataset itself goes to every worker once, as a worker plugin (new and
restarted workers get it too). A worker builds one engine per dataset and keeps it, hulls and
all, for every task (and later runs) that use it. Workers need the ``stability`` package, not
the data files.

Tasks are consecutive groups of items (a screen's chemical systems, largest first) packed to
about ``config.TASK_TARGET_S`` each from the time per item measured so far; at most two per
worker thread are in flight, so the client holds a bounded amount; results come back in
completion order. A worker that dies has its tasks re-run by the scheduler; each task's
result is yielded once.
"""

from __future__ import annotations

import contextlib
import io
import logging
import pickle
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import dask.config
import distributed
from dask.utils import parse_timedelta
from distributed.diagnostics.plugin import WorkerPlugin

from stability import config
from stability.analysis.runtime.outcome import ClusterError, Outcome, WorkerLost, attempt
from stability.entries.table import EntryTable
from stability.thermo.base import Engine

if TYPE_CHECKING:
    from distributed import Client

#: Engines a worker keeps (one per dataset and engine kind), least recently used dropped.
MAX_ENGINES = 4
#: Seconds to wait for the client to close when a run ends or fails.
CLOSE_TIMEOUT_S = 10


class _Client(distributed.Client):
    # A client that failed to connect must not try again, noisily, when collected.
    def __del__(self) -> None:
        pass


def connect(address: str, timeout: float | None = None) -> Client:
    """A client of the scheduler at ``address``; one-line ``ClusterError`` if unreachable.

    ``timeout`` defaults to Dask's ``distributed.comm.timeouts.connect`` (30 s; set e.g.
    ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``).
    """
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # A lost scheduler is reported in one line, not in the client's reconnection logs.
        names = [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]
        for name in ["distributed", *names]:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    if timeout is None:
        timeout = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")
    try:
        _probe(address, timeout)
        return _Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # refused, timed out, malformed, or not a Dask scheduler
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def _probe(address: str, timeout: float) -> None:
    """Fail fast and quietly on a malformed address or a closed TCP port."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme != "tcp":
        return  # tls://, ucx://, ...: the client reports those itself
    host, port = parse_host_port(location)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=max(0.1, timeout)):
                return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise OSError(exc.strerror or str(exc)) from None
            time.sleep(0.2)


# --- the worker's side -------------------------------------------------------------------

_TABLES: dict[str, EntryTable] = {}
_ENGINES: OrderedDict[tuple[str, str], Engine] = OrderedDict()
#: Engines and their caches are not thread-safe: one task at a time per worker process
#: (run workers with ``--nthreads 1`` and as many processes as cores).
_LOCK = threading.Lock()


class DatasetPlugin(WorkerPlugin):
    """Holds one dataset; every worker, including later and restarted ones, gets a copy."""

    def __init__(self, table: EntryTable) -> None:
        self.key = table.fingerprint
        # Compressed: the formula and id columns are mostly padding.
        self.blob = zlib.compress(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL), 1)

    def setup(self, worker: Any) -> None:
        # Same fingerprint, same content: keep the copy that engines were built on.
        if self.key not in _TABLES:
            _TABLES[self.key] = pickle.loads(zlib.decompress(self.blob))


def worker_table(key: str) -> EntryTable:
    """The dataset of fingerprint ``key`` sent to this worker."""
    try:
        return _TABLES[key]
    except KeyError:
        raise ClusterError(
            f"this worker has no dataset {key[:12]}: it was not registered with the scheduler"
        ) from None


def worker_engine(key: str, name: str) -> Engine:
    """The engine of kind ``name`` over dataset ``key``, built once per worker process."""
    from stability.thermo.engines import make_engine

    found = _ENGINES.get((key, name))
    if found is None:
        found = _ENGINES[(key, name)] = make_engine(worker_table(key), name)
        while len(_ENGINES) > MAX_ENGINES:
            _ENGINES.popitem(last=False)
    _ENGINES.move_to_end((key, name))
    return found


def run_task(payload: bytes, allow_errors: bool) -> tuple[list[Outcome], float]:
    """Run one task on a worker: its Outcomes and the seconds they took."""
    with _LOCK:
        fn, indexed = pickle.loads(payload)
        start = time.perf_counter()
        outcomes = [attempt(fn, item, i, allow_errors) for i, item in indexed]
        return outcomes, time.perf_counter() - start


# --- the client's side -------------------------------------------------------------------


def dumps(obj: Any, tables: dict[str, EntryTable]) -> bytes:
    """cloudpickle ``obj`` with every Engine and EntryTable in it replaced by a reference;
    the datasets referred to are added to ``tables`` (by fingerprint)."""
    import cloudpickle

    class Pickler(cloudpickle.Pickler):
        def reducer_override(self, o: Any) -> Any:
            if isinstance(o, Engine):
                if o.leave_out is not None:
                    raise ClusterError(
                        "--exclude and --exclude-flagged run on local workers only: drop "
                        "--scheduler"
                    )
                tables[o.table.fingerprint] = o.table
                return worker_engine, (o.table.fingerprint, o.name)
            if isinstance(o, EntryTable):
                tables[o.fingerprint] = o
                return worker_table, (o.fingerprint,)
            return super().reducer_override(o)

    buf = io.BytesIO()
    Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def map_on_cluster(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    cluster: str | Client,
    *,
    allow_errors: bool = True,
    groups: Sequence[Sequence[int]] | None = None,
) -> Iterator[Outcome]:
    """``map_items`` on the Dask cluster of ``cluster`` (scheduler address or Client)."""
    own = isinstance(cluster, str)
    client = connect(cluster) if own else cluster
    address = getattr(client.scheduler, "address", None) or str(cluster)
    runner = _Run(client, fn, items, allow_errors, groups)
    try:
        yield from runner.stream()
    except (distributed.comm.CommClosedError, OSError, distributed.client.FutureCancelledError):
        raise ClusterError(
            f"lost the Dask scheduler at {address} after {runner.received} of {len(items)} items"
        ) from None
    except distributed.scheduler.KilledWorker:
        raise WorkerLost(
            "workers died running the same task too often (Dask's "
            f"distributed.scheduler.allowed-failures) after {runner.received} of {len(items)} "
            "items (out of memory?)"
        ) from None
    finally:
        runner.cancel()
        if own:
            with contextlib.suppress(Exception):  # the scheduler may be gone already
                client.close(timeout=CLOSE_TIMEOUT_S)


class _Run:
    """One map over a cluster: packs groups into tasks, keeps them flowing, yields results."""

    def __init__(
        self,
        client: Client,
        fn: Callable[[Any], Any],
        items: Sequence[Any],
        allow_errors: bool,
        groups: Sequence[Sequence[int]] | None,
    ) -> None:
        self.client, self.fn, self.items, self.allow_errors = client, fn, items, allow_errors
        # Groups are taken as tasks are made: a million pairs are never a million lists.
        self._groups: Iterator[Sequence[int]] = iter(
            groups if groups is not None else ([i] for i in range(len(items)))
        )
        self._next: Sequence[int] | None = next(self._groups, None)
        self.tables: dict[str, EntryTable] = {}
        self.shipped: set[str] = set()
        self.per_item_s: float | None = None
        self.received = 0
        self.run_id = uuid.uuid4().hex[:12]
        self.submitted = 0
        self.inflight: set[Any] = set()
        self._threads = 0
        self._threads_at = 0.0

    def _capacity(self) -> int:
        """Tasks to keep in flight: two per worker thread (so none waits), at least two."""
        now = time.monotonic()
        if now - self._threads_at > 2.0:  # workers come and go (adaptive clusters)
            self._threads = sum(self.client.nthreads().values())
            self._threads_at = now
        return max(2, 2 * self._threads)

    @property
    def pending(self) -> bool:
        return self._next is not None

    def _take(self) -> Sequence[int]:
        group, self._next = self._next, next(self._groups, None)
        assert group is not None
        return group

    def _next_task(self) -> Any:
        take = [self._take()]
        count = len(take[0])
        if self.per_item_s:
            while self._next is not None and (
                (count + len(self._next)) * self.per_item_s <= config.TASK_TARGET_S
            ):
                count += len(self._next)
                take.append(self._take())
        indexed = [(i, self.items[i]) for group in take for i in group]
        payload = dumps((self.fn, indexed), self.tables)
        for key in self.tables.keys() - self.shipped:
            plugin = DatasetPlugin(self.tables[key])
            self.client.register_plugin(plugin, name=f"stability-dataset-{key[:16]}")
            self.shipped.add(key)
        self.submitted += 1
        future = self.client.submit(
            run_task,
            payload,
            self.allow_errors,
            key=f"stability-{self.run_id}-{self.submitted}",
            pure=False,
            retries=0,
        )
        self.inflight.add(future)
        return future

    def stream(self) -> Iterator[Outcome]:
        from distributed import as_completed

        done = as_completed(loop=self.client.loop)
        while self.pending and len(self.inflight) < self._capacity():
            done.add(self._next_task())
        for future in done:
            outcomes, elapsed = future.result()
            self.inflight.discard(future)
            future.release()
            if outcomes:
                per_item = elapsed / len(outcomes)
                self.per_item_s = (
                    per_item if self.per_item_s is None else 0.7 * self.per_item_s + 0.3 * per_item
                )
            while self.pending and len(self.inflight) < self._capacity():
                done.add(self._next_task())
            for outcome in outcomes:
                self.received += 1
                yield outcome

    def cancel(self) -> None:
        """Drop the tasks still queued or running (interrupted or failed run)."""
        if self.inflight:
            with contextlib.suppress(Exception):  # the scheduler may be gone already
                self.client.cancel(list(self.inflight), force=True)
            self.inflight.clear()
