from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.support import CONFORMANCE

# A runner may start the suite in the background of a non-interactive shell, where SIGINT is
# ignored; an ignored signal stays ignored across exec, so the servers tests stop with SIGINT
# (werkzeug, PostgreSQL's fast shutdown) would never stop. A Python-level handler here is reset
# to the default in every child a test starts.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def conformance_dir() -> Path:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared/conformance is absent (CI always has it)")
    return CONFORMANCE


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports rendered in-process wrap their tables to the terminal (``COLUMNS``, else the
    real terminal's width): without this, a test run in an 80-column terminal, or under
    pytest-xdist (whose workers get ``COLUMNS=80``), saw other tables than CI's log (200 wide,
    ``report.text``'s default). Tests of narrow terminals set ``COLUMNS`` themselves."""
    monkeypatch.setenv("COLUMNS", "200")
