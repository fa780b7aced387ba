"""The engine interface: what analysis needs from a phase diagram of one chemical system."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from stability import config
from stability.entries.table import EntryTable
from stability.errors import MissingDataError
from stability.ions import DEFAULT_ION, ION_CHARGES
from stability.thermo.system import SystemData, chemsys_key, select_system

if TYPE_CHECKING:
    from stability.thermo.leave_out import LeaveOut


@dataclass(frozen=True)
class Phase:
    """A phase in an equilibrium: reduced formula, id (or formula), moles per formula unit."""

    formula: str
    label: str
    amount: float


@dataclass(frozen=True)
class ProfileStep:
    """One critical composition along the working ion's axis, as in pymatgen's
    ``get_element_profile``.

    ``mu_ion_eV`` is the ion's chemical potential relative to its metal on the ion-rich side
    of this composition; ``ion_change`` is the ion taken up (+) or released (-) per formula
    unit of the analysed composition to reach it; ``phases`` are its equilibrium phases (no
    ion metal); ``own`` marks the step that is the analysed composition itself (exactly one
    per profile); ``charge`` is the ion's charge z, which turns ``mu_ion_eV`` into volts.
    """

    mu_ion_eV: float
    ion_change: float
    phases: tuple[Phase, ...]
    own: bool = False
    charge: int = 1

    @property
    def voltage_V(self) -> float:
        """V vs the ion's metal: -mu / z."""
        return volts(self.mu_ion_eV, self.charge)


def charge_of(element: str) -> int:
    """The charge z of ``element`` as a working ion (``stability.ions``); 1 for an element
    that is none, whose profile is then read in eV of its chemical potential."""
    return ION_CHARGES.get(element, 1)


def volts(mu_ion_eV: float, charge: int = 1) -> float:
    """V vs the ion's metal of its chemical potential relative to that metal, per charge
    ``charge`` (-mu / z); sub-nV noise is 0."""
    return config.clean(-float(mu_ion_eV) / charge)


@dataclass(frozen=True)
class HullPoint:
    """The hull at a composition: energy, decomposition, and whether a phase sits exactly there.

    ``phases`` and ``is_vertex`` are computed when first read (``decompose``, ``vertex``): a
    screen row of a material without Li needs only the energy.
    """

    hull_energy_per_atom: float
    decompose: Callable[[], tuple[Phase, ...]] = field(repr=False, compare=False)
    vertex: Callable[[], bool] = field(repr=False, compare=False)

    @cached_property
    def phases(self) -> tuple[Phase, ...]:
        return self.decompose()

    @cached_property
    def is_vertex(self) -> bool:
        return self.vertex()


@dataclass(frozen=True)
class Kink:
    """A kink of the reaction energy along the mixing line of reactants A and B.

    ``x`` is the atomic fraction of A (pymatgen's ``InterfacialReactivity`` convention, with
    reactants normalised to one atom); ``energy_eV_per_atom`` is per atom of the mixture,
    or per atom other than the open element when it is open; ``phases`` are the products,
    in moles per such atom.
    """

    x: float
    energy_eV_per_atom: float
    phases: tuple[Phase, ...]


@dataclass(frozen=True)
class Mixing:
    """Kinks of one A|B mixing line, and each reactant's own decomposition energy there.

    Computed with ``phases=False``, kinks may carry no phases; ``phases_of(i)`` gives them.
    """

    kinks: list[Kink]
    own_decomposition_eV_per_atom: tuple[float, float]
    _phases_at: Callable[[int], tuple[Phase, ...]] | None = field(default=None, repr=False)

    def phases_of(self, i: int) -> tuple[Phase, ...]:
        """The products at kink ``i``, computed now if they were left out."""
        if self._phases_at is None:
            return self.kinks[i].phases
        return self._phases_at(i)


class PhaseSystem(ABC):
    """A phase diagram of one chemical system, built once and queried for many compositions."""

    def __init__(self, data: SystemData) -> None:
        self.data = data

    @abstractmethod
    def hull_point(self, amounts: dict[str, float]) -> HullPoint:
        """Return hull energy (eV/atom, dataset scale) and decomposition at a composition."""

    @abstractmethod
    def ion_profile(
        self, amounts: dict[str, float], element: str = DEFAULT_ION
    ) -> list[ProfileStep]:
        """Return the element profile, ``element``-rich first, with the composition placed on
        the hull; each step's ``charge`` is the element's as a working ion.

        Exactly one step has ``own`` set: the composition itself.
        """

    def ion_window_steps(
        self, amounts: dict[str, float], element: str = DEFAULT_ION
    ) -> list[ProfileStep]:
        """The profile steps a window needs: the composition and its two neighbours."""
        return self.ion_profile(amounts, element)

    def mixing_minimum(self, a: dict[str, float], b: dict[str, float]) -> float:
        """The most negative kink energy (eV/atom) of the closed A|B mixing line, the
        reactants at their hull energies: the lowest of ``mixing(a, b, phases=False)``'s
        kinks, without their phases (a screen's reaction column needs nothing else)."""
        return min(k.energy_eV_per_atom for k in self.mixing(a, b, phases=False).kinks)

    @abstractmethod
    def mixing(
        self,
        a: dict[str, float],
        b: dict[str, float],
        *,
        mu_open: float | None = None,
        open_element: str = DEFAULT_ION,
        use_own_energy: bool = False,
        hull_energies: tuple[float, float] | None = None,
        phases: bool = True,
    ) -> Mixing:
        """Reaction energy kinks of A|B, closed or with ``open_element`` at ``mu_open``.

        ``mu_open`` is relative to the element's reference (eV; -z V for a working ion of
        charge z). Reactants take
        their hull energy unless ``use_own_energy``, then their lowest entry's energy where
        the dataset has one (as pymatgen's ``use_hull_energy=False``). ``hull_energies``:
        the reactants' hull energies (eV/atom, dataset scale) if the caller has them, which
        an engine may use instead of computing them here (the same values). ``phases``:
        False lets an engine leave the kinks' phases out until ``Mixing.phases_of`` asks.
        """


def own_index(steps: list[ProfileStep]) -> int:
    """Index of the step that is the analysed composition (set by the engine, never guessed)."""
    found = [i for i, s in enumerate(steps) if s.own]
    if len(found) != 1:
        raise RuntimeError(f"engine returned {len(found)} own steps in a profile; expected one")
    return found[0]


@dataclass(frozen=True)
class Location:
    """A composition placed on the hull of its chemical system.

    ``e_above_hull_eV_per_atom`` and ``material_id`` belong to the dataset's lowest entry of
    exactly this composition (None when the dataset has none); ``own_entry`` finds them when
    first read (a screen row of a dataset row takes that row's own).
    """

    amounts: dict[str, float]
    system: PhaseSystem
    hull: HullPoint
    own_entry: Callable[[], tuple[float | None, str | None]] = field(repr=False, compare=False)

    @cached_property
    def _own(self) -> tuple[float | None, str | None]:
        return self.own_entry()

    @property
    def e_above_hull_eV_per_atom(self) -> float | None:
        return self._own[0]

    @property
    def material_id(self) -> str | None:
        return self._own[1]

    @property
    def placed_on_hull(self) -> bool:
        return not self.hull.is_vertex


def same_composition(fractions: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Rows of ``fractions`` (atomic fractions) equal to ``frac`` within COMPOSITION_TOL."""
    return (np.abs(fractions - frac).max(axis=1) < config.COMPOSITION_TOL).nonzero()[0]


class Engine(ABC):
    """Builds and caches one PhaseSystem per chemical system of a dataset."""

    name = "base"
    max_cached = 512
    #: Located compositions kept: small, since each holds its system alive.
    max_located = 256

    def __init__(self, table: EntryTable, leave_out: LeaveOut | None = None) -> None:
        if not isinstance(table, EntryTable):
            raise TypeError(
                f"an engine needs an EntryTable (from stability.load_dataset), "
                f"not {type(table).__name__}"
            )
        self.table = table
        #: Phases left out of every system built (``--exclude``, ``--exclude-flagged``).
        self.leave_out = leave_out
        self._known_elements = frozenset(table.elements)
        self._systems: OrderedDict[tuple[str, ...], PhaseSystem] = OrderedDict()
        self._located: OrderedDict[tuple[tuple[str, float], ...], Location] = OrderedDict()

    def check_elements(self, elements: set[str] | list[str] | tuple[str, ...]) -> None:
        """Raise MissingDataError naming elements the dataset has no entries of."""
        known = self._known_elements
        missing = sorted(el for el in elements if el not in known)
        if missing:
            raise MissingDataError(
                f"dataset {self.table.name} has no entries with {', '.join(missing)}"
            )

    def locate(self, amounts: dict[str, float]) -> Location:
        """Place ``amounts`` (atoms per formula unit) on its system's hull; memoised (LRU)."""
        key = tuple(sorted(amounts.items()))
        found = self._located.get(key)
        if found is not None:
            self._located.move_to_end(key)
            return found
        self.check_elements(list(amounts))
        system = self.system(list(amounts))
        point = system.hull_point(amounts)
        own = dict(amounts)  # read later: a caller's dict may change by then
        found = self._located[key] = Location(
            own, system, point, lambda: _own_entry(system.data, own, point.hull_energy_per_atom)
        )
        if len(self._located) > self.max_located:
            self._located.popitem(last=False)
        return found

    def system(self, elements: set[str] | list[str] | tuple[str, ...]) -> PhaseSystem:
        key = chemsys_key(elements)
        if key in self._systems:
            self._systems.move_to_end(key)
            return self._systems[key]
        built = self._build(self.select(key))
        self._systems[key] = built
        if len(self._systems) > self.max_cached:
            self._systems.popitem(last=False)
        return built

    def select(self, elements: set[str] | list[str] | tuple[str, ...]) -> SystemData:
        """The entries of a chemical system this engine computes on: the dataset's, without
        the phases it leaves out."""
        data = select_system(self.table, chemsys_key(elements))
        return data if self.leave_out is None else self.leave_out.apply(data)

    @property
    def left_out(self) -> dict[str, str]:
        """{reduced formula: reason} of the phases left out of the systems built so far."""
        return {} if self.leave_out is None else dict(self.leave_out.left_out)

    @abstractmethod
    def _build(self, data: SystemData) -> PhaseSystem:
        """Build the phase system for ``data``."""


def _own_entry(
    data: SystemData, amounts: dict[str, float], hull_e: float
) -> tuple[float | None, str | None]:
    """Energy above hull of the dataset's lowest entry with this composition, and its id."""
    x = np.array([amounts.get(el, 0.0) for el in data.elements])
    same = same_composition(data.fractions, x / x.sum())
    same = same[data.rows[same] >= 0]  # implicit elements are not dataset entries
    if same.size == 0:
        return None, None
    best = same[data.energy_per_atom[same].argmin()]
    e_above = float(data.energy_per_atom[best] - hull_e)
    e_above = 0.0 if e_above < config.ENERGY_NOISE else e_above  # rounding is not energy
    return e_above, (str(data.material_id[best]) or None)
