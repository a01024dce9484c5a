"""Record real traffic of a shop app (upstream up), then replay it with the upstream stopped."""

from __future__ import annotations

import json
import re
import shlex
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from drift_diff.baseline import save_baseline
from drift_diff.infer import infer_baseline
from drift_diff.traffic.traces import iter_raw_exchanges
from tests.support import REPO, CliResult, free_port, run_cli, server_process, wait_for_lines

#: (method, path, JSON body) sent to the app while recording.
TRAFFIC = [
    ("GET", "/health", None),
    ("GET", "/orders/1", None),
    ("GET", "/orders/2", None),
    ("GET", "/orders/1", None),
    ("GET", "/prices?currency=EUR", None),
    ("POST", "/orders", {"sku": "sku-1", "qty": 2}),
    ("POST", "/orders", {"sku": "sku-1", "qty": 2}),
    ("GET", "/orders/3", None),
    ("GET", "/prices?currency=USD", None),
    ("GET", "/report.txt", None),
    ("GET", "/logo.png", None),
    ("GET", "/old-orders/1", None),
]


@dataclass
class Recording:
    app: str
    traces: Path
    baseline: Path
    upstream_port: int

    def start_command(self, port: int, variant: str = "") -> str:
        env = f"UPSTREAM_URL=http://127.0.0.1:{self.upstream_port} SHOP_VARIANT={variant}"
        return f"{env} exec {shlex.join(_app_command(self.app, port))}"

    def replay(
        self, *extra: str, variant: str = "", command: str = "replay", port: int | None = None
    ) -> CliResult:
        port = port or free_port()
        args = [command]
        if command == "check":
            args += ["--baseline", str(self.baseline)]
        args += [
            str(self.traces),
            "--target",
            f"http://127.0.0.1:{port}",
            "--start",
            self.start_command(port, variant),
            "--ready",
            "/health",
            *extra,
        ]
        return run_cli(*args, cwd=REPO)


#: How each shop app is served (``{port}``): under its usual server. Apps not listed serve
#: themselves: ``python -m tests.e2e.apps.shop_<app> PORT`` (flask, aiohttp, sanic).
APP_SERVERS: dict[str, list[str]] = {
    "fastapi": ["uvicorn", "tests.e2e.apps.shop_fastapi:app", "--host", "127.0.0.1"],
    "litestar": ["uvicorn", "tests.e2e.apps.shop_litestar:app", "--host", "127.0.0.1"],
    "falcon": ["gunicorn", "tests.e2e.apps.shop_falcon:app", "--workers", "1"],
    "falcon-asgi": ["uvicorn", "tests.e2e.apps.shop_falcon:asgi_app", "--host", "127.0.0.1"],
    "starlette-mounts": [
        "uvicorn",
        "tests.e2e.apps.shop_mounted:starlette_app",
        "--host",
        "127.0.0.1",
    ],
    "fastapi-prefixes": [
        "uvicorn",
        "tests.e2e.apps.shop_mounted:fastapi_app",
        "--host",
        "127.0.0.1",
    ],
}


def _app_command(app: str, port: int) -> list[str]:
    server = APP_SERVERS.get(app)
    if server is None:
        return [sys.executable, "-m", f"tests.e2e.apps.shop_{app}", str(port)]
    if server[0] == "gunicorn":
        return [sys.executable, "-m", *server, "--bind", f"127.0.0.1:{port}"]
    return [sys.executable, "-m", *server, "--port", str(port)]


def record(
    app: str,
    workdir: Path,
    traffic: list[tuple[str, str, object]] | None = None,
    *,
    variant: str = "",
    headers: dict[str, str] | None = None,
) -> Recording:
    """Run upstream + app (SDK record mode, ``SHOP_VARIANT=variant``), send ``TRAFFIC`` (with
    ``headers`` on every request), stop both; infer the baseline."""
    upstream_port, app_port = free_port(), free_port()
    traces = workdir / "traces"
    upstream = [sys.executable, "-m", "tests.e2e.apps.upstream", str(upstream_port)]
    env = {
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_DEFAULT_EXCLUDES": "0",  # /health (the readiness poll) is replayed too
        "DRIFTDIFF_TRACES_DIR": str(traces),
        "UPSTREAM_URL": f"http://127.0.0.1:{upstream_port}",
        "SHOP_VARIANT": variant,
    }
    with (
        server_process(upstream, f"http://127.0.0.1:{upstream_port}/fees", cwd=REPO),
        server_process(
            _app_command(app, app_port), f"http://127.0.0.1:{app_port}/health", env=env, cwd=REPO
        ),
    ):
        base = f"http://127.0.0.1:{app_port}"
        with httpx.Client(base_url=base, timeout=10, headers=headers) as client:
            for method, path, body in traffic or TRAFFIC:
                response = client.request(method, path, json=body)
                assert response.status_code < 400, (method, path, response.status_code)
        # the SDK writes off the request path: wait (with a deadline) until the last exchange
        # is on disk before stopping the app, or a clean shutdown could race the last write
        _wait_for_lines(traces, len(traffic or TRAFFIC) + 1)  # + the readiness poll
    exchanges = list(iter_raw_exchanges([traces]))
    baseline = workdir / "baseline.json"
    save_baseline(infer_baseline(exchanges), baseline)
    return Recording(app, traces, baseline, upstream_port)


def _wait_for_lines(traces: Path, expected: int, deadline_s: float = 10.0) -> None:
    """Until the SDK wrote ``expected`` lines (after the deadline the test reads what is there)."""
    with suppress(TimeoutError):
        wait_for_lines(traces, expected, deadline_s=deadline_s)


class ConnectionCounter:
    """A TCP listener on a port that must see no connection (the stopped upstream's)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> int:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
        return self.accepted


@contextmanager
def listener_on(port: int) -> Iterator[ConnectionCounter]:
    counter = ConnectionCounter(port)
    try:
        yield counter
    finally:
        counter.close()


def findings(result: CliResult) -> dict[str, object]:
    """The JSON report printed on stdout by ``--format json``."""
    try:
        parsed: dict[str, object] = json.loads(result.stdout)
    except ValueError as exc:
        raise AssertionError(f"no JSON report: {result.stdout!r} {result.stderr!r}") from exc
    return parsed


def rule_ids(result: CliResult) -> set[str]:
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    return {str(c["rule"]) for c in changes}


def reported_rules(result: CliResult) -> set[str]:
    """Rule ids reported, including replay findings folded into the schema change they confirm
    (named in that change's evidence as ``; replay-...: message``)."""
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    folded = {m for c in changes for m in re.findall(r"; (replay-[a-z-]+): ", str(c["evidence"]))}
    return rule_ids(result) | folded


def assert_secrets_kept_out(recording: Recording, secrets: list[str]) -> None:
    """No planted secret in the recorded traces, while the fields and headers that held them
    are kept (their values redacted): the order app's POST body and its Authorization."""
    text = "\n".join(f.read_text() for f in sorted(recording.traces.glob("*.jsonl")))
    assert [s for s in secrets if s in text] == []
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    post = next(ex for ex in lines if ex["request"]["method"] == "POST")
    assert set(post["request"]["body"]) == {"sku", "qty", "password"}  # the field is kept
    assert "authorization" in {str(h).lower() for h in post["request"]["headers"]}
