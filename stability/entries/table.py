"""EntryTable: a dataset of entries held as columns, cheap to cache and to slice by system."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from stability.errors import DataError

#: Energies are either formation energies (elements implicit at 0) or corrected totals.
FORMATION = "formation"
TOTAL = "total"


@dataclass(frozen=True)
class EntryTable:
    """Entries of one dataset as columns; compositions as a sparse (CSR) element matrix.

    ``amounts[indptr[i]:indptr[i+1]]`` of elements ``elements[indices[...]]`` is row i's
    formula unit as written in the source. Energies are eV/atom; ``energy_per_atom`` is the
    one hulls use (formation energy or corrected total, see ``meta["energy_kind"]``).
    Optional columns hold NaN (floats) or "" (strings) where a source has no value.

    Made by :func:`stability.load_dataset`; :func:`stability.make_engine` computes on it.

    Attributes
    ----------
    elements : tuple of str
        The elements of the dataset (the columns of the composition matrix).
    indptr, indices, amounts : numpy.ndarray
        The compositions, one CSR row per entry.
    energy_per_atom : numpy.ndarray
        The energy hulls use (eV/atom).
    formula, material_id : numpy.ndarray
        Each entry's formula as written and its id ("" where unknown).
    uncorrected_energy_per_atom, correction_per_atom, correction_uncertainty_per_atom : numpy.ndarray
        MP2020 terms (eV/atom; NaN where the source has none).
    reported_hull_distance : numpy.ndarray
        The energy above hull the source reports (eV/atom; NaN if none).
    volume_per_atom : numpy.ndarray
        Volume of the entry's structure per site (Å^3/atom), from entries that carry a
        structure (the MP entry files, pulled MP data); NaN where the source has none (every
        CSV snapshot). G^delta(T) needs it (``stability.thermo.temperature``).
    meta : dict
        ``name``, ``source``, ``energy_kind`` and what else the source says.

    Examples
    --------
    >>> import stability
    >>> table = stability.load_dataset()
    >>> table.energy_kind, "Li" in table.elements
    ('formation', True)
    >>> len(table) > 1000
    True
    """

    elements: tuple[str, ...]
    indptr: np.ndarray
    indices: np.ndarray
    amounts: np.ndarray
    energy_per_atom: np.ndarray
    formula: np.ndarray
    material_id: np.ndarray
    uncorrected_energy_per_atom: np.ndarray
    correction_per_atom: np.ndarray
    correction_uncertainty_per_atom: np.ndarray
    reported_hull_distance: np.ndarray
    volume_per_atom: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.energy_per_atom)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "dataset"))

    @property
    def display_name(self) -> str:
        """The name as headers show it: with where the data came from when that is the
        embedded default (``mp2019_ground_states, embedded default``). Rows and figures
        carry the plain ``name``, the same wherever the snapshot was read from."""
        origin = self.meta.get("origin")
        return f"{self.name}, {origin}" if origin else self.name

    @property
    def energy_kind(self) -> str:
        return str(self.meta.get("energy_kind", TOTAL))

    @property
    def has_ids(self) -> bool:
        return bool(np.any(self.material_id != ""))

    @property
    def has_volumes(self) -> bool:
        """Whether any row has a structure's volume (G^delta(T) can move it)."""
        return bool(np.isfinite(self.volume_per_atom).any())

    @property
    def has_uncertainties(self) -> bool:
        return bool(np.any(np.nan_to_num(self.correction_uncertainty_per_atom) > 0))

    def row_composition(self, i: int) -> dict[str, float]:
        """Return row i's formula unit as {element: amount}."""
        lo, hi = self.indptr[i], self.indptr[i + 1]
        return {
            self.elements[j]: float(a)
            for j, a in zip(self.indices[lo:hi], self.amounts[lo:hi], strict=True)
        }

    def natoms(self) -> np.ndarray:
        """Atoms per formula unit of every row."""
        return np.add.reduceat(self.amounts, self.indptr[:-1]) if len(self) else np.zeros(0)

    def element_set(self) -> set[str]:
        return {self.elements[j] for j in np.unique(self.indices)}

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the columns and metadata: equal for equal content, wherever computed.

        Names the dataset when it is sent to the workers of a cluster."""
        import hashlib
        import json

        digest = hashlib.sha256()
        for name, column in self.columns().items():
            digest.update(name.encode())
            digest.update(str(column.dtype).encode())
            digest.update(np.ascontiguousarray(column).tobytes())
        digest.update(json.dumps(self.meta, sort_keys=True, default=str).encode())
        return digest.hexdigest()

    @cached_property
    def _element_bits(self) -> np.ndarray:
        """Per row, a bitmask of its elements (two 64-bit words), for fast system selection."""
        bits = np.zeros((len(self), 2), dtype=np.uint64)
        if len(self) == 0:
            return bits
        word, bit = np.divmod(self.indices.astype(np.int64), 64)
        one = np.left_shift(np.uint64(1), bit.astype(np.uint64))
        nonempty = np.diff(self.indptr) > 0
        for w in (0, 1):
            # A row's elements are distinct, so the sum of their bits is their union.
            summed = np.add.reduceat(np.where(word == w, one, np.uint64(0)), self.indptr[:-1])
            bits[:, w] = np.where(nonempty, summed, np.uint64(0))
        return bits

    def mask_within(self, elements: Iterable[str]) -> np.ndarray:
        """Boolean mask of rows whose elements all lie in ``elements``."""
        wanted = set(elements)
        allowed = np.zeros(len(self.elements) + 1, dtype=bool)
        allowed[[k for k, el in enumerate(self.elements) if el in wanted]] = True
        # Count each row's entries outside ``elements`` (a running sum, read at row bounds).
        counts = np.concatenate([[0], np.cumsum(~allowed[self.indices])])
        return counts[self.indptr[1:]] == counts[self.indptr[:-1]]

    @cached_property
    def element_index(self) -> dict[str, int]:
        """Each element's position in ``elements`` (the column index of its entries)."""
        return {el: k for k, el in enumerate(self.elements)}

    @cached_property
    def _lookups(self) -> list[int]:
        return [0]

    @cached_property
    def _set_index(self) -> tuple[dict[int, np.ndarray], dict[str, int]]:
        """Rows grouped by their element set, keyed by its bitmask as one integer (ascending
        rows per set), and each element's bit."""
        bits = self._element_bits
        # Sorted by set (a stable sort: ascending rows within each); np.unique(axis=0) took
        # 85 ms of 100 on 85k rows, in every worker of a screen.
        bit = {el: 1 << k for k, el in enumerate(self.elements)}
        if not len(bits):
            return {}, bit
        order = np.lexsort((bits[:, 0], bits[:, 1]))
        ordered = bits[order]
        starts = np.flatnonzero(np.any(ordered[1:] != ordered[:-1], axis=1)) + 1
        bounds = [0, *starts.tolist(), len(order)]
        heads = ordered[bounds[:-1]].tolist()
        index = {
            a | b << 64: order[start:end]
            for (a, b), start, end in zip(heads, bounds[:-1], bounds[1:], strict=True)
        }
        return index, bit

    def rows_within(self, elements: Iterable[str]) -> np.ndarray:
        """Ascending indices of the rows whose elements all lie in ``elements``.

        From the fourth call on, looks up every subset of ``elements`` among the distinct
        element sets (2^k lookups) instead of testing every row; beyond 12 elements it scans.
        """
        self._lookups[0] += 1
        wanted = set(elements)
        if self._lookups[0] <= 3 or len(wanted) > 12 or len(self.elements) > 128:
            return np.flatnonzero(self.mask_within(wanted))
        index, bit = self._set_index
        subsets = [0]
        for el in wanted:
            if el in bit:
                subsets += [s | bit[el] for s in subsets]
        found = [index[s] for s in subsets if s in index]
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate(found))

    def rows_with(self, amounts: dict[str, float]) -> np.ndarray:
        """Rows with exactly the composition ``amounts`` (any formula unit: atomic fractions
        equal within ``config.COMPOSITION_TOL``), ascending."""
        from stability import config

        els = sorted(amounts)
        x = np.array([amounts[el] for el in els], dtype=float)
        x /= x.sum()
        keep = []
        for r in self.rows_within(amounts).tolist():
            comp = self.row_composition(r)
            if set(comp) == set(els):
                y = np.array([comp[el] for el in els])
                if np.abs(y / y.sum() - x).max() < config.COMPOSITION_TOL:
                    keep.append(r)
        return np.array(keep, dtype=np.int64)

    def row_elements(self, i: int) -> tuple[int, ...]:
        """Row i's elements as indices into ``elements``, in the order written (a key for
        grouping rows by element set)."""
        return tuple(self.indices[self.indptr[i] : self.indptr[i + 1]].tolist())

    def entry_positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where the given rows' entries lie in ``indices``/``amounts``: (positions, in row
        order, and the number of entries of each row)."""
        starts = self.indptr[rows]
        counts = self.indptr[rows + 1] - starts  # not a diff of every row
        ends = np.cumsum(counts)
        total = int(ends[-1]) if len(ends) else 0
        return np.repeat(starts - (ends - counts), counts) + np.arange(total), counts

    def take(self, rows: np.ndarray) -> EntryTable:
        """Return the sub-table of the given row indices (or boolean mask)."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else np.asarray(rows, dtype=np.int64)
        gather, counts = self.entry_positions(rows)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return replace(
            self,
            indptr=indptr,
            indices=self.indices[gather],
            amounts=self.amounts[gather],
            energy_per_atom=self.energy_per_atom[rows],
            formula=self.formula[rows],
            material_id=self.material_id[rows],
            uncorrected_energy_per_atom=self.uncorrected_energy_per_atom[rows],
            correction_per_atom=self.correction_per_atom[rows],
            correction_uncertainty_per_atom=self.correction_uncertainty_per_atom[rows],
            reported_hull_distance=self.reported_hull_distance[rows],
            volume_per_atom=self.volume_per_atom[rows],
        )

    def columns(self) -> dict[str, np.ndarray]:
        """All array columns by name (what the cache stores)."""
        return {
            "elements": np.array(self.elements, dtype=str),
            "indptr": self.indptr,
            "indices": self.indices,
            "amounts": self.amounts,
            "energy_per_atom": self.energy_per_atom,
            "formula": self.formula,
            "material_id": self.material_id,
            "uncorrected_energy_per_atom": self.uncorrected_energy_per_atom,
            "correction_per_atom": self.correction_per_atom,
            "correction_uncertainty_per_atom": self.correction_uncertainty_per_atom,
            "reported_hull_distance": self.reported_hull_distance,
            "volume_per_atom": self.volume_per_atom,
        }

    @classmethod
    def from_columns(cls, cols: dict[str, np.ndarray], meta: dict[str, Any]) -> EntryTable:
        return cls(
            elements=tuple(str(e) for e in cols["elements"]),
            indptr=np.asarray(cols["indptr"], dtype=np.int64),
            indices=np.asarray(cols["indices"], dtype=np.int32),
            amounts=np.asarray(cols["amounts"], dtype=float),
            energy_per_atom=np.asarray(cols["energy_per_atom"], dtype=float),
            formula=np.asarray(cols["formula"], dtype=str),
            material_id=np.asarray(cols["material_id"], dtype=str),
            uncorrected_energy_per_atom=np.asarray(
                cols["uncorrected_energy_per_atom"], dtype=float
            ),
            correction_per_atom=np.asarray(cols["correction_per_atom"], dtype=float),
            correction_uncertainty_per_atom=np.asarray(
                cols["correction_uncertainty_per_atom"], dtype=float
            ),
            reported_hull_distance=np.asarray(cols["reported_hull_distance"], dtype=float),
            # Absent from tables written before volumes were kept (cache format 2): unknown.
            volume_per_atom=np.asarray(
                cols["volume_per_atom"]
                if "volume_per_atom" in cols
                else np.full(len(cols["energy_per_atom"]), np.nan),
                dtype=float,
            ),
            meta=dict(meta),
        )

    @classmethod
    def from_records(
        cls,
        compositions: list[dict[str, float]],
        energy_per_atom: Iterable[float],
        meta: dict[str, Any],
        *,
        formula: Iterable[str] | None = None,
        material_id: Iterable[str] | None = None,
        uncorrected_energy_per_atom: Iterable[float] | None = None,
        correction_per_atom: Iterable[float] | None = None,
        correction_uncertainty_per_atom: Iterable[float] | None = None,
        reported_hull_distance: Iterable[float] | None = None,
        volume_per_atom: Iterable[float] | None = None,
    ) -> EntryTable:
        """Build a table from per-row composition dicts and energies (eV/atom)."""
        n = len(compositions)
        elements = tuple(sorted({el for c in compositions for el in c}))
        lookup = {el: k for k, el in enumerate(elements)}
        counts = np.fromiter((len(c) for c in compositions), dtype=np.int64, count=n)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        indices = np.fromiter(
            (lookup[el] for c in compositions for el in c), dtype=np.int32, count=int(indptr[-1])
        )
        amounts = np.fromiter(
            (a for c in compositions for a in c.values()), dtype=float, count=int(indptr[-1])
        )
        if not np.isfinite(amounts).all():
            bad = next(c for c in compositions if not np.isfinite(list(c.values())).all())
            raise DataError(f"a composition has an amount that is not a finite number: {bad}")

        def floats(values: Iterable[float] | None) -> np.ndarray:
            return np.full(n, np.nan) if values is None else np.asarray(list(values), dtype=float)

        def strings(values: Iterable[str] | None) -> np.ndarray:
            return (
                np.full(n, "", dtype=str) if values is None else np.asarray(list(values), dtype=str)
            )

        if formula is None:
            formula = ["".join(f"{el}{_fmt(a)}" for el, a in c.items()) for c in compositions]
        return cls(
            elements=elements,
            indptr=indptr,
            indices=indices,
            amounts=amounts,
            energy_per_atom=floats(energy_per_atom),
            formula=strings(formula),
            material_id=strings(material_id),
            uncorrected_energy_per_atom=floats(uncorrected_energy_per_atom),
            correction_per_atom=floats(correction_per_atom),
            correction_uncertainty_per_atom=floats(correction_uncertainty_per_atom),
            reported_hull_distance=floats(reported_hull_distance),
            volume_per_atom=floats(volume_per_atom),
            meta=dict(meta),
        )


def concat(tables: list[EntryTable], meta: dict[str, Any]) -> EntryTable:
    """Stack tables that share an energy kind into one (element vocabularies are merged)."""
    elements = tuple(sorted({el for t in tables for el in t.elements}))
    lookup = {el: k for k, el in enumerate(elements)}
    indptr = [np.zeros(1, dtype=np.int64)]
    offset = 0
    for t in tables:
        indptr.append(t.indptr[1:] + offset)
        offset += int(t.indptr[-1])
    cols = {
        "elements": np.array(elements),
        "indptr": np.concatenate(indptr),
        "indices": np.concatenate(
            [np.array([lookup[e] for e in t.elements], dtype=np.int32)[t.indices] for t in tables]
        ),
    }
    for key in tables[0].columns():
        if key not in cols:
            cols[key] = np.concatenate([t.columns()[key] for t in tables])
    return EntryTable.from_columns(cols, meta)


def _fmt(amount: float) -> str:
    return "" if amount == 1 else f"{amount:g}"
