"""Shared check: the window's steps read next to a composition equal the whole-line walk's."""

from __future__ import annotations

from pymatgen.core import Composition


def assert_window_steps_match_whole_line(
    fast, amounts: dict[str, float], elements, ion: str = "Li"
) -> None:
    """``fast.ion_window_steps`` against ``fast._ion_steps(..., window_only=True)``.

    Voltages and Li changes must agree to 1e-9; the composition's own step must be placed on
    both or on neither; products, where exactly coplanar phases make either facet right, must
    each hold the composition with the step's Li change.
    """
    near = fast.ion_window_steps(amounts, ion)
    walked = fast._ion_steps(amounts, ion, window_only=True)
    assert len(near) == len(walked)
    for a, b in zip(near, walked, strict=True):
        assert abs(a.mu_ion_eV - b.mu_ion_eV) < 1e-9
        assert abs(a.ion_change - b.ion_change) < 1e-9
        assert a.own == b.own
        if a.own:
            assert [p.label == "placed" for p in a.phases] == [
                p.label == "placed" for p in b.phases
            ]
            continue
        for step in (a, b):
            made = sum((Composition(p.formula) * p.amount for p in step.phases), Composition())
            for el in elements:
                want = amounts.get(el, 0.0) + (step.ion_change if el == ion else 0.0)
                assert abs(made[el] - want) < 1e-6
