"""The engine interface: what analysis needs from a phase diagram of one chemical system."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field

from stability.entries.table import EntryTable
from stability.thermo.system import SystemData, chemsys_key, select_system


@dataclass(frozen=True)
class Phase:
    """A phase in an equilibrium: reduced formula, id (or formula), moles per formula unit."""

    formula: str
    label: str
    amount: float


@dataclass(frozen=True)
class ProfileStep:
    """One critical composition along the Li axis, as in pymatgen's ``get_element_profile``.

    ``mu_li_eV`` is the Li chemical potential relative to Li metal on the Li-rich side of this
    composition; ``li_change`` is Li taken up (+) or released (-) per formula unit of the
    analysed composition to reach it; ``phases`` are its equilibrium phases (no Li metal);
    ``own`` marks the step that is the analysed composition itself (exactly one per profile).
    """

    mu_li_eV: float
    li_change: float
    phases: tuple[Phase, ...]
    own: bool = False

    @property
    def voltage_V(self) -> float:
        return volts(self.mu_li_eV)


def volts(mu_li_eV: float) -> float:
    """V vs Li/Li+ of a Li chemical potential relative to Li metal; sub-nV noise is 0."""
    v = -float(mu_li_eV)
    return 0.0 if abs(v) < 1e-9 else v


@dataclass(frozen=True)
class HullPoint:
    """The hull at a composition: energy, decomposition, and whether a phase sits exactly there."""

    hull_energy_per_atom: float
    phases: tuple[Phase, ...]
    is_vertex: bool = field(default=False)


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
    """Kinks of one A|B mixing line, and each reactant's own decomposition energy there."""

    kinks: list[Kink]
    own_decomposition_eV_per_atom: tuple[float, float]


class PhaseSystem(ABC):
    """A phase diagram of one chemical system, built once and queried for many compositions."""

    def __init__(self, data: SystemData) -> None:
        self.data = data

    @abstractmethod
    def hull_point(self, amounts: dict[str, float]) -> HullPoint:
        """Return hull energy (eV/atom, dataset scale) and decomposition at a composition."""

    @abstractmethod
    def li_profile(self, amounts: dict[str, float], element: str = "Li") -> list[ProfileStep]:
        """Return the element profile, Li-rich first, with the composition placed on the hull.

        Exactly one step has ``own`` set: the composition itself.
        """

    def li_window_steps(self, amounts: dict[str, float], element: str = "Li") -> list[ProfileStep]:
        """The profile steps a window needs: the composition and its two neighbours."""
        return self.li_profile(amounts, element)


def own_index(steps: list[ProfileStep]) -> int:
    """Index of the step that is the analysed composition (set by the engine, never guessed)."""
    found = [i for i, s in enumerate(steps) if s.own]
    if len(found) != 1:
        raise RuntimeError(f"engine returned {len(found)} own steps in a profile; expected one")
    return found[0]

    @abstractmethod
    def mixing(
        self,
        a: dict[str, float],
        b: dict[str, float],
        *,
        mu_open: float | None = None,
        open_element: str = "Li",
        use_own_energy: bool = False,
    ) -> Mixing:
        """Reaction energy kinks of A|B, closed or with ``open_element`` at ``mu_open``.

        ``mu_open`` is relative to the element's reference (eV; -V for Li). Reactants take
        their hull energy unless ``use_own_energy``, then their lowest entry's energy where
        the dataset has one (as pymatgen's ``use_hull_energy=False``).
        """


class Engine(ABC):
    """Builds and caches one PhaseSystem per chemical system of a dataset."""

    name = "base"
    max_cached = 512

    def __init__(self, table: EntryTable) -> None:
        self.table = table
        self._systems: OrderedDict[tuple[str, ...], PhaseSystem] = OrderedDict()
        #: Small LRU of results that depend only on this engine's data (located reactants).
        #: Kept small: entries hold their systems, which must stay free to be evicted.
        self.memo: OrderedDict = OrderedDict()

    def system(self, elements: set[str] | list[str] | tuple[str, ...]) -> PhaseSystem:
        key = chemsys_key(elements)
        if key in self._systems:
            self._systems.move_to_end(key)
            return self._systems[key]
        built = self._build(select_system(self.table, key))
        self._systems[key] = built
        if len(self._systems) > self.max_cached:
            self._systems.popitem(last=False)
        return built

    @abstractmethod
    def _build(self, data: SystemData) -> PhaseSystem:
        """Build the phase system for ``data``."""
