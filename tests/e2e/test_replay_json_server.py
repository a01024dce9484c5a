"""A real Node service (json-server from npm) recorded through ``driftdiff record`` and checked.

json-server answers with ids, ``?_embed=``/``?_expand=`` shape-selecting parameters, pagination
headers (``X-Total-Count``, ``Link``), a 404 and mutations, so it exercises what a real service
does that our own examples do not. The service runs as a real ``node`` process on a free port,
``driftdiff record`` is a real proxy process in front of it, and ``check`` starts the build
under test itself (``--start``) from a fresh copy of the seed database each time:

* the same build against its own recording: no finding at all, exit 0;
* builds changed with a json-server middleware: the exact rules that must fire, at the
  severity they must have.

json-server is installed by ``.ci/run`` (``npm install --prefix tests/e2e/apps/json_server``);
without node or the install the tests skip and say how to get them.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from drift_diff.cli import main
from tests.support import free_port, start_recorder, wait_until_ready

pytestmark = [pytest.mark.e2e, pytest.mark.heavy]

APP = Path(__file__).parent / "apps" / "json_server"
BIN = APP / "node_modules" / "json-server" / "lib" / "cli" / "bin.js"

TRAFFIC: list[tuple[str, str, Any]] = [
    ("GET", "/posts", None),
    ("GET", "/posts/1", None),
    ("GET", "/posts?_embed=comments", None),
    ("GET", "/posts/1?_embed=comments", None),
    ("GET", "/comments", None),
    ("GET", "/comments?_expand=post", None),
    ("GET", "/posts?_page=1&_limit=2", None),
    ("GET", "/posts?author=typicode", None),
    ("GET", "/posts?q=json", None),
    ("GET", "/posts?_sort=views&_order=desc", None),
    ("GET", "/users/1", None),  # an e-mail, recorded redacted
    ("GET", "/users", None),
    ("GET", "/posts/999", None),
    ("GET", "/comments?postId=1", None),
    ("POST", "/posts", {"title": "new", "author": "bob", "views": 0, "tags": ["x"], "userId": 2}),
    ("GET", "/posts/4", None),
    ("PATCH", "/posts/4", {"views": 5}),
    ("DELETE", "/posts/4", None),
]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (CI installs it: apt-get install -y nodejs npm)")
    if not BIN.is_file():
        pytest.skip(f"json-server is not installed: npm install --prefix {APP} (.ci/run does)")
    return node


@dataclass
class Recording:
    node: str
    folder: Path
    traces: Path
    baseline: Path

    def server(self, port: int, middleware: str | None = None) -> list[str]:
        """json-server on ``port`` (with a middleware: a changed build)."""
        db = self.folder / "db.json"
        cmd = [self.node, str(BIN), str(db), "--port", str(port), "--host", "127.0.0.1"]
        cmd += ["--quiet", "--static", str(self.folder / "no-static")]
        if middleware is not None:
            cmd += ["--middlewares", str(APP / middleware)]
        return cmd

    def start_command(self, port: int, middleware: str | None) -> str:
        """``--start`` of ``check``: a fresh copy of the seed database, then the server."""
        copy = shlex.join(["cp", str(APP / "db.json"), str(self.folder / "db.json")])
        return f"{copy} && exec {shlex.join(self.server(port, middleware))}"

    def check(self, middleware: str | None, *flags: str) -> tuple[int, dict[str, Any]]:
        port = free_port()
        report = self.folder / f"report-{middleware or 'same'}.json"
        code = main(
            [
                "check",
                str(self.traces),
                "--baseline",
                str(self.baseline),
                "--target",
                f"http://127.0.0.1:{port}",
                "--start",
                self.start_command(port, middleware),
                "--ready",
                "/profile",
                "--format",
                "json",
                "--output",
                str(report),
                *flags,
            ]
        )
        return code, json.loads(report.read_text())


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    node = _node()
    folder = tmp_path_factory.mktemp("json-server")
    rec = Recording(node, folder, folder / "traces", folder / "baseline.json")
    up_port, proxy_port = free_port(), free_port()
    shutil.copy(APP / "db.json", folder / "db.json")
    service = subprocess.Popen(
        rec.server(up_port), start_new_session=True, stdout=subprocess.DEVNULL
    )
    proxy = None
    try:
        wait_until_ready(f"http://127.0.0.1:{up_port}/profile", proc=service, deadline_s=60)
        proxy = start_recorder(f"http://127.0.0.1:{up_port}", proxy_port, rec.traces, "blog")
        wait_until_ready(f"http://127.0.0.1:{proxy_port}/profile", proc=proxy, deadline_s=60)
        with httpx.Client(base_url=f"http://127.0.0.1:{proxy_port}", timeout=10) as client:
            statuses = [client.request(m, path, json=body).status_code for m, path, body in TRAFFIC]
    finally:
        for proc in (p for p in (proxy, service) if p is not None):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.communicate(timeout=20)
    assert statuses == [
        404 if path == "/posts/999" else 201 if m == "POST" else 200 for m, path, _ in TRAFFIC
    ]
    assert main(["baseline", str(rec.traces), "--out", str(rec.baseline)]) == 0
    return rec


def _findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["rule"], c["severity"]) for c in report["changes"]}


def test_the_same_build_against_its_own_recording_is_silent(recording: Recording) -> None:
    code, report = recording.check(None, "--fail-on", "info")
    assert report["changes"] == []
    assert report["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert code == 0


def test_removed_field_changed_type_and_lost_count_header_are_breaking(
    recording: Recording,
) -> None:
    code, report = recording.check("changed_fields.js", "--fail-on-breaking")
    assert code == 1
    breaking = {f for f in _findings(report) if f[1] == "breaking"}
    assert breaking == {
        ("response-required-property-removed", "breaking"),  # author, seen by both sides
        ("response-property-type-changed", "breaking"),  # views: integer -> string
        ("replay-header-missing", "breaking"),  # X-Total-Count of the paginated request
    }
    # each break once: under the template, never again under the concrete path
    places = [(c["rule"], c["endpoint"], c["location"]) for c in report["changes"]]
    assert len(places) == len(set(places))
    assert not any(c["endpoint"] == "GET /posts/1" for c in report["changes"])
    header = next(c for c in report["changes"] if c["rule"] == "replay-header-missing")
    assert (header["endpoint"], header["location"]) == (
        "GET /posts",
        "response.headers.x-total-count",
    )


def test_shape_selecting_parameters_judged_by_the_same_request(recording: Recording) -> None:
    code, report = recording.check("changed_embeds.js", "--fail-on-breaking")
    assert code == 1
    by_rule = {(c["rule"], c["severity"]): c for c in report["changes"]}
    assert set(by_rule) == {
        # `post` was optional across GET /comments, but this request returned it
        ("replay-field-missing", "breaking"),
        # non-empty embedded lists came back empty
        ("replay-array-emptied", "warning"),
    }
    missing = by_rule[("replay-field-missing", "breaking")]
    assert (missing["endpoint"], missing["location"]) == (
        "GET /comments",
        "response.body[].post",
    )
    emptied = by_rule[("replay-array-emptied", "warning")]
    assert "_embed=comments" in emptied["message"]
