"""sdk/README.md documents every ``driftdiff_sdk.stats()`` key and every writer choice."""

from __future__ import annotations

import re

from driftdiff_sdk import stats
from driftdiff_sdk.config import WRITERS

from tests.support import REPO

README = (REPO / "sdk" / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n## ", start + len(title))
    return README[start : end if end >= 0 else None]


def test_every_stats_key_has_a_row() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \|", _section("## `driftdiff_sdk.stats()`"), re.M)
    assert sorted(rows) == sorted(stats())


def test_the_writer_variable_and_its_values_are_documented() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `DRIFTDIFF_WRITER`"))
    assert all(f"`{value}`" in row for value in WRITERS)
