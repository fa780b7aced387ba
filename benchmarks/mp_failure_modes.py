"""What ``stability data pull Li-N`` does in each failure mode of the local MP-protocol server.

Runs the command (real mp-api client) against tests/mp_server.py once per mode, with the
default retry knobs unless the mode says otherwise, and prints a Markdown table: mode, what
the user sees, exit code, wall time. Takes about five minutes (the defaults back off for
real). Usage: ``.venv/bin/python benchmarks/mp_failure_modes.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["MP_API_KEY"] = "0123456789abcdefSECRETkey0123456"
os.environ.pop("STABILITY_DATA", None)
os.environ.setdefault("MPLBACKEND", "Agg")
from click.testing import CliRunner  # noqa: E402

from stability.cli import cli  # noqa: E402
from stability.entries.mp import _preload_client  # noqa: E402
from tests.mp_documents import summary_docs, thermo_docs  # noqa: E402
from tests.mp_server import Fault, MPServer  # noqa: E402

_preload_client()  # imports are not part of any mode's time
DOCS = thermo_docs(), summary_docs()
H, T, S = "/heartbeat", "/materials/thermo/", "/materials/summary/"
modes = [
    ("no fault", [], {}),
    ("thermo 429 x2, Retry-After: 3", [(T, Fault("status", 429, {"Retry-After": "3"}), 2)], {}),
    ("thermo 429 x2, no Retry-After", [(T, Fault("status", 429), 2)], {}),
    (
        "thermo 429 always, Retry-After: 3600",
        [(T, Fault("status", 429, {"Retry-After": "3600"}), None)],
        {},
    ),
    ("thermo 503 x2 (JSON detail)", [(T, Fault("status", 503), 2)], {}),
    ("thermo 503 always (HTML page)", [(T, Fault("html", 503), None)], {}),
    ("summary 503 x1", [(S, Fault("status", 503), 1)], {}),
    ("heartbeat 429 x2 (JSON)", [(H, Fault("status", 429), 2)], {}),
    ("client's heartbeat 503 HTML x1", [(H, Fault("pass"), 1), (H, Fault("html", 503), 1)], {}),
    (
        "client's heartbeat 503 HTML always",
        [(H, Fault("pass"), 1), (H, Fault("html", 503), None)],
        {},
    ),
    ("heartbeat 200 but not JSON x1", [(H, Fault("text", body="<html>maintenance</html>"), 1)], {}),
    (
        "client's heartbeat hangs once (timeout 10 s)",
        [(H, Fault("pass"), 1), (H, Fault("hang", delay_s=600), 1)],
        {"STABILITY_MP_TIMEOUT": "10"},
    ),
    (
        "thermo hangs always (timeout 10 s)",
        [(T, Fault("hang", delay_s=600), None)],
        {"STABILITY_MP_TIMEOUT": "10"},
    ),
    ("thermo slow, 5 s", [(T, Fault("slow", delay_s=5), 1)], {}),
    ("thermo short page x1 (2 of 5)", [(T, Fault("short", page_cap=2), 1)], {}),
    ("summary short pages always", [(S, Fault("short", page_cap=2), None)], {}),
    ("thermo 401", [(T, Fault("status", 401, body="Invalid API key"), None)], {}),
    ("thermo 403", [(T, Fault("status", 403, body="Forbidden"), None)], {}),
    ("heartbeat 403", [(H, Fault("status", 403), None)], {}),
    ("wrong path (404)", "404", {}),
    ("nothing listening (connection refused)", "refused", {}),
]
print("| failure mode | what the user sees | exit | time (s) |")
print("| --- | --- | --- | --- |")
for name, faults, env in modes:
    srv = MPServer(*DOCS).start()
    url = srv.url
    if faults == "404":
        url += "v9/"
    elif faults == "refused":
        srv.stop()
    else:
        for route, f, times in faults:
            srv.fail(route, f, times=times)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    cache = tempfile.mkdtemp()
    os.environ["STABILITY_CACHE"] = cache
    t0 = time.monotonic()
    res = CliRunner().invoke(cli, ["data", "pull", "Li-N", "--endpoint", url])
    dt = time.monotonic() - t0
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    if faults != "refused":
        srv.stop()
    out = res.output.strip().replace("\n", " / ").replace(cache, "<cache>").replace(url, "<url>")
    print(f"| {name} | {out} | {res.exit_code} | {dt:.1f} |", flush=True)
