"""The replay rules are in the one catalogue and documented where users look them up."""

from __future__ import annotations

import re

from drift_diff.diff.registry import RULES, all_rules
from drift_diff.replay.rules import REPLAY_RULES
from tests.support import REPO


def test_replay_rules_are_registered_and_only_they_are_replay_rules() -> None:
    assert {r.id for r in REPLAY_RULES} == {r.id for r in all_rules() if r.area == "replay"}
    for r in REPLAY_RULES:
        assert RULES[r.id] is r
        assert r.id.startswith("replay-") and not r.kinds


def test_related_rules_are_registered_contract_rules() -> None:
    for r in REPLAY_RULES:
        for other in r.related:
            assert other in RULES, f"{r.id}: related {other!r} is not a registered rule"
            assert RULES[other].kinds, f"{r.id}: related {other!r} is not a contract rule"


def test_every_replay_rule_is_in_rules_md_with_its_severity() -> None:
    doc = (REPO / "docs" / "rules.md").read_text("utf-8")
    for r in REPLAY_RULES:
        assert f"`{r.id}` | {r.severity.value} | {r.direction.value} | replay |" in doc, r.id


def test_formats_md_points_at_rules_md_and_keeps_no_stale_copy() -> None:
    doc = (REPO / "docs" / "formats.md").read_text("utf-8")
    section = doc.split("## Replay rules", 1)[1].split("\n## ", 1)[0]
    assert "rules.md#replay-rules" in section
    # a second table of replay rules would drift from the catalogue: there is none
    assert not re.search(r"^\| `replay-", doc, re.MULTILINE)
