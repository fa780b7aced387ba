"""``map_items`` in forked workers: outcomes reach the parent while a worker still computes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from stability.analysis.runtime.batch import map_items
from stability.errors import StabilityError

#: Seconds an item waits for the parent's go-ahead before the test counts it as stuck.
PATIENCE_S = 15.0


def wait_for(path: Path) -> None:
    end = time.monotonic() + PATIENCE_S
    while not path.exists():
        if time.monotonic() > end:
            raise StabilityError(f"no go-ahead {path.name}: the earlier outcome never arrived")
        time.sleep(0.01)


def test_an_outcome_arrives_while_the_next_item_computes(tmp_path):
    """Item i waits until the parent has received item i - 1, all in one worker's group: if
    outcomes were held until the group ends, every item after the first would be stuck."""

    def item(i: int) -> int:
        if i:
            wait_for(tmp_path / f"got-{i - 1}")
        return i * i

    n = 6
    got = []
    for outcome in map_items(item, range(n), jobs=2, groups=[list(range(n)), []]):
        assert outcome.ok, outcome.error
        got.append(outcome.value)
        (tmp_path / f"got-{outcome.index}").touch()
    assert got == [i * i for i in range(n)]


def test_errors_and_values_all_arrive(tmp_path):
    def item(i: int) -> int:
        if i % 3 == 0:
            raise StabilityError(f"bad item {i}")
        return i

    outcomes = sorted(map_items(item, range(200), jobs=2), key=lambda o: o.index)
    assert [o.index for o in outcomes] == list(range(200))
    assert all((o.error == f"bad item {o.index}") == (o.index % 3 == 0) for o in outcomes)
    assert [o.value for o in outcomes if o.ok] == [i for i in range(200) if i % 3]


def test_an_error_without_allow_errors_comes_after_the_outcomes_before_it():
    """Items 0-4 finish in microseconds, then item 5 fails in the same group: the caller must
    get 0-4 (a screen saves them) before the error, not lose them to it."""

    def item(i: int) -> int:
        if i == 5:
            raise StabilityError("item 5 failed")
        return i

    got = []
    with pytest.raises(StabilityError, match="item 5 failed"):
        for outcome in map_items(
            item, range(10), jobs=2, allow_errors=False, groups=[list(range(10)), []]
        ):
            got.append(outcome.value)
    assert got == [0, 1, 2, 3, 4]


class _Unpicklable:
    def __reduce__(self):
        raise TypeError("this result cannot be pickled")


def _collect(run) -> list:
    """``run()``'s result, failing (not hanging) if it does not return within PATIENCE_S: the
    bug these tests guard against made the parent wait forever."""
    import threading

    box: list = []
    thread = threading.Thread(target=lambda: box.append(_caught(run)), daemon=True)
    thread.start()
    thread.join(PATIENCE_S * 4)
    assert box, "map_items still waiting for outcomes a worker could not send"
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def _caught(run):
    try:
        return run()
    except Exception as exc:
        return exc


def test_a_result_that_cannot_be_sent_is_its_items_error():
    # A forked worker's queue drops what it cannot pickle (a traceback on stderr): the
    # parent then waited forever for that batch. Now the item carries the error.
    def item(i: int):
        return _Unpicklable() if i == 3 else i

    outcomes = _collect(lambda: list(map_items(item, range(8), jobs=2)))
    outcomes.sort(key=lambda o: o.index)
    assert [o.index for o in outcomes] == list(range(8))
    assert [o.value for o in outcomes if o.ok] == [0, 1, 2, 4, 5, 6, 7]
    assert "cannot be sent to the main process" in outcomes[3].error
    assert "cannot be pickled" in outcomes[3].error


def test_a_result_that_cannot_be_sent_without_allow_errors_is_raised_after_the_rest():
    def item(i: int):
        return _Unpicklable() if i == 5 else i

    got: list = []

    def run() -> None:
        groups = [list(range(10)), []]
        for outcome in map_items(item, range(10), jobs=2, allow_errors=False, groups=groups):
            got.append(outcome.value)

    with pytest.raises(StabilityError, match="item 5 cannot be sent"):
        _collect(run)
    assert got == [0, 1, 2, 3, 4]
