"""Interlayer ranking on a small synthetic system, checked against brute force."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stability.analysis.cells.interlayer import gap_voltages, rank_interlayers
from stability.analysis.interfaces.interface import compute_interface
from stability.analysis.windows.window import compute_window
from stability.cli import cli
from stability.entries.table import FORMATION, EntryTable
from stability.thermo.engines import make_engine

from .conftest import shared_file

COMPOUNDS = {
    "Li3N": -0.3,
    "LiCl": -1.0,
    "Li4NCl": -0.9,  # Li3N + LiCl react into it
    "LiF": -2.0,
    "Li2O": -2.0,
    "LiNO3": -0.9,
    "Li2O2": -1.3,
    "LiClO4": -0.6,
    "Li5NCl2": -0.8,  # above the Li4NCl-LiCl tie line: metastable
    "NF3": -0.2,
}
ELEMENTS = ("Li", "N", "Cl", "F", "O")


@pytest.fixture(scope="module")
def engine():
    from pymatgen.core import Composition

    comps, energies = [], []
    for formula, e in COMPOUNDS.items():
        comps.append({str(el): float(a) for el, a in Composition(formula).items()})
        energies.append(e)
    for el in ELEMENTS:
        comps.append({el: 1.0})
        energies.append(0.0)
    table = EntryTable.from_records(
        comps, energies, {"name": "synthetic", "energy_kind": FORMATION}
    )
    return make_engine(table, "fast")


CANDIDATES = [(f, f) for f in COMPOUNDS if "Li" in f] + [("NF3", "NF3")]


def per_reactant_atom(result) -> float:
    """Most negative Li-open kink energy per atom of the reactants as written (pymatgen's
    compositions, independent of the package's formula parser)."""
    from pymatgen.core import Composition

    fa, fb = (
        1 - Composition(f).get_atomic_fraction("Li") for f in (result.formula_a, result.formula_b)
    )
    kinks = result.to_dataframe()
    return min(
        e * (x * fa + (1 - x) * fb)
        for x, e in zip(
            kinks["mixing_ratio"], kinks["reaction_energy_meV_per_non_ion_atom"], strict=True
        )
    )


def brute_force(engine, a, b, volts_a, volts_b, max_ehull):
    """Every candidate reacted at every voltage: no prefilter, the score by its definition."""
    out = {}
    need = sorted(set(volts_a) | set(volts_b))
    for _, c in CANDIDATES:
        if c in (a, b):
            continue
        try:
            w = compute_window(engine, c)
        except Exception as exc:  # noqa: BLE001 - recorded, as the ranking does
            out[c] = ("error", str(exc))
            continue
        e_hull = w.e_above_hull_eV_per_atom or 0.0
        if e_hull > max_ehull:
            continue
        covers = not need or (
            w.reduction_limit_V <= min(need) + 1e-3 and w.oxidation_limit_V >= max(need) - 1e-3
        )
        energies = [
            compute_interface(engine, c, a).reaction_energy_meV_per_atom,
            compute_interface(engine, c, b).reaction_energy_meV_per_atom,
            -1000 * e_hull,
        ]
        # Li open: the mutual energy (meV per non-Li atom), each kink's times the non-Li atoms
        # per atom of its mixture, so that the score is per atom of the reactants as written.
        energies += [per_reactant_atom(compute_interface(engine, c, a, v)) for v in volts_a]
        energies += [per_reactant_atom(compute_interface(engine, c, b, v)) for v in volts_b]
        out[c] = (covers, min(energies))
    return out


@pytest.mark.parametrize("voltages", [[0.3], [0.0, 0.2, 0.4], []])
@pytest.mark.parametrize("max_ehull", [0.0, 1.0])
def test_ranking_matches_brute_force(engine, voltages, max_ehull):
    ranking = rank_interlayers(
        engine, "Li3N", "LiCl", CANDIDATES, voltages=voltages, max_ehull=max_ehull
    )
    expected = brute_force(engine, "Li3N", "LiCl", voltages, voltages, max_ehull)
    got = {r["formula"]: r for r in ranking.candidates}
    assert set(got) == {c for c, v in expected.items()}
    for c, (covers, score) in expected.items():
        if covers == "error":
            assert got[c]["error"]
            continue
        assert got[c]["covers_voltages"] == covers, c
        if covers:
            assert got[c]["score_meV_per_atom"] == pytest.approx(score, abs=1e-9), c
        else:
            assert got[c]["score_meV_per_atom"] is None  # prefiltered: never reacted
    # Best first: covering candidates by score, then the rest.
    scored = [
        r["score_meV_per_atom"]
        for r in ranking.candidates
        if r.get("score_meV_per_atom") is not None
    ]
    assert scored == sorted(scored, reverse=True)
    flags = [bool(r.get("covers_voltages")) and not r["error"] for r in ranking.candidates]
    assert flags == sorted(flags, reverse=True)
    assert [r["rank"] for r in ranking.candidates] == list(range(1, len(ranking.candidates) + 1))
    # Li5NCl2 sits above the hull: only a generous max_ehull keeps it, with its score capped.
    assert ("Li5NCl2" in got) == (max_ehull > 0)


def test_known_best_and_worst(engine):
    ranking = rank_interlayers(engine, "Li3N", "LiCl", CANDIDATES, voltages=[0.3])
    best = ranking.candidates[0]
    assert best["score_meV_per_atom"] == 0.0 and best["formula"] in {"LiF", "Li2O", "Li4NCl"}
    # Li4NCl is what Li3N and LiCl make: on both tie lines, so it separates them perfectly.
    li4ncl = next(r for r in ranking.candidates if r["formula"] == "Li4NCl")
    assert li4ncl["score_meV_per_atom"] == 0.0
    df = ranking.to_dataframe(3)
    assert len(df) == 3 and list(df["rank"]) == [1, 2, 3]


def test_default_voltages_from_the_windows(engine):
    at_a, at_b = gap_voltages(engine, "Li3N", "LiCl")
    assert at_a == pytest.approx(0.4) and at_b == 0.0
    ranking = rank_interlayers(engine, "Li3N", "LiCl", CANDIDATES)
    assert ranking.voltages_a_V == [pytest.approx(0.4)] and ranking.voltages_b_V == [0.0]
    li = rank_interlayers(engine, "Li", "LiCl", CANDIDATES, voltages=[1.0])
    assert li.voltages_a_V == [] and li.required_V == [0.0, 1.0]


def test_cli_interlayer(tmp_path):
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    cands = tmp_path / "c.txt"
    cands.write_text("LiF\nLiCl\nLi2O\nLi3PO4\n")
    res = CliRunner().invoke(
        cli,
        ["interlayer", "beta-Li3N", "Li3InCl6", "--candidates", str(cands), "--data", data,
         "--format", "json", "--top", "2"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    import json

    payload = json.loads(res.output)
    assert [c["reduced_formula"] for c in payload["candidates"]] == ["LiF", "LiCl"]
    for key in ("formula", "reduced_formula", "reaction_energy_with_a_meV_per_atom",
                "reaction_energy_with_b_meV_per_atom", "reduction_limit_V", "oxidation_limit_V",
                "score_meV_per_atom"):  # fmt: skip
        assert key in payload["candidates"][0]
    for args, msg in (
        (["--voltage", "1", "--scan", "0:1:0.5"], "not both"),
        (["--candidates", "no-such-set"], "unknown set"),
        (["--max-ehull", "-1"], "max-ehull"),
        (["--scan", "1:0:1"], "bad scan"),
    ):
        res = CliRunner().invoke(cli, ["interlayer", "Li3N", "Li3InCl6", "--data", data, *args])
        assert res.exit_code != 0 and msg in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1


def test_score_has_one_unit_per_atom_of_the_reactants(fast2019):
    """The score is meV per atom of the reactants as written: a Li-open energy (meV per non-Li
    atom) enters it times the non-Li atoms per atom of its mixture, never mixed in raw."""
    cands = [("LiCl", "LiCl"), ("LiF", "LiF")]
    engine = fast2019
    ranking = rank_interlayers(engine, "LiPON", "LiCoO2", cands, voltages=[3.5], max_ehull=1.0)
    assert len(ranking.candidates) == 2
    for c in ranking.candidates:
        closed = min(
            c["reaction_energy_with_a_meV_per_atom"], c["reaction_energy_with_b_meV_per_atom"]
        )
        assert closed == 0.0  # LiCl and LiF do not react with LiPON or LiCoO2 closed
        per_non_ion = min(c["ion_open_reaction_energy_with_a_meV_per_non_ion_atom"],
                         c["ion_open_reaction_energy_with_b_meV_per_non_ion_atom"])  # fmt: skip
        per_atom = min(
            per_reactant_atom(compute_interface(engine, c["formula"], other, 3.5))
            for other in ("Li2PO2N", "LiCoO2")
        )
        assert c["score_meV_per_atom"] == pytest.approx(per_atom, abs=1e-9)
        assert per_non_ion < per_atom < 0  # the raw per-non-Li value is not the score
