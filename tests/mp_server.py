"""A local server speaking the Materials Project REST protocol, for tests of the real client.

Only the routes ``mp_api.client.MPRester`` (0.46) uses to pull a chemical system are served:

- ``GET /heartbeat`` -> ``{"db_version", "access_controlled_batch_ids", "version"}``
  (read twice when a client is built: emmet version, then database version);
- ``GET /materials/thermo/?chemsys=Li,N,Li-N&thermo_types=...&_limit=&_skip=&_fields=``
  -> ``{"data": [...], "meta": {"total_doc": N, ...}}``, filtered as emmet-api's
  ``ChemsysQuery`` / ``MultiThermoTypeQuery`` do (exact matches, comma lists);
- ``GET /materials/summary/?chemsys=...`` -> the same envelope over summary documents.

Errors are ``{"detail": ...}`` with their status code, as FastAPI answers. Faults are queued
per route (``server.fail(route, Fault(...), times=n)``) or set for good (``times=None``), so
a test scripts what the client meets: 429 with or without ``Retry-After``, 503, HTML error
pages, hangs, slow answers, short pages, 401/403.

Documents are built by the tests from small structures (see :func:`thermo_docs`) with
emmet's own ``ThermoDoc.from_entries``, so they have the shape MP sends, including
``oxidation_states`` in each entry's ``data``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DB_VERSION = "2025.09.25"
EMMET_VERSION = "0.87.3"
#: maggma's PaginationQuery defaults.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

HTML_ERROR = (
    "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1>"
    "</center><hr><center>nginx</center></body></html>"
)


@dataclass
class Fault:
    """What the server does instead of (or before) answering normally.

    kind: ``status`` (answer ``status`` with a JSON ``detail`` body), ``html`` (answer
    ``status`` with an HTML page), ``hang`` (say nothing for ``delay_s`` seconds or until the
    server stops, then close), ``slow`` (wait ``delay_s`` then answer normally), ``short``
    (answer normally but with at most ``page_cap`` documents per page), ``text`` (answer 200
    with ``body`` as it is), ``pass`` (answer normally: queue it before a fault to let
    requests through first).
    """

    kind: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    page_cap: int = 0
    body: str = ""


class MPServer:
    """Serve thermo and summary documents on 127.0.0.1 at a random port (see module doc)."""

    def __init__(
        self,
        thermo: Iterable[dict[str, Any]] = (),
        summary: Iterable[dict[str, Any]] = (),
        db_version: str = DB_VERSION,
    ) -> None:
        self.thermo = list(thermo)
        self.summary = list(summary)
        self.db_version = db_version
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._faults: dict[str, list[tuple[Fault, int | None]]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # ------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> MPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases hanging handlers
        self._httpd.shutdown()
        self._httpd.server_close()

    def fail(self, route: str, fault: Fault, times: int | None = 1) -> None:
        """Apply ``fault`` to the next ``times`` requests of ``route`` (None: to all)."""
        with self._lock:
            self._faults.setdefault(route, []).append((fault, times))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def hits(self, route: str) -> int:
        return sum(1 for path, _ in self.requests if path == route)

    def _next_fault(self, route: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(route) or []
            if not queue:
                return None
            fault, times = queue[0]
            if times is not None:
                if times <= 1:
                    queue.pop(0)
                else:
                    queue[0] = (fault, times - 1)
            return fault

    # ------------------------------------------------------------------ answers

    def heartbeat(self) -> dict[str, Any]:
        return {
            "db_version": self.db_version,
            "access_controlled_batch_ids": [],
            "version": EMMET_VERSION,
        }

    def search(
        self, docs: list[dict[str, Any]], params: dict[str, str], page_cap: int = 0
    ) -> dict[str, Any]:
        found = docs
        if params.get("chemsys"):
            wanted = {"-".join(sorted(c.strip().split("-"))) for c in params["chemsys"].split(",")}
            found = [d for d in found if d.get("chemsys") in wanted]
        if params.get("thermo_types"):
            types = {t.strip() for t in params["thermo_types"].split(",")}
            found = [d for d in found if d.get("thermo_type") in types]
        skip = int(params.get("_skip", 0))
        limit = min(int(params.get("_limit", DEFAULT_LIMIT)), MAX_LIMIT)
        if page_cap:
            limit = min(limit, page_cap)
        page = found[skip : skip + limit]
        if params.get("_all_fields", "").lower() != "true":
            keep = (
                params["_fields"].split(",")
                if params.get("_fields")
                else ["material_id", "last_updated"]
            )
            page = [{k: d[k] for k in keep if k in d} for d in page]
        return {
            "data": page,
            "meta": {
                "total_doc": len(found),
                "max_limit": MAX_LIMIT,
                "db_version": self.db_version,
            },
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(
                self,
                status: int,
                body: str,
                ctype: str = "application/json",
                headers: dict[str, str] | None = None,
            ) -> None:
                raw = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                parts = urlsplit(self.path)
                route = parts.path if parts.path.endswith("/") else parts.path + "/"
                route = "/heartbeat" if route == "/heartbeat/" else route
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                with server._lock:
                    server.requests.append((route, params))
                fault = server._next_fault(route)
                page_cap = 0
                if fault is not None:
                    if fault.kind == "hang":
                        server._stop.wait(fault.delay_s or 60)
                        self.close_connection = True
                        return
                    if fault.kind == "slow":
                        server._stop.wait(fault.delay_s)
                    elif fault.kind == "status":
                        detail = fault.body or self.responses.get(fault.status, ("error",))[0]
                        self._send(
                            fault.status, json.dumps({"detail": detail}), headers=fault.headers
                        )
                        return
                    elif fault.kind == "html":
                        reason = self.responses.get(fault.status, ("Error",))[0]
                        self._send(
                            fault.status,
                            HTML_ERROR.format(code=fault.status, reason=reason),
                            "text/html",
                            fault.headers,
                        )
                        return
                    elif fault.kind == "text":
                        self._send(200, fault.body, "text/plain", fault.headers)
                        return
                    elif fault.kind == "pass":
                        pass
                    elif fault.kind == "short":
                        page_cap = fault.page_cap
                if route == "/heartbeat":
                    self._send(200, json.dumps(server.heartbeat()))
                elif route == "/materials/thermo/":
                    self._send(200, json.dumps(server.search(server.thermo, params, page_cap)))
                elif route == "/materials/summary/":
                    self._send(200, json.dumps(server.search(server.summary, params, page_cap)))
                else:
                    self._send(404, json.dumps({"detail": "Not Found"}))

        return Handler


def wait_until(predicate, timeout_s: float = 5.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
