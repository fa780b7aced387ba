"""Every key the commands write: one vocabulary for JSON keys, CSV/Parquet columns, table
columns and ``to_dataframe()`` columns.

Each key names one quantity, with its unit in the key where it has one
(``reduction_limit_V``, ``reaction_energy_meV_per_atom``); the same quantity never has two
keys. Commands take their keys from here or are checked against it (``tests/test_schema.py``
runs every command with ``--format json`` and ``--format csv`` and its output files);
``markdown()`` renders the reference page ``docs/reference/keys.md``.

Energies of reactions are named by their normalisation: ``_meV_per_atom`` per atom of the
reactants as written (closed: the mixture's atoms; with the ion open: the reactants' atoms
before any ion is exchanged with the reservoir), ``_meV_per_non_ion_atom`` per atom other than
the working ion (the ion open; pymatgen's ``GrandPotentialInterfacialReactivity``).

Working ions (``stability.ions``; docs/conventions.md): keys are ion-neutral. Every row that
depends on the working ion names it in its ``ion`` column (Li by default; Na, K, Mg, Ca, Zn,
Al with ``--ion``), voltages are against that ion's metal per charge, and keys that once named
Li (``li_tolerance_per_atom``, ``li_per_formula_unit``, ``*_per_non_li_atom``, ``li_open*``)
are the same keys for every ion (``ion_tolerance_per_atom``, ``ion_per_formula_unit``,
``*_per_non_ion_atom``, ``ion_open*``): ``RETIRED`` lists the old names. Li values are
unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    """One output key: its unit ('' for text, flags and counts) and what it means."""

    name: str
    unit: str
    meaning: str
    commands: tuple[str, ...]


V = "V vs the ion's metal (Li/Li+ for Li)"
MEV = "meV/atom"
MEV_NON_ION = "meV per atom other than the working ion"

_W = ("window", "screen", "compare", "profile", "figures")
_I = ("interface", "interfaces", "figures")
_CELL = ("cell", "figures")

_KEYS: list[tuple[str, str, str, tuple[str, ...]]] = [
    # Identity of a row
    (
        "label",
        "",
        "the material as given (catalogue label, alias, formula or id)",
        (*_W, "decomposition", "interlayer", "cell"),
    ),
    (
        "formula",
        "",
        "the composition computed (an alias's composition, 1s written out for dataset rows)",
        (*_W, "decomposition", "interlayer", "cell"),
    ),
    ("reduced_formula", "", "reduced formula of the composition", (*_W, "interlayer")),
    (
        "ion",
        "",
        "working ion open to its metal (Li, Na, K, Mg, Ca, Zn or Al; --ion, default Li): "
        "voltages of the row are against its metal, per charge z (V = -(mu - mu_metal) / z)",
        (*_W, "decomposition", "interface", "interfaces"),
    ),
    (
        "material_id",
        "",
        "Materials Project id of the composition's lowest entry (empty: none "
        "or not in the dataset)",
        ("window", "screen", "profile"),
    ),
    (
        "class",
        "",
        "catalogue class or anion class (cathode, coating, nitride, oxide, ...)",
        ("window", "screen", "compare", "figures"),
    ),
    (
        "dataset",
        "",
        "name of the dataset (snapshot) the row was computed on",
        (
            "window",
            "screen",
            "compare",
            "profile",
            "decomposition",
            "interface",
            "interfaces",
            "interlayer",
            "cell",
            "figures",
        ),
    ),
    (
        "engine",
        "",
        "hull engine: fast or pymatgen",
        ("window", "profile", "interface", "interlayer"),
    ),
    (
        "error",
        "",
        "why this row or item was not computed (null in JSON and empty in CSV when it was)",
        (
            "window",
            "screen",
            "compare",
            "decomposition",
            "interfaces",
            "interlayer",
            "cell",
            "figures",
        ),
    ),
    # Windows
    (
        "reduction_limit_V",
        V,
        "reduction limit of the window: uptake of the working ion starts below it",
        (*_W, "interlayer", "cell"),
    ),
    (
        "oxidation_limit_V",
        V,
        "oxidation limit of the window: release of the working ion starts above it",
        (*_W, "interlayer", "cell"),
    ),
    ("window_width_V", "V", "oxidation limit minus reduction limit", _W),
    (
        "reduction_products",
        "",
        "phases formed just below the reduction limit (reduced formulas, "
        "the working ion's metal left out; ';'-joined in CSV)",
        (*_W, "cell"),
    ),
    ("oxidation_products", "", "phases formed just above the oxidation limit", (*_W, "cell")),
    (
        "flagged_products",
        "",
        "products worth a second look, likely dataset artefacts (docs/flags.md): objects "
        "{formula, reason} in JSON, 'formula (reason)' ';'-joined in CSV",
        (*_W, *_I),
    ),
    (
        "reason",
        "",
        "why a product is flagged: 'charge:', 'release:' or 'theoretical:' and the evidence",
        (*_W, *_I),
    ),
    (
        "other_release",
        "",
        "the other bundled MP release the result was checked on (mp2019_ground_states or "
        "mp2022_hull)",
        ("window", "interface"),
    ),
    (
        "other_release_reduction_limit_V",
        V,
        "the reduction limit of the same composition on the other bundled release",
        ("window",),
    ),
    (
        "other_release_oxidation_limit_V",
        V,
        "the oxidation limit of the same composition on the other bundled release",
        ("window",),
    ),
    (
        "other_release_reaction_energy_meV_per_atom",
        MEV,
        "the most negative closed reaction energy on the other bundled release",
        ("interface",),
    ),
    (
        "other_release_reaction_energy_meV_per_non_ion_atom",
        MEV_NON_ION,
        "the most negative Li-open reaction energy on the other bundled release",
        ("interface",),
    ),
    (
        "release_note",
        "",
        "one line: where the other bundled release disagrees (a limit moved by more than "
        "0.1 V, or other products), with both values; null where it agrees",
        ("window", "interface"),
    ),
    (
        "e_above_hull_eV_per_atom",
        "eV/atom",
        "energy above the hull of the composition's own "
        "(lowest) entry; null when the dataset lacks the composition",
        ("window", "screen", "profile", "interlayer"),
    ),
    (
        "placed_on_hull",
        "",
        "the composition was off the hull or absent and was placed on it "
        "before its window was computed",
        (*_W, "interlayer", "cell"),
    ),
    (
        "reduction_limit_std_V",
        "V",
        "standard deviation of the reduction limit under the MP2020 correction uncertainties",
        ("window", "compare", "profile"),
    ),
    (
        "oxidation_limit_std_V",
        "V",
        "standard deviation of the oxidation limit under the MP2020 correction uncertainties",
        ("window", "compare", "profile"),
    ),
    (
        "reduction_limit_ci95_V",
        V,
        "central 95% interval [low, high] of the reduction limit",
        ("window", "profile"),
    ),
    (
        "oxidation_limit_ci95_V",
        V,
        "central 95% interval [low, high] of the oxidation limit",
        ("window", "profile"),
    ),
    (
        "ion_tolerance_per_atom",
        "ion per atom",
        "atoms of the working ion taken up or released per atom that still count as stable "
        "(--tolerance)",
        ("window", "screen"),
    ),
    (
        "strict_reduction_limit_V",
        V,
        "strict reduction limit when the limits are tolerant ones",
        ("window", "screen"),
    ),
    (
        "strict_oxidation_limit_V",
        V,
        "strict oxidation limit when the limits are tolerant ones",
        ("window", "screen"),
    ),
    (
        "passivated_reduction_limit_V",
        V,
        "reduction limit extended across insulating, gas-free steps",
        ("window", "screen", "cell", "figures"),
    ),
    (
        "passivated_oxidation_limit_V",
        V,
        "oxidation limit extended across insulating, gas-free steps (null: nothing stops it)",
        ("window", "screen", "cell", "figures"),
    ),
    (
        "passivated_reduction_products",
        "",
        "the interphase at the passivated reduction limit",
        ("window", "screen"),
    ),
    (
        "passivated_oxidation_products",
        "",
        "the interphase at the passivated oxidation limit",
        ("window", "screen"),
    ),
    (
        "passivation_reduction_stop",
        "",
        "why the passivated walk stops below the window",
        ("window", "screen", "figures"),
    ),
    (
        "passivation_oxidation_stop",
        "",
        "why the passivated walk stops above the window",
        ("window", "screen", "figures"),
    ),
    (
        "passivation_min_gap_eV",
        "eV",
        "smallest band gap counted as an electronic insulator",
        ("window",),
    ),
    (
        "passivation_allows_gas",
        "",
        "gas-forming steps may extend the passivated window",
        ("window",),
    ),
    # --explain
    (
        "reduction_sensitivity",
        "",
        "what sets the reduction limit (object: limit, limit_V, "
        "reaction, products, decisive_phase, competitors)",
        ("window",),
    ),
    (
        "oxidation_sensitivity",
        "",
        "what sets the oxidation limit (as reduction_sensitivity)",
        ("window",),
    ),
    ("limit", "", "which limit: reduction or oxidation", ("window",)),
    (
        "limit_V",
        V,
        "the limit's voltage; of a competitor: the limit without the deciding phase",
        ("window",),
    ),
    ("decisive_phase", "", "the phase whose removal moves the limit most", ("window",)),
    (
        "competitors",
        "",
        "phases that decide the limit, each with the limit without it",
        ("window",),
    ),
    ("phase", "", "a phase (reduced formula)", ("window",)),
    (
        "margin_meV_per_atom",
        MEV,
        "by how much a phase decides the limit: its energy below the competing equilibrium",
        ("window",),
    ),
    ("note", "", "why a competitor has no margin", ("window",)),
    # Profiles and decomposition energies
    ("window", "", "the composition's window (object with the window keys)", ("profile",)),
    ("steps", "", "the equilibria of the voltage profile, lowest voltage first", ("profile",)),
    (
        "voltage_low_V",
        V,
        "lower end of the voltage range where an equilibrium holds",
        ("profile", "figures"),
    ),
    ("voltage_high_V", V, "upper end of that range (null: no upper bound)", ("profile", "figures")),
    (
        "ion_per_formula_unit",
        "ion per formula unit",
        "the working ion taken up (+) or released (-) per formula unit relative to the "
        "pristine composition",
        ("profile", "decomposition", "figures"),
    ),
    (
        "phases",
        "",
        "phases of an equilibrium with their amounts per formula unit",
        ("profile", "figures"),
    ),
    ("amount", "per formula unit", "amount of a phase in an equilibrium", ("profile",)),
    (
        "is_pristine",
        "",
        "this equilibrium is the composition itself (its window)",
        ("profile", "figures"),
    ),
    (
        "electronic",
        "",
        "electronic character of the phases formed (--mark-phases)",
        ("profile", "figures"),
    ),
    (
        "decomposition_energy_eV_per_atom",
        "eV/atom",
        "E_D: grand-potential energy of the "
        "equilibrium with the working ion at the voltage, relative to the composition, per atom of the "
        "composition as written (<= 0)",
        ("decomposition",),
    ),
    (
        "energy_reference",
        "",
        "E_D relative to the composition's own entry (own) or its hull energy (hull: placed)",
        ("decomposition",),
    ),
    # Interfaces
    ("reactant_a", "", "reactant A as given (label)", _I),
    ("reactant_b", "", "reactant B as given (label)", _I),
    ("formula_a", "", "composition of reactant A", _I),
    ("formula_b", "", "composition of reactant B", _I),
    (
        "voltage_V",
        V,
        "voltage of the working ion's reservoir (null: closed, no exchange); of a cathode: "
        "its nominal voltage",
        (*_I, "decomposition", "cell"),
    ),
    (
        "mixing_ratio",
        "",
        "atomic fraction of A (both reactants normalised to one atom) at the "
        "most negative mutual reaction (of a kink: at that kink)",
        _I,
    ),
    (
        "total_mixing_ratio",
        "",
        "mixing ratio at the most negative total reaction (the ion open)",
        _I,
    ),
    (
        "reaction_energy_meV_per_atom",
        MEV,
        "closed reaction energy per atom of the mixture (negative: reacts)",
        (*_I, "cell"),
    ),
    (
        "ion_open_reaction_energy_meV_per_atom",
        MEV,
        "ion-open (mutual) reaction energy per atom of the reactants as written (the ion "
        "counted as in A and B): the kink's energy per non-ion atom times the non-ion atoms "
        "per atom of the mixture; the unit of closed energies",
        ("cell",),
    ),
    (
        "reaction_energy_meV_per_non_ion_atom",
        MEV_NON_ION,
        "mutual reaction energy with the working ion open: "
        "what mixing adds to each reactant already in equilibrium with the ion",
        (*_I, "cell"),
    ),
    (
        "total_reaction_energy_meV_per_non_ion_atom",
        MEV_NON_ION,
        "reaction energy with the ion open including each reactant's own decomposition "
        "with the ion",
        _I,
    ),
    (
        "decomposition_a_meV_per_atom",
        MEV,
        "reactant A's own decomposition (closed: 0 with hull energies)",
        _I,
    ),
    ("decomposition_b_meV_per_atom", MEV, "reactant B's own decomposition (closed)", _I),
    (
        "decomposition_a_meV_per_non_ion_atom",
        MEV_NON_ION,
        "reactant A alone with the working ion at the voltage",
        _I,
    ),
    (
        "decomposition_b_meV_per_non_ion_atom",
        MEV_NON_ION,
        "reactant B alone with the working ion at the voltage",
        _I,
    ),
    (
        "reaction_energy_std_meV_per_atom",
        MEV,
        "standard deviation of the closed reaction energy "
        "under the MP2020 correction uncertainties",
        ("interface",),
    ),
    (
        "reaction_energy_std_meV_per_non_ion_atom",
        MEV_NON_ION,
        "standard deviation of the ion-open reaction energy",
        ("interface",),
    ),
    (
        "reaction_energy_ci95_meV_per_atom",
        MEV,
        "central 95% interval of the closed reaction energy",
        ("interface",),
    ),
    (
        "reaction_energy_ci95_meV_per_non_ion_atom",
        MEV_NON_ION,
        "central 95% interval of the ion-open reaction energy",
        ("interface",),
    ),
    (
        "products",
        "",
        "phases formed (reduced formulas; ';'-joined in CSV)",
        (*_I, "decomposition", "cell"),
    ),
    (
        "reaction",
        "",
        "balanced reaction (interfaces: per formula unit of A; profiles: from the "
        "pristine composition)",
        (*_I, "profile"),
    ),
    (
        "kinks",
        "",
        "every kink of the mixing line (objects with mixing_ratio, energies, products, reaction)",
        ("interface",),
    ),
    (
        "reactant_energies",
        "",
        "reactants at their hull energies (hull) or own entries (own)",
        ("interface",),
    ),
    # Screens
    (
        "reaction_with_<label>_meV_per_atom",
        MEV,
        "closed, most negative reaction energy with the partner <label> (--interfaces-with)",
        ("screen",),
    ),
    # Comparisons
    (
        "reference_dataset",
        "",
        "the dataset the shifts are measured from (the first one)",
        ("compare",),
    ),
    (
        "reduction_shift_V",
        "V",
        "reduction limit on this dataset minus on the reference dataset "
        "(null on the reference or where either failed)",
        ("compare",),
    ),
    (
        "oxidation_shift_V",
        "V",
        "oxidation limit on this dataset minus on the reference dataset",
        ("compare",),
    ),
    (
        "reduction_products_changed",
        "",
        "reduction products lost (-) and gained (+) against the "
        "reference dataset ('' unchanged, null where either failed)",
        ("compare",),
    ),
    (
        "oxidation_products_changed",
        "",
        "oxidation products lost (-) and gained (+) against the reference dataset",
        ("compare",),
    ),
    # Interlayers
    ("a", "", "material A, the Li side of A | C | B", ("interlayer",)),
    ("b", "", "material B, the cathode side of A | C | B", ("interlayer",)),
    ("voltages_a_V", V, "Li-open voltages face C|A sees", ("interlayer",)),
    ("voltages_b_V", V, "Li-open voltages face C|B sees", ("interlayer",)),
    ("required_V", V, "every potential C must hold", ("interlayer",)),
    (
        "max_ehull_eV_per_atom",
        "eV/atom",
        "candidates further above the hull are left out",
        ("interlayer",),
    ),
    ("counts", "", "how many candidates were left out at each step (object)", ("interlayer",)),
    (
        "candidates",
        "",
        "the ranked candidates (rows); of counts: how many were given",
        ("interlayer",),
    ),
    ("same_as_a_or_b", "", "candidates left out as A or B themselves", ("interlayer",)),
    ("evaluated", "", "candidates whose window was computed", ("interlayer",)),
    ("above_max_ehull", "", "candidates left out above max_ehull_eV_per_atom", ("interlayer",)),
    (
        "window_does_not_cover",
        "",
        "candidates whose window falls short (unscored)",
        ("interlayer",),
    ),
    ("reacted", "", "candidates whose reactions with A and B were computed", ("interlayer",)),
    ("errors", "", "candidates that failed", ("interlayer",)),
    ("notes", "", "remarks on the result", ("interlayer", "cell")),
    ("key", "", "the candidate as listed in the candidate set", ("interlayer",)),
    ("stage", "", "where a candidate failed: window or reactions", ("interlayer",)),
    ("rank", "", "1 is best", ("interlayer",)),
    (
        "score_meV_per_atom",
        MEV,
        "interlayer score (<= 0, 0 best; null when not scored): the most "
        "negative of C's reaction energies with A and B, closed and Li open, each per atom of the "
        "reactants as written, and -1000 x its energy above hull",
        ("interlayer",),
    ),
    (
        "reaction_energy_with_a_meV_per_atom",
        MEV,
        "closed reaction energy of C with A",
        ("interlayer",),
    ),
    (
        "reaction_energy_with_b_meV_per_atom",
        MEV,
        "closed reaction energy of C with B",
        ("interlayer",),
    ),
    (
        "ion_open_reaction_energy_with_a_meV_per_non_ion_atom",
        MEV_NON_ION,
        "ion-open (mutual) reaction of C with A that is most negative per atom of the "
        "reactants over the voltages its face sees, per non-ion atom",
        ("interlayer",),
    ),
    (
        "ion_open_reaction_energy_with_b_meV_per_non_ion_atom",
        MEV_NON_ION,
        "the same for C with B",
        ("interlayer",),
    ),
    (
        "ion_open_with_a_at_voltage_V",
        V,
        "where that Li-open reaction with A is",
        ("interlayer",),
    ),
    (
        "ion_open_with_b_at_voltage_V",
        V,
        "where that Li-open reaction with B is",
        ("interlayer",),
    ),
    ("products_with_a", "", "products of C with A, closed", ("interlayer",)),
    ("products_with_b", "", "products of C with B, closed", ("interlayer",)),
    (
        "ion_open_products_with_a",
        "",
        "products of C with A at ion_open_with_a_at_voltage_V",
        ("interlayer",),
    ),
    (
        "ion_open_products_with_b",
        "",
        "products of C with B at ion_open_with_b_at_voltage_V",
        ("interlayer",),
    ),
    ("covers_voltages", "", "C's strict window covers every required potential", ("interlayer",)),
    (
        "window_margin_V",
        "V",
        "how far C's window reaches beyond the required potentials",
        ("interlayer",),
    ),
    (
        "window_shortfall_V",
        "V",
        "how far C's window falls short of them (0: covers)",
        ("interlayer",),
    ),
    ("within_max_ehull", "", "C is within max_ehull_eV_per_atom of the hull", ("interlayer",)),
    # Cells
    ("name", "", "the stack's name", ("cell",)),
    ("spec", "", "the cell spec with its defaults filled in (object)", ("cell",)),
    ("cathode", "", "cathode section of the spec", ("cell",)),
    ("electrolyte", "", "SSE layers of the spec, cathode side first", ("cell",)),
    ("anode", "", "anode section of the spec", ("cell",)),
    ("current_collectors", "", "current collector section of the spec", ("cell",)),
    ("material", "", "a layer's material (formula or catalogue label)", ("cell",)),
    (
        "specific_capacity_mAh_g",
        "mAh/g",
        "specific capacity of the cathode or anode material",
        ("cell",),
    ),
    ("cutoff_V", V, "top of charge of the cathode", ("cell",)),
    ("active_fraction", "", "mass fraction of active material in the cathode composite", ("cell",)),
    ("catholyte", "", "the electrolyte mixed into the cathode composite", ("cell",)),
    ("density_g_cm3", "g/cm3", "density of a layer", ("cell",)),
    ("thickness_um", "um", "thickness of a layer, or of the whole stack", ("cell",)),
    ("np_ratio", "", "N/P: anode capacity over cathode capacity", _CELL),
    ("al_um", "um", "Al current collector thickness", ("cell",)),
    ("cu_um", "um", "Cu current collector thickness", ("cell",)),
    ("al_density_g_cm3", "g/cm3", "Al density", ("cell",)),
    ("cu_density_g_cm3", "g/cm3", "Cu density", ("cell",)),
    ("areal_capacity_mAh_cm2", "mAh/cm2", "areal capacity of the stack", _CELL),
    ("energy_mWh_cm2", "mWh/cm2", "energy per cm2 of the stack", ("cell",)),
    ("mass_mg_cm2", "mg/cm2", "mass per cm2 of a layer or of the stack", ("cell",)),
    ("mass_percent", "%", "share of a layer in the stack's mass", ("cell",)),
    ("gravimetric_energy_density_Wh_kg", "Wh/kg", "energy over the stack's mass", _CELL),
    ("volumetric_energy_density_Wh_L", "Wh/L", "energy over the stack's volume", _CELL),
    ("layers", "", "the stack's layers, Al side first (rows)", ("cell",)),
    ("layer", "", "a layer's name in the stack", ("cell",)),
    ("role", "", "an SSE layer's place in the stack (separator, anode side, ...)", ("cell",)),
    ("stability", "", "a layer's window check (object)", ("cell",)),
    (
        "must_withstand_V",
        V,
        "[low, high] potentials a layer's faces pin (null where internal)",
        ("cell",),
    ),
    ("must_withstand_low_V", V, "lowest potential a layer must hold (figure table)", _CELL),
    ("must_withstand_high_V", V, "highest potential a layer must hold (figure table)", _CELL),
    ("covers", "", "the layer's strict window covers what it must withstand", ("cell",)),
    ("covers_passivated", "", "its passivated window does (null until available)", ("cell",)),
    ("interfaces", "", "the stack's faces (rows)", ("cell",)),
    ("left", "", "the face's layer on the Li side", ("cell",)),
    ("right", "", "the face's layer on the cathode side", ("cell",)),
    ("left_formula", "", "composition of the left layer", ("cell",)),
    ("right_formula", "", "composition of the right layer", ("cell",)),
    ("ion_open", "", "a face's Li-open reactions (rows of voltage_V, energy, products)", ("cell",)),
    ("voltages_V", V, "voltages at which a face was reacted with Li open", ("cell",)),
    ("closed_reaction_energy_meV_per_atom", MEV, "a face's closed reaction energy", _CELL),
    ("closed_products", "", "a face's closed products", ("cell",)),
    (
        "worst_reaction_energy_meV_per_atom",
        MEV,
        "most negative of a face's closed and Li-open reaction energies, "
        "all per atom of the reactants as written",
        _CELL,
    ),
    ("at_voltage_V", V, "where the worst reaction is (null: closed)", _CELL),
    ("verdict", "", "stable, reacts or unknown", _CELL),
    ("gaps", "", "potential ranges no adjacent windows bridge (rows)", ("cell",)),
    ("passivated_gaps", "", "the gaps with passivated windows (null until available)", ("cell",)),
    ("passivated_windows_available", "", "whether passivated windows are wired in", ("cell",)),
    ("between", "", "the two layers a gap lies between", ("cell",)),
    ("after", "", "index of the layer on the gap's Li side", ("cell",)),
    ("low_V", V, "lower end of a gap", ("cell",)),
    ("high_V", V, "upper end of a gap", ("cell",)),
    ("gap_low_V", V, "lower end of a gap (figure table)", ("figures",)),
    ("gap_high_V", V, "upper end of a gap (figure table)", ("figures",)),
    ("kind", "", "a figure row's kind: anode, electrolyte, catholyte, cathode, gap", ("figures",)),
    ("position", "", "index of the layer on a gap's Li side (figure table)", ("figures",)),
    ("sweeps", "", "the --sweep results (objects)", ("cell",)),
    ("parameter", "", "the swept parameter", _CELL),
    ("unit", "", "the swept parameter's unit", ("cell",)),
    ("rows", "", "the sweep's rows", ("cell",)),
    ("value", "", "the swept parameter's value (in its unit)", _CELL),
    ("critical", "", "values of the swept parameter at 350 and 500 Wh/kg (object)", ("cell",)),
    (
        "critical_value_350_Wh_kg",
        "",
        "value of the swept parameter at 350 Wh/kg (in its unit)",
        _CELL,
    ),
    (
        "critical_value_500_Wh_kg",
        "",
        "value of the swept parameter at 500 Wh/kg (in its unit)",
        _CELL,
    ),
    ("cell", "", "the stack a row belongs to", _CELL),
    # Figure tables
    ("is_binary", "", "the composition has two elements", ("figures",)),
    ("panel", "", "figure panel", ("figures",)),
    ("series", "", "figure series", ("figures",)),
    ("statement", "", "the review's statement", ("figures",)),
    ("review_value", "", "the review's value (in the statement's unit)", ("figures",)),
    ("model_value", "", "this model's value (in the statement's unit)", ("figures",)),
    ("relative_difference", "", "(model - review) / review", ("figures",)),
    # Air, moisture and heat (docs/air.md)
    ("reactant_gas", "", "the gas in excess: H2O, CO2, O2, or air (all at once)", ("air",)),
    (
        "reaction_energy_eV_per_reactant_gas",
        "eV per molecule",
        "reaction energy per gas molecule consumed (air: per molecule of H2O + CO2 + O2 "
        "taken up, net); 0 when nothing reacts",
        ("air",),
    ),
    (
        "reaction_energy_eV_per_formula_unit",
        "eV per formula unit",
        "reaction energy per formula unit of the solid as given",
        ("air",),
    ),
    (
        "released_gases",
        "",
        "gases the reaction releases, at --released-ppm (';'-joined in CSV)",
        ("air",),
    ),
    (
        "release_limit_ppm",
        "ppm of 1 bar",
        "partial pressure of the released gases, all alike, up to which this reaction releases "
        "them (its energy reaches 0 there); empty when it releases none",
        ("air",),
    ),
    (
        "toxic_released_gases",
        "",
        "the released gases that are toxic (H2S, HCl, HF, NH3, PH3, SO2, ...; ';'-joined in CSV)",
        ("air",),
    ),
    (
        "condition",
        "",
        "the moisture of a dry-room map column (a dew point, or RH at 25 C)",
        ("air",),
    ),
    (
        "temperature_K",
        "K",
        "temperature: air: of the gases, and of the solids where the dataset has structures; "
        "window, interface (--temperature): of every phase, solids with structures by Bartel's G^delta(T), gases "
        "by NIST-JANAF, solids without structures at their 0 K energies (empty: 0 K energies)",
        ("air", "window", "interface"),
    ),
    (
        "temperature_note",
        "",
        "what --temperature moved: solids given G^delta(T), gases, and how many solids keep 0 K "
        "energies (all of them on a dataset without structures: then the 0 K answer); empty "
        "without --temperature (air: always, since the gases are always at a temperature)",
        ("window", "interface", "air"),
    ),
    (
        "partial_pressure_Pa",
        "Pa",
        "partial pressure of the reactant gas (empty for air; H2O in a dry-room map)",
        ("air",),
    ),
]

_AIR_SHARED = {"formula", "dataset", "products", "reaction", "reaction_energy_meV_per_atom"}
_KEYS = [(n, u, m, (*c, "air") if n in _AIR_SHARED else c) for n, u, m, c in _KEYS]

#: {key: Key}, in the order above.
KEYS: dict[str, Key] = {name: Key(name, unit, meaning, cmds) for name, unit, meaning, cmds in _KEYS}

#: Keys with a part that varies ({partner label}): name -> regular expression.
PATTERNS = {
    name: re.compile("^" + re.escape(name).replace(re.escape("<label>"), ".+") + "$")
    for name in KEYS
    if "<" in name
}

#: Names no command may write any more: old name -> the key that replaced it.
RETIRED = {
    "reduction_V[<dataset>]": "reduction_limit_V (compare, one row per dataset)",
    "oxidation_V[<dataset>]": "oxidation_limit_V (compare, one row per dataset)",
    "reduction_shift_V[<dataset>]": "reduction_shift_V",
    "oxidation_shift_V[<dataset>]": "oxidation_shift_V",
    "reduction_products_changed[<dataset>]": "reduction_products_changed",
    "oxidation_products_changed[<dataset>]": "oxidation_products_changed",
    "a_label": "reactant_a",
    "b_label": "reactant_b",
    "a_formula": "formula_a",
    "b_formula": "formula_b",
    # Keys that named Li became the same key for every working ion (issue 26).
    "li_tolerance_per_atom": "ion_tolerance_per_atom (with the row's ion)",
    "li_per_formula_unit": "ion_per_formula_unit",
    "<name>_meV_per_non_li_atom": "<name>_meV_per_non_ion_atom (e.g. "
    "reaction_energy_meV_per_non_ion_atom)",
    "li_open": "ion_open (cells are Li-only)",
    "li_open_<key>": "ion_open_<key> (interlayers are Li-only)",
}


def known(name: str) -> bool:
    """Whether ``name`` is a key of the schema (or matches one of its patterns)."""
    return name in KEYS or any(p.match(name) for p in PATTERNS.values())


def unknown(names: Iterable[str]) -> list[str]:
    """The names that are not keys of the schema, in order, once each."""
    return [n for n in dict.fromkeys(names) if not known(n)]


def check_keys(names: Iterable[str], where: str = "output") -> None:
    """Raise ``KeyError`` naming every key of ``names`` missing from the schema."""
    missing = unknown(names)
    if missing:
        raise KeyError(f"{where}: keys not in stability.io.schema: {', '.join(missing)}")


def headers(keys: dict[str, str]) -> dict[str, str]:
    """A table's {key: header}, checked against the schema (tables print schema keys only)."""
    check_keys(keys, "table headers")
    return keys


def markdown() -> str:
    """The schema as a Markdown page (``docs/reference/keys.md``)."""
    lines = [
        "# Output keys",
        "",
        "Every key that `stability` writes, in JSON, CSV/Parquet columns, tables and "
        "`to_dataframe()` columns, with its unit and meaning. One quantity has one key in every "
        "command; units are in the key where there is one. Generated from "
        "`stability/io/schema.py` (`stability.io.schema.markdown()`); do not edit by hand.",
        "",
        "Reaction energies are named by their normalisation: `_meV_per_atom` per atom of the "
        "reactants as written (closed: the mixture's atoms), `_meV_per_non_ion_atom` per atom "
        "other than the working ion (the ion open at a voltage). Voltages are V vs the working "
        "ion's metal (V vs Li/Li+ for Li), per charge. Keys are ion-neutral: rows that depend "
        "on the working ion name it in `ion`; the keys that named Li are retired (below), "
        "their Li values unchanged. Every row names its `dataset`.",
        "",
        "| key | unit | meaning | written by |",
        "| --- | --- | --- | --- |",
    ]
    for k in KEYS.values():
        meaning = k.meaning.replace("|", "\\|")
        lines.append(f"| `{k.name}` | {k.unit} | {meaning} | {', '.join(k.commands)} |")
    lines += [
        "",
        "## Retired keys",
        "",
        "| old key | now |",
        "| --- | --- |",
    ]
    lines += [f"| `{old}` | {new} |" for old, new in RETIRED.items()]
    return "\n".join(lines) + "\n"
