"""The linear programs of air reactions, on the hull machinery of the windows.

Every energy of an air reaction is ``min cost . x`` subject to ``A x = b``, ``x >= 0``, with
``A`` the atomic fractions of the candidates over some elements (all of them for one gas in
excess, the closed ones for air) and ``b`` an amount of each: the lower hull of the
candidates at ``b``. The C pivots of :mod:`stability.thermo.walk` find it in microseconds,
where a general LP solver spends milliseconds per call on its own set-up. An element no
candidate holds alone (N while N2 is inert, H while H2 is not released) gets a stand-in pure
phase far above any mixture; an answer that uses one, or a walk that fails, is found again
by scipy's HiGHS, which also says when there is no equilibrium at all.
"""

from __future__ import annotations

import numpy as np

from stability.errors import StabilityError

#: eV per atom of an element's stand-in pure phase: no optimum of real phases comes near.
STAND_IN_EV = 50.0


def solve(
    fractions: np.ndarray, target: np.ndarray, cost: np.ndarray, rows: np.ndarray
) -> tuple[float, np.ndarray]:
    """``min cost . x`` subject to ``fractions[:, rows].T x = target[rows]``, ``x >= 0``:
    (the minimum, x). ``fractions`` is phases x elements; elements not in ``rows`` are
    free (open)."""
    rows = np.asarray(rows)
    held = rows[target[rows] > 0]
    absent = rows[target[rows] <= 0]  # asked to be 0: no phase holding one can take part
    sub = fractions[:, held]
    share = sub.sum(axis=1)
    clear = ~(fractions[:, absent] > 0).any(axis=1)
    usable = clear & (share > 1e-12)
    # a free phase (only open elements) below zero would make the minimum unbounded
    if held.size == 0 or (clear & ~usable & (cost < 0)).any():
        return _highs(fractions, target, cost, rows)
    idx = usable.nonzero()[0]
    try:
        found = _walk(sub[idx] / share[idx, None], cost[idx] / share[idx], target[held])
    except StabilityError:
        found = None
    if found is None:
        return _highs(fractions, target, cost, rows)
    value, where, amounts = found
    x = np.zeros(len(cost))
    x[idx[where]] = amounts / share[idx[where]]
    return value, x


def _walk(
    fractions: np.ndarray, cost: np.ndarray, b: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray] | None:
    from stability.thermo.walk import WalkHull

    k = fractions.shape[1]
    pure = np.count_nonzero(fractions > 0, axis=1) == 1
    have = np.zeros(k, dtype=bool)
    have[fractions[pure].argmax(axis=1)] = True
    missing = (~have).nonzero()[0]
    n = len(cost)
    if missing.size:
        fractions = np.vstack([fractions, np.eye(k)[missing]])
        cost = np.concatenate([cost, np.full(missing.size, STAND_IN_EV)])
    hull = WalkHull(fractions, cost)
    vertices, amounts = hull.decompose(b)
    rows = hull.vertex_rows[vertices]
    if (rows >= n).any():  # a stand-in: no equilibrium of real phases, or too close to tell
        return None
    return float(cost[rows] @ amounts), rows, amounts


def _highs(
    fractions: np.ndarray, target: np.ndarray, cost: np.ndarray, rows: np.ndarray
) -> tuple[float, np.ndarray]:
    from scipy.optimize import linprog

    res = linprog(cost, A_eq=fractions.T[rows], b_eq=target[rows], bounds=(0, None), method="highs")
    if res.status != 0:
        raise StabilityError(f"no phase equilibrium found ({res.message})")
    return float(res.fun), res.x
