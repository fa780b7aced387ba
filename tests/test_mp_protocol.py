"""``stability data pull`` with the real mp-api client against a local MP-protocol server.

The server (tests/mp_server.py) speaks the REST protocol mp-api 0.46 uses; its documents are
built here from small Li-N(-Cl) structures (tests/mp_documents.py). Every failure mode the
client can meet is scripted: rate limits, server errors, HTML pages, hangs, short pages,
refused keys. Backoff and timeouts are shortened through the STABILITY_MP_* knobs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from pymatgen.core import Element
from pymatgen.entries.computed_entries import ComputedStructureEntry

from stability import config
from stability.cli import cli
from stability.entries.cache import read_table
from stability.entries.load import load_dataset
from stability.entries.mp import (
    API_KEY_ENV,
    ENDPOINT_ENV,
    MIXED,
    MPSource,
    RetryPolicy,
    sanitise_entry,
)
from stability.entries.properties import load_band_gaps
from stability.errors import NetworkError, StabilityError
from tests import oracle
from tests.installs import pip_install_copy
from tests.mp_documents import gga_entries, mix, r2scan_entries, summary_docs, thermo_docs
from tests.mp_server import Fault, MPServer

KEY = "0123456789abcdefSECRETkey0123456"
assert len(KEY) == 32
LI_N = {"mp-135", "mp-25", "mp-2251", "mp-2341", "mp-2627"}
TIMEOUT_S = 1.5
RETRIES = 3
BACKOFF_S = 0.01


@pytest.fixture(scope="module")
def documents():
    return thermo_docs(), summary_docs()


@pytest.fixture
def server(documents):
    srv = MPServer(*documents).start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(API_KEY_ENV, KEY)
    monkeypatch.setenv("STABILITY_MP_TIMEOUT", str(TIMEOUT_S))
    monkeypatch.setenv("STABILITY_MP_RETRIES", str(RETRIES))
    monkeypatch.setenv("STABILITY_MP_BACKOFF", str(BACKOFF_S))
    monkeypatch.setenv("STABILITY_MP_BUDGET", "20")
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)


@pytest.fixture
def patient(monkeypatch):
    """A long timeout, for tests that count waits or requests and involve no hang (a busy
    machine must not turn a slow client build into an extra retry)."""
    monkeypatch.setenv("STABILITY_MP_TIMEOUT", "30")


def source(server: MPServer, sleeps: list[float] | None = None, **kwargs) -> MPSource:
    if sleeps is not None:
        kwargs["sleep"] = sleeps.append
    return MPSource(endpoint=server.url, **kwargs)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def by_id(entries) -> dict[str, ComputedStructureEntry]:
    return {e.data["material_id"]: e for e in entries}


def pulled_files(tmp_path) -> list:
    return sorted((tmp_path / "cache").rglob("mp-api.*")) if (tmp_path / "cache").exists() else []


# ---------------------------------------------------------------- the happy path


def test_pull_with_the_real_client(server, tmp_path):
    res = source(server).pull("Li-N")
    expected = {e.data["material_id"]: e for e in gga_entries() if e.data["material_id"] in LI_N}
    table = res.table
    assert sorted(table.material_id) == sorted(expected)
    for i, mid in enumerate(table.material_id):
        entry = expected[str(mid)]
        assert table.energy_per_atom[i] == pytest.approx(entry.energy_per_atom, abs=1e-12)
        assert table.correction_per_atom[i] == pytest.approx(entry.correction_per_atom, abs=1e-12)
    # The nitrides carry MP2020's N anion correction (their oxidation states say N is -3).
    li3n = int(np.flatnonzero(table.material_id == "mp-2251")[0])
    assert table.correction_per_atom[li3n] == pytest.approx(-0.361 / 4)
    stored = read_table(res.path)
    assert res.path.parent == tmp_path / "cache"
    assert stored.meta["database_version"] == server.db_version == res.database_version
    assert stored.meta["thermo_type"] == "GGA_GGA+U" and stored.meta["chemsys"] == "Li-N"
    # What the client asked for, in MP's protocol.
    [(_, thermo)] = [r for r in server.requests if r[0] == "/materials/thermo/"]
    assert thermo["chemsys"].split(",") == ["Li", "N", "Li-N"]
    assert thermo["thermo_types"] == "GGA_GGA+U"
    assert set(thermo["_fields"].split(",")) == {"material_id", "thermo_type", "entries"}
    assert server.hits("/materials/summary/") == 1


def test_pulled_entries_keep_their_structures_volumes_for_temperature(server):
    """A pull carries MP's structures: volumes per atom as pymatgen's, and energies at T as
    its GibbsComputedStructureEntry (through the stored file, read back)."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.entries.computed_entries import GibbsComputedStructureEntry

    from stability.thermo.temperature import table_at_temperature

    res = source(server).pull("Li-N")
    entries = by_id(e for e in gga_entries() if e.data["material_id"] in LI_N)
    table = read_table(res.path)
    for i, mid in enumerate(table.material_id):
        s = entries[str(mid)].structure
        assert table.volume_per_atom[i] == pytest.approx(s.volume / len(s), rel=1e-12)
    hot = table_at_temperature(table, 1000)
    gibbs = GibbsComputedStructureEntry.from_entries(list(entries.values()), temp=1000)
    pd_ = PhaseDiagram(gibbs)
    for g in gibbs:
        row = int(np.flatnonzero(table.material_id == g.data["material_id"])[0])
        assert hot.table.energy_per_atom[row] == pytest.approx(
            pd_.get_form_energy_per_atom(g), abs=1e-9
        )
    assert hot.zero_kelvin == 0 and hot.solids == sum(
        not e.composition.is_element for e in entries.values()
    )


def test_emmet_element_keys_are_what_broke_as_dict():
    """The client hands entries whose oxidation states are keyed by Element (emmet#1511)."""
    entry = gga_entries()[2]
    entry.data["oxidation_states"] = {Element("Li"): 1.0, Element("N"): -3.0}
    with pytest.raises(TypeError, match="Element"):
        json.dumps(entry.as_dict())
    sanitise_entry(entry)
    d = json.loads(json.dumps(entry.as_dict()))
    assert d["data"]["oxidation_states"] == {"Li": 1.0, "N": -3.0}


def test_cli_pull_prints_two_lines_and_no_warnings(server, tmp_path):
    res = run("data", "pull", "Li-N", "--endpoint", server.url)
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 2, res.output
    assert lines[0].startswith("cached 5 entries of Li-N (GGA_GGA+U, MP 2025.09.25)")
    assert lines[1].startswith("cached 5 band gaps in ")
    assert "arning" not in res.output and "deprecat" not in res.output.lower()
    assert KEY not in res.output


def test_endpoint_from_the_environment(server, monkeypatch):
    monkeypatch.setenv(ENDPOINT_ENV, server.url)
    res = run("data", "pull", "Li-N")
    assert res.exit_code == 0, res.output
    assert server.hits("/materials/thermo/") == 1


def test_band_gaps_are_cached_beside_the_entries(server, tmp_path):
    res = source(server).pull("Li-N")
    assert res.band_gaps_path.parent == tmp_path / "cache" / "properties"
    assert res.n_band_gaps == 5
    head = res.band_gaps_path.read_text().splitlines()
    assert head[0].startswith("# ") and json.loads(head[0][2:])["database_version"] == "2025.09.25"
    assert head[1] == "material_id,formula,band_gap_eV,energy_above_hull_eV_per_atom"
    [(_, params)] = [r for r in server.requests if r[0] == "/materials/summary/"]
    assert params["chemsys"].split(",") == ["Li", "N", "Li-N"]
    assert set(params["_fields"].split(",")) == {
        "material_id",
        "formula_pretty",
        "band_gap",
        "energy_above_hull",
    }
    gaps = load_band_gaps(tmp_path / "cache")
    # Li3N: the gap of the ground state (mp-2251), not of the cubic polymorph (1.21 eV).
    assert gaps == {"Li": 0.0, "N2": 5.6, "Li3N": 0.98, "LiN3": 3.5}
    assert load_band_gaps(res.band_gaps_path) == gaps


def test_r2scan_is_mixed_locally_over_rest(server):
    res = source(server, thermo_type=MIXED).pull("Li-N")
    # Oracle: pymatgen's mixing scheme on the same GGA(+U) and r2SCAN entries.
    gga = [e for e in gga_entries() if e.data["material_id"] in LI_N]
    r2 = [e for e in r2scan_entries() if e.data["material_id"] in LI_N]
    expected = {e.entry_id: e for e in mix(gga + r2)}
    table = res.table
    assert len(table) == len(expected)
    assert sorted(table.material_id) == sorted(e.data["material_id"] for e in expected.values())
    want = {e.data["material_id"]: e.energy_per_atom for e in expected.values()}
    for i, mid in enumerate(table.material_id):
        assert table.energy_per_atom[i] == pytest.approx(want[str(mid)], abs=1e-9)
    # r2SCAN energies were used: Li3N sits on the r2SCAN scale.
    li3n = int(np.flatnonzero(table.material_id == "mp-2251")[0])
    assert table.energy_per_atom[li3n] == pytest.approx(-4.712, abs=1e-9)
    meta = read_table(res.path).meta
    assert meta["thermo_type"] == "GGA_GGA+U_R2SCAN"
    assert meta["mixing_scheme"].startswith("pymatgen MaterialsProjectDFTMixingScheme")
    assert meta["database_version"] == "2025.09.25"
    # Over REST, all thermo types in one search (no S3, no thermo_types=r2SCAN).
    [(_, params)] = [r for r in server.requests if r[0] == "/materials/thermo/"]
    assert "thermo_types" not in params


def test_r2scan_alias_and_schemes_stay_apart(server):
    source(server).pull("Li-N")
    res = run("data", "pull", "Li-N", "--thermo-type", "R2SCAN", "--endpoint", server.url)
    assert res.exit_code == 0 and "GGA_GGA+U_R2SCAN" in res.output, res.output
    table = load_dataset()
    assert table.name.endswith("GGA_GGA+U")  # never both schemes in one hull


def test_pulled_systems_merge_and_newest_version_wins(server, documents):
    source(server).pull("Li-N")
    source(server).pull("Cl-Li")
    table = load_dataset()
    assert sorted(table.material_id) == sorted(LI_N | {"mp-22848", "mp-22905"})  # Li once
    newer = MPServer(*documents, db_version="2026.01.01").start()
    try:
        source(newer).pull("Cl-Li")
    finally:
        newer.stop()
    table = load_dataset()
    assert table.name == "mp-api 2026.01.01 GGA_GGA+U"
    assert sorted(table.material_id) == ["mp-135", "mp-22848", "mp-22905"]


# ---------------------------------------------------------------- transient failures


def test_429_with_retry_after_is_honoured(patient, server):
    server.fail("/materials/thermo/", Fault("status", 429, {"Retry-After": "2"}), times=2)
    sleeps: list[float] = []
    res = source(server, sleeps).pull("Li-N")
    assert len(res.table) == 5
    assert server.hits("/materials/thermo/") == 3
    assert sleeps == [2.0, 2.0]  # the server's wait, not the 0.01 s backoff


def test_429_without_retry_after_backs_off(patient, server):
    server.fail("/materials/thermo/", Fault("status", 429), times=3)
    sleeps: list[float] = []
    source(server, sleeps).pull("Li-N")
    assert sleeps == pytest.approx([BACKOFF_S, 2 * BACKOFF_S, 4 * BACKOFF_S])


def test_retry_after_beyond_the_budget_fails_at_once(patient, server):
    server.fail("/materials/thermo/", Fault("status", 429, {"Retry-After": "3600"}), times=None)
    sleeps: list[float] = []
    with pytest.raises(NetworkError, match="retry after 3600 s") as info:
        source(server, sleeps).pull("Li-N")
    assert sleeps == [] and server.hits("/materials/thermo/") == 1
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("route", ["/materials/thermo/", "/materials/summary/"])
def test_503_is_retried(patient, server, route):
    server.fail(route, Fault("status", 503), times=2)
    res = source(server).pull("Li-N")
    assert len(res.table) == 5 and res.n_band_gaps == 5
    assert server.hits(route) == 3


def test_persistent_503_gives_up_after_the_retries(patient, server, tmp_path):
    server.fail("/materials/thermo/", Fault("html", 503), times=None)
    with pytest.raises(NetworkError) as info:
        source(server).pull("Li-N")
    msg = str(info.value)
    assert "fetching thermo documents" in msg and "HTTP 503" in msg and "\n" not in msg
    assert server.hits("/materials/thermo/") == RETRIES + 1
    assert pulled_files(tmp_path) == []  # nothing half-written


@pytest.mark.parametrize(
    "fault",
    [
        Fault("status", 429, {"Retry-After": "0"}),
        Fault("html", 503),
        Fault("html", 502),
        Fault("text", body="<html>maintenance</html>"),
    ],
    ids=["429-json", "503-html", "502-html", "200-not-json"],
)
@pytest.mark.parametrize("which", ["probe", "client"])
def test_bad_heartbeats_are_retried(server, fault, which):
    if which == "client":  # the client's own heartbeat, read while it is built
        server.fail("/heartbeat", Fault("pass"))
    server.fail("/heartbeat", fault, times=2)
    res = source(server).pull("Li-N")
    assert len(res.table) == 5


def test_client_heartbeat_html_page_gives_a_clear_error(server):
    server.fail("/heartbeat", Fault("pass"))
    server.fail("/heartbeat", Fault("html", 503), times=None)
    with pytest.raises(NetworkError) as info:
        source(server).pull("Li-N")
    msg = str(info.value)
    assert "connecting" in msg and "\n" not in msg
    assert "heartbeat" in msg or "HTTP 503" in msg


@pytest.mark.parametrize("which", ["probe", "client", "thermo", "summary"])
def test_a_hang_is_cut_and_retried(server, which):
    route = {"probe": "/heartbeat", "client": "/heartbeat"}.get(which, f"/materials/{which}/")
    if which == "client":
        server.fail("/heartbeat", Fault("pass"))
    server.fail(route, Fault("hang", delay_s=30))
    t0 = time.monotonic()
    res = source(server).pull("Li-N")
    assert len(res.table) == 5
    assert time.monotonic() - t0 < 10 * TIMEOUT_S


def test_a_persistent_hang_fails_within_the_bounds(server, monkeypatch):
    monkeypatch.setenv("STABILITY_MP_RETRIES", "1")
    server.fail("/heartbeat", Fault("pass"))
    server.fail("/heartbeat", Fault("hang", delay_s=30), times=None)
    t0 = time.monotonic()
    with pytest.raises(NetworkError, match=r"no answer within 1.5 s") as info:
        source(server).pull("Li-N")
    assert time.monotonic() - t0 < 2 * TIMEOUT_S + 3
    assert "connecting" in str(info.value)


def test_a_slow_answer_within_the_timeout_is_waited_for(patient, server):
    server.fail("/materials/thermo/", Fault("slow", delay_s=2.0))
    res = source(server).pull("Li-N")
    assert len(res.table) == 5 and server.hits("/materials/thermo/") == 1


def test_the_budget_bounds_the_whole_pull(server, monkeypatch):
    monkeypatch.setenv("STABILITY_MP_RETRIES", "50")
    monkeypatch.setenv("STABILITY_MP_BUDGET", "2")
    server.fail("/materials/thermo/", Fault("hang", delay_s=30), times=None)
    t0 = time.monotonic()
    with pytest.raises(NetworkError, match="unreachable"):
        source(server).pull("Li-N")
    assert time.monotonic() - t0 < 4


def test_a_short_page_is_noticed_and_refetched(server):
    server.fail("/materials/thermo/", Fault("short", page_cap=2))
    res = source(server).pull("Li-N")
    assert sorted(res.table.material_id) == sorted(LI_N)
    assert server.hits("/materials/thermo/") >= 3  # short page + its follow-up, then again


def test_persistent_short_pages_fail_clearly(server, tmp_path):
    server.fail("/materials/summary/", Fault("short", page_cap=2), times=None)
    with pytest.raises(NetworkError, match="received 2 of 5 summary documents"):
        source(server).pull("Li-N")
    assert pulled_files(tmp_path) == []


def test_a_refused_connection_is_retried_then_reported(server):
    url = server.url
    server.stop()
    with pytest.raises(NetworkError, match="cannot connect") as info:
        MPSource(endpoint=url).pull("Li-N")
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- refusals: never retried


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("route", ["/materials/thermo/", "/heartbeat"])
def test_refused_keys_are_not_retried(patient, server, status, route):
    server.fail(route, Fault("status", status, body=f"Invalid API key {KEY}"), times=None)
    sleeps: list[float] = []
    with pytest.raises(NetworkError) as info:
        source(server, sleeps).pull("Li-N")
    msg = str(info.value)
    assert f"HTTP {status}" in msg and API_KEY_ENV in msg
    assert KEY not in msg and sleeps == []
    assert server.hits(route) == 1


def test_wrong_path_is_a_clear_error(server):
    with pytest.raises(NetworkError, match="has no route"):
        MPSource(endpoint=server.url + "v9/").pull("Li-N")


def test_key_checks_come_before_any_request(server, monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, "short")
    with pytest.raises(StabilityError, match="32") as info:
        source(server).pull("Li-N")
    assert not isinstance(info.value, NetworkError) and server.requests == []
    monkeypatch.delenv(API_KEY_ENV)
    with pytest.raises(StabilityError, match=API_KEY_ENV):
        source(server).pull("Li-N")
    assert server.requests == []


@pytest.mark.parametrize("endpoint", ["ftp://x.org/", "api.materialsproject.org", "http://"])
def test_bad_endpoint_is_one_line(endpoint):
    res = run("data", "pull", "Li-N", "--endpoint", endpoint)
    assert res.exit_code != 0 and isinstance(res.exception, SystemExit)
    assert res.output.count("\n") == 1 and "endpoint" in res.output


@pytest.mark.parametrize(
    "fault",
    [
        Fault("status", 401, body=f"bad key {KEY}"),
        Fault("status", 429, {"Retry-After": "3600"}),
        Fault("html", 503),
        Fault("short", page_cap=1),
        Fault("hang", delay_s=30),
    ],
    ids=["401", "429-long", "503", "short", "hang"],
)
def test_cli_failures_are_one_line_without_the_key(server, fault, monkeypatch):
    monkeypatch.setenv("STABILITY_MP_RETRIES", "1")
    server.fail("/materials/thermo/", fault, times=None)
    res = run("data", "pull", "Li-N", "--endpoint", server.url)
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    assert res.output.startswith("Error: ") and res.output.count("\n") == 1, res.output
    assert KEY not in res.output and "Traceback" not in res.output


def test_policy_knobs_are_checked(monkeypatch):
    monkeypatch.setenv("STABILITY_MP_BACKOFF", "soon")
    with pytest.raises(StabilityError, match="STABILITY_MP_BACKOFF"):
        RetryPolicy.from_env()


# ---------------------------------------------------------------- end to end


def test_pull_then_window_end_to_end(server):
    res = run("data", "pull", "Li-N", "--endpoint", server.url)
    assert res.exit_code == 0, res.output
    res = run("window", "Li3N", "--format", "json")
    assert res.exit_code == 0, res.output
    [row] = json.loads(res.output)
    assert row["dataset"] == "mp-api 2025.09.25 GGA_GGA+U"
    assert row["material_id"] == "mp-2251" and row["placed_on_hull"] is False
    # Oracle: plain pymatgen (tests/oracle.py) on the same MP2020-corrected entries.
    entries = [e for e in gga_entries() if e.data["material_id"] in LI_N]
    expected = oracle.window(entries, "Li3N")
    assert row["reduction_limit_V"] == pytest.approx(expected["reduction_limit_V"], abs=1e-6)
    assert row["oxidation_limit_V"] == pytest.approx(expected["oxidation_limit_V"], abs=1e-6)
    assert sorted(row["oxidation_products"]) == expected["oxidation_products"]
    assert 0.3 < row["oxidation_limit_V"] < 1.0  # a nitride's narrow window


# ---------------------------------------------------------------- installed like users install


@pytest.mark.slow
def test_pip_installed_package_pulls_into_the_user_cache(server, tmp_path):
    """``pip install .`` (not editable) into a fresh venv, then pull and window as a user.

    ``tests/installs.py`` builds the package from a copy of the sources (its C pivots
    compiled) and downloads nothing.
    """
    import os
    import subprocess

    py, site = pip_install_copy(tmp_path)

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STABILITY_", "MP_API"))}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        MP_API_KEY=KEY,
        STABILITY_MP_TIMEOUT="5",
        MPLBACKEND="Agg",
    )
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import stability, stability.config as c, stability.thermo.walk as w; "
            "print(stability.__file__); print(c.cache_dir()); print(w._pivots.__file__)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0].startswith(site), where  # the installed copy, not the source tree
    assert where[1] == str(home / ".cache" / "stability" / "entries")
    assert where[2].startswith(site), where  # the C pivots, compiled by the install

    stability = str(py.parent / "stability")
    pull = subprocess.run(
        [stability, "data", "pull", "Li-N", "--endpoint", server.url],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert pull.returncode == 0, pull.stdout + pull.stderr
    cache = home / ".cache" / "stability" / "entries"
    assert len(list(cache.glob("mp-api.*.npz"))) == 1
    assert len(list((cache / "properties").glob("mp-api.*_band_gaps.csv"))) == 1
    assert not list(Path(site).rglob("*.npz")) and not list(Path(site).rglob("cached_entries"))
    window = subprocess.run(
        [stability, "window", "Li3N", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert window.returncode == 0, window.stderr
    assert json.loads(window.stdout)[0]["dataset"] == "mp-api 2025.09.25 GGA_GGA+U"
    # STABILITY_CACHE still wins over the per-user folder.
    other = subprocess.run(
        [str(py), "-c", "import stability.config as c; print(c.cache_dir())"],
        env={**env, "STABILITY_CACHE": str(tmp_path / "elsewhere")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert other == str(tmp_path / "elsewhere")


def test_passivation_reads_the_pulled_band_gaps(server, tmp_path):
    for system in ("Li-N", "Cl-Li"):
        assert run("data", "pull", system, "--endpoint", server.url).exit_code == 0
    res = run("window", "Li3N", "--passivation", "--format", "json")
    assert res.exit_code == 0, res.output
    [row] = json.loads(res.output)
    # Li3N -> LiN3 (3.5 eV, an insulator) is crossed; the next step forms N2, a gas.
    assert row["passivated_oxidation_products"] == ["LiN3"]
    assert row["passivation_oxidation_stop"] == "N2: gas"
    assert row["passivated_oxidation_limit_V"] > row["oxidation_limit_V"]
