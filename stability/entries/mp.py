"""Fetch entries and band gaps of a chemical system from the Materials Project and cache them.

The real ``mp_api.client.MPRester`` does the talking; this module bounds and checks it:

- every network step (the heartbeat, building the client, each search) has a deadline;
- transient failures (HTTP 429 and 5xx, timeouts, dropped connections, a heartbeat that is not
  MP's JSON) are retried with exponential backoff that honours ``Retry-After``, within a total
  time budget; 401/403/404 and other refusals are not retried;
- every document of a search must arrive: the count is checked against the server's
  ``meta.total_doc`` (a short page makes the client drop documents silently otherwise);
- each failure ends in one line that names the step and the cause, never the API key.

Thermo types: ``GGA_GGA+U`` (MP2020-corrected GGA/GGA+U, MP's legacy hull) or
``GGA_GGA+U_R2SCAN``, for which the GGA_GGA+U and the R2SCAN thermo documents are fetched over
REST and mixed here with pymatgen's ``MaterialsProjectDFTMixingScheme`` (mp-api would read a
pre-built phase diagram from S3 instead, which many networks cannot reach).

Knobs (environment): ``MP_API_ENDPOINT`` (or ``--endpoint``) for mirrors and proxies;
``STABILITY_MP_TIMEOUT`` (s per attempt, default 60), ``STABILITY_MP_RETRIES`` (default 4),
``STABILITY_MP_BACKOFF`` (first wait in s, doubled each retry, default 2) and
``STABILITY_MP_BUDGET`` (s for the whole pull, default 300).
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import logging
import math
import os
import re
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stability import config
from stability.entries.cache import write_table
from stability.entries.load import PULLED_PREFIX
from stability.entries.readers import table_from_entry_dicts
from stability.entries.table import TOTAL, EntryTable
from stability.errors import NetworkError, StabilityError
from stability.files import atomic_write
from stability.formula import parse_formula

log = logging.getLogger(__name__)

API_KEY_ENV = "MP_API_KEY"
ENDPOINT_ENV = "MP_API_ENDPOINT"
DEFAULT_ENDPOINT = "https://api.materialsproject.org/"
GGA = "GGA_GGA+U"
MIXED = "GGA_GGA+U_R2SCAN"
R2SCAN = "R2SCAN"
#: Accepted names -> thermo type stored with the pull ("R2SCAN" is the older name of the mix).
THERMO_TYPES = {GGA: GGA, MIXED: MIXED, R2SCAN: MIXED}
MIXING_SCHEME = "MaterialsProjectDFTMixingScheme"
THERMO_FIELDS = ["material_id", "thermo_type", "entries"]
SUMMARY_FIELDS = ["material_id", "formula_pretty", "band_gap", "energy_above_hull"]
#: Subfolder of the cache holding property tables (band gaps) beside the entries.
PROPERTIES_DIR = "properties"
BAND_GAPS_SUFFIX = "_band_gaps.csv"


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


def subsystems(elements: list[str]) -> list[str]:
    """Every chemical system spanned by ``elements`` (``Li``, ``N``, ``Li-N``), as MP names them."""
    return [
        "-".join(sorted(c))
        for n in range(1, len(elements) + 1)
        for c in itertools.combinations(sorted(elements), n)
    ]


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise StabilityError(f"{name}={raw!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise StabilityError(f"{name}={raw!r} must be a non-negative number")
    return value


@dataclass(frozen=True)
class RetryPolicy:
    """How long each attempt may take, how often and how patiently to retry, in seconds."""

    timeout_s: float = 60.0
    retries: int = 4
    backoff_s: float = 2.0
    budget_s: float = 300.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        d = cls()
        return cls(
            timeout_s=_env_float("STABILITY_MP_TIMEOUT", d.timeout_s) or d.timeout_s,
            retries=int(_env_float("STABILITY_MP_RETRIES", d.retries)),
            backoff_s=_env_float("STABILITY_MP_BACKOFF", d.backoff_s),
            budget_s=_env_float("STABILITY_MP_BUDGET", d.budget_s) or d.budget_s,
        )


class _Transient(Exception):
    """A failure worth retrying; ``retry_after`` is the server's Retry-After in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Exchange:
    """What the HTTP layer saw during one attempt (filled by a requests response hook)."""

    errors: list[tuple[int, float | None, str]] = field(default_factory=list)
    total_doc: dict[str, int | None] = field(default_factory=dict)
    connecting: bool = False

    def hook(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        from urllib.parse import urlsplit

        path = urlsplit(response.url).path
        if response.status_code >= 400:
            self.errors.append(
                (response.status_code, _retry_after(response.headers.get("Retry-After")), path)
            )
        elif path.rstrip("/").endswith(("materials/thermo", "materials/summary")):
            try:
                meta = response.json().get("meta") or {}
                total = meta.get("total_doc")
                self.total_doc[path] = int(total) if total is not None else None
            except (ValueError, AttributeError, TypeError):
                self.total_doc[path] = None
        return response


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _make_session(timeout_s: float, exchange: _Exchange) -> Any:
    """A requests session with no hidden retries and a timeout on every request."""
    import requests
    from requests.adapters import HTTPAdapter

    class _Session(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            given = kwargs.get("timeout")
            kwargs["timeout"] = timeout_s if given is None else min(float(given), timeout_s)
            return super().request(*args, **kwargs)

    session = _Session()
    adapter = HTTPAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.hooks["response"].append(exchange.hook)
    from stability import __version__

    session.headers["user-agent"] = f"stability/{__version__} (mp-api)"
    return session


def _run_within(seconds: float, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a worker thread and give up after ``seconds`` (the thread is abandoned)."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name="mp-request")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _Transient(f"no answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass
class PullResult:
    """What ``MPSource.pull`` fetched and where it cached it."""

    table: EntryTable
    path: Path
    band_gaps_path: Path
    n_band_gaps: int
    database_version: str
    thermo_type: str
    attempts: int = 0
    elapsed_s: float = 0.0


class MPSource:
    """Pull entries (and band gaps) of chemical systems from MP into the entries cache."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        thermo_type: str = GGA,
        endpoint: str | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_key = (api_key or os.environ.get(API_KEY_ENV, "")).strip()
        if thermo_type not in THERMO_TYPES:
            raise StabilityError(
                f"unknown thermo type {thermo_type!r}; choose {', '.join(THERMO_TYPES)}"
            )
        self.thermo_type = THERMO_TYPES[thermo_type]
        endpoint = (endpoint or os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT).strip()
        if not re.match(r"^https?://[^/\s]+", endpoint):
            raise StabilityError(
                f"endpoint {endpoint!r} is not an http(s) URL (e.g. {DEFAULT_ENDPOINT})"
            )
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.policy = policy or RetryPolicy.from_env()
        self.sleep = sleep
        self.attempts = 0

    # ------------------------------------------------------------------ plumbing

    def _hide(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def _classify(self, exc: BaseException, exchange: _Exchange, step: str) -> BaseException:
        """Turn what one attempt raised into a _Transient (retry) or a NetworkError (stop)."""
        if isinstance(exc, StabilityError | _Transient):
            return exc
        if exchange.errors:
            status, retry_after, path = exchange.errors[-1]
            if status == 429:
                return _Transient("rate limited (HTTP 429)", retry_after)
            if status >= 500:
                return _Transient(f"server error (HTTP {status})", retry_after)
            if status in (401, 403):
                return NetworkError(
                    f"the Materials Project refused the API key (HTTP {status}) while {step}: "
                    f"check {API_KEY_ENV}"
                )
            if status == 404:
                return NetworkError(
                    f"{self.endpoint} has no route {path} (HTTP 404) while {step}: is it a "
                    "Materials Project API endpoint?"
                )
            return NetworkError(
                f"Materials Project request failed while {step} (HTTP {status}): "
                f"{self._hide(_first_line(exc))[:200]}"
            )
        import requests

        message = self._hide(_first_line(exc))
        if isinstance(exc, requests.exceptions.Timeout) or re.search(r"timed? ?out", message, re.I):
            return _Transient(f"no answer within {self.policy.timeout_s:g} s")
        if isinstance(exc, requests.exceptions.ConnectionError | ConnectionError) or re.search(
            r"Max retries exceeded|Connection (?:refused|reset|aborted)|RemoteDisconnected",
            message,
        ):
            return _Transient(f"cannot connect to {self.endpoint}")
        if isinstance(exc, KeyError | ValueError) and exchange.connecting:
            # The client reads /heartbeat as JSON with "version" and "db_version": an HTML
            # error page or a half answer from a proxy lands here.
            return _Transient("the heartbeat was not the Materials Project's JSON")
        return NetworkError(f"Materials Project request failed while {step}: {message[:200]}")

    def _step(
        self,
        step: str,
        fn: Callable[[_Exchange], Any],
        start: float,
        deadline_s: float | None = None,
    ) -> Any:
        """Run one network step with deadline, classification, backoff and total budget.

        Each attempt ends after ``deadline_s`` (default: the time left in the budget); each
        HTTP request made through the session also times out after ``policy.timeout_s``.
        """
        policy = self.policy
        last = ""
        tries = 0
        for attempt in range(policy.retries + 1):
            exchange = _Exchange()
            self.attempts += 1
            left = policy.budget_s - (time.monotonic() - start)
            if left <= 0:
                break
            tries += 1
            try:
                limit = left if deadline_s is None else min(deadline_s, left)
                return _run_within(limit, functools.partial(fn, exchange))
            except BaseException as exc:  # classified below; bugs are not swallowed
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                outcome = self._classify(exc, exchange, step)
                if not isinstance(outcome, _Transient):
                    if isinstance(outcome, StabilityError):
                        raise outcome from None
                    raise
                last = self._hide(str(outcome))
                log.info("%s: %s (attempt %d)", step, last, attempt + 1)
                self._client = None  # a fresh client and session for the next attempt
                if attempt == policy.retries:
                    break
                wait = policy.backoff_s * 2**attempt
                if outcome.retry_after is not None:
                    wait = max(wait, outcome.retry_after)
                left = policy.budget_s - (time.monotonic() - start)
                if wait >= left:
                    if outcome.retry_after is not None and outcome.retry_after >= left:
                        raise NetworkError(
                            f"Materials Project {last} while {step}: it asks to retry after "
                            f"{outcome.retry_after:g} s, beyond the {policy.budget_s:g} s "
                            "budget (STABILITY_MP_BUDGET); try again later"
                        ) from None
                    break
                self.sleep(wait)
        raise NetworkError(
            f"Materials Project unreachable while {step}: {last or 'no time left'} "
            f"({tries} {'try' if tries == 1 else 'tries'}, {time.monotonic() - start:.1f} s)"
        )

    # ------------------------------------------------------------------ network steps

    def _heartbeat(self, exchange: _Exchange) -> str:
        """GET /heartbeat with a timeout: the database version, or why the server is not MP."""
        session = _make_session(self.policy.timeout_s, exchange)
        try:
            response = session.get(self.endpoint + "heartbeat")
        finally:
            session.close()
        if response.status_code in (401, 403):
            raise NetworkError(
                f"the Materials Project refused the API key (HTTP {response.status_code}) while "
                f"checking {self.endpoint}: check {API_KEY_ENV}"
            )
        if response.status_code >= 400:
            raise RuntimeError(f"heartbeat answered HTTP {response.status_code}")
        try:
            payload = response.json()
            return str(payload["db_version"])
        except (ValueError, KeyError, TypeError):
            raise _Transient("the heartbeat was not the Materials Project's JSON") from None

    def _connect(self, exchange: _Exchange) -> Any:
        from mp_api.client import MPRester

        session = _make_session(self.policy.timeout_s, exchange)
        return MPRester(
            api_key=self.api_key,
            endpoint=self.endpoint,
            session=session,
            mute_progress_bars=True,
        )

    def _client_for(self, exchange: _Exchange) -> Any:
        """The client, built anew (heartbeat included) after a failed or abandoned attempt."""
        if getattr(self, "_client", None) is None:
            exchange.connecting = True
            self._client = self._connect(exchange)
            exchange.connecting = False
        # Requests report to the current attempt's exchange.
        self._client.session.hooks["response"][:] = [exchange.hook]
        return self._client

    def _search(self, route: str, start: float, **query: Any) -> list[Any]:
        """Search ``route`` (thermo or summary) and check that every document arrived."""
        step = f"fetching {route} documents"

        def attempt(exchange: _Exchange) -> list[Any]:
            client = self._client_for(exchange)
            rester = getattr(client.materials, route)
            docs = rester.search(all_fields=False, **query)
            totals = [v for k, v in exchange.total_doc.items() if route in k]
            if not totals or totals[-1] is None:
                raise NetworkError(
                    f"the {route} answer from {self.endpoint} has no meta.total_doc, so "
                    "whether every document arrived cannot be checked"
                )
            if len(docs) != totals[-1]:
                raise _Transient(f"received {len(docs)} of {totals[-1]} {route} documents")
            return list(docs)

        return self._step(step, attempt, start)

    def fetch(self, elements: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
        """Return (entry dicts, summary rows, database version) of ``elements``' system."""
        if not self.api_key:
            raise StabilityError(
                f"{API_KEY_ENV} is not set: get a key at materialsproject.org and export it"
            )
        if len(self.api_key) != 32:
            raise StabilityError(
                f"{API_KEY_ENV} has {len(self.api_key)} characters; Materials Project keys "
                "have 32 (copy it again from materialsproject.org/api)"
            )
        start = time.monotonic()
        self.attempts = 0
        self._client = None
        systems = subsystems(elements)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _preload_client()  # imports take seconds: not part of any network deadline
            heartbeat_version = self._step("checking the endpoint", self._heartbeat, start)
            # Building the client reads /heartbeat twice without a timeout: bounded here.
            self._step("connecting", self._client_for, start, self.policy.timeout_s)
            thermo_query: dict[str, Any] = {"chemsys": systems, "fields": THERMO_FIELDS}
            if self.thermo_type == GGA:
                thermo_query["thermo_types"] = [GGA]
            # For the mix, all thermo types are fetched and split here: mp-api sends
            # thermo_types=R2SCAN as "r2SCAN", which an exact-match server does not find.
            docs = self._search("thermo", start, **thermo_query)
            summary = self._search("summary", start, chemsys=systems, fields=SUMMARY_FIELDS)
            version = str(getattr(self._client, "db_version", "") or heartbeat_version)
            entries = self._entries(docs)
        for w in caught:
            log.debug("mp-api: %s", w.message)
        rows = [
            {
                "material_id": str(getattr(d, "material_id", "") or ""),
                "formula": str(getattr(d, "formula_pretty", "") or ""),
                "band_gap_eV": getattr(d, "band_gap", None),
                "energy_above_hull_eV_per_atom": getattr(d, "energy_above_hull", None),
            }
            for d in summary
        ]
        self._client = None
        return entries, rows, version or "unknown"

    def _entries(self, docs: list[Any]) -> list[dict[str, Any]]:
        """Entry dicts of the fetched thermo documents (mixed here for GGA_GGA+U_R2SCAN)."""
        by_type: dict[str, list[Any]] = {}
        for doc in docs:
            ttype = getattr(doc, "thermo_type", "")
            ttype = str(getattr(ttype, "value", ttype))
            for entry in (getattr(doc, "entries", None) or {}).values():
                sanitise_entry(entry, str(getattr(doc, "material_id", "") or ""))
                by_type.setdefault(ttype, []).append(entry)
        if self.thermo_type == GGA:
            chosen = by_type.get(GGA, [])
        else:
            gga, r2 = by_type.get(GGA, []), by_type.get(R2SCAN, [])
            chosen = mix_entries(gga, r2) if gga and r2 else gga
            if gga and not r2:
                log.warning("no R2SCAN entries in this system: the mix is GGA/GGA+U only")
        seen: set[str] = set()
        out = []
        for entry in chosen:
            d = entry if isinstance(entry, dict) else entry.as_dict()
            key = str(d.get("entry_id") or id(entry))
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    # ------------------------------------------------------------------ pull

    def pull(self, chemsys: str) -> PullResult:
        """Fetch ``chemsys`` with its subsystems, cache entries and band gaps, report where."""
        elements = parse_chemsys(chemsys)
        start = time.monotonic()
        dicts, gap_rows, version = self.fetch(elements)
        if not dicts:
            raise StabilityError(
                f"the Materials Project returned no entries for {'-'.join(elements)}"
            )
        meta = {
            "name": f"mp-api {version}",
            "source": f"Materials Project API (mp-api) at {self.endpoint}",
            "format": "mp-api",
            "energy_kind": TOTAL,
            "database_version": version,
            "thermo_type": self.thermo_type,
            "chemsys": "-".join(elements),
            "retrieved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if self.thermo_type == MIXED:
            meta["mixing_scheme"] = f"pymatgen {MIXING_SCHEME} ({_pymatgen_version()})"
        table = table_from_entry_dicts(dicts, meta)
        stem = re.sub(
            r"[^A-Za-z0-9_.+-]", "_", f"{version}.{'-'.join(elements)}.{self.thermo_type}"
        )
        folder = config.cache_dir()
        path = folder / f"{PULLED_PREFIX}{stem}.npz"
        gaps = folder / PROPERTIES_DIR / f"{PULLED_PREFIX}{version}.{'-'.join(elements)}"
        gaps = gaps.with_name(re.sub(r"[^A-Za-z0-9_.+-]", "_", gaps.name) + BAND_GAPS_SUFFIX)
        write_table(path, table)
        _write_csv_atomic(gaps, gap_rows, provenance={**meta, "route": "materials/summary"})
        return PullResult(
            table,
            path,
            gaps,
            len(gap_rows),
            version,
            self.thermo_type,
            self.attempts,
            time.monotonic() - start,
        )


def _preload_client() -> None:
    """Import mp-api and the routes used, so that deadlines measure the network only."""
    import mp_api.client  # noqa: F401
    import mp_api.client.routes.materials.summary  # noqa: F401
    import mp_api.client.routes.materials.thermo  # noqa: F401


def _pymatgen_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pymatgen")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown version"


def sanitise_entry(entry: Any, material_id: str = "") -> Any:
    """Make ``entry.data`` JSON-safe in place before ``as_dict()`` (emmet#1511).

    emmet's entry adapter turns ``data["oxidation_states"]`` keys into ``Element`` objects
    and ids into ``MPID``/``AlphaID`` objects, which pymatgen's ``as_dict()`` cannot dump.
    """
    data = getattr(entry, "data", None)
    if isinstance(data, dict):
        clean = _jsonable(data)
        if material_id and not clean.get("material_id"):
            clean["material_id"] = material_id
        data.clear()
        data.update(clean)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    return str(value)


def _key(key: Any) -> str | int | float | bool | None:
    if key is None or isinstance(key, bool | int | float | str):
        return key
    return str(key)


def mix_entries(gga: list[Any], r2scan: list[Any]) -> list[Any]:
    """Mix GGA(+U) and r2SCAN entries with pymatgen's MaterialsProjectDFTMixingScheme."""
    try:
        from pymatgen.analysis.compatibility.mixing_scheme import MaterialsProjectDFTMixingScheme
    except ImportError:  # pymatgen before the compatibility module moved
        from pymatgen.entries.mixing_scheme import MaterialsProjectDFTMixingScheme
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            mixed = MaterialsProjectDFTMixingScheme().process_entries(list(gga) + list(r2scan))
        except (ValueError, KeyError, IndexError) as exc:
            raise StabilityError(
                f"the GGA(+U)/r2SCAN mixing scheme failed on this system ({_first_line(exc)}); "
                "pull it with --thermo-type GGA_GGA+U"
            ) from None
    if not mixed:
        raise StabilityError(
            "the GGA(+U)/r2SCAN mixing scheme kept no entries (the GGA/GGA+U entries do not "
            "form a complete phase diagram?)"
        )
    return mixed


def _write_csv_atomic(
    path: Path, rows: list[dict[str, Any]], provenance: dict[str, Any] | None = None
) -> None:
    """Write the band-gap rows as CSV (provenance in a leading ``#`` line), atomically.

    Columns: ``material_id``, ``formula`` (MP's ``formula_pretty``, a reduced formula),
    ``band_gap_eV``, ``energy_above_hull_eV_per_atom`` (eV/atom); read by
    ``stability.entries.properties.load_band_gaps``."""
    buf = io.StringIO()
    if provenance:
        buf.write("# " + json.dumps(provenance, sort_keys=True) + "\n")
    writer = csv.DictWriter(
        buf,
        fieldnames=[
            "material_id",
            "formula",
            "band_gap_eV",
            "energy_above_hull_eV_per_atom",
        ],
        lineterminator="\n",
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    atomic_write(path, lambda fh: fh.write(buf.getvalue().encode("utf-8")), sync=True)
