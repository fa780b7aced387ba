"""The air reactions' linear programs on the hull walk against scipy's HiGHS."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from stability.analysis.air import equilibrium


def _random_case(rng: np.random.Generator):
    k = int(rng.integers(2, 7))
    n = int(rng.integers(k + 2, 60))
    amounts = rng.integers(0, 5, size=(n, k)).astype(float)
    amounts[amounts.sum(axis=1) == 0, 0] = 1.0
    fractions = amounts / amounts.sum(axis=1, keepdims=True)
    # some elements alone (as the solid elements are), some not (as N with N2 inert)
    alone = rng.random(k) < 0.6
    fractions = np.vstack([fractions, np.eye(k)[alone]])
    cost = np.concatenate([rng.normal(-1.0, 0.8, n), rng.normal(0.0, 0.3, int(alone.sum()))])
    # free (open) elements: rows not constrained; zero targets: elements asked to be absent
    rows = np.flatnonzero(rng.random(k) < 0.8)
    if rows.size == 0:
        rows = np.array([0])
    target = rng.integers(0, 4, size=k).astype(float) * (rng.random(k) < 0.85)
    target[rows[0]] = max(target[rows[0]], 1.0)
    return fractions, target, cost, rows


def _highs(fractions, target, cost, rows):
    res = linprog(cost, A_eq=fractions.T[rows], b_eq=target[rows], bounds=(0, None), method="highs")
    return res


@pytest.mark.parametrize("seed", range(300))
def test_walk_equals_highs(seed):
    fractions, target, cost, rows = _random_case(np.random.default_rng(seed))
    ref = _highs(fractions, target, cost, rows)
    if ref.status != 0:  # infeasible or unbounded: both say so
        with pytest.raises(Exception, match="no phase equilibrium"):
            equilibrium.solve(fractions, target, cost, rows)
        return
    value, x = equilibrium.solve(fractions, target, cost, rows)
    assert value == pytest.approx(ref.fun, abs=1e-9)
    assert (x >= -1e-12).all()
    np.testing.assert_allclose(fractions.T[rows] @ x, target[rows], atol=1e-9)
    assert float(cost @ x) == pytest.approx(value, abs=1e-9)


def test_the_walk_answers_most_cases(monkeypatch):
    """HiGHS is the fallback, not the path: count how often it is asked."""
    asked = []
    real = equilibrium._highs
    monkeypatch.setattr(
        equilibrium, "_highs", lambda *a: asked.append(1) or real(*a)
    )
    rng = np.random.default_rng(7)
    solved = 0
    for _ in range(200):
        fractions, target, cost, rows = _random_case(rng)
        if _highs(fractions, target, cost, rows).status == 0:
            equilibrium.solve(fractions, target, cost, rows)
            solved += 1
    assert solved > 100 and len(asked) < 0.1 * solved
