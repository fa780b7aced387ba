"""The fast paths of issue 28 give the answers of the paths they replace.

- a screen's ``reaction_with_<label>`` columns come from ``reaction_energy`` (no products or
  reactions of any kink, and on a pivoting hull one walk per closed pair instead of three);
  compared here with ``compute_interface`` on every 4th system of the all-Li screen;
- an interlayer search computes windows only for candidates within ``max_ehull``; compared
  with the search that computes every candidate's window (``compute_window``).
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from stability.analysis.cells import interlayer
from stability.analysis.interfaces import interface
from stability.analysis.interfaces.interface import compute_interface, reaction_energy
from stability.analysis.materials.sets import formula_elements, resolve_set, resolve_targets
from stability.analysis.screens.screen import run_screen, system_groups
from stability.errors import StabilityError
from stability.ions import ion_mu
from stability.thermo.engines import make_engine

#: Largest difference allowed between an energy and the one it replaces (meV/atom).
ENERGY_TOL_MEV = 1e-9


@pytest.fixture(scope="module")
def every_fourth_system(mp2019):
    targets = resolve_targets(mp2019, "all-li")
    groups = system_groups(targets, make_engine(mp2019))
    return [targets[i] for g in groups[::4] for i in g]


def test_screen_interface_columns_equal_compute_interface(mp2019, every_fourth_system):
    partners = resolve_set("cathodes", mp2019)
    rows = run_screen(make_engine(mp2019), every_fourth_system, partners=partners).rows
    plain = run_screen(make_engine(mp2019), every_fourth_system).rows
    reference = make_engine(mp2019)
    checked = 0
    for target, row, base in zip(every_fourth_system, rows, plain, strict=True):
        # The window columns are those of the screen without partners.
        assert {k: v for k, v in row.items() if not k.startswith("reaction_with_")} == {
            **base,
            "error": row["error"],
        }
        for label, formula in partners:
            got = row[f"reaction_with_{label}_meV_per_atom"]
            try:
                want = compute_interface(reference, target.formula, formula)
            except StabilityError:
                assert got is None
                continue
            assert math.isfinite(got)
            assert abs(got - want.reaction_energy_meV_per_atom) <= ENERGY_TOL_MEV
            checked += 1
    assert checked > 10_000


def test_screen_interface_columns_read_no_products(mp2019, monkeypatch):
    """A screen column needs the most negative energy only: no kink's products."""

    def no_products(*args, **kwargs):
        raise AssertionError("products computed for a screen column")

    monkeypatch.setattr(interface, "reaction_string", no_products)
    targets = resolve_targets(mp2019, "nitride-sses")
    rows = run_screen(make_engine(mp2019), targets, partners=[("LCO", "LiCoO2")]).rows
    assert [round(r["reaction_with_LCO_meV_per_atom"], 1) for r in rows] == [
        -449.9,
        -323.3,
        -201.7,
        -393.4,
    ]


@pytest.mark.parametrize("voltage", [None, 0.5, 3.0])
def test_reaction_energy_is_compute_interfaces(fast2019, voltage):
    for a, b in [("Li3N", "LiCoO2"), ("Li3PS4", "LiNi0.8Mn0.1Co0.1O2"), ("Li6PS5Cl", "LiFePO4")]:
        want = compute_interface(fast2019, a, b, voltage).reaction_energy_meV
        assert abs(reaction_energy(fast2019, a, b, voltage) - want) <= ENERGY_TOL_MEV


def _every_window(engine, item):
    """Stage 1 as it was: every candidate's window, then the energy-above-hull test."""
    key, formula, faces, max_ehull = item
    row = {"key": key, "formula": formula, "error": ""}
    try:
        w = interlayer.compute_window(engine, formula)
    except StabilityError as exc:
        return {**row, "error": str(exc), "stage": "window"}
    return interlayer.window_row(row, w, faces, max_ehull)


def test_interlayer_search_equals_the_every_window_search(mp2019, every_fourth_system, monkeypatch):
    candidates = [(t.key, t.formula) for t in every_fourth_system]
    candidates += [("LGPS", "LGPS"), ("bad", "Xx2O"), ("no Li", "Al2O3"), ("placed", "Li5N2Cl")]
    fast = interlayer.rank_interlayers(make_engine(mp2019), "Li3N", "Li3InCl6", candidates)
    monkeypatch.setattr(interlayer, "candidate_window", _every_window)
    slow = interlayer.rank_interlayers(make_engine(mp2019), "Li3N", "Li3InCl6", candidates)
    assert fast.counts == slow.counts
    assert fast.counts["reacted"] > 10 and fast.counts["above_max_ehull"] > 100
    assert fast.to_dict() == slow.to_dict()


def test_interlayer_windows_only_within_max_ehull(mp2019, every_fourth_system, monkeypatch):
    """Candidates above max_ehull are left out by their hull energy: no window for them."""
    from stability.thermo.fast import FastSystem

    windows = []
    steps = FastSystem.ion_window_steps

    def counted(self, amounts, element="Li"):
        windows.append(amounts)
        return steps(self, amounts, element)

    monkeypatch.setattr(FastSystem, "ion_window_steps", counted)
    candidates = [(t.key, t.formula) for t in every_fourth_system]
    ranking = interlayer.rank_interlayers(make_engine(mp2019), "Li3N", "Li3InCl6", candidates)
    kept = ranking.counts["evaluated"] - ranking.counts["above_max_ehull"]
    # Windows of the candidates kept, plus those of A and B (the faces' voltages).
    assert len(windows) <= kept + 2 < ranking.counts["evaluated"]


# ---------------------------------------------------------------- speed2: the second pass


def _lines(fast2019):
    """(hull, start, end) of the closed mixing lines of a few interfaces, on pivoting hulls."""
    from stability.thermo.walk import WalkHull

    out = []
    pairs = [("Li3N", "LiCoO2"), ("Li3PS4", "LiNi0.8Mn0.1Co0.1O2"), ("Li6PS5Cl", "LiFePO4")]
    pairs += [("Li7La3Zr2O12", "LiMn2O4"), ("Li3InCl6", "LiNi0.5Mn1.5O4"), ("Li2S", "V2O5")]
    for a, b in pairs:
        amounts = [interface._facts(interface.read_material(m, fast2019.table))[0] for m in (a, b)]
        system = fast2019.system(set(amounts[0]) | set(amounts[1]))
        assert isinstance(system.hull, WalkHull)
        xa, xb = (system._vector(x) for x in amounts)
        out.append((system, xb / xb.sum(), xa / xa.sum()))
    return out


def test_segment_energies_equal_segment_facets(mp2019):
    """The kink energies without a facet object per kink: the same kinks, energies and bases
    as ``segment_facets`` (each on a hull of its own, so no memo is shared)."""
    for system, start, end in _lines(make_engine(mp2019)):
        fresh = make_engine(mp2019).system(system.data.elements).hull
        xs, energies, raw = system.hull.segment_energies(start, end)
        want_xs, want_energies, facets = fresh.segment_facets(start, end)
        assert xs.tolist() == want_xs.tolist()
        assert np.abs(energies - want_energies).max() * 1000 <= ENERGY_TOL_MEV
        assert [r[0].tolist() for r in raw] == [f.basis.tolist() for f in facets]
        assert len(xs) > 2


def test_segment_energies_check_the_left_out_rows(mp2019):
    """A hull whose left-out rows are not all above the facets walked falls back to every
    row, as ``segment_facets`` does: the same answer either way."""
    for system, start, end in _lines(make_engine(mp2019)):
        hull = system.hull
        if hull._left_out.size == 0:
            continue
        want_xs, want_energies, _ = hull.segment_facets(start, end)
        # Claim the left-out rows lie far lower than they do: every check fails.
        hull._out_form = hull._out_form - 10.0
        before = hull.fallbacks
        xs, energies, _ = hull.segment_energies(start, end)
        assert hull.fallbacks == before + 1
        assert xs.tolist() == want_xs.tolist()
        assert np.abs(energies - want_energies).max() * 1000 <= ENERGY_TOL_MEV


@pytest.mark.parametrize("voltage", [None, 3.0])
def test_lean_mixing_gives_the_phases_of_the_full_one(mp2019, voltage):
    """``phases=False`` (kinks read by energy; a row's phases made from the kink's facet
    when asked) gives every kink the phases ``phases=True`` gives it."""
    for system, start, end in _lines(make_engine(mp2019)):
        elements = system.data.elements
        a = dict(zip(elements, end.tolist(), strict=True))
        b = dict(zip(elements, start.tolist(), strict=True))
        mu = None if voltage is None else ion_mu(voltage, "Li")
        lean = system.mixing(a, b, mu_open=mu, phases=False)
        full = make_engine(mp2019).system(elements).mixing(a, b, mu_open=mu)
        assert len(lean.kinks) == len(full.kinks)
        for i, (k1, k2) in enumerate(zip(lean.kinks, full.kinks, strict=True)):
            assert k1.x == pytest.approx(k2.x, abs=1e-12)
            assert abs(k1.energy_eV_per_atom - k2.energy_eV_per_atom) * 1000 <= ENERGY_TOL_MEV
            assert [(p.formula, p.label) for p in lean.phases_of(i)] == [
                (p.formula, p.label) for p in k2.phases
            ]
            assert [p.amount for p in lean.phases_of(i)] == pytest.approx(
                [p.amount for p in k2.phases], abs=1e-9
            )


def test_screen_groups_join_the_systems_the_partners_complete(mp2019):
    """With partners, one group holds every system that differs from another only in the
    partners' elements (their combined systems are then the same), each target once."""
    targets = resolve_targets(mp2019, "all-li")
    engine = make_engine(mp2019)
    partners = resolve_set("cathodes", mp2019)
    shared = set().union(*(formula_elements(f) for _, f in partners))
    plain = system_groups(targets, engine)
    joined = system_groups(targets, engine, partners)
    assert sorted(i for g in joined for i in g) == list(range(len(targets)))
    assert len(joined) < len(plain)
    for group in joined:
        rest = {frozenset(formula_elements(targets[i].formula) - shared) for i in group}
        assert len(rest) == 1
    assert [len(g) for g in joined] == sorted((len(g) for g in joined), reverse=True)


def test_interlayer_stage_one_runs_in_system_groups(mp2019, monkeypatch):
    """Stage 1's candidates go to ``map_items`` in runs of one chemical system each."""
    seen = []
    real = interlayer._map

    def spy(fn, engine, items, **kw):
        seen.append((fn, items, kw.get("groups")))
        return real(fn, engine, items, **kw)

    monkeypatch.setattr(interlayer, "_map", spy)
    candidates = [(f, f) for f in ["LiF", "Li2O", "LiCl", "Li2O2", "LiClO4", "Li3N", "LiN3"]]
    interlayer.rank_interlayers(make_engine(mp2019), "Li", "LiCoO2", candidates)
    fn, items, groups = seen[0]
    assert fn is interlayer.candidate_window
    assert sorted(i for g in groups for i in g) == list(range(len(items)))
    systems = [{frozenset(formula_elements(items[i][1])) for i in g} for g in groups]
    assert all(len(s) == 1 for s in systems) and len(groups) == len(set().union(*systems))


def test_interlayer_command_uses_the_cores_for_a_dataset_wide_search(monkeypatch):
    """Without --jobs, a search over every Li compound runs in one process per usable core
    (at most AUTO_JOBS_MAX); a small one, or an explicit --jobs, as asked."""
    from click.testing import CliRunner

    from stability.cli import cli
    from stability.commands import interlayer as command

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert command.auto_jobs(8656) == 3
    assert command.auto_jobs(command.AUTO_JOBS_MIN_CANDIDATES - 1) == 1
    asked = []

    def spy(engine, a, b, candidates, **kw):
        asked.append((len(candidates), kw["jobs"]))
        raise interlayer.StabilityError("stop here")

    monkeypatch.setattr(interlayer, "rank_interlayers", spy)
    runner = CliRunner()
    for args in ([], ["--jobs", "1"], ["--candidates", "halides"]):
        result = runner.invoke(cli, ["interlayer", "Li3N", "Li3InCl6", *args])
        assert "stop here" in result.output
    assert asked[0][0] > 8000 and asked[0][1] == 3
    assert asked[1][1] == 1
    assert asked[2][0] < 100 and asked[2][1] == 1


def test_hull_points_without_the_sort_are_the_sorts(mp2019, monkeypatch):
    """Where no two rows share a composition, ``hull_points`` skips the sort of every column:
    the same arrays as with it, on systems of the all-Li screen joined with a cathode's, and
    on rows that repeat a composition (which the fingerprint sends to the sort); a pivoting
    hull's pure rows are ``element_rows``'."""
    from stability.thermo import hull
    from stability.thermo.system import select_system
    from stability.thermo.walk import _element_starts

    systems = sorted(
        {
            tuple(sorted(set(mp2019.row_composition(t.row)) | extra))
            for t in resolve_targets(mp2019, "all-li")[::40]
            for extra in ({"Co", "O"}, {"Fe", "P", "O"}, set())
        }
    )
    data = [select_system(mp2019, s) for s in systems]
    twice = data[0]
    data.append(
        type(twice)(
            twice.elements,
            np.vstack([twice.amounts, 2 * twice.amounts[-1:]]),
            np.append(twice.energy_per_atom, twice.energy_per_atom[-1] - 0.01),
            np.append(twice.formula, "twin"),
            np.append(twice.material_id, ""),
            np.append(twice.rows, -1),
        )
    )
    fast = [hull.hull_points(d.fractions, d.energy_per_atom) for d in data]
    assert sum(hull._distinct(np.round(d.fractions, 10)) for d in data) >= len(data) - 1 > 100
    assert not hull._distinct(np.round(data[-1].fractions, 10))
    monkeypatch.setattr(hull, "_distinct", lambda keys: False)
    for d, got in zip(data, fast, strict=True):
        want = hull.hull_points(d.fractions, d.energy_per_atom)
        assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))
        kept = d.fractions[got[2]]
        pure, starts = _element_starts(kept)
        want_pure, ref_rows = hull.element_rows(kept)
        assert np.array_equal(pure, want_pure)
        assert starts.tolist() == [rows[0] for rows in ref_rows]
    assert len(fast[-1][2]) == len(fast[0][2])  # the twin replaced its higher sibling
