"""Parts of the Materials Project path that need no server (see test_mp_protocol.py for the
real client against a local MP-protocol server)."""

from __future__ import annotations

import pytest

from stability.entries.mp import MPSource, parse_chemsys, subsystems
from stability.errors import StabilityError

KEY = "0123456789abcdefSECRETkey0123456"


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


def test_subsystems_as_mp_names_them():
    assert subsystems(["Li", "N"]) == ["Li", "N", "Li-N"]
    assert subsystems(["N", "Li", "Cl"]) == ["Cl", "Li", "N", "Cl-Li", "Cl-N", "Li-N", "Cl-Li-N"]
    assert len(subsystems(["Li", "N", "Cl", "O", "P"])) == 2**5 - 1


def test_bad_chemsys_is_rejected_before_any_request():
    # An endpoint nothing listens on: a request would fail with a network error instead.
    with pytest.raises(StabilityError, match="Xx"):
        MPSource(api_key=KEY, endpoint="http://127.0.0.1:9/").pull("Li-Xx")


def test_unknown_thermo_type():
    with pytest.raises(StabilityError, match="GGA_GGA\\+U_R2SCAN"):
        MPSource(api_key=KEY, thermo_type="SCAN")


def test_cli_pull_without_key_is_one_line(monkeypatch):
    from click.testing import CliRunner

    from stability.cli import cli

    monkeypatch.delenv("MP_API_KEY", raising=False)
    res = CliRunner().invoke(cli, ["data", "pull", "Li-N-Cl"])
    assert res.exit_code != 0 and isinstance(res.exception, SystemExit)
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "MP_API_KEY" in lines[0], res.output


def test_cli_pull_bad_chemsys_is_one_line(monkeypatch):
    from click.testing import CliRunner

    from stability.cli import cli

    monkeypatch.setenv("MP_API_KEY", KEY)
    res = CliRunner().invoke(cli, ["data", "pull", "Li-Xx"])
    assert res.exit_code != 0 and isinstance(res.exception, SystemExit)
    assert len(res.output.strip().splitlines()) == 1 and "Xx" in res.output
