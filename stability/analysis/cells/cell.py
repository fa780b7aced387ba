"""A cell stack as a TOML spec, and the mass, thickness and energy of one stack per unit area.

The model (the review's Fig. 17, one stack: Al | cathode composite | SSE layers | Li | Cu):

- capacity = the areal capacity Q (mAh/cm2); energy = Q x nominal voltage (mWh/cm2);
- cathode active mass = Q / specific capacity; composite mass = active mass / active_fraction
  (the rest is catholyte);
- Li mass = N/P x Q / Li's specific capacity;
- every other layer and both foils: thickness x density;
- gravimetric energy density = energy / total mass (Wh/kg); volumetric = energy / total
  thickness (Wh/L).

Nothing is porous and nothing is shared with a neighbouring stack (no double-sided coating, no
packaging): the numbers are per stack.
"""

from __future__ import annotations

import math
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stability.errors import StabilityError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    import pandas as pd


class CellSpecError(StabilityError):
    """A cell spec is missing, malformed, or has an unknown key or a bad value."""


# --- Defaults (see the README's "Cells" section) -------------------------------------------
#: Stated by the review for its pouch cells (Fig. 17): NMC811 200 mAh/g at 3.75 V nominal,
#: 90 wt% in the composite, Li metal 3500 mAh/g.
CATHODE_SPECIFIC_CAPACITY_MAH_G = 200.0
CATHODE_VOLTAGE_V = 3.75
ACTIVE_FRACTION = 0.90
LI_SPECIFIC_CAPACITY_MAH_G = 3500.0
#: Densities (g/cm3) the review states; keyed by formula.
REVIEW_DENSITIES_G_CM3 = {"Li3InCl6": 2.59, "Li10GeP2S12": 2.04, "Li3N": 1.27}
AL_DENSITY_G_CM3 = 2.70
CU_DENSITY_G_CM3 = 8.9  # the review's value (the issue text says 8.96; 0.7% apart)
#: Not stated by the review: Li metal's density, and our choices for the values the review
#: leaves open (N/P and the standard foils), picked to come closest to its critical values.
LI_DENSITY_G_CM3 = 0.534
NP_RATIO = 1.5
AL_UM = 10.0
CU_UM = 10.0
#: The review's light foils.
LIGHT_AL_UM = 8.0
LIGHT_CU_UM = 4.0
#: Approximate X-ray densities of common cathodes (g/cm3; not from the review), used only to
#: estimate a dense composite's thickness when the spec gives no ``[cathode] density_g_cm3``.
ACTIVE_DENSITIES_G_CM3 = {
    "LiNi0.8Mn0.1Co0.1O2": 4.75,
    "LiNi0.83Co0.11Mn0.06O2": 4.75,
    "LiCoO2": 5.05,
    "LiFePO4": 3.60,
    "LiMn2O4": 4.28,
    "LiNi0.5Mn1.5O4": 4.45,
}
#: Energy-density targets the review names (Wh/kg).
TARGETS_WH_KG = (350.0, 500.0)


def resolve_material(name: str) -> str:
    """The formula of a name (``LGPS``, ``NMC811``, ``beta-Li3N``: see ``analysis.materials.names``),
    else ``name`` as written (its errors come where it is computed)."""
    from stability.analysis.materials.names import resolve_material as resolve

    try:
        return resolve(name).formula
    except StabilityError:
        return name.strip()


@dataclass(frozen=True)
class Cathode:
    material: str
    cutoff_V: float
    specific_capacity_mAh_g: float = CATHODE_SPECIFIC_CAPACITY_MAH_G
    voltage_V: float = CATHODE_VOLTAGE_V
    active_fraction: float = ACTIVE_FRACTION
    #: The SSE mixed into the composite (default: the cathode-side electrolyte layer).
    catholyte: str | None = None
    #: Density of the composite; None: a dense composite estimated from known densities.
    density_g_cm3: float | None = None


@dataclass(frozen=True)
class Electrolyte:
    material: str
    thickness_um: float
    density_g_cm3: float


@dataclass(frozen=True)
class Anode:
    material: str = "Li"
    np_ratio: float = NP_RATIO
    specific_capacity_mAh_g: float = LI_SPECIFIC_CAPACITY_MAH_G
    density_g_cm3: float = LI_DENSITY_G_CM3


@dataclass(frozen=True)
class CurrentCollectors:
    al_um: float = AL_UM
    cu_um: float = CU_UM
    al_density_g_cm3: float = AL_DENSITY_G_CM3
    cu_density_g_cm3: float = CU_DENSITY_G_CM3


@dataclass(frozen=True)
class CellSpec:
    """One stack. ``electrolytes`` run from the cathode side to the anode side.

    Read from TOML by :func:`load_cell_spec` (keys and defaults: the README's "Cells"
    section, and ``examples/cells/``).

    Attributes
    ----------
    name : str
        The spec's name; by default the stack's materials, Al side first.
    cathode : Cathode
        ``material``, ``cutoff_V`` (top of charge, V vs Li/Li+), ``voltage_V`` (nominal),
        ``specific_capacity_mAh_g``, ``active_fraction``, ``catholyte``, ``density_g_cm3``.
    electrolytes : tuple of Electrolyte
        Layers from the cathode side: ``material``, ``thickness_um``, ``density_g_cm3``.
    anode : Anode
        Li metal: ``np_ratio``, ``specific_capacity_mAh_g``, ``density_g_cm3``.
    current_collectors : CurrentCollectors
        ``al_um``, ``cu_um`` and their densities.
    areal_capacity_mAh_cm2 : float
        Areal capacity (mAh/cm2), 4 by default.

    Examples
    --------
    >>> import stability
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
    >>> _ = path.write_text('''
    ... [cathode]
    ... material = "LiCoO2"
    ... cutoff_V = 4.2
    ... voltage_V = 3.9
    ... specific_capacity_mAh_g = 150
    ...
    ... [[electrolyte]]
    ... material = "Li3PS4"
    ... thickness_um = 30
    ... density_g_cm3 = 1.88
    ... ''')
    >>> spec = stability.load_cell_spec(path)
    >>> spec.name, spec.catholyte, spec.cathode.cutoff_V
    ('Al | LiCoO2 | Li3PS4 | Li | Cu', 'Li3PS4', 4.2)
    """

    name: str
    cathode: Cathode
    electrolytes: tuple[Electrolyte, ...]
    anode: Anode = field(default_factory=Anode)
    current_collectors: CurrentCollectors = field(default_factory=CurrentCollectors)
    areal_capacity_mAh_cm2: float = 4.0

    @property
    def catholyte(self) -> str:
        return self.cathode.catholyte or self.electrolytes[0].material

    def to_dict(self) -> dict:
        d = asdict(self)
        d["electrolyte"] = d.pop("electrolytes")
        return d


# --- Parsing ---------------------------------------------------------------------------------

_TOP = {"name", "areal_capacity_mAh_cm2", "cathode", "electrolyte", "anode", "current_collectors"}
_SECTIONS: dict[str, dict[str, type]] = {
    "cathode": {
        "material": str,
        "specific_capacity_mAh_g": float,
        "voltage_V": float,
        "cutoff_V": float,
        "active_fraction": float,
        "catholyte": str,
        "density_g_cm3": float,
    },
    "electrolyte": {"material": str, "thickness_um": float, "density_g_cm3": float},
    "anode": {
        "material": str,
        "np_ratio": float,
        "specific_capacity_mAh_g": float,
        "density_g_cm3": float,
    },
    "current_collectors": {
        "al_um": float,
        "cu_um": float,
        "al_density_g_cm3": float,
        "cu_density_g_cm3": float,
    },
}
_REQUIRED = {"cathode": ("material", "cutoff_V"), "electrolyte": ("material", "thickness_um")}
#: Keys that may be zero (a foil-free or Li-free stack is a valid what-if); others must be > 0.
_MAY_BE_ZERO = {"al_um", "cu_um", "np_ratio", "thickness_um"}


def _value(where: str, key: str, value: Any, kind: type) -> Any:
    name = f"{where}.{key}" if where else key
    if kind is str:
        if not isinstance(value, str) or not value.strip():
            raise CellSpecError(f"{name} must be a non-empty string, got {value!r}")
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CellSpecError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise CellSpecError(f"{name} must be finite, got {value!r}")
    if value < 0 or (value == 0 and key not in _MAY_BE_ZERO):
        raise CellSpecError(
            f"{name} must be {'>= 0' if key in _MAY_BE_ZERO else '> 0'}, got {value:g}"
        )
    if key == "active_fraction" and value > 1:
        raise CellSpecError(f"{name} must be in (0, 1], got {value:g}")
    if key in ("voltage_V", "cutoff_V") and value > 10:
        raise CellSpecError(f"{name} must be a voltage vs Li/Li+ up to 10 V, got {value:g}")
    return value


def _section(where: str, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise CellSpecError(f"[{where}] must be a table of keys, got {table!r}")
    known = _SECTIONS[where.split("[")[0]]
    out = {}
    for key, value in table.items():
        if key not in known:
            raise CellSpecError(
                f"unknown key {where}.{key}; known keys of [{where.split('[')[0]}]: "
                + ", ".join(known)
            )
        out[key] = _value(where, key, value, known[key])
    for key in _REQUIRED.get(where.split("[")[0], ()):
        if key not in out:
            raise CellSpecError(f"missing key {where}.{key}")
    return out


def spec_from_dict(data: dict[str, Any], *, source: str = "cell spec") -> CellSpec:
    """Build and validate a CellSpec from the TOML structure (see ``load_cell_spec``)."""
    for key in data:
        if key not in _TOP:
            raise CellSpecError(
                f"unknown key {key!r} in {source}; known: {', '.join(sorted(_TOP))}"
            )
    if "cathode" not in data:
        raise CellSpecError(f"missing [cathode] in {source}")
    cathode = _section("cathode", data["cathode"])
    _require_li_cathode(cathode.get("material", ""))
    layers = data.get("electrolyte")
    if not layers:
        raise CellSpecError(f"missing [[electrolyte]] in {source}: give at least one layer")
    if not isinstance(layers, list):
        raise CellSpecError("electrolyte must be an array of tables: write [[electrolyte]]")
    if "voltage_V" in cathode and cathode["voltage_V"] > cathode["cutoff_V"]:
        raise CellSpecError(
            f"cathode.voltage_V ({cathode['voltage_V']:g}) is above cathode.cutoff_V "
            f"({cathode['cutoff_V']:g})"
        )
    if cathode.get("voltage_V", CATHODE_VOLTAGE_V) > cathode["cutoff_V"]:
        raise CellSpecError(
            f"cathode.cutoff_V ({cathode['cutoff_V']:g}) is below the nominal voltage "
            f"{CATHODE_VOLTAGE_V:g} V: set cathode.voltage_V"
        )
    electrolytes = []
    for i, layer in enumerate(layers):
        where = f"electrolyte[{i}]"
        values = _section(where, layer)
        if "density_g_cm3" not in values:
            formula = resolve_material(values["material"])
            if formula not in REVIEW_DENSITIES_G_CM3:
                raise CellSpecError(
                    f"missing key {where}.density_g_cm3: no default for {values['material']} "
                    f"(defaults: {', '.join(REVIEW_DENSITIES_G_CM3)})"
                )
            values["density_g_cm3"] = REVIEW_DENSITIES_G_CM3[formula]
        electrolytes.append(Electrolyte(**values))
    anode = _section("anode", data.get("anode", {}))
    if anode.get("material", "Li") != "Li":
        raise CellSpecError(
            f'cells are Li-only: anode.material must be "Li" (Li metal), got '
            f"{anode['material']!r} (windows, interfaces and screens take --ion for other ions)"
        )
    collectors = _section("current_collectors", data.get("current_collectors", {}))
    top = {}
    if "name" in data:
        top["name"] = _value("", "name", data["name"], str)
    if "areal_capacity_mAh_cm2" in data:
        top["areal_capacity_mAh_cm2"] = _value(
            "", "areal_capacity_mAh_cm2", data["areal_capacity_mAh_cm2"], float
        )
    spec = CellSpec(
        name=top.get("name", ""),
        cathode=Cathode(**cathode),
        electrolytes=tuple(electrolytes),
        anode=Anode(**anode),
        current_collectors=CurrentCollectors(**collectors),
        **(
            {"areal_capacity_mAh_cm2": top["areal_capacity_mAh_cm2"]}
            if "areal_capacity_mAh_cm2" in top
            else {}
        ),
    )
    if not spec.name:
        spec = replace(spec, name=stack_name(spec))
    return spec


def _require_li_cathode(material: str) -> None:
    """Cells are Li-only: a cathode holding another working ion (Na, K, Mg, Ca, Zn; Al is
    common in Li cathodes) and no Li is refused in one line."""
    from stability.formula import formula_amounts
    from stability.ions import IONS

    try:
        elements = set(formula_amounts(resolve_material(material)))
    except StabilityError:
        return  # a bad formula is reported where it is computed
    others = [i for i in IONS if i not in ("Li", "Al") and i in elements]
    if others and "Li" not in elements:
        raise CellSpecError(
            f"cells are Li-only: cathode.material {material!r} holds {others[0]} and no Li "
            "(windows, interfaces and screens take --ion for other ions)"
        )


def stack_name(spec: CellSpec) -> str:
    """``Al | NMC811 | Li3InCl6 | beta-Li3N | Li | Cu`` from a spec's materials."""
    return " | ".join(
        ["Al", spec.cathode.material, *(e.material for e in spec.electrolytes), "Li", "Cu"]
    )


def load_cell_spec(path: str | Path) -> CellSpec:
    """Read a cell spec (TOML); any problem is a one-line CellSpecError naming the key.

    Parameters
    ----------
    path : str or path
        A TOML file with a ``[cathode]`` table (``material``, ``cutoff_V`` required), one or
        more ``[[electrolyte]]`` tables (``material``, ``thickness_um``; ``density_g_cm3``
        unless the review gives one) and optional ``[anode]``, ``[current_collectors]``,
        ``name`` and ``areal_capacity_mAh_cm2``.

    Returns
    -------
    CellSpec
        The validated stack.

    Raises
    ------
    StabilityError
        (``CellSpecError``) a missing file, invalid TOML, an unknown key or a bad value.

    Examples
    --------
    >>> import stability
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
    >>> _ = path.write_text('''
    ... [cathode]
    ... material = "LiCoO2"
    ... cutoff_V = 4.2
    ... voltage_V = 3.9
    ... specific_capacity_mAh_g = 150
    ...
    ... [[electrolyte]]
    ... material = "Li3PS4"
    ... thickness_um = 30
    ... density_g_cm3 = 1.88
    ... ''')
    >>> spec = stability.load_cell_spec(path)
    >>> [(e.material, e.thickness_um) for e in spec.electrolytes]
    [('Li3PS4', 30.0)]
    """
    path = Path(path)
    if not path.exists():
        raise CellSpecError(f"cell spec {path} does not exist")
    if not path.is_file():
        raise CellSpecError(f"cell spec {path} is not a file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CellSpecError(f"{path} is not a text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise CellSpecError(f"{path} is not valid TOML: {exc}") from None
    return spec_from_dict(data, source=str(path))


# --- Energy model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One layer of the stack per cm2: mass (mg/cm2), share of the stack mass, thickness (um)."""

    layer: str
    material: str
    mass_mg_cm2: float
    mass_percent: float
    thickness_um: float | None
    density_g_cm3: float | None


@dataclass(frozen=True)
class CellEnergy:
    """Energy, mass and thickness of one stack per unit area.

    Made by :func:`cell_energy`.

    Attributes
    ----------
    name : str
        The spec's name.
    areal_capacity_mAh_cm2, energy_mWh_cm2, mass_mg_cm2 : float
        Capacity, energy and mass per cm2 of the stack.
    thickness_um : float or None
        Total thickness (um); None when the cathode's density is unknown.
    gravimetric_energy_density_Wh_kg : float
        Energy per mass (Wh/kg).
    volumetric_energy_density_Wh_L : float or None
        Energy per volume (Wh/L); None when the thickness is unknown.
    layers : list of Layer
        Each layer's mass, share and thickness (the rows of ``to_dataframe``).
    notes : list of str
        Estimates made and what is unknown.

    Examples
    --------
    >>> import stability
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
    >>> _ = path.write_text('''
    ... [cathode]
    ... material = "LiCoO2"
    ... cutoff_V = 4.2
    ... voltage_V = 3.9
    ... specific_capacity_mAh_g = 150
    ...
    ... [[electrolyte]]
    ... material = "Li3PS4"
    ... thickness_um = 30
    ... density_g_cm3 = 1.88
    ... ''')
    >>> spec = stability.load_cell_spec(path)
    >>> energy = stability.cell_energy(spec)
    >>> round(energy.gravimetric_energy_density_Wh_kg, 1), round(energy.mass_mg_cm2, 2)
    (321.1, 48.58)
    """

    name: str
    areal_capacity_mAh_cm2: float
    energy_mWh_cm2: float
    mass_mg_cm2: float
    thickness_um: float | None
    gravimetric_energy_density_Wh_kg: float
    volumetric_energy_density_Wh_L: float | None
    layers: list[Layer]
    notes: list[str]

    def to_dict(self) -> dict:
        return asdict(self)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per layer, Al side first.

        Returns
        -------
        pandas.DataFrame
            Columns: layer, material, mass_mg_cm2 (mg/cm2), mass_percent (% of the stack
            mass), thickness_um (um; NaN when unknown), density_g_cm3 (g/cm3).

        Examples
        --------
        >>> import stability
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
        >>> _ = path.write_text('''
        ... [cathode]
        ... material = "LiCoO2"
        ... cutoff_V = 4.2
        ... voltage_V = 3.9
        ... specific_capacity_mAh_g = 150
        ...
        ... [[electrolyte]]
        ... material = "Li3PS4"
        ... thickness_um = 30
        ... density_g_cm3 = 1.88
        ... ''')
        >>> spec = stability.load_cell_spec(path)
        >>> frame = stability.cell_energy(spec).to_dataframe()
        >>> frame[["layer", "mass_mg_cm2", "thickness_um"]].round(2)
                                    layer  mass_mg_cm2  thickness_um
        0                         Al foil         2.70         10.00
        1  cathode composite (90% active)        29.63         68.57
        2                   electrolyte 1         5.64         30.00
        3                        Li anode         1.71         32.10
        4                         Cu foil         8.90         10.00
        """
        import pandas as pd

        return pd.DataFrame([asdict(x) for x in self.layers])


def _composite_density(spec: CellSpec) -> float | None:
    c = spec.cathode
    if c.density_g_cm3 is not None:
        return c.density_g_cm3
    active = ACTIVE_DENSITIES_G_CM3.get(resolve_material(c.material))
    catholyte = next(
        (e.density_g_cm3 for e in spec.electrolytes if e.material == spec.catholyte), None
    ) or REVIEW_DENSITIES_G_CM3.get(resolve_material(spec.catholyte))
    if active is None or (catholyte is None and c.active_fraction < 1):
        return None
    rest = (1 - c.active_fraction) / catholyte if c.active_fraction < 1 else 0.0
    return 1.0 / (c.active_fraction / active + rest)


def cell_energy(spec: CellSpec) -> CellEnergy:
    """Energy density of one stack of ``spec`` (the model of this module's docstring).

    Capacity x nominal voltage over the mass (and thickness) of Al foil, cathode
    composite, electrolyte layers, Li metal (N/P x capacity) and Cu foil.

    Parameters
    ----------
    spec : CellSpec
        From :func:`load_cell_spec`.

    Returns
    -------
    CellEnergy
        Energy, mass and thickness per cm2, energy densities and each layer's share.

    Examples
    --------
    >>> import stability
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
    >>> _ = path.write_text('''
    ... [cathode]
    ... material = "LiCoO2"
    ... cutoff_V = 4.2
    ... voltage_V = 3.9
    ... specific_capacity_mAh_g = 150
    ...
    ... [[electrolyte]]
    ... material = "Li3PS4"
    ... thickness_um = 30
    ... density_g_cm3 = 1.88
    ... ''')
    >>> spec = stability.load_cell_spec(path)
    >>> energy = stability.cell_energy(spec)
    >>> f"{energy.gravimetric_energy_density_Wh_kg:.0f} Wh/kg, {energy.volumetric_energy_density_Wh_L:.0f} Wh/L"
    '321 Wh/kg, 1035 Wh/L'
    """
    q = spec.areal_capacity_mAh_cm2
    c, a, cc = spec.cathode, spec.anode, spec.current_collectors
    notes = []
    um = 1e-4  # cm per um
    active_mg = 1000 * q / c.specific_capacity_mAh_g
    composite_mg = active_mg / c.active_fraction
    rho_cathode = _composite_density(spec)
    if rho_cathode is None:
        notes.append(
            "cathode thickness unknown (no [cathode] density_g_cm3 and no default for "
            f"{c.material} with {spec.catholyte}): no volumetric energy density"
        )
    elif c.density_g_cm3 is None:
        notes.append(
            f"cathode composite density {rho_cathode:.3f} g/cm3 estimated as a dense mix of "
            f"{c.material} and {spec.catholyte}"
        )

    def thick(mg: float, rho: float | None) -> float | None:
        return None if rho is None else mg / 1000 / rho / um

    rows: list[tuple[str, str, float, float | None, float | None]] = [
        (
            "Al foil",
            "Al",
            cc.al_um * um * cc.al_density_g_cm3 * 1000,
            cc.al_um,
            cc.al_density_g_cm3,
        ),
        (
            f"cathode composite ({c.active_fraction:.0%} active)",
            f"{c.material} + {spec.catholyte}" if c.active_fraction < 1 else c.material,
            composite_mg,
            thick(composite_mg, rho_cathode),
            rho_cathode,
        ),
    ]
    for i, e in enumerate(spec.electrolytes):
        rows.append(
            (
                f"electrolyte {i + 1}",
                e.material,
                e.thickness_um * um * e.density_g_cm3 * 1000,
                e.thickness_um,
                e.density_g_cm3,
            )
        )
    li_mg = 1000 * a.np_ratio * q / a.specific_capacity_mAh_g
    rows.append(("Li anode", "Li", li_mg, thick(li_mg, a.density_g_cm3), a.density_g_cm3))
    rows.append(
        ("Cu foil", "Cu", cc.cu_um * um * cc.cu_density_g_cm3 * 1000, cc.cu_um, cc.cu_density_g_cm3)
    )
    total = sum(r[2] for r in rows)
    thickness = None if any(r[3] is None for r in rows) else sum(r[3] for r in rows)
    energy = q * c.voltage_V
    layers = [Layer(name, mat, mg, 100 * mg / total, t, rho) for name, mat, mg, t, rho in rows]
    return CellEnergy(
        name=spec.name,
        areal_capacity_mAh_cm2=q,
        energy_mWh_cm2=energy,
        mass_mg_cm2=total,
        thickness_um=thickness,
        gravimetric_energy_density_Wh_kg=1000 * energy / total,
        volumetric_energy_density_Wh_L=None if not thickness else energy / (thickness * um),
        layers=layers,
        notes=notes,
    )


# --- Sweeps ----------------------------------------------------------------------------------

#: Sweepable parameters: name -> (unit, description).
SWEEPS = {
    "sse-thickness": ("um", "every electrolyte layer's thickness"),
    "np-ratio": ("", "N/P ratio"),
    "areal-capacity": ("mAh/cm2", "areal capacity"),
    "al-foil": ("um", "Al foil thickness"),
    "cu-foil": ("um", "Cu foil thickness"),
    "foils": ("um", "both foils' thickness"),
}


def with_parameter(spec: CellSpec, name: str, value: float) -> CellSpec:
    """``spec`` with one sweepable parameter (see ``SWEEPS``) set to ``value``."""
    cc = spec.current_collectors
    if name == "sse-thickness":
        layers = tuple(replace(e, thickness_um=value) for e in spec.electrolytes)
        return replace(spec, electrolytes=layers)
    if name == "np-ratio":
        return replace(spec, anode=replace(spec.anode, np_ratio=value))
    if name == "areal-capacity":
        return replace(spec, areal_capacity_mAh_cm2=value)
    if name == "al-foil":
        return replace(spec, current_collectors=replace(cc, al_um=value))
    if name == "cu-foil":
        return replace(spec, current_collectors=replace(cc, cu_um=value))
    if name == "foils":
        return replace(spec, current_collectors=replace(cc, al_um=value, cu_um=value))
    raise CellSpecError(f"unknown sweep {name!r}; use one of {', '.join(SWEEPS)}")


def parse_sweep(text: str) -> tuple[str, float, float, float | None]:
    """``NAME=A:B`` or ``NAME=A:B:STEP`` -> (name, start, stop, step or None)."""
    name, sep, rng = text.partition("=")
    name = name.strip()
    if not sep:
        raise CellSpecError(f"bad sweep {text!r}: write NAME=A:B, e.g. sse-thickness=5:200")
    if name not in SWEEPS:
        raise CellSpecError(f"unknown sweep {name!r}; use one of {', '.join(SWEEPS)}")
    parts = rng.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        nums = []
    if len(nums) not in (2, 3) or not all(math.isfinite(x) for x in nums):
        raise CellSpecError(f"bad sweep range {rng!r} for {name}: write A:B or A:B:STEP")
    start, stop = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else None
    if start < 0 or stop <= start or (step is not None and step <= 0):
        raise CellSpecError(f"bad sweep range {rng!r} for {name}: need 0 <= A < B and STEP > 0")
    if name == "areal-capacity" and start == 0:
        raise CellSpecError(f"bad sweep range {rng!r} for {name}: the capacity must be > 0")
    if step is not None and (stop - start) / step > 100_000:
        raise CellSpecError(f"bad sweep range {rng!r} for {name}: more than 100000 points")
    return name, start, stop, step


def sweep_values(start: float, stop: float, step: float | None, points: int = 200) -> list[float]:
    if step is None:
        return [start + (stop - start) * i / (points - 1) for i in range(points)]
    n = int(math.floor((stop - start) / step + 1e-9))
    values = [round(start + i * step, 10) for i in range(n + 1)]
    return values if values[-1] >= stop - 1e-12 else [*values, stop]


def critical_value(
    spec: CellSpec, name: str, lo: float, hi: float, target_Wh_kg: float = TARGETS_WH_KG[0]
) -> float | None:
    """The value of parameter ``name`` in [lo, hi] at which the gravimetric energy density
    equals ``target_Wh_kg``; None when it stays on one side over the whole range.

    The energy density is monotonic in every sweepable parameter (rising with the areal
    capacity, falling with the others), so bisection finds the one crossing.
    """

    def f(x: float) -> float:
        return cell_energy(with_parameter(spec, name, x)).gravimetric_energy_density_Wh_kg - (
            target_Wh_kg
        )

    f_lo, f_hi = f(lo), f(hi)
    if f_lo == 0:
        return lo
    if f_lo * f_hi > 0:
        return None
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if f_mid == 0 or hi - lo < 1e-10 * max(1.0, abs(hi)):
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class CellSweep:
    """Energy densities of a spec while one parameter varies, and where 350 Wh/kg is reached."""

    name: str
    parameter: str
    unit: str
    rows: list[dict]
    critical: dict[str, float | None]

    def to_dict(self) -> dict:
        return asdict(self)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per value: cell (spec name), parameter, value (in ``unit``),
        areal_capacity_mAh_cm2, gravimetric_energy_density_Wh_kg,
        volumetric_energy_density_Wh_L (NaN when the cathode thickness is unknown)."""
        import pandas as pd

        return pd.DataFrame(self.rows)


def sweep_cell(
    spec: CellSpec, name: str, start: float, stop: float, step: float | None = None
) -> CellSweep:
    """Energy densities over ``name`` = start..stop, with the critical value of each target."""
    if name not in SWEEPS:
        raise CellSpecError(f"unknown sweep {name!r}; use one of {', '.join(SWEEPS)}")
    rows = []
    for v in sweep_values(start, stop, step):
        e = cell_energy(with_parameter(spec, name, v))
        rows.append(
            {
                "cell": spec.name,
                "parameter": name,
                "value": v,
                "areal_capacity_mAh_cm2": e.areal_capacity_mAh_cm2,
                "gravimetric_energy_density_Wh_kg": e.gravimetric_energy_density_Wh_kg,
                "volumetric_energy_density_Wh_L": e.volumetric_energy_density_Wh_L,
            }
        )
    critical = {
        f"critical_value_{int(t)}_Wh_kg": critical_value(spec, name, start, stop, t)
        for t in TARGETS_WH_KG
    }
    return CellSweep(spec.name, name, SWEEPS[name][0], rows, critical)


def review_cell(sse: str = "Li3InCl6", thickness_um: float = 20.0) -> CellSpec:
    """The review's pouch-cell stack Al | NMC811 | SSE | beta-Li3N | Li | Cu (its Fig. 17),
    with this module's defaults where the review states nothing; both SSE layers
    ``thickness_um`` thick. ``examples/cells/*_pouch.toml`` hold the same two stacks."""
    label = {"Li10GeP2S12": "LGPS"}.get(sse, sse)
    formula = resolve_material(label)
    if formula not in REVIEW_DENSITIES_G_CM3:
        raise CellSpecError(f"the review's stacks use Li3InCl6 or LGPS, not {sse!r}")
    return CellSpec(
        name=f"Al | NMC811 | {label} | beta-Li3N | Li | Cu",
        cathode=Cathode(material="NMC811", cutoff_V=4.3, catholyte=label),
        electrolytes=(
            Electrolyte(label, thickness_um, REVIEW_DENSITIES_G_CM3[formula]),
            Electrolyte("beta-Li3N", thickness_um, REVIEW_DENSITIES_G_CM3["Li3N"]),
        ),
    )


def _series(
    spec: CellSpec,
    panel: str,
    series: str,
    fixed: dict[str, float],
    name: str,
    lo: float,
    hi: float,
) -> list[dict]:
    for key, value in fixed.items():
        spec = with_parameter(spec, key, value)
    sweep = sweep_cell(spec, name, lo, hi)
    crit = sweep.critical["critical_value_350_Wh_kg"]
    return [
        {"panel": panel, "series": series, **r, "critical_value_350_Wh_kg": crit}
        for r in sweep.rows
    ]


def review_energy_sweeps(spec: CellSpec) -> pd.DataFrame:
    """The review's Fig. 17 panels for ``spec``: energy density against SSE thickness (several
    areal capacities), areal capacity (several SSE thicknesses) and N/P, with standard and
    with light foils (8 um Al, 4 um Cu).

    One row per point: panel, series, then ``CellSweep.to_dataframe`` columns, and
    critical_value_350_Wh_kg (the series' value at 350 Wh/kg; NaN when not crossed).
    """
    import pandas as pd

    light = {"al-foil": LIGHT_AL_UM, "cu-foil": LIGHT_CU_UM}
    std = f"{spec.current_collectors.al_um:g} um Al, {spec.current_collectors.cu_um:g} um Cu"
    np_text = f"N/P {spec.anode.np_ratio:g}"
    rows: list[dict] = []
    foil_sets = ((std, {}), ("8 um Al, 4 um Cu", light))
    for foils, fixed_foils in foil_sets:
        panel = f"SSE thickness ({foils}, {np_text})"
        for q in (2.0, 4.0, 7.0, 10.0):
            rows += _series(
                spec, panel, f"{q:g} mAh/cm2", {**fixed_foils, "areal-capacity": q},
                "sse-thickness", 5.0, 200.0,
            )  # fmt: skip
    for foils, fixed_foils in foil_sets:
        panel = f"Areal capacity ({foils}, {np_text})"
        for t in (10.0, 20.0, 40.0, 100.0):
            rows += _series(
                spec, panel, f"SSE {t:g} um", {**fixed_foils, "sse-thickness": t},
                "areal-capacity", 0.5, 12.0,
            )  # fmt: skip
    t0 = spec.electrolytes[0].thickness_um
    for q in (2.0, 4.0, 7.0, 10.0):
        rows += _series(
            spec, f"N/P ratio (SSE {t0:g} um, {std})", f"{q:g} mAh/cm2",
            {"areal-capacity": q}, "np-ratio", 0.0, 20.0,
        )  # fmt: skip
    return pd.DataFrame(rows)


#: The review's statements (Fig. 17): (statement, parameter, fixed settings, review value).
REVIEW_CRITICAL = (
    ("critical areal capacity (SSE 20 um)", "areal-capacity", {"sse-thickness": 20.0}, 4.0),
    ("critical SSE thickness at 10 mAh/cm2", "sse-thickness", {"areal-capacity": 10.0}, 100.0),
    ("critical SSE thickness at 4 mAh/cm2", "sse-thickness", {"areal-capacity": 4.0}, 20.0),
    (
        "critical N/P at 4 mAh/cm2 (SSE 20 um)",
        "np-ratio",
        {"areal-capacity": 4.0, "sse-thickness": 20.0},
        10.0,
    ),
    (
        "critical areal capacity, light foils, SSE 10 um",
        "areal-capacity",
        {"al-foil": LIGHT_AL_UM, "cu-foil": LIGHT_CU_UM, "sse-thickness": 10.0},
        2.0,
    ),
    (
        "critical areal capacity, light foils, SSE 20 um",
        "areal-capacity",
        {"al-foil": LIGHT_AL_UM, "cu-foil": LIGHT_CU_UM, "sse-thickness": 20.0},
        3.0,
    ),
    (
        "critical SSE thickness, light foils, 7 mAh/cm2",
        "sse-thickness",
        {"al-foil": LIGHT_AL_UM, "cu-foil": LIGHT_CU_UM, "areal-capacity": 7.0},
        80.0,
    ),
    (
        "critical SSE thickness, light foils, 4 mAh/cm2",
        "sse-thickness",
        {"al-foil": LIGHT_AL_UM, "cu-foil": LIGHT_CU_UM, "areal-capacity": 4.0},
        40.0,
    ),
)
_SEARCH = {
    "areal-capacity": (0.01, 100.0),
    "sse-thickness": (0.0, 2000.0),
    "np-ratio": (0.0, 200.0),
}


def review_critical_values(spec: CellSpec) -> pd.DataFrame:
    """The review's stated critical values (350 Wh/kg) against this model for ``spec``.

    Columns: cell, statement, parameter, review_value, model_value (NaN: 350 Wh/kg not
    reached), relative_difference (model / review - 1).
    """
    import pandas as pd

    rows = []
    for statement, name, fixed, review in REVIEW_CRITICAL:
        s = spec
        for key, value in fixed.items():
            s = with_parameter(s, key, value)
        model = critical_value(s, name, *_SEARCH[name])
        rows.append(
            {
                "cell": spec.name,
                "statement": statement,
                "parameter": name,
                "review_value": review,
                "model_value": model,
                "relative_difference": None if model is None else model / review - 1,
            }
        )
    return pd.DataFrame(rows)
