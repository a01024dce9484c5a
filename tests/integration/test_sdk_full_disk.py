"""The SDK's writer on a real full filesystem (a 64 KiB tmpfs): no empty file per flush, whole
lines only, one clear log line per outage, losses counted, writing resumes once space is back.

Needs ``mount -t tmpfs`` (root, as in CI); skipped with the reason when it is refused.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from driftdiff_sdk import recorder
from driftdiff_sdk.config import SDKConfig

from drift_diff.processes import poll_until

pytestmark = pytest.mark.integration


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _exchange(i: int) -> dict[str, object]:
    return {
        "format": "driftdiff.exchange/1",
        "id": f"ex-{i}",
        "request": {"method": "GET", "path": f"/items/{i}", "headers": {}},
        "response": {"status": 200, "body": {"note": "x" * 900, "i": i}},
    }


def _until(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    poll_until(check, deadline_s=seconds, what=what, error=AssertionError)


def test_full_disk_backs_off_without_empty_files(
    tiny_disk: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(recorder, "_BACKOFF_MIN_S", 0.05)
    monkeypatch.setattr(recorder, "_BACKOFF_MAX_S", 0.2)
    filler = tiny_disk / "filler.bin"
    filler.write_bytes(b"\0" * 40 * 1024)  # leaves ~24 KiB: about twenty lines fit
    traces = tiny_disk / "traces"
    recorder.reset_stats()
    rec = recorder.Recorder(SDKConfig(mode="record", service="svc", traces_dir=str(traces)))
    caplog.set_level(logging.WARNING, logger="driftdiff_sdk")
    try:
        sent = 0
        deadline = time.monotonic() + 1.5  # many flushes and several back-off rounds
        while time.monotonic() < deadline:
            rec.submit(_exchange(sent))
            sent += 1
            time.sleep(0.002)
        _until(lambda: recorder.stats()["unwritten"] > 0, "the disk to refuse writes")
        full = recorder.stats()

        files = sorted(traces.iterdir())
        assert len(files) == 1, [f.name for f in files]  # not one (empty) file per flush
        data = files[0].read_bytes()
        assert data.endswith(b"\n")  # no partial line left behind
        lines = [json.loads(line) for line in data.splitlines()]
        assert len(lines) == full["recorded"] > 0
        assert full["errors"] >= full["unwritten"] > 0

        messages = [r.getMessage() for r in caplog.records]
        outage = [m for m in messages if "cannot write traces" in m]
        assert len(outage) == 1, messages
        assert "No space left on device" in outage[0] and "unwritten" in outage[0]
        assert all(r.exc_info is None for r in caplog.records)  # never "NoneType: None"

        # space comes back: the writer notices after its back-off and carries on in one file
        filler.unlink()
        before = full["recorded"]
        _until(
            lambda: (rec.submit(_exchange(sent)), recorder.stats()["recorded"] > before)[1],
            "writing to resume",
        )
        assert any("again" in r.getMessage() for r in caplog.records)
        assert len(list(traces.iterdir())) == 1
    finally:
        rec.close()
        recorder.reset_stats()
    with contextlib.suppress(FileNotFoundError):
        assert all(os.path.getsize(f) > 0 for f in traces.iterdir())
