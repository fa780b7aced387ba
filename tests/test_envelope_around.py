"""``envelope_around`` reads the envelope next to one point as the whole-line walk does.

``upper_envelope`` walks ``max_f (a_f + b_f t)`` from t = 0; ``envelope_around`` finds the
same breakpoints and slopes next to ``n`` without the walk (windows need only those). Cases
found in review: points within 1e-9..1e-7 of a breakpoint, and breakpoints closer than
MERGE_TOL to each other, on either side.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stability import config
from stability.analysis.windows.window import compute_window
from stability.entries.table import FORMATION, EntryTable
from stability.thermo.engines import make_engine
from stability.thermo.hull import envelope_around, upper_envelope

from .paths import hull_paths


def walked(a, b, n, tol=1e-9):
    """What the whole-line walk says next to n: (own slopes, left, right, slope after)."""
    breaks, lines = upper_envelope(a, b, 0.0, np.inf, tol)
    slopes = b[lines]
    hit = np.flatnonzero(np.abs(breaks - n) <= config.ENERGY_TOL * max(1.0, n))
    if hit.size:
        i = int(hit[0])
        left_slope = slopes[i - 1] if i > 0 else slopes[i]
        left = breaks[i - 1] if i > 0 else None
        after = (breaks[i + 1], slopes[i + 1]) if i + 1 < len(breaks) else (None, None)
        return True, left_slope, slopes[i], left, *after
    j = int(np.searchsorted(breaks, n)) - 1
    after = (breaks[j + 1], slopes[j + 1]) if j + 1 < len(breaks) else (None, None)
    return False, slopes[j], slopes[j], breaks[j], *after


def same(a, b, n):
    got = envelope_around(a, b, n, 1e-9)
    want = walked(a, b, n)
    assert got.at_break == want[0]
    assert abs(got.slope_left - want[1]) < 1e-12 and abs(got.slope_right - want[2]) < 1e-12
    for x, y in ((got.left, want[3]), (got.right, want[4]), (got.slope_after, want[5])):
        assert (x is None) == (y is None)
        if x is not None:
            assert abs(x - y) < 1e-9 * max(1.0, abs(y))


def test_breakpoints_closer_than_merge_tol_are_one():
    # Slope -0.8 up to t = 2, -0.5 on a 0.5e-9 sliver, then 0: one breakpoint at 2.
    b = np.array([-0.8, -0.5, 0.0])
    a = np.array([0.0, -0.6, -1.6 - 0.5 * 0.5e-9])
    same(a, b, 1.0)
    assert envelope_around(a, b, 1.0, 1e-9).slope_after == 0.0
    # Left of the point: crossings at 1 and 1 + 0.6e-9 are one breakpoint, at the first.
    b = np.array([-1.0, -0.9, -0.5])
    a = np.array([0.0, -0.1, -0.1 - 0.4 * (1 + 0.6e-9)])
    same(a, b, 2.0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.floats(-5, 0).map(lambda v: round(v, 2)), st.floats(-3, 0)),
        min_size=1,
        max_size=12,
    ),
    st.floats(0.01, 6),
    st.sampled_from([None, 0.0, 1e-11, -1e-11, 3e-10, -3e-10, 2e-9, -2e-9, 1e-8, -1e-8]),
)
def test_equals_the_whole_line_walk(lines, n, near_break):
    a = np.array([line[0] for line in lines] + [0.0])
    b = np.array([line[1] for line in lines] + [0.0])  # Li metal: slope 0 last
    if near_break is not None:  # the point just beside a breakpoint of the walk
        breaks, _ = upper_envelope(a, b, 0.0, np.inf, 1e-9)
        n = float(breaks[-1]) + near_break if breaks[-1] + near_break > 0.01 else n
    same(a, b, n)


def test_point_just_short_of_a_breakpoint_is_placed_on_both_hull_paths():
    # Li-N with LiN20 and Li3N: mu_Li -2 eV up to Li0.05N, -1 eV up to Li3N. Li(1 - 1e-8)N20
    # is 1e-8 Li short of LiN20: placed inside the first segment, by both paths alike.
    e_a = -2.0 * 0.05
    e_b = e_a - 1.0 * (3 - 0.05)
    table = EntryTable.from_records(
        [{"Li": 1.0, "N": 20.0}, {"Li": 3.0, "N": 1.0}, {"Li": 1.0}, {"N": 1.0}],
        [e_a * 20 / 21, e_b / 4, 0.0, 0.0],
        {"name": "synthetic", "energy_kind": FORMATION},
    )
    windows = []
    for path in ("qhull", "walk"):
        with hull_paths(path):
            windows.append(compute_window(make_engine(table, "fast"), "Li0.99999999N20"))
    qhull, walk = windows
    assert (qhull.reduction_limit_V, qhull.oxidation_limit_V) == (2.0, 2.0)
    assert (walk.reduction_limit_V, walk.oxidation_limit_V) == (2.0, 2.0)
    assert qhull.reduction_products == walk.reduction_products == ["LiN20"]
    assert qhull.placed_on_hull and walk.placed_on_hull
