"""Fetch entries of a chemical system from the Materials Project and cache them.

The client is injected (``client_factory``) so tests use a fake; by default it is
``mp_api.client.MPRester``. Transient failures (timeouts, 429, 5xx) are retried with
exponential backoff; the API key never appears in messages.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stability import config
from stability.entries.cache import write_table
from stability.entries.load import PULLED_PREFIX
from stability.entries.readers import table_from_entry_dicts
from stability.entries.table import TOTAL, EntryTable
from stability.errors import NetworkError, StabilityError
from stability.formula import parse_formula

API_KEY_ENV = "MP_API_KEY"
THERMO_TYPES = {"GGA_GGA+U": "GGA_GGA+U", "R2SCAN": "GGA_GGA+U_R2SCAN"}
# Transient: rate limits, server errors and network trouble. Status codes count only where
# they read as one ("status 503", "HTTP 429", "500 Server Error"), not inside URLs or ids.
_TRANSIENT = re.compile(
    r"(?:status(?:\s*code)?|HTTP|error)\D{0,12}\b(?:429|5\d\d)\b|^\s*(?:429|5\d\d)\b"
    r"|too many requests|server error|service unavailable|bad gateway|gateway time"
    r"|timed? ?out|timeout|temporar|connection (?:reset|refused|error|aborted)",
    re.I,
)


def _default_client(api_key: str) -> Any:
    from mp_api.client import MPRester

    return MPRester(api_key)


def parse_chemsys(chemsys: str) -> list[str]:
    """Split ``Li-N-Cl`` into known element symbols, with a clear error otherwise."""
    parts = [p.strip() for p in chemsys.replace(",", "-").split("-") if p.strip()]
    if not parts:
        raise StabilityError(f"empty chemical system {chemsys!r}; write it like Li-N-Cl")
    for p in parts:
        comp = parse_formula(p)
        if len(comp.elements) != 1 or comp.num_atoms != 1 or p in ("D", "T"):
            raise StabilityError(f"{p!r} in {chemsys!r} is not an element symbol")
    return sorted(set(parts))


class MPSource:
    """Pull entries of chemical systems from MP into ``cached_entries/``."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        thermo_type: str = "GGA_GGA+U",
        client_factory: Callable[[str], Any] | None = None,
        retries: int = 4,
        backoff_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_key = api_key or os.environ.get(API_KEY_ENV, "")
        if thermo_type not in THERMO_TYPES:
            raise StabilityError(
                f"unknown thermo type {thermo_type!r}; choose {', '.join(THERMO_TYPES)}"
            )
        self.thermo_type = THERMO_TYPES[thermo_type]
        self.client_factory = client_factory or _default_client
        self.retries = retries
        self.backoff_s = backoff_s
        self.sleep = sleep

    def _hide(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def fetch(self, elements: list[str]) -> tuple[list[dict[str, Any]], str]:
        """Return (entry dicts, database version), retrying transient failures."""
        if not self.api_key:
            raise StabilityError(
                f"{API_KEY_ENV} is not set: get a key at materialsproject.org and export it"
            )
        last = ""
        for attempt in range(self.retries + 1):
            try:
                with self.client_factory(self.api_key) as mpr:
                    entries = mpr.get_entries_in_chemsys(
                        elements, additional_criteria={"thermo_types": [self.thermo_type]}
                    )
                    version = str(mpr.get_database_version())
                return [e if isinstance(e, dict) else e.as_dict() for e in entries], version
            except StabilityError:
                raise
            except Exception as exc:  # the client raises many kinds; classify by message
                last = self._hide(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                if not _TRANSIENT.search(last) and not isinstance(
                    exc, TimeoutError | ConnectionError
                ):
                    raise NetworkError(f"Materials Project request failed: {last}") from None
                if attempt < self.retries:
                    self.sleep(self.backoff_s * 2**attempt)
        raise NetworkError(f"Materials Project unreachable after {self.retries + 1} tries: {last}")

    def pull(self, chemsys: str) -> tuple[EntryTable, Path]:
        """Fetch ``chemsys`` (with its subsystems), cache it, and return (table, cache path)."""
        elements = parse_chemsys(chemsys)
        dicts, version = self.fetch(elements)
        if not dicts:
            raise StabilityError(
                f"the Materials Project returned no entries for {'-'.join(elements)}"
            )
        meta = {
            "name": f"mp-api {version}",
            "source": "Materials Project API (mp-api)",
            "format": "mp-api",
            "energy_kind": TOTAL,
            "database_version": version,
            "thermo_type": self.thermo_type,
            "chemsys": "-".join(elements),
            "retrieved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        table = table_from_entry_dicts(dicts, meta)
        safe = re.sub(
            r"[^A-Za-z0-9_.+-]", "_", f"{version}.{'-'.join(elements)}.{self.thermo_type}"
        )
        path = config.cache_dir() / f"{PULLED_PREFIX}{safe}.npz"
        write_table(path, table)
        return table, path
