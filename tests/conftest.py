from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import CONFORMANCE


@pytest.fixture
def conformance_dir() -> Path:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared/conformance is absent (CI always has it)")
    return CONFORMANCE
