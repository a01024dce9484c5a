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
