"""Pulling entries from the Materials Project, with a fake client: never a network call."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from pymatgen.core import Composition
from pymatgen.entries.computed_entries import ComputedEntry

import stability.entries.mp as mp
from stability import config
from stability.cli import cli
from stability.entries.cache import read_table
from stability.entries.load import load_dataset
from stability.entries.mp import API_KEY_ENV, MPSource, parse_chemsys
from stability.entries.table import TOTAL
from stability.errors import DataError, NetworkError, StabilityError

KEY = "k3y-SECRET-0123456789abcdefXYZ"
VERSION = "2025.09.25"
#: Made-up elemental energies (eV/atom) and formation energies (eV/atom) of the compounds.
ELEMENT_E = {"Li": -1.9, "N": -8.3, "Cl": -1.8}
COMPOUNDS = [
    ("Li", 0.0, "mp-1"),
    ("N2", 0.0, "mp-2"),
    ("Cl2", 0.0, "mp-3"),
    ("Li3N", -0.45, "mp-4"),
    ("LiCl", -1.8, "mp-5"),
    ("Li4NCl", -0.9, "mp-6"),
]


def make_entry(formula: str, e_form: float, material_id: str) -> ComputedEntry:
    comp = Composition(formula)
    total = sum(ELEMENT_E[str(el)] * a for el, a in comp.items()) + e_form * comp.num_atoms
    return ComputedEntry(comp, total, entry_id=f"{material_id}-GGA")


def all_entries() -> list[ComputedEntry]:
    return [make_entry(*c) for c in COMPOUNDS]


class FakeClient:
    """Stands in for MPRester: a context manager answering from a fixed list of entries."""

    def __init__(self, entries=None, version: str = VERSION, failures=()):
        self.entries = all_entries() if entries is None else entries
        self.version = version
        self.failures = list(failures)  # raised, one per attempt, before answering
        self.keys: list[str] = []
        self.queries: list[tuple[list[str], dict]] = []
        self.open = 0

    def factory(self, api_key: str) -> FakeClient:
        self.keys.append(api_key)
        if self.failures:
            raise self.failures.pop(0)
        return self

    def __enter__(self) -> FakeClient:
        self.open += 1
        return self

    def __exit__(self, *exc) -> bool:
        self.open -= 1
        return False

    def get_entries_in_chemsys(self, elements, additional_criteria=None):
        self.queries.append((list(elements), dict(additional_criteria or {})))
        wanted = set(elements)
        return [e for e in self.entries if {str(el) for el in e.composition.elements} <= wanted]

    def get_database_version(self) -> str:
        return self.version


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    monkeypatch.delenv(API_KEY_ENV, raising=False)

    def no_network(api_key):
        raise AssertionError("the real MP client must not be used in tests")

    monkeypatch.setattr(mp, "_default_client", no_network)


def source(fake: FakeClient, **kwargs) -> tuple[MPSource, list[float]]:
    sleeps: list[float] = []
    kwargs.setdefault("api_key", KEY)
    return MPSource(client_factory=fake.factory, sleep=sleeps.append, **kwargs), sleeps


# ---------------------------------------------------------------- pull and load


def test_pull_writes_the_cache(tmp_path):
    fake = FakeClient()
    table, path = source(fake)[0].pull("Li-N")
    assert path.parent == tmp_path / "cache"
    assert path.name.startswith("mp-api.") and path.suffix == ".npz"
    assert VERSION in path.name and "Li-N" in path.name
    assert fake.keys == [KEY] and fake.open == 0
    assert fake.queries[0][0] == ["Li", "N"]
    expected = {e.entry_id.removesuffix("-GGA"): e for e in all_entries()}
    assert sorted(table.material_id) == ["mp-1", "mp-2", "mp-4"]
    stored = read_table(path)
    assert stored.meta["database_version"] == VERSION
    assert stored.meta["chemsys"] == "Li-N"
    assert stored.meta["thermo_type"] == "GGA_GGA+U"
    assert stored.energy_kind == TOTAL and stored.name == f"mp-api {VERSION}"
    for i, mid in enumerate(stored.material_id):
        entry = expected[str(mid)]
        assert stored.energy_per_atom[i] == pytest.approx(entry.energy_per_atom)
        assert stored.row_composition(i) == {str(el): a for el, a in entry.composition.items()}


def test_load_dataset_merges_pulled_systems():
    fake = FakeClient()
    src = source(fake)[0]
    src.pull("Li-N")
    src.pull("Cl-Li")
    table = load_dataset()  # no --data, no STABILITY_DATA: the cache folder
    assert table.name == f"mp-api {VERSION} GGA_GGA+U"
    # Li comes with both systems but is kept once.
    assert sorted(table.material_id) == ["mp-1", "mp-2", "mp-3", "mp-4", "mp-5"]
    by_id = {e.entry_id.removesuffix("-GGA"): e for e in all_entries()}
    for i, mid in enumerate(table.material_id):
        assert table.energy_per_atom[i] == pytest.approx(by_id[str(mid)].energy_per_atom)
    li3n = int(np.flatnonzero(table.material_id == "mp-4")[0])
    assert table.row_composition(li3n) == {"Li": 3.0, "N": 1.0}


def test_newest_database_version_wins():
    source(FakeClient(version="2024.11.14"))[0].pull("Li-N")
    source(FakeClient(version=VERSION))[0].pull("Cl-Li")
    table = load_dataset()
    assert table.name == f"mp-api {VERSION} GGA_GGA+U"
    assert sorted(table.material_id) == ["mp-1", "mp-3", "mp-5"]


def test_energy_schemes_are_never_mixed():
    source(FakeClient())[0].pull("Li-N")
    source(FakeClient(), thermo_type="R2SCAN")[0].pull("Cl-Li")
    table = load_dataset()
    assert table.name.endswith("GGA_GGA+U")
    assert sorted(table.material_id) == ["mp-1", "mp-2", "mp-4"]  # the r2SCAN pull is left out


def test_nothing_pulled_says_how_to_get_data(tmp_path):
    with pytest.raises(DataError, match="data pull"):
        load_dataset()  # not even a cache folder yet
    (tmp_path / "cache").mkdir()
    with pytest.raises(DataError, match="data pull"):
        load_dataset()


@pytest.mark.parametrize(
    ("thermo_type", "criterion"),
    [(None, "GGA_GGA+U"), ("GGA_GGA+U", "GGA_GGA+U"), ("R2SCAN", "GGA_GGA+U_R2SCAN")],
)
def test_thermo_type_criterion(thermo_type, criterion):
    fake = FakeClient()
    kwargs = {} if thermo_type is None else {"thermo_type": thermo_type}
    table, path = source(fake, **kwargs)[0].pull("Li-Cl")
    assert fake.queries == [(["Cl", "Li"], {"thermo_types": [criterion]})]
    assert table.meta["thermo_type"] == criterion
    assert criterion in path.name


def test_unknown_thermo_type():
    with pytest.raises(StabilityError, match="R2SCAN"):
        MPSource(api_key=KEY, thermo_type="SCAN", client_factory=FakeClient().factory)


def test_dict_entries_are_accepted():
    fake = FakeClient()
    fake.entries = [e.as_dict() for e in all_entries()]
    fake.get_entries_in_chemsys = lambda elements, additional_criteria=None: fake.entries[:1]
    table, _ = source(fake)[0].pull("Li")
    assert list(table.material_id) == ["mp-1"]


def test_no_entries_is_an_error(tmp_path):
    with pytest.raises(StabilityError, match="no entries"):
        source(FakeClient(entries=[]))[0].pull("Li-N")
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").glob("mp-api.*"))


# ---------------------------------------------------------------- key and failures


def test_missing_key():
    fake = FakeClient()
    src = MPSource(client_factory=fake.factory, sleep=lambda s: None)
    with pytest.raises(StabilityError, match=API_KEY_ENV) as info:
        src.pull("Li-N-Cl")
    assert not isinstance(info.value, NetworkError)
    assert fake.keys == []  # the client was never built


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, KEY)
    fake = FakeClient()
    MPSource(client_factory=fake.factory).pull("Li")
    assert fake.keys == [KEY]


def test_rate_limit_is_retried_with_growing_backoff():
    fake = FakeClient(
        failures=[
            RuntimeError("429 Client Error: Too Many Requests"),
            RuntimeError("HTTP 429: rate limited"),
            RuntimeError("429"),
        ]
    )
    src, sleeps = source(fake, backoff_s=0.5)
    table, _ = src.pull("Li-N")
    assert len(table) == 3
    assert len(fake.keys) == 4
    assert len(sleeps) == 3
    assert (np.diff(sleeps) > 0).all()
    assert sleeps[0] >= 0.5


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError("read took too long"),
        ConnectionResetError("peer went away"),
        OSError("timed out"),
    ],
)
def test_timeouts_and_dropped_connections_are_retried(error):
    fake = FakeClient(failures=[error])
    src, sleeps = source(fake)
    src.pull("Li")
    assert len(fake.keys) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("retries", [0, 2, 4])
def test_persistent_server_error_gives_network_error(retries):
    fake = FakeClient(failures=[RuntimeError("500 Server Error: Internal")] * 10)
    src, sleeps = source(fake, retries=retries, backoff_s=1.0)
    with pytest.raises(NetworkError) as info:
        src.pull("Li-N")
    assert len(fake.keys) == retries + 1
    assert len(sleeps) == retries
    assert (np.diff(sleeps) > 0).all()
    assert "500" in str(info.value) and str(retries + 1) in str(info.value)


@pytest.mark.parametrize(
    "message",
    [
        "401 Client Error: Unauthorized for url: https://api.materialsproject.org/materials",
        "REST query returned with error status code 403",
        "Invalid API key",
    ],
)
def test_client_errors_are_not_retried(message):
    fake = FakeClient(failures=[RuntimeError(message)] * 5)
    src, sleeps = source(fake)
    with pytest.raises(NetworkError, match="failed") as info:
        src.pull("Li-N")
    assert len(fake.keys) == 1 and sleeps == []
    assert message.split(":")[0] in str(info.value)


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError(f"401 Unauthorized: API key {KEY} is not valid"),
        RuntimeError(f"500 Server Error for url: https://x.org/?key={KEY}&q=1"),
        ValueError(f"{KEY}"),
    ],
    ids=["not-retried", "retried", "only-the-key"],
)
def test_key_never_appears_in_errors(error):
    fake = FakeClient(failures=[error] * 10)
    src, _ = source(fake, retries=2)
    with pytest.raises(NetworkError) as info:
        src.pull("Li-N")
    exc = info.value
    assert KEY not in str(exc) and KEY not in repr(exc)
    assert "***" in str(exc)
    # The original exception, which holds the key, is not chained for display.
    assert exc.__cause__ is None
    assert exc.__context__ is None or exc.__suppress_context__


def test_key_hidden_when_the_client_raises_inside_the_query():
    fake = FakeClient()

    def leaky(elements, additional_criteria=None):
        raise RuntimeError(f"403 Forbidden (x-api-key: {KEY})")

    fake.get_entries_in_chemsys = leaky
    with pytest.raises(NetworkError) as info:
        source(fake)[0].pull("Li-N")
    assert KEY not in str(info.value) and fake.open == 0


# ---------------------------------------------------------------- chemical systems


@pytest.mark.parametrize("bad", ["Li-Xx", "", "Li-LiN", "-", "Li-N2", "li-n"])
def test_parse_chemsys_errors(bad):
    with pytest.raises(StabilityError) as info:
        parse_chemsys(bad)
    assert "\n" not in str(info.value) and str(info.value)


def test_parse_chemsys_error_messages():
    with pytest.raises(StabilityError, match="Xx"):
        parse_chemsys("Li-Xx")
    with pytest.raises(StabilityError, match="empty chemical system"):
        parse_chemsys("")
    with pytest.raises(StabilityError, match="'LiN'.*not an element"):
        parse_chemsys("Li-LiN")


@pytest.mark.parametrize(
    ("text", "elements"),
    [("Li-N-Cl", ["Cl", "Li", "N"]), ("N,Li", ["Li", "N"]), (" Li - Li ", ["Li"]), ("O", ["O"])],
)
def test_parse_chemsys(text, elements):
    assert parse_chemsys(text) == elements


def test_bad_chemsys_is_rejected_before_any_request():
    fake = FakeClient()
    with pytest.raises(StabilityError):
        source(fake)[0].pull("Li-Xx")
    assert fake.keys == []


# ---------------------------------------------------------------- command line


def test_cli_pull_without_key_is_one_line():
    res = CliRunner().invoke(cli, ["data", "pull", "Li-N-Cl"])
    assert res.exit_code != 0
    assert isinstance(res.exception, SystemExit)  # a handled error, not a crash
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1, res.output
    assert API_KEY_ENV in lines[0]


def test_cli_pull_bad_chemsys_is_one_line(monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, KEY)
    res = CliRunner().invoke(cli, ["data", "pull", "Li-Xx"])
    assert res.exit_code != 0 and isinstance(res.exception, SystemExit)
    assert len(res.output.strip().splitlines()) == 1 and "Xx" in res.output


def test_cli_pull_network_error_hides_key(monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, KEY)
    fake = FakeClient(failures=[RuntimeError(f"401 Unauthorized key={KEY}")])
    monkeypatch.setattr(mp, "_default_client", fake.factory)
    res = CliRunner().invoke(cli, ["data", "pull", "Li-N"])
    assert res.exit_code != 0 and isinstance(res.exception, SystemExit)
    assert KEY not in res.output and "401" in res.output


def test_cli_pull_then_window_uses_pulled_data(tmp_path, monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, KEY)
    fake = FakeClient()
    monkeypatch.setattr(mp, "_default_client", fake.factory)
    runner = CliRunner()
    res = runner.invoke(cli, ["data", "pull", "Li-N-Cl"])
    assert res.exit_code == 0, res.output
    assert "cached 6 entries" in res.output and VERSION in res.output
    assert fake.queries == [(["Cl", "Li", "N"], {"thermo_types": ["GGA_GGA+U"]})]
    assert len(list((tmp_path / "cache").glob("mp-api.*.npz"))) == 1

    res = runner.invoke(cli, ["window", "Li3N", "--format", "json"])
    assert res.exit_code == 0, res.output
    [row] = json.loads(res.output)
    assert row["dataset"].startswith("mp-api")
    assert row["material_id"] == "mp-4" and row["placed_on_hull"] is False
    assert row["reduction_limit_V"] == 0.0
    # Li3N -> 3 Li + 1/2 N2 at -(formation energy per f.u.)/3 Li = 0.45 * 4 / 3 V.
    assert row["oxidation_limit_V"] == pytest.approx(0.6, abs=1e-9)
    assert row["oxidation_products"] == ["N2"]

    res = runner.invoke(cli, ["data", "info"])
    assert res.exit_code == 0, res.output
    assert "mp-api." in res.output and "pulled from the MP API" in res.output


def test_cli_pull_r2scan(monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, KEY)
    fake = FakeClient()
    monkeypatch.setattr(mp, "_default_client", fake.factory)
    res = CliRunner().invoke(cli, ["data", "pull", "Li-N", "--thermo-type", "R2SCAN"])
    assert res.exit_code == 0, res.output
    assert fake.queries[0][1] == {"thermo_types": ["GGA_GGA+U_R2SCAN"]}


@pytest.mark.parametrize(
    ("message", "transient"),
    [
        ("REST query returned with error status code 503 on URL https://x", True),
        ("429 Client Error: Too Many Requests", True),
        ("HTTP 502 Bad Gateway", True),
        ("Read timed out.", True),
        ("404 Not Found for url https://x/?_limit=500", False),
        ("Invalid document id mp-5123", False),
        ("401 Unauthorized: bad key", False),
    ],
)
def test_transient_errors_are_told_apart(message, transient):
    from stability.entries.mp import _TRANSIENT

    assert bool(_TRANSIENT.search(message)) is transient
