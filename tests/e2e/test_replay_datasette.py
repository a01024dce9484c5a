"""A real third-party ASGI app (datasette, from PyPI) recorded through ``driftdiff record`` and
checked through the real CLI against its own recording — silent — and against a build serving a
changed database — breaking.

datasette serves JSON over SQLite with what a real API carries and our own examples do not:
``query_ms`` timing values, absolute ``next_url``/``toggle_url`` links naming the origin it was
reached at, ``_next`` pagination tokens, shape-selecting parameters (``_shape=array|objects``),
filters, facets, custom SQL, an ETag-revalidated download (``-i``: immutable database), 404s and
HTML pages whose footer says how long the queries took. datasette runs as a real process on a
free port, ``driftdiff record`` is a real proxy process in front of it, and ``check`` starts the
build under test itself (``--start``) on another free port.
"""

from __future__ import annotations

import os
import shlex
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.apps.harness import findings, reported_rules
from tests.support import REPO, CliResult, free_port, run_cli, start_recorder, wait_until_ready

pytest.importorskip("datasette", reason="datasette (the third-party app under test) not installed")
pytestmark = pytest.mark.e2e

DB = "library"  # the database's name in datasette's URLs: the file's stem

#: JSON API requests (repeats included: a real client asks twice).
JSON_TRAFFIC: list[str] = [
    f"/{DB}/books.json",
    f"/{DB}/books.json?_shape=array",
    f"/{DB}/books.json?_shape=objects",
    f"/{DB}/books.json?_shape=object",  # keyed by primary key
    f"/{DB}/books.json?year__gt=1965&_shape=objects",
    f"/{DB}/books.json?_sort=year&_shape=array",
    f"/{DB}/books.json?_sort_desc=price",
    f"/{DB}/books.json?_size=5",  # next_url, a pagination token
    f"/{DB}/books.json?_size=5&_next=5",
    f"/{DB}/books.json?_size=5&_next=10",  # the last page: next is null
    f"/{DB}/books.json?_facet=author_id",
    f"/{DB}/books.json?_labels=on&_shape=objects&_size=2",  # expanded foreign keys
    f"/{DB}/books.json?_nocount=1",
    f"/{DB}/books/1.json",
    f"/{DB}/authors/2.json",
    f"/{DB}/authors.json?country=US&_shape=objects",
    f"/{DB}.json?sql=select+id,+title+from+books+where+year+>+1965&_shape=array",
    f"/{DB}.json?sql=select+count(*)+as+n,+author_id+from+books+group+by+author_id",
    f"/{DB}.json?sql=select+hex(randomblob(8))+as+id,+datetime('now')+as+at&_shape=array",
    f"/{DB}.json",
    "/.json",
    "/-/versions.json",
    "/-/metadata.json",
    "/-/settings.json",
    "/-/databases.json",
    f"/{DB}/nope.json",  # 404
    f"/{DB}/books/999.json",  # 404
    f"/{DB}/books.json?_shape=array",
    f"/{DB}/books/1.json",
    "/-/versions.json",
]

#: HTML pages, each asked once (their footer: "Queries took 7.55ms").
HTML_TRAFFIC: list[str] = ["/", f"/{DB}", f"/{DB}/books", f"/{DB}/books/1"]


def _make_database(path: Path, *, price_column: str = "price") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.executescript(
            f"""
            create table authors(id integer primary key, name text not null, country text);
            create table books(id integer primary key, title text not null,
                author_id integer references authors(id), year integer, {price_column} real);
            insert into authors values
                (1, 'Ursula K. Le Guin', 'US'), (2, 'Stanislaw Lem', 'PL'),
                (3, 'Octavia Butler', 'US');
            """
        )
        conn.executemany(
            "insert into books values (?, ?, ?, ?, ?)",
            [(i, f"Book {i}", i % 3 + 1, 1960 + i, 9.5 + i) for i in range(1, 13)],
        )
    conn.close()


def _datasette(db: Path, port: int) -> list[str]:
    # -i: immutable, so the database download carries an ETag (its hash)
    serve = [sys.executable, "-m", "datasette", "serve", "-i", str(db)]
    return [*serve, "-h", "127.0.0.1", "-p", str(port)]


@dataclass
class Recording:
    folder: Path
    traces: Path
    baseline: Path
    db: Path

    def check(self, db: Path, *flags: str) -> CliResult:
        """``driftdiff check`` against a fresh datasette serving ``db`` on a new free port."""
        port = free_port()
        out = self.folder / f"check-{port}"
        return run_cli(
            "check",
            str(self.traces),
            "--baseline",
            str(self.baseline),
            "--target",
            f"http://127.0.0.1:{port}",
            "--start",
            f"exec {shlex.join(_datasette(db, port))}",
            "--ready",
            "/-/versions.json",
            "--out-dir",
            str(out),
            "--format",
            "json",
            *flags,
            cwd=REPO,
        )


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    folder = tmp_path_factory.mktemp("datasette")
    rec = Recording(folder, folder / "traces", folder / "baseline.json", folder / f"{DB}.db")
    _make_database(rec.db)
    up_port, proxy_port = free_port(), free_port()
    service = subprocess.Popen(
        _datasette(rec.db, up_port),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = None
    statuses: dict[str, int] = {}
    try:
        # both start at once; the proxy answers 502 until datasette is up, so wait for that first
        proxy = start_recorder(f"http://127.0.0.1:{up_port}", proxy_port, rec.traces, "datasette")
        wait_until_ready(f"http://127.0.0.1:{up_port}/-/versions.json", proc=service)
        wait_until_ready(f"http://127.0.0.1:{proxy_port}/-/versions.json", proc=proxy)
        with httpx.Client(base_url=f"http://127.0.0.1:{proxy_port}", timeout=10) as client:
            for path in [*JSON_TRAFFIC, *HTML_TRAFFIC]:
                statuses[path] = client.get(path).status_code
            download = client.get(f"/{DB}.db")
            etag = download.headers.get("etag")
            revalidated = client.get(f"/{DB}.db", headers={"If-None-Match": etag or '"none"'})
    finally:
        for proc in (p for p in (proxy, service) if p is not None):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.communicate(timeout=20)
    assert {p: s for p, s in statuses.items() if s != 200} == {
        f"/{DB}/nope.json": 404,
        f"/{DB}/books/999.json": 404,
    }
    assert download.status_code == 200 and etag, download.headers
    assert revalidated.status_code == 304  # a cache revalidation, recorded as such
    result = run_cli("baseline", str(rec.traces), "--out", str(rec.baseline), cwd=REPO)
    assert result.code == 0, result.stderr
    return rec


@pytest.fixture(scope="module")
def own_build(recording: Recording) -> CliResult:
    """The same datasette, same database, a fresh process on another port."""
    return recording.check(recording.db, "--fail-on", "info")


def _changes(result: CliResult) -> list[dict[str, Any]]:
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    return changes


def _is_html(endpoint: str) -> bool:
    path = endpoint.split(" ", 1)[1].split(": ", 1)[0]
    return not path.endswith((".json", ".db"))


def test_own_build_json_api_is_silent(own_build: CliResult) -> None:
    """Timing values, origin-bearing links, tokens, random ids and dates: no finding at all on
    the JSON API (nor on the ETag-revalidated download)."""
    json_changes = [c for c in _changes(own_build) if not _is_html(str(c["endpoint"]))]
    assert json_changes == [], own_build.stderr
    # and no replayed JSON exchange mismatched (the per-request table: "#  GET /path  200 ...")
    rows = [line.split() for line in own_build.stderr.splitlines() if " mismatch " in line]
    assert [r for r in rows if not _is_html(f"{r[1]} {r[2]}")] == [], own_build.stderr


def test_own_build_is_silent_html_pages_included(own_build: CliResult) -> None:
    """The whole recording, HTML pages included, replayed against the same build: silent."""
    report = findings(own_build)
    found = [(c["severity"], c["rule"], c["endpoint"], c["message"]) for c in _changes(own_build)]
    assert found == [], found
    assert report["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert own_build.code == 0


@pytest.mark.heavy  # (a second check run, 4 s: with the heavy tests, which CI runs too)
def test_renamed_column_is_breaking(recording: Recording) -> None:
    """The same datasette serving a database whose ``books.price`` became ``cost``."""
    changed = recording.folder / "changed" / f"{DB}.db"
    _make_database(changed, price_column="cost")
    result = recording.check(changed, "--fail-on-breaking")
    assert result.code == 1, result.stdout + result.stderr
    rules = reported_rules(result)
    assert {"response-required-property-removed", "replay-field-missing"} <= rules, rules
    breaking = {
        (c["rule"], c["endpoint"], c["location"])
        for c in _changes(result)
        if c["severity"] == "breaking"
    }
    assert {
        # ?_shape=array: every item lost the field
        (
            "response-required-property-removed",
            f"GET /{DB}/books.json",
            "response.200.body[].price",
        ),
        # ?_shape=objects: rows[] items lost it (optional in the schema: arrays by default)
        ("replay-field-missing", f"GET /{DB}/books.json", "response.body.rows[].price"),
        # ?_sort_desc=price: no such column any more
        ("replay-status-changed", f"GET /{DB}/books.json", "response.status"),
    } <= breaking, breaking
    assert all(c[1].startswith(f"GET /{DB}/books") for c in breaking), breaking
