"""Outbound adapters are installed lazily: ``outbound.install()`` imports no client library;
one the service imports afterwards is patched by the import hook and its calls are recorded.

Each case runs in a fresh interpreter (what is already imported is the point of the test)
against the real upstream process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.apps.harness import upstream
from tests.support import REPO

pytestmark = pytest.mark.integration

LIBRARIES = ("requests", "httpx", "urllib3", "aiohttp", "redis", "psycopg2", "psycopg", "asyncpg")

SCRIPT = """
import json, sys
from driftdiff_sdk import outbound, runtime
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange

runtime.init(mode="record", traces_dir=sys.argv[2])
libraries = json.loads(sys.argv[3])
imported_at_init = sorted(m for m in libraries if m in sys.modules)
installed_at_init = outbound.installed()

import httpx  # after init: patched by the import hook
import requests  # brings urllib3 with it

ctx = ExchangeContext("ex-lazy")
token = set_exchange(ctx)
try:
    requests.get(sys.argv[1] + "/items/1?tag=late-requests").json()
    httpx.get(sys.argv[1] + "/items/2?tag=late-httpx").json()
finally:
    reset_exchange(token)
print(json.dumps({
    "imported_at_init": imported_at_init,
    "installed_at_init": installed_at_init,
    "installed": outbound.installed(),
    "urls": [call["request"]["url"] for call in ctx.outbound],
}))
runtime.shutdown()
print(json.dumps({"after_shutdown": outbound.installed(),
                  "send": requests.Session.send.__module__}))
"""


@pytest.fixture(scope="module")
def up() -> Iterator[str]:
    with upstream() as url:
        yield url


def _run(script: str, *args: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_library_imported_after_install_is_recorded(up: str, tmp_path: Path) -> None:
    got, after = _run(SCRIPT, up, str(tmp_path / "traces"), json.dumps(LIBRARIES))
    assert got["imported_at_init"] == []  # install() imported none of them
    assert "httpx_adapter" not in got["installed_at_init"]
    assert {"requests_adapter", "httpx_adapter", "urllib3_adapter"} <= set(got["installed"])
    # each call once: requests' call is not recorded again by the urllib3 adapter under it
    assert got["urls"] == [f"{up}/items/1?tag=late-requests", f"{up}/items/2?tag=late-httpx"]
    assert after == {"after_shutdown": [], "send": "requests.sessions"}


def test_a_library_imported_before_install_is_patched_at_once(up: str, tmp_path: Path) -> None:
    script = "import requests\n" + SCRIPT
    got, _ = _run(script, up, str(tmp_path / "traces"), json.dumps(LIBRARIES))
    assert "requests" in got["imported_at_init"]
    assert {"requests_adapter", "urllib3_adapter"} <= set(got["installed_at_init"])
    assert len(got["urls"]) == 2
